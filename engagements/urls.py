from django.urls import path

import contrat.convertisseurs  # noqa: F401  (registers <code_indicateur:>)
from contrat.limites import limiter
from engagements import views, views_classeur, views_parametrage, views_suivis

app_name = "saisie"

urlpatterns = [
    path("", views.mes_indicateurs, name="mes_indicateurs"),
    path("<int:annee>/<code_indicateur:code>/", views.grille, name="grille"),
    path("<int:annee>/<code_indicateur:code>/export.<str:format>", views.exporter, name="exporter"),
    # Parsing a file is the heaviest write: a stricter rate (LIMITES_DEBIT).
    path(
        "<int:annee>/<code_indicateur:code>/import/",
        limiter("import", methodes={"POST"})(views.importer),
        name="importer",
    ),
    # One workbook per organisation and campaign (export, import with a preview).
    path(
        "classeur/<int:annee>/<slug:organisation>/",
        views_classeur.classeur_page,
        name="classeur",
    ),
    path(
        "classeur/<int:annee>/<slug:organisation>/classeur.xlsx",
        views_classeur.classeur_exporter,
        name="classeur_exporter",
    ),
    path(
        "classeur/<int:annee>/<slug:organisation>/import/",
        limiter("import", methodes={"POST"})(views_classeur.classeur_importer),
        name="classeur_importer",
    ),
    path(
        "classeur/<int:annee>/<slug:organisation>/confirmer/",
        views_classeur.classeur_confirmer,
        name="classeur_confirmer",
    ),
    path("validation/", views.file_validation, name="validation"),
    path(
        "validation/<int:annee>/<code_indicateur:code>/",
        views.valider_grille,
        name="valider_grille",
    ),
    path("parametrage/", views_parametrage.parametrage_indicateurs, name="parametrage"),
    path(
        "parametrage/export.<str:format>",
        views_parametrage.parametrage_exporter,
        name="parametrage_exporter",
    ),
    path(
        "parametrage/import/",
        limiter("import", methodes={"POST"})(views_parametrage.parametrage_importer),
        name="parametrage_importer",
    ),
    path(
        "parametrage/import/confirmer/",
        views_parametrage.parametrage_confirmer,
        name="parametrage_confirmer",
    ),
    # Follow-up of actions (fiches and commitments), per campaign.
    path("suivis/", views_suivis.liste_suivis, name="suivis"),
    path(
        "suivis/<int:annee>/fiche/<str:fiche>/<slug:slug>/",
        views_suivis.suivi_formulaire,
        name="suivi_fiche",
    ),
    path(
        "suivis/<int:annee>/engagement/<int:ordre>/",
        views_suivis.suivi_formulaire,
        name="suivi_engagement",
    ),
    path("suivis/pieces/<int:pk>/", views_suivis.piece, name="piece"),
    path("validation/suivis/", views_suivis.validation_suivis, name="validation_suivis"),
    path("campagnes/", views.campagnes, name="campagnes"),
    path("campagnes/<int:annee>/<str:action>/", views.campagne_action, name="campagne_action"),
]
