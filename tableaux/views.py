"""Public dashboard pages: server-rendered shells whose charts read the REST
API anonymously (so they only ever show validated values, even to a logged-in
user). Every chart has a data table as its text alternative."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from django.shortcuts import render as django_render
from django.utils.functional import SimpleLazyObject, cached_property

from contrat.annees import ANNEE_MAX, ANNEE_MIN
from contrat.historique import generation
from contrat.models import Objectif, Organisation, Quartier
from contrat.nombres import lire_entier
from engagements.models import (
    Campagne,
    Cible,
    Engagement,
    SuiviAction,
    SyntheseValeurs,
    Valeur,
)
from fiches.models import Evolution, Fiche, FicheQuartier, Indicateur, LienSerie, VersionPlan
from gouvernance.models import ConseilCitoyen, Evenement, Instance, PointEvenement, Theme
from tableaux import feux

# The fiche's sections, in the order of Annexe 3's template; each shown
# verbatim, an empty one marked as missing from the avenant.
SECTIONS_FICHE = [
    "titre_sommaire",
    "groupe_texte",
    "pilier_texte",
    "principes_texte",
    "enjeux_texte",
    "thematique_texte",
    "diagnostic",
    "elements_contexte_actualises",
    "objectifs",
    "resultats_attendus",
    "descriptif",
    "pilote_texte",
    "maitre_oeuvre_texte",
    "partenaires_texte",
    "perimetre_texte",
    "publics_vises",
    "date_debut_texte",
    "date_fin_texte",
    "calendrier_texte",
    "approches_transversales_texte",
]

PARTENAIRES = [
    ("metropole", "metropole-ville"),
    ("ville-montpellier", "metropole-ville"),
    ("etat", "etat"),
    ("departement-herault", "departement"),
    ("region-occitanie", "region"),
    ("caf-herault", "caf"),
]

ANNEES_PROPOSEES_SQL = f"""
    SELECT annee FROM {Campagne._meta.db_table}
    UNION SELECT generate_series(annee_debut::int, annee_fin::int)
    FROM {VersionPlan._meta.db_table} WHERE en_vigueur
    ORDER BY 1
"""


def lire_annee(request):
    """The year a dashboard shows, and a French message when ``?annee=`` was
    refused (the page then shows the default year, and says so). The default:
    the latest year with validated data (``feux.annee_par_defaut``)."""
    texte = request.GET.get("annee", "")
    defaut = feux.annee_par_defaut()
    if texte == "":
        return defaut, None
    try:
        return lire_entier(texte, minimum=ANNEE_MIN, maximum=ANNEE_MAX), None
    except ValidationError as erreur:
        repli = f"affichage de {defaut}" if defaut else "aucune année à afficher"
        return defaut, (
            f"Année non reconnue : {erreur.messages[0]} Les années du contrat vont de "
            f"{ANNEE_MIN} à {ANNEE_MAX} ; {repli}."
        )


def annees_proposees(annee):
    """The years of the selector: the plan in force's and the campaigns' (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(ANNEES_PROPOSEES_SQL)
        annees = [a for (a,) in cursor.fetchall()]
    if annee is not None and annee not in annees:
        annees = sorted([*annees, annee])
    return annees


def render(request, template, contexte, annee=None, message_annee=None):
    """Render a dashboard page; its body is cached per data generation and
    year (see ``tableaux/base.html``), so the querysets given here stay lazy
    and run only when the generation moved. The year selector and the
    message about a refused year stay outside the cached body."""
    return django_render(
        request,
        template,
        {
            **contexte,
            "generation": generation(),
            "annee": annee,
            "annees": annees_proposees(annee),
            "message_annee": message_annee,
            # Appended to every link between dashboard pages: they keep the year.
            "q_annee": f"?annee={annee}" if annee else "",
        },
    )


def _calcul(annee):
    """The year's lights, computed only if the page body is rendered (8 queries)."""
    if annee is None:
        return {}
    return SimpleLazyObject(lambda: feux.calculer(annee))


def _suivis_publics(annee):
    """Validated follow-ups of ``annee`` (the others are not public), with milestones."""
    return (
        SuiviAction.objects.filter(annee=annee, statut=SuiviAction.Statut.VALIDE)
        .select_related("organisation")
        .prefetch_related("jalons")
        .order_by("organisation__nom")
    )


def valeurs_validees(indicateurs, annee):
    """{indicator pk: (value of ``annee`` or None, latest validated value up
    to ``annee``, its year)} for ``indicateurs`` (a list), read as the
    aggregates read them; a series member reads its reference's. 2 queries."""
    if not indicateurs or annee is None:
        return {}
    ids = [i.pk for i in indicateurs]
    series = {
        lien["indicateur_id"]: (lien["reference_id"], lien["reference__unite"])
        for lien in LienSerie.objects.confirmes()
        .filter(indicateur_id__in=ids)
        .values("indicateur_id", "reference_id", "reference__unite")
    }
    sources = {i.pk: series.get(i.pk, (i.pk, i.unite)) for i in indicateurs}
    par_source = {}
    for ind_id, an, nb_global, somme_global, nb, somme in (
        SyntheseValeurs.objects.filter(
            indicateur_id__in={s for s, _ in sources.values()},
            annee__lte=annee,
            statut=Valeur.Statut.VALIDEE,
            nb__gt=0,
        )
        .order_by("annee")
        .values_list("indicateur_id", "annee", "nb_global", "somme_global", "nb", "somme")
    ):
        par_source.setdefault(ind_id, []).append((an, nb_global, somme_global, nb, somme))
    resultat = {}
    for pk, (source, unite) in sources.items():
        lignes = par_source.get(source)
        if not lignes:
            continue
        an, *chiffres = lignes[-1]
        derniere = feux.valeur_retenue(unite, *chiffres)
        resultat[pk] = (derniere if an == annee else None, derniere, an)
    return resultat


def apercu(request):
    annee, message = lire_annee(request)
    fiches = Fiche.objects.en_vigueur()
    return render(
        request,
        "tableaux/apercu.html",
        {
            "objectifs": Objectif.objects.annotate(
                nb_fiches=Count("fiches", filter=Q(fiches__version__en_vigueur=True))
            ).order_by("numero"),
            # Callables: counted only when the page body is rendered.
            "nb_fiches": fiches.count,
            "nb_transversales": fiches.filter(objectif__isnull=True).count,
            "nb_engagements": Engagement.objects.count,
            "quartiers": Quartier.objects.all(),
            "partenaires": Organisation.objects.filter(
                slug__in=[p for p, _ in PARTENAIRES]
            ).order_by("nom"),
            "calcul": _calcul(annee),
            "regle": feux.regle(),
        },
        annee,
        message,
    )


class PageObjectif:
    """The objective's indicators that have a validated value in the year,
    against the year's target (computed when the body is rendered: 4 queries)."""

    def __init__(self, objectif, annee):
        self.objectif = objectif
        self.annee = annee

    @cached_property
    def valeurs(self):
        if self.annee is None:
            return []
        indicateurs = list(
            Indicateur.objects.filter(
                actif=True, fiche__objectif=self.objectif, fiche__version__en_vigueur=True
            )
            .select_related("fiche")
            .prefetch_related("cibles_annuelles")
            .order_by("fiche__enjeu_numero", "fiche__rang", "ordre")
        )
        valeurs = valeurs_validees(indicateurs, self.annee)
        return [
            {"indicateur": i, "valeur": valeurs[i.pk][0], "cible": i.cible_de(self.annee)}
            for i in indicateurs
            if i.pk in valeurs and valeurs[i.pk][0] is not None
        ]


def objectif(request, numero):
    annee, message = lire_annee(request)
    objectif = get_object_or_404(Objectif.objects.prefetch_related("enjeux"), numero=numero)
    fiches = (
        Fiche.objects.en_vigueur()
        .filter(objectif=objectif)
        .annotate(nb_indicateurs=Count("indicateurs"))
        .order_by("enjeu_numero", "rang")
    )
    return render(
        request,
        "tableaux/objectif.html",
        {
            "objectif": objectif,
            "page": PageObjectif(objectif, annee),
            "fiches": fiches,
            "engagements": Engagement.objects.filter(objectif=objectif)
            .order_by("ordre")
            .prefetch_related(
                Prefetch("cibles", queryset=Cible.objects.select_related("indicateur")),
                Prefetch("suivis", queryset=_suivis_publics(annee), to_attr="suivis_publics"),
            ),
            "calcul": _calcul(annee),
            "regle": feux.regle(),
        },
        annee,
        message,
    )


class PageFiche:
    """What the fiche page shows beyond the fiche itself, computed when the
    body is rendered (lazily: a cached body costs none of these queries)."""

    def __init__(self, fiche, annee):
        self.fiche = fiche
        self.annee = annee

    @cached_property
    def sections(self):
        champs = {f.name: f for f in Fiche._meta.get_fields()}
        return [
            (champs[nom].verbose_name, getattr(self.fiche, nom) or "") for nom in SECTIONS_FICHE
        ]

    @cached_property
    def indicateurs(self):
        indicateurs = list(self.fiche.indicateurs.all())
        valeurs = valeurs_validees(indicateurs, self.annee)
        lignes = []
        for i in indicateurs:
            annee_valeur, derniere, an = valeurs.get(i.pk, (None, None, None))
            cible = i.cible_de(self.annee) if self.annee else None
            lignes.append(
                {
                    "indicateur": i,
                    "cible": cible,
                    "valeur": annee_valeur,
                    "derniere": derniere,
                    "derniere_annee": an,
                }
            )
        return lignes

    @cached_property
    def suivis(self):
        if self.annee is None:
            return []
        return list(_suivis_publics(self.annee).filter(fiche=self.fiche))

    @cached_property
    def origines(self):
        return list(
            Evolution.objects.filter(fiches_nouvelles=self.fiche)
            .select_related("fiche_initiale")
            .order_by("ordre")
        )


def fiche(request, numero):
    annee, message = lire_annee(request)
    fiche = get_object_or_404(
        Fiche.objects.en_vigueur()
        .select_related("objectif", "version")
        .prefetch_related(
            "pilotes",
            "partenaires",
            "sous_parties",
            Prefetch(
                "liens_quartiers",
                queryset=FicheQuartier.objects.select_related("quartier").order_by(
                    "quartier__ordre"
                ),
            ),
            "axes",
            Prefetch(
                "indicateurs",
                queryset=Indicateur.objects.select_related("organisation")
                .prefetch_related("cibles_annuelles")
                .order_by("ordre"),
            ),
        ),
        numero=numero,
    )
    return render(
        request,
        "tableaux/fiche.html",
        {
            "fiche": fiche,
            "page": PageFiche(fiche, annee),
            "calcul": _calcul(annee),
            "regle": feux.regle(),
        },
        annee,
        message,
    )


def partenaire(request, slug):
    annee, message = lire_annee(request)
    organisation = get_object_or_404(Organisation, slug=slug)
    colonne = dict(PARTENAIRES).get(slug)
    engagements = (
        Engagement.objects.filter(organisations=organisation)
        .select_related("objectif")
        .order_by("ordre")
        .prefetch_related(
            Prefetch("cibles", queryset=Cible.objects.select_related("indicateur")),
            Prefetch("suivis", queryset=_suivis_publics(annee), to_attr="suivis_publics"),
        )
    )
    indicateurs = (
        Indicateur.objects.pour_organisation(organisation)
        .a_saisir()
        .select_related("fiche")
        .order_by("fiche__enjeu_numero", "fiche__rang", "ordre", "code")
    )
    return render(
        request,
        "tableaux/partenaire.html",
        {
            "organisation": organisation,
            "colonne": colonne,
            "engagements": engagements,
            "indicateurs": indicateurs,
            "fiches_pilotees": organisation.fiches_pilotees.filter(
                version__en_vigueur=True
            ).order_by("enjeu_numero", "rang"),
            "calcul": _calcul(annee),
            "regle": feux.regle(),
        },
        annee,
        message,
    )


class PageQuartier:
    """The indicators broken down by quartier, with the quartier's validated
    value of the year (computed when the body is rendered: 3 queries)."""

    def __init__(self, quartier, annee):
        self.quartier = quartier
        self.annee = annee

    @cached_property
    def indicateurs(self):
        indicateurs = list(
            Indicateur.objects.filter(
                actif=True,
                desagregation__in=[
                    Indicateur.Desagregation.QUARTIER,
                    Indicateur.Desagregation.QUARTIER_SEXE,
                ],
            )
            .filter(Q(fiche__isnull=True) | Q(fiche__version__en_vigueur=True))
            .select_related("fiche")
            .order_by("fiche__enjeu_numero", "fiche__rang", "ordre", "code")
        )
        if not indicateurs or self.annee is None:
            return [{"indicateur": i, "valeur": None} for i in indicateurs]
        series = dict(
            LienSerie.objects.confirmes()
            .filter(indicateur__in=indicateurs)
            .values_list("indicateur_id", "reference_id")
        )
        sources = {i.pk: series.get(i.pk, i.pk) for i in indicateurs}
        chiffres = {
            ligne["indicateur_id"]: ligne
            for ligne in Valeur.objects.filter(
                indicateur_id__in=set(sources.values()),
                annee=self.annee,
                quartier=self.quartier,
                statut=Valeur.Statut.VALIDEE,
            )
            .values("indicateur_id")
            .annotate(somme=Sum("valeur"), moyenne=Avg("valeur"), nb=Count("pk"))
        }
        lignes = []
        for i in indicateurs:
            ligne = chiffres.get(sources[i.pk])
            valeur = None
            if ligne:
                valeur = ligne["somme"] if i.additive else ligne["moyenne"]
            lignes.append({"indicateur": i, "valeur": valeur})
        return lignes


def quartier(request, slug):
    annee, message = lire_annee(request)
    quartier = get_object_or_404(Quartier, slug=slug)
    fiches = (
        Fiche.objects.en_vigueur()
        .filter(Q(quartiers=quartier) | Q(tous_qpv=True))
        .distinct()
        .order_by("enjeu_numero", "rang")
    )
    conseil = getattr(quartier, "conseil_citoyen", None)
    return render(
        request,
        "tableaux/quartier.html",
        {
            "quartier": quartier,
            # A deduced link is shown as such (the périmètre names a place, not the quartier).
            "fiches_nommees": fiches.filter(quartiers=quartier).annotate(
                lien_deduit=Exists(
                    FicheQuartier.objects.filter(
                        fiche=OuterRef("pk"), quartier=quartier, deduit=True
                    )
                )
            ),
            "fiches_toutes": fiches.exclude(quartiers=quartier),
            "conseil": conseil,
            "page": PageQuartier(quartier, annee),
            "calcul": _calcul(annee),
        },
        annee,
        message,
    )


def indicateur(request, code):
    annee, message = lire_annee(request)
    indicateur = get_object_or_404(
        Indicateur.objects.select_related("fiche", "organisation").prefetch_related(
            "cibles_annuelles"
        ),
        code=code,
    )
    # A series is read whole: the charts below read the reference's values.
    reference = indicateur.reference_de_serie()
    membres = Indicateur.objects.filter(
        liens_serie__reference=indicateur, liens_serie__statut=LienSerie.Statut.CONFIRME
    ).order_by("code")
    return render(
        request,
        "tableaux/indicateur.html",
        {
            "indicateur": indicateur,
            "cibles": list(indicateur.cibles_annuelles.all()),
            "reference_serie": reference,
            "membres_serie": list(membres),
            "feu": SimpleLazyObject(lambda: feux.feu_indicateur(indicateur, annee))
            if annee
            else None,
            "regle": feux.regle(),
        },
        annee,
        message,
    )


def gouvernance(request):
    """The governance facts the avenant states: the world café that prepared
    the PERR (attendance, themes, questions), the 5 programmes of the national
    mobilisation, and the conseils citoyens with their means."""
    annee, message = lire_annee(request)
    return render(
        request,
        "tableaux/gouvernance.html",
        {
            # Querysets stay lazy: they run only when the cached body is rebuilt.
            "consultations": Evenement.objects.filter(
                ~Q(participants_texte="") | Q(themes__isnull=False)
            )
            .prefetch_related(
                "themes",
                Prefetch(
                    "points",
                    queryset=PointEvenement.objects.filter(type=PointEvenement.Type.QUESTION),
                    to_attr="questions",
                ),
            )
            .order_by("date_debut", "slug")
            .distinct(),
            "themes": Theme.objects.all(),
            "conseils": Instance.objects.filter(type=Instance.Type.CONSEIL_CITOYEN)
            .prefetch_related("moyens")
            .order_by("nom"),
            "lignes_conseils": ConseilCitoyen.objects.select_related("quartier"),
        },
        annee,
        message,
    )
