"""The one number parser (contrat/nombres.py): what it refuses, each with a
French message naming the rule, and in bounded time whatever the input."""

import time
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from contrat.nombres import (
    ENTIER_MAX,
    LONGUEUR_MAX,
    EntierFormField,
    EntierSerializerField,
    lire_entier,
    lire_nombre,
)

NON_FINIS = ["NaN", "nan", "sNaN", "-sNaN", "Infinity", "-Infinity", "+inf", "-inf", "INF", "∞"]
EXPOSANTS = ["1e5", "1E5", "1E-3", "-2,5e3", "1e1000000"]


def _refus(fonction, texte, **kwargs):
    with pytest.raises(ValidationError) as excinfo:
        fonction(texte, **kwargs)
    return excinfo.value


@pytest.mark.parametrize("texte", NON_FINIS)
def test_non_finite_numbers_are_refused_by_name(texte):
    erreur = _refus(lire_nombre, texte)
    assert erreur.code == "non_fini"
    assert "NaN et l'infini sont refusés" in erreur.messages[0]
    assert _refus(lire_entier, texte).code == "non_fini"
    assert _refus(lire_entier, texte, format_francais=True).code == "non_fini"


@pytest.mark.parametrize("texte", EXPOSANTS)
def test_exponents_are_refused_by_name(texte):
    erreur = _refus(lire_nombre, texte)
    assert erreur.code == "exposant"
    assert "notation scientifique" in erreur.messages[0]
    assert _refus(lire_entier, texte).code == "exposant"


@pytest.mark.parametrize("chiffres", [41, 4301, 100_000])
def test_a_long_number_is_refused_on_its_length_before_any_conversion(chiffres):
    texte = "9" * chiffres
    debut = time.perf_counter()
    assert _refus(lire_nombre, texte).code == "trop_long"
    assert _refus(lire_entier, texte).code == "trop_long"
    assert _refus(lire_entier, texte, format_francais=True).code == "trop_long"
    assert time.perf_counter() - debut < 0.05


def test_the_length_bound_comes_before_the_stripping():
    # Megabytes of spaces around one digit: refused without being stripped.
    assert _refus(lire_nombre, " " * 10_000_000 + "1").code == "trop_long"
    assert len("-1 234 567 890 123,45 €") < LONGUEUR_MAX


def test_too_many_digits_and_too_large_values_are_refused():
    assert _refus(lire_nombre, "12345678901234,567").code == "trop_de_chiffres"
    assert _refus(lire_nombre, "0,00000000000000001").code == "trop_de_chiffres"
    assert _refus(lire_nombre, "100 000 000 000 000").code == "trop_grand"
    assert lire_nombre("99 999 999 999 999,99") == Decimal("99999999999999.99")


def test_nul_and_non_ascii_digits_are_refused():
    assert _refus(lire_nombre, "1\x002").code == "caractere_nul"
    assert _refus(lire_entier, "\x00").code == "caractere_nul"
    assert "␀" in _refus(lire_nombre, "12\x00").messages[0]
    for texte in ["١٢٣", "１２３", "²"]:
        assert _refus(lire_nombre, texte).code == "invalide"
        assert _refus(lire_entier, texte).code == "non_entier"


def test_french_formats_are_still_read():
    assert lire_nombre("1\u00a0234,5") == Decimal("1234.5")
    assert lire_nombre("1\u202f234") == Decimal("1234")
    assert lire_nombre("-3,25") == Decimal("-3.25")
    assert lire_nombre("45 %") == Decimal("45")


def test_integers_are_bounded():
    assert lire_entier("2021", minimum=2015, maximum=2030) == 2021
    assert lire_entier(" 7 ") == 7
    assert _refus(lire_entier, "2031", minimum=2015, maximum=2030).code == "hors_bornes"
    assert "entre 2015 et 2030" in _refus(lire_entier, "0", minimum=2015, maximum=2030).messages[0]
    assert _refus(lire_entier, str(ENTIER_MAX + 1)).code == "hors_bornes"
    assert _refus(lire_entier, "2.5").code == "non_entier"
    assert _refus(lire_entier, "").code == "vide"
    assert lire_entier(12, minimum=0) == 12


def test_a_spreadsheet_version_is_read_the_french_way():
    assert lire_entier("3", minimum=0, format_francais=True) == 3
    assert lire_entier("3,0", minimum=0, format_francais=True) == 3
    assert _refus(lire_entier, "3,5", minimum=0, format_francais=True).code == "non_entier"
    assert _refus(lire_entier, "-1", minimum=0, format_francais=True).code == "hors_bornes"


def test_the_form_field_uses_the_parser():
    champ = EntierFormField(min_value=0, required=False)
    assert champ.clean("4") == 4
    assert champ.clean("") is None
    for texte in ["NaN", "1e5", "9" * 5000, "٣", "-1"]:
        with pytest.raises(forms.ValidationError):
            champ.clean(texte)


def test_the_serializer_field_uses_the_parser():
    champ = EntierSerializerField(min_value=1)
    assert champ.run_validation(3) == 3
    assert champ.run_validation("3") == 3
    assert champ.run_validation(3.0) == 3
    for donnee in [True, 2.5, float("nan"), float("inf"), "1e5", "9" * 5000, 1e300, 0]:
        with pytest.raises(serializers.ValidationError):
            champ.run_validation(donnee)


def test_refusing_a_long_text_costs_the_same_whatever_its_length():
    # 1 000 refusals of 10 million characters: nothing may walk the text
    # (a replace() or strip() over it would take seconds).
    texte = "9" * 10_000_000
    debut = time.perf_counter()
    for _ in range(1000):
        with pytest.raises(ValidationError):
            lire_entier(texte)
    assert time.perf_counter() - debut < 0.5
