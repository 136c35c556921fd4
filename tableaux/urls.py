"""Public pages of the read side: dashboards under /tableaux/, the annual
report under /rapport/ (both included by config/urls.py)."""

from django.urls import path

import contrat.convertisseurs  # noqa: F401  (registers <code_indicateur:>, <numero_fiche:>)
from contrat.limites import limiter
from tableaux import rapport, views

tableaux_urls = (
    [
        path("", views.apercu, name="apercu"),
        path("objectifs/<int:numero>/", views.objectif, name="objectif"),
        path("fiches/<numero_fiche:numero>/", views.fiche, name="fiche"),
        path("partenaires/<slug:slug>/", views.partenaire, name="partenaire"),
        path("quartiers/<slug:slug>/", views.quartier, name="quartier"),
        path("indicateurs/<code_indicateur:code>/", views.indicateur, name="indicateur"),
        path("gouvernance/", views.gouvernance, name="gouvernance"),
    ],
    "tableaux",
)

rapport_urls = (
    [
        path("", rapport.choix, name="choix"),
        path("<int:annee>/", rapport.rapport_html, name="html"),
        # A browser renders each PDF: a stricter rate (LIMITES_DEBIT).
        path("<int:annee>.pdf", limiter("rapport_pdf")(rapport.rapport_pdf), name="pdf"),
    ],
    "rapport",
)
