"""The aggregate endpoints under /api/agregats/: progress against targets,
campaign completeness, and a breakdown of validated values."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from contrat.annees import ANNEE_MAX, ANNEE_MIN
from contrat.api.base import ApiView
from contrat.api.cache import reponse_en_cache
from contrat.api.schema import REFERENCE_ERREUR
from contrat.erreurs import Introuvable, Invalide
from contrat.nombres import lire_entier
from engagements.models import Campagne
from engagements.suivi import completude_par_partenaire
from fiches.models import Indicateur
from tableaux import agregats

ERREUR = REFERENCE_ERREUR


def _annee(request):
    """The ``annee`` parameter: a year of the contract (``contrat.annees``),
    read by the one parser; anything else is a 400 naming the rule."""
    brute = request.query_params.get("annee")
    if brute is None:
        return None
    try:
        return lire_entier(brute, minimum=ANNEE_MIN, maximum=ANNEE_MAX)
    except ValidationError as exc:
        raise ValidationError({"annee": [f"Année invalide : {exc.messages[0]}"]}) from None


def parametre_annee(description, **kwargs):
    """The ``annee`` query parameter as the schema states it (its bounds)."""
    return OpenApiParameter(
        "annee",
        {"type": "integer", "minimum": ANNEE_MIN, "maximum": ANNEE_MAX},
        description=description,
        **kwargs,
    )


LIGNE_PROGRESSION = inline_serializer(
    "LigneProgression",
    many=True,
    fields={
        "groupe": serializers.JSONField(
            help_text="objectif, fiche, partenaire ou indicateur selon `par`"
        ),
        "annee": serializers.IntegerField(),
        "nb_cibles": serializers.IntegerField(),
        "nb_renseignes": serializers.IntegerField(),
        "nb_atteints": serializers.IntegerField(),
        "avancement_moyen": serializers.DecimalField(
            max_digits=6, decimal_places=1, allow_null=True
        ),
    },
)


class ProgressionView(ApiView):
    """Avancement vers les cibles, à partir des valeurs validées."""

    parametres_requete = [
        OpenApiParameter(
            "par",
            str,
            enum=list(agregats.GROUPES),
            description="Regroupement (par défaut : objectif)",
        ),
        parametre_annee("Année (par défaut : toutes les campagnes)"),
    ]

    @extend_schema(
        tags=["agrégats"],
        responses={200: LIGNE_PROGRESSION, 400: OpenApiResponse(ERREUR)},
    )
    def get(self, request):
        par = request.query_params.get("par", "objectif")
        if par not in agregats.GROUPES:
            raise Invalide(
                "Regroupement inconnu.",
                details={"par": [f"Choisir parmi : {', '.join(agregats.GROUPES)}."]},
            )
        annee = _annee(request)
        return reponse_en_cache(
            self, request, lambda: Response(agregats.progression(par=par, annee=annee))
        )


class CompletudeView(ApiView):
    """Complétude de la saisie par partenaire pour une campagne."""

    parametres_requete = [parametre_annee("Année de la campagne (par défaut : la plus récente)")]

    @extend_schema(
        tags=["agrégats"],
        responses={
            200: inline_serializer(
                "Completude",
                {
                    "annee": serializers.IntegerField(),
                    "date_limite": serializers.DateField(),
                    "statut": serializers.CharField(),
                    "partenaires": inline_serializer(
                        "CompletudePartenaire",
                        {
                            "organisation": serializers.CharField(),
                            "organisation_nom": serializers.CharField(),
                            "dues": serializers.IntegerField(),
                            "saisies": serializers.IntegerField(),
                            "soumises": serializers.IntegerField(),
                            "validees": serializers.IntegerField(),
                            "en_retard": serializers.IntegerField(),
                            "taux": serializers.IntegerField(),
                        },
                        many=True,
                    ),
                },
            ),
            404: OpenApiResponse(ERREUR),
        },
    )
    def get(self, request):
        annee = _annee(request)
        campagne = (
            get_object_or_404(Campagne, annee=annee)
            if annee
            else Campagne.objects.order_by("-annee").first()
        )
        if campagne is None:
            raise Introuvable("Aucune campagne.")
        return reponse_en_cache(self, request, lambda: self.completude(campagne))

    def completude(self, campagne):
        return Response(
            {
                "annee": campagne.annee,
                "date_limite": campagne.date_limite,
                "statut": campagne.statut,
                "partenaires": [
                    {
                        "organisation": c.organisation.slug,
                        "organisation_nom": c.organisation.nom,
                        "dues": c.dues,
                        "saisies": c.saisies,
                        "soumises": c.soumises,
                        "validees": c.validees,
                        "en_retard": c.en_retard,
                        "taux": c.taux,
                    }
                    for c in completude_par_partenaire(campagne)
                ],
            }
        )


class RepartitionView(ApiView):
    """Valeurs validées d'un indicateur, sommées ou moyennées par quartier ou par sexe."""

    parametres_requete = [
        OpenApiParameter("indicateur", str, required=True, description="Code de l'indicateur"),
        parametre_annee("Année", required=True),
        OpenApiParameter(
            "par", str, enum=["quartier", "sexe"], description="Par défaut : quartier"
        ),
    ]

    @extend_schema(
        tags=["agrégats"],
        responses={
            200: OpenApiTypes.OBJECT,
            400: OpenApiResponse(ERREUR),
            404: OpenApiResponse(ERREUR),
        },
    )
    def get(self, request):
        annee = _annee(request)
        par = request.query_params.get("par", "quartier")
        if annee is None or par not in {"quartier", "sexe"}:
            raise Invalide(
                "Paramètres invalides.",
                details={"annee": ["Obligatoire."], "par": ["quartier ou sexe."]},
            )
        indicateur = get_object_or_404(Indicateur, code=request.query_params.get("indicateur", ""))
        return reponse_en_cache(
            self,
            request,
            lambda: Response(agregats.repartition(indicateur=indicateur, annee=annee, par=par)),
        )
