"""Pagination and CSV output of the API (named in the settings: this module
must not import DRF's views, which read those settings)."""

import csv
import io
import re

from django.core.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer

from contrat.nombres import ENTIER_MAX, lire_entier

# A page number past the last page is a 404; past this, a 400 (bounded input).
PAGE_MAX = ENTIER_MAX

# The one dialect of every CSV the API serves (lists, the values' COPY
# export, a single object): RFC 4180 — comma, double quotes doubled inside a
# cell, CRLF — in UTF-8 without a BOM, with a header row. Described by the
# data package (contrat.api.paquet). The spreadsheet exports made for people
# (";", a BOM, decimal commas: engagements.echange.exporter_csv and the
# indicator set-up export) are another thing, on purpose.
DIALECTE = {
    "delimiter": ",",
    "quoteChar": '"',
    "doubleQuote": True,
    "lineTerminator": "\r\n",
    "header": True,
}
# A list in a cell (a fiche's "pilotes"): its items joined by this.
SEPARATEUR_LISTE = " | "


def ecrivain_csv(tampon, entetes):
    """A csv.DictWriter in the API's dialect; a key outside ``entetes`` is
    ignored (a null nested object has no sub-columns to fill)."""
    return csv.DictWriter(
        tampon,
        fieldnames=entetes,
        extrasaction="ignore",
        delimiter=DIALECTE["delimiter"],
        quotechar=DIALECTE["quoteChar"],
        doublequote=DIALECTE["doubleQuote"],
        lineterminator=DIALECTE["lineTerminator"],
    )


def aplatir(donnees, prefixe=""):
    """A nested dict as flat columns ("objectif", "pilotes" joined by " | ")."""
    ligne = {}
    for cle, valeur in donnees.items():
        nom = f"{prefixe}{cle}"
        if isinstance(valeur, dict):
            ligne.update(aplatir(valeur, f"{nom}."))
        elif isinstance(valeur, list):
            ligne[nom] = SEPARATEUR_LISTE.join(
                str(v.get("slug") or v.get("numero") or v.get("code") or v.get("id") or v)
                if isinstance(v, dict)
                else str(v)
                for v in valeur
            )
        else:
            ligne[nom] = "" if valeur is None else valeur
    return ligne


def _csv_texte(lignes, entetes):
    tampon = io.StringIO()
    ecrivain = ecrivain_csv(tampon, entetes)
    ecrivain.writeheader()
    for ligne in lignes:
        ecrivain.writerow({k: neutraliser(v) for k, v in ligne.items()})
    return tampon.getvalue()


# Formula injection: a spreadsheet must not run "=HYPERLINK(...)" typed by
# someone. A text cell starting with one of these characters gets a leading
# apostrophe, unless it is a plain number ("-12", "+1,5", "-2.5e3"). Both
# patterns are read by Python (neutraliser) and by PostgreSQL (the CSV exports
# that COPY writes, contrat/api/export.py): one rule, two engines, so they
# use only what the two regular-expression dialects share (fullmatch: in
# Python "$" also matches before a final newline, in PostgreSQL it does not).
DEBUT_DE_FORMULE = "^[-=+@\t\r]"
NOMBRE_SIMPLE = "^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?$"
_FORMULE = re.compile(DEBUT_DE_FORMULE)
_NOMBRE = re.compile(NOMBRE_SIMPLE)


def neutraliser(valeur):
    if isinstance(valeur, str) and _FORMULE.match(valeur) and not _NOMBRE.fullmatch(valeur):
        return "'" + valeur
    return valeur


class CSVRenderer(BaseRenderer):
    """CSV for any response: a list of objects, a page of them, or one object."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        if isinstance(data, dict):
            data = [data]
        lignes = [aplatir(d) if isinstance(d, dict) else {"valeur": d} for d in data]
        entetes = list(dict.fromkeys(k for ligne in lignes for k in ligne))
        return _csv_texte(lignes, entetes).encode("utf-8")


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def verifier(self, request):
        """The page parameters' errors, by name: DRF silently ignores a bad
        page_size, and a CSV export reads neither. Called by the API's
        parameter check (``contrat.api.base.verifier_parametres``)."""
        erreurs = {}
        for nom, maximum in (
            (self.page_query_param, None),
            (self.page_size_query_param, self.max_page_size),
        ):
            brut = request.query_params.get(nom)
            if brut is None:
                continue
            try:
                lire_entier(brut, minimum=1, maximum=maximum or PAGE_MAX)
            except ValidationError as exc:
                erreurs[nom] = exc.messages
        return erreurs

    def get_schema_operation_parameters(self, view):
        parametres = super().get_schema_operation_parameters(view)
        for parametre in parametres:
            if parametre["name"] == self.page_size_query_param:
                parametre["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            if parametre["name"] == self.page_query_param:
                parametre["schema"].update({"minimum": 1, "maximum": PAGE_MAX})
        return parametres
