"""Partner data entry and staff validation pages (server-rendered, French).

Views stay thin: forms convert, :mod:`engagements.services` decides.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contrat import acces
from contrat.annees import ANNEE_MAX, ANNEE_MIN
from contrat.models import Organisation, organisation_de
from contrat.nombres import lire_entier
from contrat.securite import journaliser_refus
from contrat.televersement import limite_televersement
from engagements import echange
from engagements.forms import (
    CampagneForm,
    GrilleForm,
    ImportForm,
    MotifForm,
    StatuerForm,
    nom_champ,
)
from engagements.models import Campagne, EvenementCampagne, Valeur
from engagements.services import (
    ConflitEdition,
    GrilleInvalide,
    campagne_fermer,
    campagne_ouvrir,
    campagne_rouvrir,
    cle,
    grille_enregistrer,
    peut_saisir,
    valeurs_statuer,
)
from engagements.suivi import completude_par_partenaire, etats_des_grilles
from fiches.models import Indicateur

# Staff pages: a signed-in partner gets the French 403 page, not the login form again.
equipe_requise = acces.equipe_requise


def _campagne_choisie(request):
    campagnes = list(Campagne.objects.all())
    try:
        annee = lire_entier(request.GET.get("annee", ""), minimum=ANNEE_MIN, maximum=ANNEE_MAX)
    except ValidationError:
        annee = None  # absent or not a year: the default campaign below
    for campagne in campagnes:
        if campagne.annee == annee:
            return campagne, campagnes
    ouvertes = [c for c in campagnes if not c.verrouillee]
    return (ouvertes[0] if ouvertes else (campagnes[0] if campagnes else None)), campagnes


@login_required
def mes_indicateurs(request):
    """A partner's indicators for a campaign: what is due, late, missing."""
    organisation = organisation_de(request.user)
    if organisation is None and not request.user.is_staff:
        raise PermissionDenied("Votre compte n'est rattaché à aucune organisation partenaire.")
    campagne, campagnes = _campagne_choisie(request)
    indicateurs = Indicateur.objects.a_saisir().select_related("fiche", "organisation")
    organisations = None
    if request.user.is_staff:
        organisations = Organisation.objects.filter(indicateurs__isnull=False).distinct()
        slug = request.GET.get("organisation")
        if slug:
            choisie = get_object_or_404(Organisation, slug=slug)
            indicateurs = indicateurs.pour_organisation(choisie)
    else:
        indicateurs = indicateurs.pour_organisation(organisation)
    indicateurs = indicateurs.order_by(
        "fiche__version", "fiche__enjeu_numero", "fiche__rang", "ordre", "code"
    )
    etats = etats_des_grilles(indicateurs, campagne) if campagne else []
    filtre = request.GET.get("filtre", "")
    if filtre == "a_faire":
        etats = [e for e in etats if e.a_faire]
    elif filtre == "en_retard":
        etats = [e for e in etats if e.en_retard]
    elif filtre in {"manquante", "brouillon", "soumise", "validee", "rejetee"}:
        etats = [e for e in etats if e.statut == filtre]
    toutes = etats_des_grilles(indicateurs, campagne) if campagne and filtre else etats
    return render(
        request,
        "engagements/mes_indicateurs.html",
        {
            "organisation": organisation,
            "organisations": organisations,
            "campagne": campagne,
            "campagnes": campagnes,
            "etats": etats,
            "filtre": filtre,
            "nb": {
                "total": len(toutes),
                "a_faire": sum(e.a_faire for e in toutes),
                "en_retard": sum(e.en_retard for e in toutes),
                "manquantes": sum(e.statut == "manquante" for e in toutes),
                "validees": sum(e.statut == "validee" for e in toutes),
            },
        },
    )


def _indicateur_autorise(request, code):
    indicateur = get_object_or_404(
        Indicateur.objects.select_related("fiche", "organisation"), code=code
    )
    if not peut_saisir(request.user, indicateur):
        # Another partner's grid does not exist for them: 404, as for any object not theirs.
        journaliser_refus(request, 404, f"indicateur {code} d'une autre organisation")
        raise Http404("Cet indicateur ne relève pas de votre organisation.")
    return indicateur


def _valeurs(indicateur, annee):
    return {
        cle(v.quartier, v.sexe): v
        for v in Valeur.objects.filter(indicateur=indicateur, annee=annee).select_related(
            "quartier", "saisie_par", "validee_par"
        )
    }


@login_required
def grille(request, annee, code):
    """The whole grid of one indicator for one year, saved as a draft or submitted."""
    indicateur = _indicateur_autorise(request, code)
    reference = indicateur.reference_de_serie()
    if reference is not None:
        # One fact, entered once: the member's grid is its reference's.
        messages.info(
            request,
            f"« {indicateur.libelle.strip()} » ({indicateur.code}) est saisi sous "
            f"l'indicateur {reference.code} (même série).",
        )
        return redirect("saisie:grille", annee=annee, code=reference.code)
    campagne = get_object_or_404(Campagne, annee=annee)
    valeurs = _valeurs(indicateur, annee)
    options = {"indicateur": indicateur, "valeurs": valeurs, "lecture_seule": campagne.verrouillee}
    conflit = None
    if request.method == "POST":
        form = GrilleForm(request.POST, **options)
        if form.is_valid():
            soumettre = request.POST.get("action") == "soumettre"
            try:
                grille_enregistrer(
                    utilisateur=request.user,
                    indicateur=indicateur,
                    annee=annee,
                    saisies=form.saisies(),
                    note=form.cleaned_data["note"],
                    note_publique=form.cleaned_data["note_publique"],
                    soumettre=soumettre,
                )
            except GrilleInvalide as exc:
                for k, erreurs in exc.erreurs.items():
                    form.add_error(nom_champ(k), erreurs)
                for erreur in exc.globales:
                    form.add_error(None, erreur)
            except ConflitEdition as exc:
                conflit = exc.message
            except ValidationError as exc:
                for erreur in exc.messages:
                    form.add_error(None, erreur)
            else:
                messages.success(
                    request,
                    "Valeurs soumises à l'équipe politique de la ville."
                    if soumettre
                    else "Brouillon enregistré.",
                )
                return redirect("saisie:grille", annee=annee, code=code)
    else:
        form = GrilleForm(**options)
    rejetees = [v for v in valeurs.values() if v.statut == Valeur.Statut.REJETEE]
    return render(
        request,
        "engagements/grille.html",
        {
            "indicateur": indicateur,
            "campagne": campagne,
            # The target of the campaign's year: the one a value is compared with.
            "cible": indicateur.cible_de(annee),
            "form": form,
            "import_form": ImportForm(),
            "valeurs": valeurs,
            "rejetees": rejetees,
            "conflit": conflit,
            "colonnes": form.cellules[: 2 if indicateur.par_sexe else 1],
        },
        status=409 if conflit else (400 if form.errors else 200),
    )


@login_required
def exporter(request, annee, code, format):
    indicateur = _indicateur_autorise(request, code)
    get_object_or_404(Campagne, annee=annee)
    if format == "xlsx":
        contenu = echange.exporter_xlsx(indicateur, annee)
        type_ = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        contenu = echange.exporter_csv(indicateur, annee)
        type_ = "text/csv; charset=utf-8"
    reponse = HttpResponse(contenu, content_type=type_)
    reponse["Content-Disposition"] = f'attachment; filename="{indicateur.code}-{annee}.{format}"'
    return reponse


@limite_televersement("IMPORT_TAILLE_MAX")
@login_required
@require_POST
def importer(request, annee, code):
    indicateur = _indicateur_autorise(request, code)
    campagne = get_object_or_404(Campagne, annee=annee)
    form = ImportForm(request.POST, request.FILES)
    rapport = None
    erreur = None
    if form.is_valid():
        fichier = form.cleaned_data["fichier"]
        try:
            rapport = echange.importer(
                utilisateur=request.user,
                indicateur=indicateur,
                annee=annee,
                nom=fichier.name,
                contenu=fichier.read(),
                soumettre=form.cleaned_data["soumettre"],
            )
        except ConflitEdition as exc:
            erreur = exc.message
        except ValidationError as exc:
            erreur = " ".join(exc.messages)
        if rapport is not None and rapport.ok:
            messages.success(
                request, f"Import réussi : {rapport.enregistrees} valeur(s) enregistrée(s)."
            )
            return redirect("saisie:grille", annee=annee, code=code)
    return render(
        request,
        "engagements/import_rapport.html",
        {
            "indicateur": indicateur,
            "campagne": campagne,
            "form": form,
            "rapport": rapport,
            "erreur": erreur,
        },
        status=400,
    )


@equipe_requise
def file_validation(request):
    """Staff's queue: grids with submitted values, oldest first."""
    attente = (
        Valeur.objects.filter(statut=Valeur.Statut.SOUMISE)
        .values("indicateur", "annee")
        .annotate(nb=Count("pk"), depuis=Min("soumise_le"))
        .order_by("depuis")
    )
    indicateurs = Indicateur.objects.select_related("fiche", "organisation").in_bulk(
        {row["indicateur"] for row in attente}
    )
    lignes = [{**row, "indicateur": indicateurs[row["indicateur"]]} for row in attente]
    return render(request, "engagements/file_validation.html", {"lignes": lignes})


@equipe_requise
def valider_grille(request, annee, code):
    indicateur = get_object_or_404(
        Indicateur.objects.select_related("fiche", "organisation"), code=code
    )
    campagne = get_object_or_404(Campagne, annee=annee)
    valeurs = _valeurs(indicateur, annee)
    soumises = [v for v in valeurs.values() if v.statut == Valeur.Statut.SOUMISE]
    form = StatuerForm(request.POST or None)
    conflit = None
    if request.method == "POST" and form.is_valid():
        valider = request.POST.get("action") == "valider"
        demandees = []
        for valeur in soumises:
            version = request.POST.get(f"ver_{valeur.pk}")
            if version is not None:
                demandees.append((valeur, version))
        try:
            if not demandees:
                raise ValidationError("Aucune valeur soumise à traiter.")
            valeurs_statuer(
                utilisateur=request.user,
                valeurs=demandees,
                valider=valider,
                commentaire=form.cleaned_data["commentaire"],
            )
        except ConflitEdition as exc:
            conflit = exc.message
        except ValidationError as exc:
            for erreur in exc.messages:
                form.add_error(None, erreur)
        else:
            messages.success(
                request, f"{len(demandees)} valeur(s) {'validée(s)' if valider else 'rejetée(s)'}."
            )
            return redirect("saisie:validation")
    cellules = GrilleForm(indicateur=indicateur, valeurs=valeurs, lecture_seule=True).cellules
    return render(
        request,
        "engagements/valider_grille.html",
        {
            "indicateur": indicateur,
            "campagne": campagne,
            "cible": indicateur.cible_de(annee),
            "cellules": cellules,
            "soumises": soumises,
            "form": form,
            "conflit": conflit,
        },
        status=409 if conflit else (400 if form.errors else 200),
    )


@equipe_requise
def campagnes(request):
    campagne, toutes = _campagne_choisie(request)
    form = CampagneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nouvelle = campagne_ouvrir(utilisateur=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for erreur in exc.messages:
                form.add_error(None, erreur)
        else:
            messages.success(request, f"{nouvelle} ouverte.")
            return redirect(f"{reverse('saisie:campagnes')}?annee={nouvelle.annee}")
    return render(
        request,
        "engagements/campagnes.html",
        {
            "campagne": campagne,
            "campagnes": toutes,
            "completude": completude_par_partenaire(campagne) if campagne else [],
            "evenements": EvenementCampagne.objects.filter(campagne=campagne).select_related(
                "auteur"
            )
            if campagne
            else [],
            "form": form,
            "motif_form": MotifForm(),
        },
        status=400 if form.errors else 200,
    )


@equipe_requise
@require_POST
def campagne_action(request, annee, action):
    campagne = get_object_or_404(Campagne, annee=annee)
    form = MotifForm(request.POST)
    form.is_valid()
    motif = form.cleaned_data.get("motif", "")
    try:
        if action == "fermer":
            campagne_fermer(utilisateur=request.user, campagne=campagne, motif=motif)
            messages.success(request, f"{campagne} fermée : ses valeurs sont verrouillées.")
        else:
            campagne_rouvrir(utilisateur=request.user, campagne=campagne, motif=motif)
            messages.success(request, f"{campagne} rouverte.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{reverse('saisie:campagnes')}?annee={annee}")
