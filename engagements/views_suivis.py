"""Partner pages of the follow-up of actions, and staff's validation of them.
Views stay thin: forms convert, :mod:`engagements.services_suivis` decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from contrat.fichiers import reponse_telechargement
from contrat.models import Organisation, organisation_de
from contrat.securite import journaliser_refus
from contrat.televersement import limite_televersement
from engagements import accueil
from engagements.forms import StatuerForm
from engagements.forms_suivis import JalonFormSet, LigneBudgetFormSet, SuiviForm, lignes_remplies
from engagements.models import Campagne, Engagement, PieceJustificative, SuiviAction
from engagements.services_suivis import (
    ConflitSuivi,
    actions_a_suivre,
    organisation_engagement,
    peut_ecrire,
    peut_ecrire_suivi,
    piece_ajouter,
    suivi_enregistrer,
    suivi_soumettre,
    suivis_statuer,
)
from engagements.views import equipe_requise
from fiches.models import Fiche

FILTRES = {
    "a_saisir": "À saisir",
    "brouillon": "Brouillons",
    "soumis": "Soumis",
    "rejete": "Rejetés",
    "valide": "Validés",
}


@login_required
def liste_suivis(request):
    """The organisation's fiches and commitments for a campaign, each with its
    follow-up's state (or "à saisir")."""
    organisation = organisation_de(request.user)
    if organisation is None and not request.user.is_staff:
        raise PermissionDenied("Votre compte n'est rattaché à aucune organisation partenaire.")
    # The same campaign as the partner's home by default (accueil.campagne_demandee).
    campagnes = accueil.campagnes_du_partenaire()
    campagne = accueil.campagne_demandee(request.GET.get("annee"), campagnes)
    if request.user.is_staff:
        slug = request.GET.get("organisation")
        organisation = get_object_or_404(Organisation, slug=slug) if slug else None
    lignes = actions_a_suivre(campagne.annee, organisation) if campagne else []
    filtre = request.GET.get("filtre", "")
    nb = {cle: sum(ligne.etat == cle for ligne in lignes) for cle in FILTRES}
    if filtre in FILTRES:
        lignes = [ligne for ligne in lignes if ligne.etat == filtre]
    return render(
        request,
        "engagements/suivis.html",
        {
            "organisation": organisation,
            "campagne": campagne,
            "campagnes": campagnes,
            "lignes": lignes,
            "filtre": filtre,
            "filtres": FILTRES,
            "nb": nb,
            "total": sum(nb.values()),
        },
    )


def _cible(request, annee, fiche_numero=None, slug=None, ordre=None):
    """The action followed, its responsible organisation and its record (or None);
    404 for anyone who may not write it (another partner's record does not exist
    for them)."""
    campagne = get_object_or_404(Campagne, annee=annee)
    fiche = engagement = None
    if ordre is not None:
        engagement = get_object_or_404(Engagement, ordre=ordre)
        organisation = organisation_engagement(engagement)
        if organisation is None:
            raise Http404("Engagement sans organisation.")
    else:
        fiche = get_object_or_404(Fiche.objects.en_vigueur(), numero=fiche_numero)
        organisation = get_object_or_404(fiche.pilotes.all(), slug=slug)
    if not peut_ecrire(request.user, fiche=fiche, engagement=engagement, organisation=organisation):
        journaliser_refus(request, 404, "suivi d'une autre organisation")
        raise Http404("Cette action ne relève pas de votre organisation.")
    filtre = {"fiche": fiche, "organisation": organisation} if fiche else {"engagement": engagement}
    suivi = (
        SuiviAction.objects.filter(annee=annee, **filtre)
        .select_related("valide_par", "saisi_par")
        .first()
    )
    return campagne, fiche, engagement, organisation, suivi


def _initiales(suivi):
    if suivi is None:
        return {"version": 0}, [], []
    return (
        {
            "avancement": suivi.avancement,
            "avancement_pct": suivi.avancement_pct,
            "realise": suivi.realise,
            "a_venir": suivi.a_venir,
            "version": suivi.version,
        },
        [
            {"libelle": j.libelle, "date_prevue": j.date_prevue, "date_reelle": j.date_reelle}
            for j in suivi.jalons.all()
        ],
        [
            {
                "financeur": ligne.financeur_id,
                "nature": ligne.nature,
                "annee": ligne.annee,
                "montant_prevu": _euros(ligne.montant_prevu),
                "montant_depense": _euros(ligne.montant_depense),
            }
            for ligne in suivi.lignes_budget.all()
        ],
    )


def _euros(montant):
    from contrat.nombres import ecrire_nombre

    return "" if montant is None else ecrire_nombre(montant)


@limite_televersement("DOCUMENT_TAILLE_MAX")
@login_required
def suivi_formulaire(request, annee, fiche=None, slug=None, ordre=None):
    """One follow-up: status, progress, what was done and next, milestones and
    budget lines (formsets), a proof; saved as a draft or submitted."""
    campagne, fiche, engagement, organisation, suivi = _cible(request, annee, fiche, slug, ordre)
    initial, jalons_initiaux, lignes_initiales = _initiales(suivi)
    lecture_seule = campagne.verrouillee or (
        suivi is not None and suivi.statut == SuiviAction.Statut.VALIDE
    )
    conflit = None
    erreurs = []
    statut = 200
    if request.method == "POST" and lecture_seule:
        # The page offers no button then; a stale tab or a script still gets told.
        erreurs = [
            f"La campagne {annee} est fermée : ce suivi est verrouillé."
            if campagne.verrouillee
            else "Suivi validé : il ne peut plus être modifié."
        ]
        statut = 423 if campagne.verrouillee else 400
        form = SuiviForm(initial=initial)
        jalons = JalonFormSet(initial=jalons_initiaux, prefix="jalons")
        lignes = LigneBudgetFormSet(initial=lignes_initiales, prefix="budget")
    elif request.method == "POST":
        form = SuiviForm(request.POST, request.FILES)
        jalons = JalonFormSet(request.POST, prefix="jalons")
        lignes = LigneBudgetFormSet(request.POST, prefix="budget")
        if form.is_valid() and jalons.is_valid() and lignes.is_valid():
            d = form.cleaned_data
            soumettre = request.POST.get("action") == "soumettre"
            try:
                # One transaction: a refused proof or submission saves nothing.
                with transaction.atomic():
                    enregistre = suivi_enregistrer(
                        utilisateur=request.user,
                        annee=annee,
                        version=d["version"],
                        fiche=fiche,
                        engagement=engagement,
                        organisation=organisation,
                        avancement=d["avancement"],
                        avancement_pct=d["avancement_pct"],
                        realise=d["realise"],
                        a_venir=d["a_venir"],
                        jalons=lignes_remplies(jalons, ["libelle", "date_prevue", "date_reelle"]),
                        lignes_budget=[
                            {**ligne, "annee": ligne.get("annee") or annee}
                            for ligne in lignes_remplies(
                                lignes, ["financeur", "nature", "montant_prevu", "montant_depense"]
                            )
                        ],
                        # With a proof, submitted once the proof is attached (below).
                        soumettre=soumettre and not d.get("piece"),
                    )
                    if d.get("piece"):
                        piece_ajouter(
                            utilisateur=request.user,
                            suivi=enregistre,
                            version=enregistre.version,
                            fichier=d["piece"],
                        )
                        enregistre.refresh_from_db()
                    if soumettre and d.get("piece"):
                        suivi_soumettre(
                            utilisateur=request.user, suivi=enregistre, version=enregistre.version
                        )
            except ConflitSuivi as exc:
                conflit = exc.message
            except ValidationError as exc:
                details = getattr(exc, "details", None) or {}
                erreurs = [m for ms in details.values() for m in ms] or exc.messages
            else:
                messages.success(
                    request,
                    "Suivi soumis à l'équipe politique de la ville."
                    if soumettre
                    else "Brouillon enregistré.",
                )
                return redirect(request.path)
    else:
        form = SuiviForm(initial=initial)
        jalons = JalonFormSet(initial=jalons_initiaux, prefix="jalons")
        lignes = LigneBudgetFormSet(initial=lignes_initiales, prefix="budget")
    return render(
        request,
        "engagements/suivi_formulaire.html",
        {
            "campagne": campagne,
            "fiche": fiche,
            "engagement": engagement,
            "organisation": organisation,
            "suivi": suivi,
            "pieces": suivi.pieces.all() if suivi else [],
            "form": form,
            "jalons": jalons,
            "lignes": lignes,
            "lecture_seule": lecture_seule,
            "conflit": conflit,
            "erreurs": erreurs,
        },
        status=409 if conflit else (400 if form.errors or (erreurs and statut == 200) else statut),
    )


@login_required
def piece(request, pk):
    """A proof, only for its record's organisation and staff: always a download."""
    piece = get_object_or_404(PieceJustificative.objects.select_related("suivi"), pk=pk)
    if not peut_ecrire_suivi(request.user, piece.suivi):
        journaliser_refus(request, 404, f"pièce {pk} d'une autre organisation")
        raise Http404("Pièce introuvable.")
    try:
        fichier = piece.fichier.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("Fichier introuvable.") from None
    return reponse_telechargement(fichier, piece.nom)


@equipe_requise
def validation_suivis(request):
    """Staff: submitted follow-ups, oldest first; validate or reject each, or a selection."""
    soumis = (
        SuiviAction.objects.filter(statut=SuiviAction.Statut.SOUMIS)
        .select_related("fiche", "engagement", "organisation", "saisi_par")
        .prefetch_related("jalons", "lignes_budget__financeur", "pieces")
        .order_by("soumis_le", "pk")
    )
    form = StatuerForm(request.POST or None)
    conflit = None
    if request.method == "POST" and form.is_valid():
        return _statuer(request, form, soumis) or _page_validation(request, soumis, form, conflit)
    return _page_validation(request, soumis, form, conflit)


def _statuer(request, form, soumis):
    valider = request.POST.get("action") == "valider"
    par_pk = {str(s.pk): s for s in soumis}
    demandes = [
        (par_pk[pk], request.POST.get(f"ver_{pk}"))
        for pk in request.POST.getlist("suivi")
        if pk in par_pk
    ]
    try:
        if not demandes:
            raise ValidationError("Cochez au moins un suivi soumis.")
        suivis_statuer(
            utilisateur=request.user,
            suivis=demandes,
            valider=valider,
            commentaire=form.cleaned_data["commentaire"],
        )
    except ConflitSuivi as exc:
        form.add_error(None, exc.message)
        return None
    except ValidationError as exc:
        for erreur in exc.messages:
            form.add_error(None, erreur)
        return None
    messages.success(
        request, f"{len(demandes)} suivi(s) {'validé(s)' if valider else 'rejeté(s)'}."
    )
    return redirect("saisie:validation_suivis")


def _page_validation(request, soumis, form, conflit):
    return render(
        request,
        "engagements/validation_suivis.html",
        {"soumis": soumis, "form": form},
        status=400 if form.errors else 200,
    )
