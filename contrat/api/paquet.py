"""The Frictionless Data Package of the API's CSV files
(``/api/datapackage.json``): one Tabular Data Resource per list that answers
``?format=csv``, its schema read from the list's serializer
(``contrat.api.colonnes``), the one CSV dialect (``contrat.api.rendu.DIALECTE``),
the licence and the sources.
"""

import inspect

from django.utils import timezone
from django.utils.text import capfirst
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from contrat.api.base import ApiView
from contrat.api.cache import reponse_en_cache
from contrat.api.colonnes import champs_csv
from contrat.api.rendu import DIALECTE
from contrat.models import Avenant

ENCODAGE = "utf-8"
TYPE_MEDIA = "text/csv"
# An empty cell is a missing value (null in the JSON, or not given by the avenant).
VALEURS_MANQUANTES = [""]

# Stated by the project for its open data (README, *Open data*).
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


# ------------------------------------------------------------- the package
def vue_liste(classe):
    """An instance of the viewset ``classe`` set for its list action, as the
    router would make it (for its serializer, filters and lookup)."""
    vue = classe(action="list", format_kwarg=None)
    vue.request = None
    return vue


def champs_de_la_liste(classe):
    vue = vue_liste(classe)
    serializer = vue.get_serializer_class()(context={"request": None, "view": vue})
    return champs_csv(serializer)


def _cle_primaire(vue, champs):
    recherche = getattr(vue, "lookup_field", "pk")
    for champ in champs:
        if "." not in champ.nom and (
            champ.source == recherche
            or (recherche == "pk" and champ.nom == "id")
            or (champ.nom == recherche and champ.source in ("", recherche))
        ):
            return [champ.nom]
    return []


def _modele(vue):
    queryset = getattr(vue, "queryset", None)
    if queryset is not None:
        return queryset.model
    return getattr(getattr(vue.get_serializer_class(), "Meta", None), "model", None)


def ressource(request, prefixe, classe):
    """The Tabular Data Resource of ``/api/<prefixe>/?format=csv``."""
    vue = vue_liste(classe)
    champs = champs_de_la_liste(classe)
    noms = {c.nom for c in champs}
    modele = _modele(vue)
    titre = capfirst(str(modele._meta.verbose_name_plural)) if modele else prefixe
    chemin = request.build_absolute_uri(f"/api/{prefixe}/?format=csv")
    filtres = sorted(getattr(getattr(vue, "filterset_class", None), "base_filters", {}) or ())
    # The viewset's docstring is the API's French description of the list.
    resume = " ".join((inspect.getdoc(classe) or titre).split("\n\n")[0].split())
    description = (
        f"{resume} Toutes les lignes (sans pagination), telles que l'API les donne sans connexion."
    )
    if filtres:
        description += f" Filtres (paramètres de l'adresse) : {', '.join(filtres)}."
    schema = {
        "fields": [c.descripteur(noms) for c in champs],
        "missingValues": VALEURS_MANQUANTES,
    }
    cle = _cle_primaire(vue, champs)
    if cle:
        schema["primaryKey"] = cle
    return {
        "name": prefixe,
        "title": titre,
        "description": description,
        "path": chemin,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": TYPE_MEDIA,
        "encoding": ENCODAGE,
        "dialect": dict(DIALECTE),
        "schema": schema,
    }


def sources():
    """The texts the data come from: the contract and its avenants, as the
    database holds them (nothing typed here)."""
    resultat = []
    for avenant in Avenant.objects.select_related("contrat").order_by("numero"):
        titre = f"{avenant.contrat.titre}, avenant n° {avenant.numero} : {avenant.titre}"
        if avenant.date_signature_texte:
            titre += f" (signé le {avenant.date_signature_texte})"
        resultat.append({"title": titre})
    return resultat


def listes_csv(registre):
    """``(prefix, viewset)`` of every list of the router that answers CSV."""
    return [
        (prefixe, classe)
        for prefixe, classe, _nom in registre
        if hasattr(classe, "list") and "csv" in {r.format for r in classe.renderer_classes}
    ]


def paquet(request, registre):
    """The Data Package of the API's CSV files."""
    return {
        "profile": "tabular-data-package",
        "name": "contrat-de-ville-montpellier-mediterranee-metropole",
        "title": "Contrat de ville de Montpellier Méditerranée Métropole : le plan et ses valeurs",
        "description": (
            "Les fichiers CSV de l'API (`?format=csv`) : le cadre du contrat, les fiches "
            "de l'avenant n° 2 (PERR, 2019), les indicateurs, les engagements et les "
            "valeurs validées. Dialecte commun : RFC 4180 (séparateur virgule, guillemets "
            "doubles doublés à l'intérieur d'une cellule, fins de ligne CRLF), UTF-8 sans "
            "BOM, une ligne d'en-tête. Une cellule vide est une donnée absente. Une cellule "
            "de texte qui commence par =, +, -, @, une tabulation ou un retour chariot "
            "(sauf un nombre simple) est précédée d'une apostrophe, pour qu'un tableur ne "
            "l'exécute pas comme une formule. Les numéros de fiche et les codes sont du "
            "texte : « 1.10 » n'est pas « 1.1 »."
        ),
        "homepage": request.build_absolute_uri("/api/docs/"),
        "created": timezone.now().isoformat(timespec="seconds"),
        "licenses": [LICENCE],
        "sources": sources(),
        "resources": [
            ressource(request, prefixe, classe) for prefixe, classe in listes_csv(registre)
        ],
    }


class PaquetDonneesView(ApiView):
    """Le paquet de données (Frictionless Data Package) des fichiers CSV de l'API."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    parametres_requete = []
    # The router's registry, given by config/api.py (this floor imports no app).
    registre = ()

    @extend_schema(
        tags=["données ouvertes"],
        summary="Paquet de données (Frictionless Data Package)",
        description=(
            "Décrit chaque fichier CSV de l'API (`?format=csv`) : adresse, dialecte, "
            "encodage, et pour chaque colonne son nom, son type, son titre et sa "
            "description ; la licence et les sources."
        ),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return reponse_en_cache(self, request, lambda: Response(paquet(request, self.registre)))
