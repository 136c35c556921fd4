"""The REST API: one router for the plan, the commitments, the values and the
aggregates (mounted under /api/ by config/urls.py)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from contrat.api import views as contrat
from contrat.api.paquet import PaquetDonneesView
from engagements.api import views as engagements
from fiches.api import views as fiches
from gouvernance.api import views as gouvernance
from tableaux.api import views as tableaux

router = DefaultRouter()
router.register("contrats", contrat.ContratViewSet, basename="contrat")
router.register("avenants", contrat.AvenantViewSet, basename="avenant")
router.register("organisations", contrat.OrganisationViewSet, basename="organisation")
router.register("signataires", contrat.SignataireViewSet, basename="signataire")
router.register("piliers", contrat.PilierViewSet, basename="pilier")
router.register("principes", contrat.PrincipeViewSet, basename="principe")
router.register("enjeux", contrat.EnjeuViewSet, basename="enjeu")
router.register("priorites", contrat.PrioriteViewSet, basename="priorite")
router.register("objectifs", contrat.ObjectifViewSet, basename="objectif")
router.register("axes", contrat.AxeViewSet, basename="axe")
router.register("quartiers", contrat.QuartierViewSet, basename="quartier")
router.register("fiches", fiches.FicheViewSet, basename="fiche")
router.register("fiches-initiales", fiches.FicheInitialeViewSet, basename="fiche-initiale")
router.register("evolutions", fiches.EvolutionViewSet, basename="evolution")
router.register("indicateurs", fiches.IndicateurViewSet, basename="indicateur")
router.register("series", fiches.SerieViewSet, basename="serie")
router.register("anomalies", fiches.AnomalieViewSet, basename="anomalie")
router.register("engagements", engagements.EngagementViewSet, basename="engagement")
router.register("cibles", engagements.CibleViewSet, basename="cible")
router.register("campagnes", engagements.CampagneViewSet, basename="campagne")
router.register("valeurs", engagements.ValeurViewSet, basename="valeur")
router.register("suivis", engagements.SuiviActionViewSet, basename="suivi")
router.register("instances", gouvernance.InstanceViewSet, basename="instance")
router.register("evenements", gouvernance.EvenementViewSet, basename="evenement")
router.register("conseils-citoyens", gouvernance.ConseilCitoyenViewSet, basename="conseil-citoyen")
router.register("preconisations", gouvernance.PreconisationViewSet, basename="preconisation")

urlpatterns = [
    # Before the router: "completude-parametrage" would read as an indicator's code.
    path(
        "indicateurs/completude-parametrage/",
        fiches.CompletudeParametrageView.as_view(),
        name="indicateur-completude-parametrage",
    ),
    path("", include(router.urls)),
    path("agregats/progression/", tableaux.ProgressionView.as_view(), name="agregat-progression"),
    path("agregats/completude/", tableaux.CompletudeView.as_view(), name="agregat-completude"),
    path("agregats/repartition/", tableaux.RepartitionView.as_view(), name="agregat-repartition"),
    path("jeton/", contrat.JetonView.as_view(), name="jeton"),
    # The open data's description: every list above that answers ?format=csv.
    path(
        "datapackage.json",
        PaquetDonneesView.as_view(registre=router.registry),
        name="datapackage",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
