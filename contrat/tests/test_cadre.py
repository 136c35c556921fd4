"""The contract frame transcribed from the avenant: counts and natural keys."""

import json

import pytest
from django.db.models import Sum

from contrat.models import (
    Avenant,
    AxeTransversal,
    Contrat,
    Enjeu,
    Objectif,
    Organisation,
    Pilier,
    PrincipeIntegrateur,
    Priorite,
    Quartier,
    Signataire,
)
from contrat.seeding import fixture_files

pytestmark = pytest.mark.django_db


def test_frame_counts_match_the_avenant():
    assert Signataire.objects.count() == 21
    assert Pilier.objects.count() == 3
    assert PrincipeIntegrateur.objects.count() == 3
    assert Enjeu.objects.count() == 12
    assert Priorite.objects.count() == 7
    assert Objectif.objects.count() == 5
    assert AxeTransversal.objects.count() == 4
    assert Quartier.objects.count() == 12


def test_quartiers_total_the_population_of_the_conseils_citoyens_table():
    assert Quartier.objects.aggregate(total=Sum("population"))["total"] == 50445
    assert Quartier.objects.get_by_natural_key("mosson-paillade-celleneuve").population == 14600


def test_contrat_and_avenants_carry_the_dates_as_written():
    contrat = Contrat.objects.get_by_natural_key("contrat-ville-mmm-2015-2022")
    assert (contrat.annee_debut, contrat.annee_fin) == (2015, 2022)
    assert contrat.date_signature.isoformat() == "2015-07-10"
    premier = Avenant.objects.get_by_natural_key(contrat.slug, 1)
    assert premier.date_signature.isoformat() == "2016-07-08"
    perr = Avenant.objects.get_by_natural_key(contrat.slug, 2)
    # The avenant leaves the day of signature blank: no date is invented.
    assert perr.date_signature is None
    assert perr.date_signature_texte == "Signé à Montpellier, le 2019"
    assert "23 juillet 2019" in perr.date_approbation_texte


def test_enjeux_sit_under_their_pilier_and_principe():
    enjeu1 = Enjeu.objects.get_by_natural_key(1)
    assert enjeu1.pilier.numero == 3
    assert enjeu1.principe.intitule == "Une métropole qui intègre"
    assert Enjeu.objects.filter(pilier__isnull=False).count() == 11
    assert Enjeu.objects.get_by_natural_key(12).pilier is None


@pytest.mark.parametrize(
    ("numero", "enjeux"),
    [(1, [1, 8]), (2, [5, 7]), (3, [2, 3]), (4, [4, 6]), (5, [9, 10, 11])],
)
def test_objectifs_are_numbered_as_article_4_1_lists_them(numero, enjeux):
    objectif = Objectif.objects.get_by_natural_key(numero)
    assert sorted(objectif.enjeux.values_list("numero", flat=True)) == enjeux


def test_every_enjeu_but_the_transversal_one_belongs_to_an_objectif():
    orphelins = Enjeu.objects.filter(objectifs__isnull=True).values_list("numero", flat=True)
    assert list(orphelins) == [12]


def test_signataires_follow_the_order_of_the_text():
    signataires = list(Signataire.objects.select_related("organisation").order_by("ordre"))
    assert [s.ordre for s in signataires] == list(range(1, 22))
    assert signataires[0].organisation.slug == "metropole"
    assert signataires[0].representant == "Philippe SAUREL"
    assert signataires[0].qualite == "Président"
    assert signataires[1].organisation.slug == "etat"
    assert signataires[1].representant == "Jacques WITKOWSKI"
    assert signataires[-1].representant == "Claude POUJOL"
    # One person may sign for several organisations, but each organisation signs once.
    assert Signataire.objects.filter(representant="Philippe SAUREL").count() == 3
    assert Organisation.objects.filter(signatures__isnull=False).distinct().count() == 21


def test_fixtures_use_natural_keys_not_database_ids():
    for path in fixture_files():
        for row in json.loads(path.read_text(encoding="utf-8")):
            assert "pk" not in row, f"{path.name}: {row['model']} carries a database id"
