from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.response import Response

from contrat.api.base import ApiMixin, LectureViewSet
from contrat.api.filtersets import OrganisationFilterSet, SignataireFilterSet
from contrat.api.filtres import TriStrict
from contrat.api.serializers import (
    AvenantSerializer,
    AxeSerializer,
    ContratSerializer,
    EnjeuSerializer,
    ObjectifSerializer,
    OrganisationSerializer,
    PilierSerializer,
    PrincipeSerializer,
    PrioriteSerializer,
    QuartierSerializer,
    SignataireSerializer,
)
from contrat.comptes import expiration_jeton, jeton_pour
from contrat.erreurs import ErreurMetier
from contrat.limites import LIMITES_API, LimiteJeton
from contrat.models import (
    AliasOrganisation,
    Avenant,
    AxeTransversal,
    Contrat,
    Enjeu,
    Objectif,
    Organisation,
    Pilier,
    PrincipeIntegrateur,
    Priorite,
    Quartier,
    Signataire,
)


class ContratViewSet(LectureViewSet):
    """Le contrat de ville (2015-2022)."""

    queryset = Contrat.objects.all()
    serializer_class = ContratSerializer
    lookup_field = "slug"


class AvenantViewSet(LectureViewSet):
    """Les avenants du contrat (n° 1 de 2016, n° 2 = le PERR de 2019)."""

    queryset = Avenant.objects.select_related("contrat").prefetch_related("sections")
    serializer_class = AvenantSerializer
    lookup_field = "numero"


class OrganisationViewSet(LectureViewSet):
    """Les organisations nommées par l'avenant, avec les alias sous lesquels il les nomme."""

    queryset = Organisation.objects.select_related("rattachement").prefetch_related(
        Prefetch("aliases", queryset=AliasOrganisation.objects.order_by("libelle"))
    )
    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    filterset_class = OrganisationFilterSet
    filter_backends = [*LectureViewSet.filter_backends, TriStrict]
    ordering_fields = ["nom", "slug", "type"]


class SignataireViewSet(LectureViewSet):
    """Les 21 signataires de l'avenant n° 2, dans l'ordre du texte."""

    queryset = Signataire.objects.select_related("organisation", "avenant").order_by(
        "avenant__numero", "ordre"
    )
    serializer_class = SignataireSerializer
    lookup_field = "ordre"
    filterset_class = SignataireFilterSet


class PilierViewSet(LectureViewSet):
    """Les 3 piliers de la loi Lamy."""

    queryset = Pilier.objects.all()
    serializer_class = PilierSerializer
    lookup_field = "numero"


class PrincipeViewSet(LectureViewSet):
    """Les 3 principes intégrateurs."""

    queryset = PrincipeIntegrateur.objects.all()
    serializer_class = PrincipeSerializer
    lookup_field = "numero"


class EnjeuViewSet(LectureViewSet):
    """Les 12 enjeux, sous leur pilier et leur principe."""

    queryset = Enjeu.objects.select_related("pilier", "principe").prefetch_related("objectifs")
    serializer_class = EnjeuSerializer
    lookup_field = "numero"


class PrioriteViewSet(LectureViewSet):
    """Les 7 priorités stratégiques."""

    queryset = Priorite.objects.all()
    serializer_class = PrioriteSerializer
    lookup_field = "numero"


class ObjectifViewSet(LectureViewSet):
    """Les 5 objectifs opérationnels, numérotés comme l'article 4.1."""

    queryset = Objectif.objects.prefetch_related("enjeux")
    serializer_class = ObjectifSerializer
    lookup_field = "numero"


class AxeViewSet(LectureViewSet):
    """Les 4 axes transversaux."""

    queryset = AxeTransversal.objects.all()
    serializer_class = AxeSerializer
    lookup_field = "numero"


class QuartierViewSet(LectureViewSet):
    """Les 12 quartiers prioritaires et leur population."""

    queryset = Quartier.objects.all()
    serializer_class = QuartierSerializer
    lookup_field = "slug"


class JetonView(ApiMixin, ObtainAuthToken):
    """Obtenir le jeton d'API d'un compte (identifiant et mot de passe).

    Des identifiants incorrects donnent 401 ; après trop d'échecs, le compte
    est bloqué (429) comme sur la page de connexion. Le jeton expire après
    ``API_JETON_DUREE_JOURS`` jours (``expire``) ou au changement de mot de
    passe ; l'équipe peut le révoquer. Un jeton expiré est remplacé ici."""

    # DRF's ObtainAuthToken has no throttle at all: the API's, plus the
    # stricter rate of token creation (a password guess per request).
    throttle_classes = [*LIMITES_API, LimiteJeton]

    @extend_schema(
        tags=["authentification"],
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer(
                "Jeton", {"token": serializers.CharField(), "expire": serializers.DateTimeField()}
            ),
            401: OpenApiResponse(description="Identifiant ou mot de passe incorrect"),
            429: OpenApiResponse(description="Trop d'échecs : compte bloqué pour un moment"),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                # django-axes refused even to check the password.
                raise ErreurMetier(
                    "Trop d'échecs de connexion : ce compte est bloqué depuis cette adresse "
                    "pour un moment.",
                    statut=429,
                    code="verrouille",
                )
            if set(serializer.errors) == {"non_field_errors"}:
                raise AuthenticationFailed("Identifiant ou mot de passe incorrect.")
            raise ValidationError(serializer.errors)
        jeton = jeton_pour(serializer.validated_data["user"])
        return Response({"token": jeton.key, "expire": expiration_jeton(jeton).isoformat()})
