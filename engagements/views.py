"""Partner data entry and staff validation pages (server-rendered, French).

Views stay thin: forms convert, :mod:`engagements.services` decides.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contrat import acces
from contrat.annees import ANNEE_MAX, ANNEE_MIN
from contrat.models import Objectif, Organisation, organisation_de
from contrat.nombres import lire_entier
from contrat.securite import journaliser_refus
from contrat.televersement import limite_televersement
from engagements import accueil, echange
from engagements.forms import (
    CampagneForm,
    FermetureForm,
    FiltreFileForm,
    GrilleForm,
    ImportForm,
    ReouvertureForm,
    StatuerForm,
    nom_champ,
)
from engagements.models import Campagne, EvenementCampagne, Valeur
from engagements.services import (
    VALIDATION_LOT_MAX,
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
from engagements.suivi import (
    completude_par_partenaire,
    grille_totaux,
    historique_valide,
)
from engagements.validation import (
    STATUTS_FILE,
    completer_page,
    contexte_grille,
    file_de_validation,
    lire_jetons,
)
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
    """A partner's home: what its organisation owes for a campaign (indicator
    values and follow-up records), grouped by objective and fiche or
    commitment, with search, state filters (GET, no script needed), counts,
    progress and the deadline. Staff read any organisation's (or all)."""
    organisation = organisation_de(request.user)
    if organisation is None and not request.user.is_staff:
        raise PermissionDenied("Votre compte n'est rattaché à aucune organisation partenaire.")
    campagnes = accueil.campagnes_du_partenaire()
    campagne = accueil.campagne_demandee(request.GET.get("annee"), campagnes)
    organisations = None
    if request.user.is_staff:
        organisations = Organisation.objects.filter(indicateurs__isnull=False).distinct()
        slug = request.GET.get("organisation")
        organisation = get_object_or_404(Organisation, slug=slug) if slug else None
    etats = accueil.etats_demandes(request.GET)
    recherche = request.GET.get("q", "")[: accueil.RECHERCHE_MAX].strip()
    lignes = accueil.lignes_dues(organisation, campagne) if campagne else []
    nb = accueil.compter_lignes(lignes)
    retenues = accueil.filtrer(lignes, etats=etats, recherche=recherche)
    faites = nb["soumis"] + nb["valide"]
    jours = accueil.jours_restants(campagne) if campagne else None
    # The query string without the state filters: each filter link adds its own.
    base = request.GET.copy()
    for nom in ("etat", "filtre"):
        base.pop(nom, None)
    if campagne:
        base["annee"] = campagne.annee
    return render(
        request,
        "engagements/mes_indicateurs.html",
        {
            "organisation": organisation,
            "organisations": organisations,
            "campagne": campagne,
            "campagnes": campagnes,
            "jours_restants": jours,
            "jours_depasses": -jours if jours is not None and jours < 0 else None,
            "blocs": accueil.grouper(retenues),
            "nb_retenues": len(retenues),
            "nb": nb,
            "faites": faites,
            "progression": round(100 * faites / nb["total"]) if nb["total"] else 0,
            "etats": etats,
            "choix_etats": accueil.ETATS,
            "compteurs": [(cle, libelle, nb[cle]) for cle, libelle in accueil.ETATS.items()],
            "recherche": recherche,
            "filtre_actif": bool(etats or recherche),
            # Groups open when the list is short or narrowed; else the reader unfolds them.
            "ouverts": bool(etats or recherche) or len(retenues) <= 40,
            "base_filtres": base.urlencode(),
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
                resultat = grille_enregistrer(
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
                messages.add_message(request, *_message_enregistrement(resultat, soumettre, form))
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
            "totaux": grille_totaux(indicateur, form),
            "historique": historique_valide(indicateur, annee),
        },
        status=409 if conflit else (400 if form.errors else 200),
    )


def _message_enregistrement(resultat, soumettre, form):
    """(level, French message) after a save: what was really written."""
    n = resultat.changees
    if n == 0:
        if not any(texte.strip() for texte, _version in form.saisies().values()):
            return (
                messages.WARNING,
                "Aucune valeur saisie : rien n'a été enregistré (la note s'enregistre avec "
                "les valeurs).",
            )
        return messages.WARNING, "Aucune modification : rien n'a été enregistré."
    cellules = f"{n} cellule modifiée" if n == 1 else f"{n} cellules modifiées"
    if soumettre:
        return messages.SUCCESS, f"Valeurs soumises à l'équipe politique de la ville. ({cellules})"
    return messages.SUCCESS, f"Brouillon enregistré : {cellules}."


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
            messages.success(request, f"Import réussi : {rapport.changements.resume()}.")
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


# Grids per page of the validation queue.
FILE_PAR_PAGE = 50


def _statuer(request, demandees, form):
    """Validate or reject ``demandees`` ((value or id, version) pairs) with
    the form's comment; ``(decided values, conflict message)``. The refusals
    land on the form."""
    valider = request.POST.get("action", "").startswith("valider")
    try:
        decidees = valeurs_statuer(
            utilisateur=request.user,
            valeurs=demandees,
            valider=valider,
            commentaire=form.cleaned_data["commentaire"],
        )
    except ConflitEdition as exc:
        return None, exc.message
    except ValidationError as exc:
        for erreur in exc.messages:
            form.add_error(None, erreur)
        return None, None
    messages.success(
        request, f"{len(decidees)} valeur(s) {'validée(s)' if valider else 'rejetée(s)'}."
    )
    return decidees, None


@equipe_requise
def file_validation(request):
    """Staff's queue: the grids (indicator × year), filtered by campaign,
    organisation, objective, fiche and status, with counts; those waiting
    first, oldest submission first. Ticked grids are validated or rejected
    together (one comment for a rejection)."""
    campagnes_ = list(Campagne.objects.all())
    donnees = request.GET.copy()
    donnees.setdefault("statut", Valeur.Statut.SOUMISE)
    filtres = FiltreFileForm(
        donnees,
        campagnes=campagnes_,
        organisations=Organisation.objects.filter(indicateurs__isnull=False)
        .distinct()
        .order_by("nom"),
        objectifs=Objectif.objects.all(),
        fiches=Indicateur.objects.filter(fiche__isnull=False, actif=True)
        .order_by("fiche__enjeu_numero", "fiche__rang")
        .values_list("fiche__numero", flat=True)
        .distinct(),
        statuts=STATUTS_FILE,
    )
    criteres = filtres.cleaned_data if filtres.is_valid() else {"statut": Valeur.Statut.SOUMISE}
    form = StatuerForm(request.POST or None)
    conflit = None
    if request.method == "POST" and form.is_valid():
        demandees = lire_jetons(request.POST.getlist("grille"), VALIDATION_LOT_MAX)
        decidees, conflit = _statuer(request, demandees, form)
        if decidees is not None:
            return redirect(request.get_full_path())
    lignes, comptes = file_de_validation(
        annee=criteres.get("annee"),
        organisation=criteres.get("organisation"),
        objectif=criteres.get("objectif"),
        fiche=criteres.get("fiche"),
        statut=criteres.get("statut", ""),
    )
    page = Paginator(lignes, FILE_PAR_PAGE).get_page(request.GET.get("page"))
    completer_page(page.object_list)
    sans_statut = donnees.copy()
    for cle_ in ("statut", "page"):
        sans_statut.pop(cle_, None)
    sans_page = donnees.copy()
    sans_page.pop("page", None)
    return render(
        request,
        "engagements/file_validation.html",
        {
            "filtres": filtres,
            "page": page,
            "lignes": page.object_list,
            "statuts": [
                {"code": code, "libelle": libelle, **comptes[code]}
                for code, libelle in STATUTS_FILE
            ],
            "statut": criteres.get("statut", ""),
            "sans_statut": sans_statut.urlencode(),
            "sans_page": sans_page.urlencode(),
            "form": form,
            "conflit": conflit,
        },
        status=409 if conflit else (400 if form.errors or filtres.errors else 200),
    )


@equipe_requise
def valider_grille(request, annee, code):
    """One grid with its context (unit, the year's target, baseline, earlier
    years' validated values, totals, the partner's note once, who submitted
    when); validate or reject one cell, the ticked cells or the whole grid."""
    indicateur = get_object_or_404(
        Indicateur.objects.select_related("fiche", "organisation").prefetch_related(
            "cibles_annuelles"
        ),
        code=code,
    )
    reference = indicateur.reference_de_serie()
    if reference is not None:
        # One fact, entered once: the values are the reference's (fiches/series.py).
        messages.info(
            request,
            f"{indicateur.code} est saisi sous l'indicateur {reference.code} (même série).",
        )
        return redirect("saisie:valider_grille", annee=annee, code=reference.code)
    campagne = get_object_or_404(Campagne, annee=annee)
    valeurs = _valeurs(indicateur, annee)
    soumises = [v for v in valeurs.values() if v.statut == Valeur.Statut.SOUMISE]
    form = StatuerForm(request.POST or None)
    conflit = None
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "")
        versions = {v.pk: request.POST.get(f"ver_{v.pk}") for v in valeurs.values()}
        if ":" in action:
            # One cell's own button: "valider:<id>" or "rejeter:<id>".
            choisies = [action.partition(":")[2]]
        elif action.endswith("_selection"):
            choisies = request.POST.getlist("selection")
        else:
            # The whole grid: every submitted value whose version the page carried.
            choisies = [str(v.pk) for v in soumises if versions.get(v.pk) is not None]
        par_pk = {str(v.pk): v for v in valeurs.values()}
        demandees = []
        for choisie in choisies[: VALIDATION_LOT_MAX + 1]:
            valeur = par_pk.get(choisie)
            if valeur is None:
                # Not a value of this grid: the service refuses it (conflict: unknown id).
                demandees.append((choisie, 0))
            else:
                # A cell the page did not offer (not submitted) carries no version:
                # the one read now, and the service names why it is refused.
                version = versions[valeur.pk]
                demandees.append((valeur, valeur.version if version is None else version))
        decidees, conflit = _statuer(request, demandees, form)
        if decidees is not None:
            if Valeur.objects.filter(
                indicateur=indicateur, annee=annee, statut=Valeur.Statut.SOUMISE
            ).exists():
                return redirect("saisie:valider_grille", annee=annee, code=code)
            return redirect("saisie:validation")
    cellules = GrilleForm(indicateur=indicateur, valeurs=valeurs, lecture_seule=True).cellules
    return render(
        request,
        "engagements/valider_grille.html",
        {
            "indicateur": indicateur,
            "campagne": campagne,
            "cellules": cellules,
            "soumises": soumises,
            "form": form,
            "conflit": conflit,
            **contexte_grille(indicateur, annee, valeurs),
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
    # The last closing or reopening of each campaign, for the list (one query).
    derniers = {}
    for evenement in (
        EvenementCampagne.objects.filter(campagne__in=toutes)
        .exclude(action=EvenementCampagne.Action.OUVERTURE)
        .order_by("campagne_id", "date")
    ):
        derniers[evenement.campagne_id] = evenement
    return render(
        request,
        "engagements/campagnes.html",
        {
            "campagne": campagne,
            "campagnes": [(c, derniers.get(c.pk)) for c in toutes],
            "completude": completude_par_partenaire(campagne) if campagne else [],
            "evenements": EvenementCampagne.objects.filter(campagne=campagne).select_related(
                "auteur"
            )
            if campagne
            else [],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@equipe_requise
def campagne_action(request, annee, action):
    """Close (reason and confirmation) or reopen (reason and a new deadline)
    a campaign: GET shows the form, POST decides through the service."""
    if action not in {"fermer", "rouvrir"}:
        raise Http404("Action inconnue.")
    campagne = get_object_or_404(Campagne, annee=annee)
    Formulaire = FermetureForm if action == "fermer" else ReouvertureForm
    form = Formulaire(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if action == "fermer":
                campagne_fermer(
                    utilisateur=request.user, campagne=campagne, motif=form.cleaned_data["motif"]
                )
                messages.success(request, f"{campagne} fermée : ses valeurs sont verrouillées.")
            else:
                campagne_rouvrir(
                    utilisateur=request.user,
                    campagne=campagne,
                    motif=form.cleaned_data["motif"],
                    date_limite=form.cleaned_data["date_limite"],
                )
                messages.success(
                    request,
                    f"{campagne} rouverte jusqu'au {form.cleaned_data['date_limite']:%d/%m/%Y}.",
                )
        except ValidationError as exc:
            for erreur in exc.messages:
                form.add_error(None, erreur)
        else:
            return redirect(f"{reverse('saisie:campagnes')}?annee={annee}")
    return render(
        request,
        "engagements/campagne_action.html",
        {"campagne": campagne, "action": action, "form": form},
        status=400 if form.errors else 200,
    )
