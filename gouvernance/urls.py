from django.urls import path, register_converter

from gouvernance import rapport, tableaux


class CodeIndicateur:
    regex = r"[-\w.]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class NumeroFiche:
    regex = r"[0-9]+\.[0-9]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CodeIndicateur, "code_indicateur")
register_converter(NumeroFiche, "numero_fiche")

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
