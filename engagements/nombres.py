"""Kept for imports written before the parser moved: the one number parser
is :mod:`contrat.nombres` (the API's query parameters, on the ground floor,
read integers with it too)."""

from contrat.nombres import MAX_ABS, ecrire_nombre, lire_entier, lire_nombre

__all__ = ["MAX_ABS", "ecrire_nombre", "lire_entier", "lire_nombre"]
