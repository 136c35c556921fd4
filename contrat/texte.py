"""Accent folding, the one way the app compares French text written in
several hands (the avenant's PDF, staff, partners)."""

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
