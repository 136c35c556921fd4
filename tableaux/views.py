"""Public dashboard pages: server-rendered shells whose charts read the REST
API anonymously (so they only ever show validated values, even to a logged-in
user). Every chart has a data table as its text alternative."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.shortcuts import render as django_render

from contrat.historique import generation
from contrat.models import Objectif, Organisation, Quartier
from engagements.models import Campagne, Engagement
from fiches.models import Fiche, FicheQuartier, Indicateur, LienSerie
from gouvernance.models import ConseilCitoyen, Evenement, Instance, PointEvenement, Theme


def render(request, template, contexte):
    """Render a dashboard page; its body is cached per data generation (see
    ``tableaux/base.html``), so the querysets given here stay lazy and run
    only when the generation moved."""
    return django_render(request, template, {**contexte, "generation": generation()})


def _annee_par_defaut():
    campagne = Campagne.objects.order_by("-annee").first()
    return campagne.annee if campagne else None


def apercu(request):
    fiches = Fiche.objects.en_vigueur()
    return render(
        request,
        "tableaux/apercu.html",
        {
            "objectifs": Objectif.objects.annotate(
                nb_fiches=Count("fiches", filter=Q(fiches__version__en_vigueur=True))
            ),
            # Callables: counted only when the page body is rendered.
            "nb_fiches": fiches.count,
            "nb_transversales": fiches.filter(objectif__isnull=True).count,
            "nb_engagements": Engagement.objects.count,
            "annee": _annee_par_defaut(),
            "quartiers": Quartier.objects.all(),
            "partenaires": Organisation.objects.filter(slug__in=[p for p, _ in PARTENAIRES]),
        },
    )


PARTENAIRES = [
    ("metropole", "metropole-ville"),
    ("ville-montpellier", "metropole-ville"),
    ("etat", "etat"),
    ("departement-herault", "departement"),
    ("region-occitanie", "region"),
    ("caf-herault", "caf"),
]


def objectif(request, numero):
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
            "fiches": fiches,
            "engagements": Engagement.objects.filter(objectif=objectif).prefetch_related("cibles"),
            "annee": _annee_par_defaut(),
        },
    )


def fiche(request, numero):
    fiche = get_object_or_404(
        Fiche.objects.en_vigueur()
        .select_related("objectif", "version")
        .prefetch_related(
            "pilotes",
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
    return render(request, "tableaux/fiche.html", {"fiche": fiche})


def partenaire(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    colonne = dict(PARTENAIRES).get(slug)
    engagements = (
        Engagement.objects.filter(organisations=organisation)
        .select_related("objectif")
        .prefetch_related("cibles")
    )
    indicateurs = (
        Indicateur.objects.pour_organisation(organisation).a_saisir().select_related("fiche")
    )
    return render(
        request,
        "tableaux/partenaire.html",
        {
            "organisation": organisation,
            "colonne": colonne,
            "engagements": engagements,
            "indicateurs": indicateurs,
            "fiches_pilotees": organisation.fiches_pilotees.filter(version__en_vigueur=True),
            "annee": _annee_par_defaut(),
        },
    )


def quartier(request, slug):
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
            "annee": _annee_par_defaut(),
        },
    )


def indicateur(request, code):
    indicateur = get_object_or_404(
        Indicateur.objects.select_related("fiche", "organisation"), code=code
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
            "annee": _annee_par_defaut(),
            "reference_serie": reference,
            "membres_serie": list(membres),
        },
    )


def gouvernance(request):
    """The governance facts the avenant states: the world café that prepared
    the PERR (attendance, themes, questions), the 5 programmes of the national
    mobilisation, and the conseils citoyens with their means."""
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
    )
