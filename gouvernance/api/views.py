from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from contrat.api.base import LectureViewSet
from gouvernance.api.serializers import (
    ConseilCitoyenSerializer,
    EvenementSerializer,
    InstanceSerializer,
    PreconisationSerializer,
)
from gouvernance.filtersets import EvenementFilterSet, PreconisationFilterSet
from gouvernance.models import (
    ConseilCitoyen,
    Evenement,
    Instance,
    MoyenConseilCitoyen,
    Preconisation,
    ReponsePreconisation,
)


class InstanceViewSet(LectureViewSet):
    """Les instances de gouvernance, leur rôle tel que l'avenant l'écrit, et les
    moyens donnés aux conseils citoyens (nature, texte, montants)."""

    queryset = Instance.objects.select_related("parent").prefetch_related(
        "fiches",
        Prefetch("moyens", queryset=MoyenConseilCitoyen.objects.select_related("organisation")),
    )
    serializer_class = InstanceSerializer
    lookup_field = "slug"
    filterset_fields = ["type", "portee"]


class EvenementViewSet(LectureViewSet):
    """Les réunions et événements datés, avec la précision de leur date, leurs
    participants tels qu'écrits (« plus de 100 » : participants_min = 100, borne
    inférieure) et les thèmes (programmes de la mobilisation nationale)."""

    queryset = Evenement.objects.select_related("instance").prefetch_related(
        "fiches", "themes", "points"
    )
    serializer_class = EvenementSerializer
    lookup_field = "slug"
    filterset_class = EvenementFilterSet


class ConseilCitoyenViewSet(LectureViewSet):
    """Les 12 conseils citoyens par collège, et la ligne des totaux du tableau."""

    queryset = ConseilCitoyen.objects.select_related("quartier")
    serializer_class = ConseilCitoyenSerializer
    lookup_field = "slug"

    @extend_schema(
        responses=inline_serializer(
            "ControleConseils", {"ecarts": serializers.ListField(child=serializers.CharField())}
        )
    )
    @action(detail=False)
    def controle(self, request):
        """Les écarts entre les totaux écrits et les sommes des lignes (liste vide : cohérent)."""
        return Response({"ecarts": ConseilCitoyen.controle_des_totaux()})


class PreconisationViewSet(LectureViewSet):
    """Les préconisations de l'évaluation à mi-parcours et leur suivi."""

    queryset = Preconisation.objects.prefetch_related(
        Prefetch("reponses", queryset=ReponsePreconisation.objects.select_related("fiche"))
    )
    serializer_class = PreconisationSerializer
    lookup_field = "ordre"
    filterset_class = PreconisationFilterSet
