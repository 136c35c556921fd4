"""Accent folding (contrat/texte.py), which the alias look-ups, the links read
from the fiches and the integrity report all go through."""

import pytest

from contrat.textes import sans_accents


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("État", "Etat"),
        ("Hérault, Pôle, Noël, cœur", "Herault, Pole, Noel, cœur"),
        ("ÇA GÈLE À L'ÎLE", "CA GELE A L'ILE"),
        ("l’Hérault", "l'Herault"),
        ("‘quoted’", "'quoted'"),
        ("Mosson–Paillade — Celleneuve", "Mosson-Paillade - Celleneuve"),
        ("  Deux   espaces  ", "  Deux   espaces  "),
        ("", ""),
        (None, ""),
    ],
)
def test_sans_accents_folds_accents_and_typography_only(texte, attendu):
    assert sans_accents(texte) == attendu
