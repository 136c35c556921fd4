"""The campaign workbook of an organisation (/saisie/classeur/...): download
it, import it back, read the preview, confirm.

The preview is kept in the session (server side) under a random token the
confirmation sends back, bound to the user, the organisation, the campaign
and the file's content hash, with an expiry: the browser never holds the
changes. The confirmation refuses a preview whose data changed meanwhile
(:func:`engagements.classeur.enregistrer` compares fingerprints).
"""

import hashlib
import secrets
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from contrat.models import Organisation, organisation_de
from contrat.securite import journaliser_refus
from contrat.televersement import limite_televersement
from engagements import classeur
from engagements.forms_classeur import ClasseurImportForm
from engagements.models import Campagne

SESSION_APERCU = "classeur_import"


def _organisation_autorisee(request, slug):
    """Staff reach every organisation's workbook; a partner only its own
    (another organisation's does not exist for it: 404)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if request.user.is_staff:
        return organisation
    propre = organisation_de(request.user)
    if propre is None or propre.pk != organisation.pk:
        journaliser_refus(request, 404, f"classeur de {slug} par une autre organisation")
        raise Http404("Ce classeur ne relève pas de votre organisation.")
    return organisation


def _rendu(request, organisation, campagne, *, form=None, apercu=None, jeton=None, **extra):
    statut = extra.pop("statut", 200)
    return render(
        request,
        "engagements/classeur.html",
        {
            "organisation": organisation,
            "campagne": campagne,
            "form": form or ClasseurImportForm(),
            "apercu": apercu,
            "jeton": jeton,
            "duree_minutes": classeur.APERCU_DUREE // 60,
            **extra,
        },
        status=statut,
    )


@login_required
@require_GET
def classeur_page(request, annee, organisation):
    organisation = _organisation_autorisee(request, organisation)
    campagne = get_object_or_404(Campagne, annee=annee)
    return _rendu(
        request, organisation, campagne, nb_indicateurs=len(classeur.indicateurs_dus(organisation))
    )


@login_required
@require_GET
def classeur_exporter(request, annee, organisation):
    organisation = _organisation_autorisee(request, organisation)
    campagne = get_object_or_404(Campagne, annee=annee)
    reponse = HttpResponse(
        classeur.exporter(organisation, campagne),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    reponse["Content-Disposition"] = (
        f'attachment; filename="classeur-{organisation.slug}-{campagne.annee}.xlsx"'
    )
    return reponse


@limite_televersement("IMPORT_TAILLE_MAX")
@login_required
@require_POST
def classeur_importer(request, annee, organisation):
    """Read the workbook and show the preview; nothing is saved."""
    organisation = _organisation_autorisee(request, organisation)
    campagne = get_object_or_404(Campagne, annee=annee)
    form = ClasseurImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _rendu(request, organisation, campagne, form=form, statut=400)
    fichier = form.cleaned_data["fichier"]
    contenu = fichier.read()
    apercu = classeur.analyser(
        organisation=organisation, campagne=campagne, nom=fichier.name, contenu=contenu
    )
    request.session.pop(SESSION_APERCU, None)
    if not apercu.ok:
        return _rendu(request, organisation, campagne, form=form, apercu=apercu, statut=400)
    jeton = secrets.token_urlsafe(24)
    if apercu.a_enregistrer or apercu.a_soumettre or apercu.suivis_a_soumettre:
        request.session[SESSION_APERCU] = {
            "jeton": jeton,
            "utilisateur": request.user.pk,
            "organisation": organisation.slug,
            "annee": campagne.annee,
            "expire": time.time() + classeur.APERCU_DUREE,
            "fichier": hashlib.sha256(contenu).hexdigest(),
            "empreinte": classeur.empreinte_donnees(
                classeur.indicateurs_dus(organisation), campagne, organisation
            ),
            "grilles": apercu.grilles,
            "suivis": apercu.suivis,
            "inchangees": apercu.comptes["inchangee"],
        }
    return _rendu(request, organisation, campagne, apercu=apercu, jeton=jeton)


@login_required
@require_POST
def classeur_confirmer(request, annee, organisation):
    """Save the previewed workbook: the changes come from the session, never
    from the browser, which only names the preview by its token."""
    organisation = _organisation_autorisee(request, organisation)
    campagne = get_object_or_404(Campagne, annee=annee)
    page = redirect("saisie:classeur", annee=campagne.annee, organisation=organisation.slug)
    apercu = request.session.get(SESSION_APERCU)
    if (
        not apercu
        or not secrets.compare_digest(str(apercu.get("jeton", "")), request.POST.get("jeton", ""))
        or apercu.get("utilisateur") != request.user.pk
        or apercu.get("organisation") != organisation.slug
        or apercu.get("annee") != campagne.annee
    ):
        messages.error(request, "Aperçu introuvable : déposez le classeur à nouveau.")
        return page
    del request.session[SESSION_APERCU]
    if apercu["expire"] < time.time():
        messages.error(
            request,
            f"Aperçu périmé (plus de {classeur.APERCU_DUREE // 60} minutes) : rien n'a été "
            "enregistré. Déposez le classeur à nouveau.",
        )
        return page
    soumettre = request.POST.get("action") == "soumettre"
    try:
        changements = classeur.enregistrer(
            utilisateur=request.user,
            organisation=organisation,
            campagne=campagne,
            grilles=apercu["grilles"],
            suivis=apercu.get("suivis", []),
            empreinte=apercu["empreinte"],
            soumettre=soumettre,
        )
    except classeur.ApercuPerime as exc:
        return _rendu(request, organisation, campagne, refus=[exc.message], statut=409)
    except classeur.ClasseurRefuse as exc:
        return _rendu(
            request,
            organisation,
            campagne,
            refus=[exc.message, *(f"{code} : {message}" for code, message in exc.erreurs)],
            statut=400,
        )
    changements.inchangees = apercu.get("inchangees", 0)
    messages.success(request, f"Classeur enregistré : {changements.resume()}.")
    return page
