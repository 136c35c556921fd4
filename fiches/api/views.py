from django.db.models import Count, Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from contrat.api.base import ApiView, LectureViewSet
from contrat.api.cache import reponse_en_cache
from contrat.api.filtres import TriStrict
from contrat.convertisseurs import CodeIndicateur, NumeroFiche
from fiches import parametrage
from fiches.api.serializers import (
    AnomalieSerializer,
    EvolutionSerializer,
    FicheDetailSerializer,
    FicheInitialeSerializer,
    FicheListeSerializer,
    IndicateurSerializer,
    SerieSerializer,
)
from fiches.filtersets import (
    AnomalieFilterSet,
    EvolutionFilterSet,
    FicheFilterSet,
    IndicateurFilterSet,
    SerieFilterSet,
)
from fiches.models import (
    Anomalie,
    Evolution,
    Fiche,
    FicheQuartier,
    Indicateur,
    LienSerie,
    VersionPlan,
)

NUMERO = NumeroFiche.regex


class FicheViewSet(LectureViewSet):
    """Les fiches opérationnelles de la version en vigueur (l'avenant de 2019) ;
    ``?version=2015`` pour une autre version. Le détail ajoute toutes les
    sections, les indicateurs et la filiation."""

    lookup_field = "numero"
    lookup_value_regex = NUMERO
    filterset_class = FicheFilterSet
    filter_backends = [*LectureViewSet.filter_backends, TriStrict]
    ordering_fields = ["enjeu_numero", "rang", "titre", "annee_fin"]
    ordering = ["enjeu_numero", "rang"]
    parametres_requete = [
        OpenApiParameter(
            "version",
            str,
            description="Version du plan (2015 : contrat initial ; par défaut : celle en vigueur, 2019)",
        )
    ]

    def get_queryset(self):
        code = self.request.query_params.get("version")
        version = (
            VersionPlan.objects.filter(code=code)
            if code
            else VersionPlan.objects.filter(en_vigueur=True)
        )
        queryset = (
            Fiche.objects.filter(version__in=version)
            .select_related("version", "objectif", "pilier")
            .prefetch_related(
                "enjeux",
                "pilotes",
                "partenaires",
                Prefetch(
                    "liens_quartiers",
                    queryset=FicheQuartier.objects.select_related("quartier").order_by(
                        "quartier__ordre"
                    ),
                ),
                "axes",
            )
            .annotate(nb_indicateurs=Count("indicateurs", distinct=True))
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "indicateurs",
                    queryset=Indicateur.objects.select_related("organisation")
                    .prefetch_related("cibles_annuelles")
                    .order_by("ordre"),
                ),
                "sous_parties",
                Prefetch(
                    "origines",
                    queryset=Evolution.objects.select_related("fiche_initiale").prefetch_related(
                        "fiches_nouvelles"
                    ),
                ),
            )
        return queryset

    def get_serializer_class(self):
        return FicheDetailSerializer if self.action == "retrieve" else FicheListeSerializer


class FicheInitialeViewSet(LectureViewSet):
    """Les fiches du contrat initial (2015) et ce qu'elles sont devenues."""

    serializer_class = FicheInitialeSerializer
    lookup_field = "numero"
    lookup_value_regex = NUMERO

    def get_queryset(self):
        return (
            Fiche.objects.filter(version__code="2015")
            .select_related("objectif")
            .prefetch_related(
                "pilotes",
                Prefetch(
                    "devenir",
                    queryset=Evolution.objects.select_related("fiche_initiale").prefetch_related(
                        "fiches_nouvelles"
                    ),
                ),
            )
            .order_by("enjeu_numero", "rang")
        )


def _membres_confirmes():
    return Prefetch(
        "liens_serie_membres",
        queryset=LienSerie.objects.confirmes().select_related("indicateur__fiche"),
        to_attr="membres_confirmes",
    )


def prefetch_series():
    """The confirmed series of each indicator, in two or three queries
    whatever the page's size (``fiches.api.serializers.serie_de`` reads them)."""
    return [
        Prefetch(
            "liens_serie",
            queryset=LienSerie.objects.confirmes()
            .select_related("reference")
            .prefetch_related(
                Prefetch(
                    "reference__liens_serie_membres",
                    queryset=LienSerie.objects.confirmes().select_related("indicateur"),
                    to_attr="membres_confirmes",
                )
            ),
            to_attr="serie_confirmee",
        ),
        _membres_confirmes(),
    ]


class IndicateurViewSet(LectureViewSet):
    """Les indicateurs : ceux des fiches et les cibles des engagements.
    ``serie`` : la série confirmée de l'indicateur (sa référence, saisie, et
    ses membres, qui en lisent les valeurs), ou null."""

    queryset = (
        Indicateur.objects.select_related("fiche", "organisation", "cible_engagement__engagement")
        .prefetch_related("cibles_annuelles", *prefetch_series())
        .order_by("fiche__enjeu_numero", "fiche__rang", "ordre", "code")
    )
    serializer_class = IndicateurSerializer
    lookup_field = "code"
    lookup_value_regex = CodeIndicateur.regex
    filterset_class = IndicateurFilterSet


class EvolutionViewSet(LectureViewSet):
    """Le tableau d'évolution des fiches (annexe 2)."""

    queryset = Evolution.objects.select_related("fiche_initiale").prefetch_related(
        "fiches_nouvelles"
    )
    serializer_class = EvolutionSerializer
    lookup_field = "ordre"
    filterset_class = EvolutionFilterSet


class AnomalieViewSet(LectureViewSet):
    """Les endroits où l'avenant se contredit, et leur suivi par l'équipe."""

    queryset = Anomalie.objects.prefetch_related("fiches")
    serializer_class = AnomalieSerializer
    lookup_field = "code"
    lookup_value_regex = CodeIndicateur.regex
    filterset_class = AnomalieFilterSet


class SerieViewSet(LectureViewSet):
    """Les séries d'indicateurs confirmées par l'équipe : un même fait que
    l'avenant énonce deux fois (indicateur de suivi de l'annexe 2 et indicateur
    de la fiche, ou filiation 2015 → 2019). La valeur est saisie une fois, sous
    la référence ; les membres la lisent. Le détail accepte le code de la
    référence ou d'un membre."""

    serializer_class = SerieSerializer
    lookup_field = "code"
    lookup_value_regex = CodeIndicateur.regex
    filterset_class = SerieFilterSet

    def get_queryset(self):
        references = LienSerie.objects.confirmes().values("reference")
        return (
            Indicateur.objects.filter(pk__in=references)
            .select_related("fiche", "organisation")
            .prefetch_related(_membres_confirmes())
            .order_by("fiche__enjeu_numero", "fiche__rang", "ordre", "code")
        )

    def get_object(self):
        code = self.kwargs[self.lookup_field]
        lien = LienSerie.objects.confirmes().filter(indicateur__code=code).first()
        if lien is not None:
            self.kwargs[self.lookup_field] = lien.reference.code
        return super().get_object()


LIGNE_COMPLETUDE = {
    "groupe": serializers.JSONField(
        help_text="numéro d'objectif (null : transversal) ou identifiant d'organisation"
    ),
    "libelle": serializers.CharField(),
    "total": serializers.IntegerField(help_text="indicateurs actifs du plan"),
    "avec_organisation": serializers.IntegerField(),
    "avec_unite": serializers.IntegerField(),
    "ventilation_decidee": serializers.IntegerField(),
    "avec_cible": serializers.IntegerField(help_text="au moins une cible annuelle"),
    "complets": serializers.IntegerField(),
    "taux": serializers.IntegerField(help_text="complets / total, en %"),
}


class CompletudeParametrageView(ApiView):
    """Complétude du paramétrage des indicateurs, par objectif et par organisation."""

    parametres_requete = []

    @extend_schema(
        tags=["indicateurs"],
        responses={
            200: inline_serializer(
                "CompletudeParametrage",
                {
                    "definition": serializers.CharField(),
                    "ensemble": inline_serializer(
                        "CompletudeParametrageEnsemble", LIGNE_COMPLETUDE
                    ),
                    "objectifs": inline_serializer(
                        "CompletudeParametrageObjectif", LIGNE_COMPLETUDE, many=True
                    ),
                    "organisations": inline_serializer(
                        "CompletudeParametrageOrganisation", LIGNE_COMPLETUDE, many=True
                    ),
                },
            )
        },
    )
    def get(self, request):
        return reponse_en_cache(self, request, self.completude)

    def completude(self):
        donnees = parametrage.completude_parametrage()
        return Response(
            {
                "definition": parametrage.DEFINITION_COMPLETUDE,
                "ensemble": donnees["ensemble"].en_dict(),
                "objectifs": [c.en_dict() for c in donnees["objectifs"]],
                "organisations": [c.en_dict() for c in donnees["organisations"]],
            }
        )
