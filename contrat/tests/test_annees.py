"""The one definition of the years the data may be about (contrat/annees.py)."""

import pytest

from contrat.annees import ANNEE_MAX, ANNEE_MIN, ANNEES, condition_annee, est_annee_du_contrat


def test_the_years_run_from_the_contracts_first_year_to_2030():
    assert (ANNEE_MIN, ANNEE_MAX) == (2015, 2030)
    assert list(ANNEES) == list(range(2015, 2031))


@pytest.mark.parametrize(
    ("annee", "attendu"),
    [(2014, False), (2015, True), (2022, True), (2030, True), (2031, False), (-2020, False)],
)
def test_est_annee_du_contrat_keeps_both_bounds(annee, attendu):
    assert est_annee_du_contrat(annee) is attendu


@pytest.mark.parametrize("annee", ["2020", 2020.0, True, None])
def test_est_annee_du_contrat_wants_an_integer(annee):
    assert est_annee_du_contrat(annee) is False


def test_condition_annee_names_the_field_and_both_bounds():
    assert condition_annee("annee_cible").children == [
        ("annee_cible__gte", 2015),
        ("annee_cible__lte", 2030),
    ]
