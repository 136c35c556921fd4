from django.urls import path

import contrat.convertisseurs  # noqa: F401  (registers <code_indicateur:>, <numero_fiche:>)
from gouvernance import rapport, tableaux

tableaux_urls = (
    [
        path("", tableaux.apercu, name="apercu"),
        path("objectifs/<int:numero>/", tableaux.objectif, name="objectif"),
        path("fiches/<numero_fiche:numero>/", tableaux.fiche, name="fiche"),
        path("partenaires/<slug:slug>/", tableaux.partenaire, name="partenaire"),
        path("quartiers/<slug:slug>/", tableaux.quartier, name="quartier"),
        path("indicateurs/<code_indicateur:code>/", tableaux.indicateur, name="indicateur"),
    ],
    "tableaux",
)

rapport_urls = (
    [
        path("", rapport.choix, name="choix"),
        path("<int:annee>/", rapport.rapport_html, name="html"),
        path("<int:annee>.pdf", rapport.rapport_pdf, name="pdf"),
    ],
    "rapport",
)
