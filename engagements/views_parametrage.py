"""Staff's indicator set-up workspace (/saisie/parametrage/): every
indicator of the plan with its set-up, filters, editing a page or a
selection in one batch, and the same table as a spreadsheet (export, import
with a preview, confirm).

Every write goes through :func:`fiches.services.indicateurs_parametrer`:
the page, the batch actions and the import differ only in how they build
its rows. The import's preview is kept in the session (server side), under
a random token the confirmation must send back: the browser never holds
the changes, and a row changed between preview and confirmation is reported
by the service as a conflict (the tokens of the rows were read at preview).
"""

import csv
import io
import secrets
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contrat.api.rendu import neutraliser
from contrat.erreurs import PermissionRefusee
from contrat.models import Objectif, Organisation
from contrat.nombres import ecrire_nombre, lire_entier
from contrat.televersement import limite_televersement
from engagements import echange, xlsx
from engagements.forms import ImportParametrageForm
from engagements.views import equipe_requise
from fiches import parametrage
from fiches.models import Fiche, Indicateur
from fiches.services import (
    LigneParametrage,
    ParametrageConflit,
    ParametrageInvalide,
    indicateurs_parametrer,
)

PAR_PAGE = 50
SESSION_APERCU = "parametrage_import"
CHAMPS_LOT = ["organisation", "unite", "sens", "desagregation"]


def _filtres(donnees):
    """The filters of the query string, read safely (a bad one is ignored)."""
    try:
        objectif = lire_entier(donnees.get("objectif", ""), minimum=0, maximum=5)
    except ValidationError:
        objectif = None
    return {
        "objectif": objectif,
        "fiche": donnees.get("fiche", "").strip()[:20],
        "organisation": donnees.get("organisation", "").strip()[:100],
        "type": donnees.get("type", "") if donnees.get("type") in Indicateur.Type.values else "",
        "manque": donnees.get("manque", "") if donnees.get("manque") in parametrage.MANQUES else "",
    }


def _requete(filtres):
    """The filters as a query string (links, export, pagination)."""
    return urlencode({k: v for k, v in filtres.items() if v not in (None, "")})


def _texte(valeur):
    if valeur is None:
        return ""
    if isinstance(valeur, Decimal):
        return ecrire_nombre(valeur)
    return str(valeur)


def _ligne_affichee(indicateur, annees, saisie=None, erreurs=()):
    """A row of the table: the indicator, its token, the texts shown in its
    cells (the typed ones after a refused save), its errors."""
    e = parametrage.etat(indicateur)
    valeurs = {nom: _texte(e[nom]) for nom in parametrage.CHAMPS}
    cibles = {a: _texte(e["cibles"].get(a)) for a in annees}
    jeton = parametrage.jeton(indicateur)
    if saisie is not None:
        valeurs.update({k: v for k, v in saisie.valeurs.items() if k in valeurs})
        cibles.update(
            {a: saisie.valeurs[f"cible_{a}"] for a in annees if f"cible_{a}" in saisie.valeurs}
        )
        jeton = saisie.jeton
    return {
        "indicateur": indicateur,
        "jeton": jeton,
        "valeurs": valeurs,
        "cibles": [(a, cibles[a]) for a in annees],
        "erreurs": list(erreurs),
    }


def _lignes_du_formulaire(post, annees):
    """The page's rows as the service reads them; the batch fields, when set,
    apply to the selected rows."""
    selection = set(post.getlist("selection"))
    lot = {nom: post.get(f"lot-{nom}", "").strip() for nom in CHAMPS_LOT}
    lignes = []
    for code in post.getlist("codes")[: PAR_PAGE * 2]:
        valeurs = {}
        for nom in parametrage.CHAMPS:
            if f"{nom}-{code}" in post:
                valeurs[nom] = post.get(f"{nom}-{code}", "")
        for annee in annees:
            if f"cible_{annee}-{code}" in post:
                valeurs[f"cible_{annee}"] = post.get(f"cible_{annee}-{code}", "")
        if code in selection:
            valeurs.update({nom: v for nom, v in lot.items() if v})
        lignes.append(
            LigneParametrage(
                ligne=code, code=code, jeton=post.get(f"jeton-{code}", ""), valeurs=valeurs
            )
        )
    return lignes


@equipe_requise
def parametrage_indicateurs(request):
    """The workspace: the filtered table, a page at a time, editable."""
    annees = parametrage.annees_des_cibles()
    filtres = _filtres(request.GET)
    saisies, erreurs_par_code, statut = {}, {}, 200
    erreurs_globales = []
    if request.method == "POST":
        lignes = _lignes_du_formulaire(request.POST, annees)
        try:
            resultat = indicateurs_parametrer(utilisateur=request.user, lignes=lignes)
        except (ParametrageInvalide, ParametrageConflit) as exc:
            statut = 409 if isinstance(exc, ParametrageConflit) else 400
            erreurs_globales.append(exc.message)
            saisies = {ligne.code: ligne for ligne in lignes}
            for code, message in exc.erreurs:
                erreurs_par_code.setdefault(str(code), []).append(message)
        except PermissionRefusee as exc:
            erreurs_globales.append(exc.message)
            statut = 403
        else:
            messages.success(
                request,
                f"{resultat.modifies} indicateur(s) modifié(s), {resultat.inchanges} inchangé(s).",
            )
            cible = reverse("saisie:parametrage")
            page = request.GET.get("page", "")
            requete = "&".join(x for x in (_requete(filtres), f"page={page}" if page else "") if x)
            return redirect(f"{cible}?{requete}" if requete else cible)

    queryset = parametrage.filtrer(parametrage.indicateurs_du_plan(), **filtres)
    page = Paginator(queryset, PAR_PAGE).get_page(request.GET.get("page"))
    lignes = [
        _ligne_affichee(i, annees, saisies.get(i.code), erreurs_par_code.get(i.code, ()))
        for i in page.object_list
    ]
    # Errors on rows not on this page (a code typed by hand): shown above.
    sur_la_page = {i.code for i in page.object_list}
    for code, liste in erreurs_par_code.items():
        if code not in sur_la_page:
            erreurs_globales.extend(liste)
    completude = parametrage.completude_parametrage()
    return render(
        request,
        "engagements/parametrage.html",
        {
            "page": page,
            "lignes": lignes,
            "annees": annees,
            "filtres": filtres,
            "requete": _requete(filtres),
            "objectifs": Objectif.objects.order_by("numero"),
            "fiches": Fiche.objects.en_vigueur().order_by("enjeu_numero", "rang"),
            "organisations": Organisation.objects.order_by("nom"),
            "types": Indicateur.Type.choices,
            "unites": Indicateur.Unite.choices,
            "sens": Indicateur.Sens.choices,
            "desagregations": Indicateur.Desagregation.choices,
            "manques": parametrage.MANQUES,
            "completude": completude,
            "definition": parametrage.DEFINITION_COMPLETUDE,
            "erreurs_globales": erreurs_globales,
            "import_form": ImportParametrageForm(),
        },
        status=statut,
    )


# ---------------------------------------------------------------- files


def colonnes(annees):
    return [
        "code",
        "libelle",
        "type",
        "fiche",
        "engagement",
        "objectif",
        *parametrage.CHAMPS,
        *(f"cible_{a}" for a in annees),
        "jeton",
    ]


# Descriptive columns: exported to be read, ignored on import.
DESCRIPTIVES = {"libelle", "type", "fiche", "engagement", "objectif"}


def lignes_export(queryset, annees):
    lignes = [colonnes(annees)]
    for i in queryset:
        e = parametrage.etat(i)
        engagement = getattr(i, "cible_engagement", None)
        lignes.append(
            [
                i.code,
                i.libelle,
                i.get_type_display(),
                i.fiche.numero if i.fiche_id else "",
                engagement.engagement.ordre if engagement else "",
                i.objectif_numero or "",
                e["organisation"],
                e["unite"],
                e["sens"],
                e["desagregation"],
                e["valeur_reference"],
                e["annee_reference"],
                *(e["cibles"].get(a) for a in annees),
                parametrage.jeton(i),
            ]
        )
    return lignes


@equipe_requise
def parametrage_exporter(request, format):
    annees = parametrage.annees_des_cibles()
    queryset = parametrage.filtrer(parametrage.indicateurs_du_plan(), **_filtres(request.GET))
    lignes = lignes_export(queryset, annees)
    if format == "xlsx":
        entete = lignes[0]
        # Years are identifiers: no thousands separator.
        formats = {entete.index("annee_reference"): "0", entete.index("engagement"): "0"}
        contenu = xlsx.ecrire(
            [
                [
                    float(x) if isinstance(x, Decimal) else (x if x is None else neutraliser(x))
                    for x in ligne
                ]
                for ligne in lignes
            ],
            titre="Paramétrage des indicateurs",
            formats=formats,
        )
        type_ = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif format == "csv":
        tampon = io.StringIO()
        ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
        for ligne in lignes:
            ecrivain.writerow(
                [
                    ecrire_nombre(x) if isinstance(x, Decimal) else neutraliser(_texte(x))
                    for x in ligne
                ]
            )
        contenu = ("\ufeff" + tampon.getvalue()).encode("utf-8")
        type_ = "text/csv; charset=utf-8"
    else:
        return HttpResponse("Format inconnu : csv ou xlsx.", status=404)
    reponse = HttpResponse(contenu, content_type=type_)
    reponse["Content-Disposition"] = f'attachment; filename="parametrage-indicateurs.{format}"'
    return reponse


def lire_fichier(nom, contenu):
    """``(rows for the service, errors)`` of an uploaded set-up file, read
    with the value import's limits (size, then archive, rows, columns, cells,
    each checked before the next step: :func:`engagements.echange._lire_lignes`)."""
    try:
        brutes = echange._lire_lignes(nom, contenu)
    except ValueError as exc:  # FichierIllisible and LimiteDepassee included
        return [], [(None, str(exc))]
    if not brutes:
        return [], [(None, "Le fichier est vide.")]
    entete = [c.strip().lower() for c in brutes[0]]
    erreurs = []
    for requise in ("code", "jeton"):
        if requise not in entete:
            erreurs.append((1, f"Colonne « {requise} » absente : exportez le tableau d'abord."))
    connues = set(parametrage.CHAMPS) | DESCRIPTIVES | {"code", "jeton"}
    for nom_colonne in entete:
        if nom_colonne not in connues and not nom_colonne.startswith("cible_"):
            erreurs.append((1, f"Colonne « {nom_colonne} » inconnue."))
    if erreurs:
        return [], erreurs
    lignes = []
    for numero, brute in enumerate(brutes[1:], start=2):
        cellules = dict(zip(entete, (c.strip() for c in brute), strict=False))
        if not any(cellules.values()):
            continue
        valeurs = {
            k: v for k, v in cellules.items() if k in parametrage.CHAMPS or k.startswith("cible_")
        }
        lignes.append(
            LigneParametrage(
                ligne=numero,
                code=cellules.get("code", ""),
                jeton=cellules.get("jeton", ""),
                valeurs=valeurs,
            )
        )
    if not lignes:
        erreurs.append((None, "Le fichier ne contient aucune ligne d'indicateur."))
    return lignes, erreurs


def _rendu_import(request, *, form, erreurs=(), resultat=None, jeton=None, statut=400):
    return render(
        request,
        "engagements/parametrage_import.html",
        {
            "form": form,
            "erreurs": [(ligne, message) for ligne, message in erreurs],
            "resultat": resultat,
            "jeton": jeton,
        },
        status=statut,
    )


@limite_televersement("IMPORT_TAILLE_MAX")
@equipe_requise
@require_POST
def parametrage_importer(request):
    """Read the file and show the preview of every change; nothing is saved."""
    form = ImportParametrageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _rendu_import(request, form=form)
    fichier = form.cleaned_data["fichier"]
    lignes, erreurs = lire_fichier(fichier.name, fichier.read())
    if erreurs:
        return _rendu_import(request, form=form, erreurs=erreurs)
    try:
        resultat = indicateurs_parametrer(
            utilisateur=request.user, lignes=lignes, enregistrer=False
        )
    except (ParametrageInvalide, ParametrageConflit) as exc:
        # A conflict says so first; otherwise the page's own sentence suffices.
        conflit = isinstance(exc, ParametrageConflit)
        return _rendu_import(
            request,
            form=form,
            erreurs=[(None, exc.message), *exc.erreurs] if conflit else exc.erreurs,
            statut=409 if conflit else 400,
        )
    jeton = secrets.token_urlsafe(24)
    request.session[SESSION_APERCU] = {
        "jeton": jeton,
        "lignes": [
            {
                "ligne": ligne.ligne,
                "code": ligne.code,
                "jeton": ligne.jeton,
                "valeurs": ligne.valeurs,
            }
            for ligne in lignes
        ],
    }
    return _rendu_import(request, form=form, resultat=resultat, jeton=jeton, statut=200)


@equipe_requise
@require_POST
def parametrage_confirmer(request):
    """Save the previewed import: the rows come from the session, never from
    the browser, which only names the preview by its token."""
    apercu = request.session.get(SESSION_APERCU)
    if not apercu or not secrets.compare_digest(
        str(apercu.get("jeton", "")), request.POST.get("jeton", "")
    ):
        messages.error(request, "Aperçu introuvable ou périmé : déposez le fichier à nouveau.")
        return redirect("saisie:parametrage")
    lignes = [LigneParametrage(**ligne) for ligne in apercu["lignes"]]
    try:
        resultat = indicateurs_parametrer(utilisateur=request.user, lignes=lignes)
    except (ParametrageInvalide, ParametrageConflit) as exc:
        del request.session[SESSION_APERCU]
        return _rendu_import(
            request,
            form=ImportParametrageForm(),
            erreurs=[(None, exc.message), *exc.erreurs],
            statut=409 if isinstance(exc, ParametrageConflit) else 400,
        )
    del request.session[SESSION_APERCU]
    messages.success(
        request,
        f"Import enregistré : {resultat.modifies} indicateur(s) modifié(s), "
        f"{resultat.inchanges} inchangé(s).",
    )
    return redirect("saisie:parametrage")
