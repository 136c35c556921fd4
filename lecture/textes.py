"""Accent folding and the normalised form of a name (standard library only)."""

import re
import unicodedata

# Typographic apostrophes and dashes, as the PDF prints them, to their plain forms.
TYPOGRAPHIE = str.maketrans({"’": "'", "‘": "'", "–": "-", "—": "-"})


def sans_accents(texte):
    """``texte`` without accents (decomposed, combining marks dropped), with
    plain apostrophes and hyphens; case and spacing are left to the caller.
    ``None`` gives ``""``."""
    texte = unicodedata.normalize("NFKD", texte or "")
    texte = "".join(c for c in texte if not unicodedata.combining(c))
    return texte.translate(TYPOGRAPHIE)


def normaliser_libelle(texte):
    """Normalise a name as the avenant writes it, for alias look-ups.

    Case, accents, apostrophe styles, dashes and spacing vary across the PDF
    ("Etat" / "État", "Pôle Emploi" / "Pôle emploi", "l’Hérault" / "l'Hérault"):
    none of these distinguish two organisations.
    """
    texte = re.sub(r"\s+", " ", sans_accents(texte)).strip().casefold()
    return texte.strip(" .,;:")
