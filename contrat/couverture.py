"""Coverage of the avenant's text by the seeded data.

Every non-blank line of the avenant (the copy committed in
``tools/transcription/source/``) must be accounted for: either each of its
pieces (table cells, paragraphs, list items) is found, in order, in some
seeded text field, or the piece is on the explicit list below of what is
deliberately left out (the summary, running titles, the fiches' section
headings, repeated table headings...).

Words are compared after a normalisation that forgives what the PDF
conversion did to the text and nothing else: case, accents, ligatures (œ, æ,
ﬁ), apostrophes and punctuation, spacing, and words cut by a hyphen at the end
of a PDF line ("dévelop- pement") all disappear, because only letters and
digits are kept. A piece is found when its letters and digits appear
contiguously in one field.
"""

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from contrat.textes import sans_accents

SOURCE = Path(settings.BASE_DIR) / "tools" / "transcription" / "source" / "avenant-n2-2019.txt"

LOCAL_APPS = ["contrat", "fiches", "engagements", "gouvernance"]

# Text fields that are the transcription's or the staff's own words, not the
# avenant's: a quotation there must not count as a transcription.
EXCLUDED_MODELS = {"fiches.anomalie", "contrat.modification"}
EXCLUDED_FIELDS = {
    "lignes_source",
    "slug",
    "code",
    "notes",
    "annotation",
    "annee_deduite_raison",
    "sort_deduit_de",
    "lien_deduit_de",
    "justification",
    "localisation",
    "source",
    "motif_deplacement",
}


def normaliser(texte):
    """Letters and digits only, lower case, without accents or ligatures."""
    texte = html.unescape(texte)
    texte = texte.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    texte = sans_accents(texte).casefold()
    return re.sub(r"[^a-z0-9]", "", texte)


def _plat(texte):
    """Lower case, without accents, bold marks or repeated spaces: the form the
    labels and omissions below are matched against (punctuation kept)."""
    texte = html.unescape(texte).replace("œ", "oe").replace("Œ", "oe")
    texte = sans_accents(texte).casefold()
    return " ".join(texte.replace("*", "").split())


def _motif(modele):
    """A pattern from readable French: ``{n}`` stands for a number (a fiche's,
    a page's), ``{*}`` for any text; spaces are optional."""
    morceaux = re.split(r"(\{n\}|\{\*\})", modele)
    regex = "".join(
        r"[0-9][0-9.]*"
        if m == "{n}"
        else ".*"
        if m == "{*}"
        else re.escape(_plat(f"<{m}>")[1:-1]).replace(r"\ ", " ?")
        for m in morceaux
    )
    return re.compile(regex)


# Labels and headings printed before a section's content ("PILOTE :
# Métropole", "DESCRIPTIF DE L'ACTION"): the layout of the fiche template,
# which the field itself stands for; what follows them must be found.
# Stripped from the start of a piece, once (the first that matches).
LIBELLES = [
    # The summary of Annexe 3 and each fiche's first line: the number is the
    # fiche's numero, the title follows.
    "FICHE N° {n}",
    "FICHE {n}",
    # The preamble's grid: the number is the enjeu's numero.
    "ENJEU {n} :",
    "RAPPEL DES ELEMENTS CLES DU DIAGNOSTIC IDENTIFIE{*}L'ACTION REPOND",
    "RAPPEL DES ELEMENTS CLES DU DIAGNOSTIC",
    "IDENTIFIES DANS LE CONTRAT CADRE AUXQUELS L'ACTION REPOND",
    "ELEMENTS DE CONTEXTE ACTUALISES AUXQUELS L'ACTION REPOND",
    "ELEMENTS ACTUALISES DU DIAGNOSTIC",
    "OBJECTIFS DE L'ACTION ET RESULTATS ATTENDUS",
    "OBJECTIFS ET RESULTATS ATTENDUS",
    "OBJECTIFS DE L'ACTION :",
    "OBJECTIF DE L'ACTION :",
    "OBJECTIFS :",
    "OBJECTIF :",
    "RESULTATS ATTENDUS :",
    "RESULTAT ATTENDU :",
    "DESCRIPTIF DE L'ACTION",
    "DESCRIPTION DE L'ACTION",
    "PILOTE ET PARTENAIRES ASSOCIES",
    "PILOTES ET PARTENAIRES ASSOCIES",
    "MAITRE D'OUVRAGE ET PARTENAIRES ASSOCIES",
    "PILOTE ET MAITRE D'OUVRAGE :",
    "PILOTE / MAITRE D'OUVRAGE :",
    "PILOTE :",
    "PILOTES :",
    "MAITRE D'OUVRAGE :",
    "MAITRES D'OUVRAGE :",
    "MAITRE D'OEUVRE :",
    "MAITRISE D'OEUVRE :",
    "PARTENAIRES ASSOCIES :",
    "PARTENAIRES :",
    "PERIMETRE D'INTERVENTION",
    "PUBLICS VISES",
    "CALENDRIER PREVISIONNEL",
    "Date de début :",
    "Date de fin :",
    "INDICATEURS DE REALISATION / RESULTATS :",
    "INDICATEURS DE REALISATION :",
    "INDICATEURS DE REALISATION",
    "INDICATEURS DE RESULTATS :",
    "INDICATEURS DE RESULTAT :",
    "INDICATEURS D'EVALUATION",
    "INDICATEURS :",
    "PRISE EN COMPTE DES APPROCHES TRANSVERSALES ({*})",
    "PRISE EN COMPTE DES APPROCHES TRANSVERSALES",
    "EXEMPLES DE DECLINAISON OPERATIONNELLE",
    # The template's instructions in brackets, e.g. "(Préciser quelle approche
    # transversale prise en compte) : Soutien à la jeunesse".
    "(Préciser {*})",
]

# Pieces deliberately left out, whole (the whole line, or one of its cells).
# Each says why.
OMIS = [
    ("TABLE DES MATIERES", "sommaire (pages 1-2) : titres repris dans le corps"),
    ("ANNEXE {n} : {*}", "titre d'annexe (sommaire et corps) : chaque annexe a ses tables"),
    (
        "ENJEUX 5 ET 7 : ORGANISER UNE POLITIQUE DE PEUPEMENT{*}",
        "sommaire de l'Annexe 3, coquille : le corps écrit « peuplement » (groupe des fiches 5.x)",
    ),
    ("PLAN DE FINANCEMENT", "intitulé d'une section restée vide"),
    # Tables' header rows, repeated on every page of Annexes 1 and 2.
    ("Engagements des collectivités Métropole/Ville{*}", "en-tête de colonne, Annexe 1"),
    ("Engagements de l'Etat sur son droit commun", "en-tête de colonne, Annexe 1"),
    ("Engagements du Département sur son droit commun", "en-tête de colonne, Annexe 1"),
    ("Engagements de la Région sur son droit commun", "en-tête de colonne, Annexe 1"),
    ("Engagements de la CAF sur son droit commun", "en-tête de colonne, Annexe 1"),
    ("Objectifs opérationnels", "en-tête de colonne"),
    (
        "QUARTIER Population Habitants tirés au sort{*}TOTAL",
        "en-tête du tableau des conseils citoyens : les colonnes du modèle ConseilCitoyen",
    ),
    # Annexe 2's first column ("objectifs opérationnels" of the contrat
    # cadre) is the objective the initial fiche is attached to; these two
    # cells word it differently from the objective's title.
    ("LA MIXITE DANS LE LOGEMENT ET LA POURSUITE DU RENOUVELLEMENT URBAIN", "objectif 4, Annexe 2"),
    ("RENFORCER L'ACCESSIBILITE AUX SERVICES ET EQUIPEMENTS", "objectif 3, Annexe 2"),
    ("Intitulés des fiches", "en-tête de colonne, Annexe 2"),
    ("Nouvel intitulé des fiches", "en-tête de colonne, Annexe 2"),
    ("nv N° Fiche", "en-tête de colonne, Annexe 2"),
    ("Exemples d'actions à développer", "en-tête de colonne, Annexe 2"),
    ("Evolution fiches Vert : maintien{*}", "en-tête de colonne (légende des couleurs), Annexe 2"),
]

# Text removed from a line before it is cut into pieces.
RETIRES = [
    # Struck-through words were deleted in the PDF itself.
    (re.compile(r"~~[^~]*~~"), "mots barrés"),
    # The fiche template's instruction under the indicators.
    (re.compile(r"\(A compl[ée]ter au d[ée]but.*?r[ée]el\)"), "consigne du modèle de fiche"),
    # A summary line: a title, a tab, its page number.
    (re.compile(r"^(?P<titre>[^\t]+)\t\s*[0-9]+\s*$"), "numéro de page d'un sommaire"),
]

# Two cells the PDF printed as one block: the piece is cut after these
# words, and both parts must be found.
COLLES = [
    ("Métro pole et Etat", "pilote et commentaire de la fiche 1.3, Annexe 2 (ligne 641)"),
    ("Des quartiers attractifs", "principe et « ENJEU » de la fiche 10.1 (ligne 7077)"),
]

_LIBELLES = [_motif(m) for m in LIBELLES]
_COLLES = [_motif(m) for m, _ in COLLES]
_OMIS = [(_motif(m), raison) for m, raison in OMIS]

# A line is cut into pieces at table cells, HTML tags and list bullets: a
# table row's cells, or a cell's list items, may go to different fields.
_DECOUPE = re.compile(r"\t|<[^>]*>|\*\*|[•\uf0b7\uf0a7\uf0d8\uf0fc▪]|(?:^|\s|,)[-o](?=\s)")


@dataclass
class LigneManquante:
    numero: int
    texte: str
    morceaux: list

    def __str__(self):
        return f"ligne {self.numero} : {' | '.join(self.morceaux)}"


def _sans_libelles(plat):
    """``plat`` without the labels it starts with (a heading may be followed
    by another: "RESULTATS ATTENDUS : (Préciser ...)")."""
    while True:
        for libelle in _LIBELLES:
            debut = libelle.match(plat)
            if debut and debut.end():
                plat = plat[debut.end() :].lstrip(" :")
                break
        else:
            return plat


@functools.cache
def morceaux(ligne):
    """The pieces of a line that must be found (normalised, labels stripped,
    deliberate omissions removed), with their original text."""
    resultat = []
    for motif, _ in RETIRES:
        ligne = motif.sub(lambda m: m.groupdict().get("titre") or "", ligne)
    if any(motif.fullmatch(_plat(ligne)) for motif, _ in _OMIS):
        return ()
    for brut in _DECOUPE.split(ligne):
        plat = _plat(brut)
        if any(motif.fullmatch(plat) for motif, _ in _OMIS):
            continue
        plat = _sans_libelles(plat)
        parties = [plat]
        for colle in _COLLES:
            debut = colle.match(plat)
            if debut:
                parties = [plat[: debut.end()], plat[debut.end() :]]
                break
        for partie in parties:
            norme = normaliser(partie)
            if norme:
                resultat.append((norme, brut.strip()))
    return tuple(resultat)


def lignes_manquantes(lignes, textes):
    """Lines (numbered from 1) one of whose pieces is in none of ``textes``."""
    corpus = "|".join(normaliser(t) for t in textes if t)
    manquantes = []
    for numero, ligne in enumerate(lignes, start=1):
        absents = [brut for norme, brut in morceaux(ligne) if norme not in corpus]
        if absents:
            manquantes.append(LigneManquante(numero, ligne, absents))
    return manquantes


def textes_en_base():
    """Every text (and number) the seeded models hold, field by field.

    One query per model of the local apps."""
    textes = []
    for app_label in LOCAL_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.label_lower in EXCLUDED_MODELS:
                continue
            noms = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(
                    f,
                    models.CharField | models.TextField | models.IntegerField | models.DecimalField,
                )
                and not f.primary_key
                and not f.is_relation
                and f.name not in EXCLUDED_FIELDS
            ]
            if not noms:
                continue
            for ligne in model._default_manager.values_list(*noms):
                textes.extend(str(v) for v in ligne if v not in (None, ""))
    return textes


def lire_source(chemin=SOURCE):
    return chemin.read_text(encoding="utf-8").split("\n")


def verifier(chemin=SOURCE):
    return lignes_manquantes(lire_source(chemin), textes_en_base())
