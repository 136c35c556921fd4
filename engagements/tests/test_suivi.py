"""A grid's cell count follows the grid itself: the quartiers of the table
and the sexes of Valeur.Sexe, as grille_cles lays them out."""

import pytest

from contrat.models import Quartier
from engagements.services import grille_cles
from engagements.suivi import etats_des_grilles
from fiches.models import Indicateur

pytestmark = pytest.mark.django_db


def grilles():
    return [Indicateur(code=f"test-{d}", desagregation=d) for d in Indicateur.Desagregation.values]


def test_each_grid_counts_the_cells_grille_cles_lays_out(campagne):
    etats = etats_des_grilles(grilles(), campagne)
    assert {e.indicateur.desagregation: e.cellules for e in etats} == {
        e.indicateur.desagregation: len(grille_cles(e.indicateur)) for e in etats
    }
    assert max(e.cellules for e in etats) == 12 * 2


def test_a_new_quartier_adds_its_row_to_every_grid_by_quartier(campagne):
    Quartier.objects.create(slug="nouveau", nom="Nouveau quartier", ordre=99)
    etats = etats_des_grilles(grilles(), campagne)
    assert max(e.cellules for e in etats) == 13 * 2
    assert [e.cellules for e in etats] == [len(grille_cles(e.indicateur)) for e in etats]
