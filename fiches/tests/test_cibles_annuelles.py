"""Yearly targets: the model's rules, the migration of the former single
target, the API's shape and filters."""

import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fiches.models import CibleAnnuelle, Indicateur

pytestmark = pytest.mark.django_db

migration = importlib.import_module("fiches.migrations.0008_cibles_annuelles")


def test_the_migration_turns_a_single_target_into_the_target_of_its_year():
    ligne = SimpleNamespace(valeur_cible=Decimal("30"), annee_cible=2019)
    assert migration.cible_annuelle_de(ligne.valeur_cible, ligne.annee_cible) == (
        2019,
        Decimal("30"),
        "",
    )


def test_the_migration_places_a_target_without_year_on_2022_and_says_so():
    annee, valeur, commentaire = migration.cible_annuelle_de(Decimal("50"), None)
    assert (annee, valeur) == (2022, Decimal("50"))
    assert "non précisée" in commentaire
    assert migration.cible_annuelle_de(None, 2021) is None


def test_seeded_engagement_targets_are_yearly_targets():
    # 42 targets of Annexe 1, each the target of one year.
    assert CibleAnnuelle.objects.count() == 42
    assert CibleAnnuelle.objects.filter(annee=2019, indicateur__code__startswith="E").exists()


def test_one_target_per_indicator_and_year():
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2021, valeur=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        CibleAnnuelle.objects.create(indicateur=indicateur, annee=2021, valeur=12)


def test_a_target_year_outside_the_contract_is_refused_by_the_database():
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        CibleAnnuelle.objects.create(indicateur=indicateur, annee=2040, valeur=10)


def test_a_percentage_target_stays_between_0_and_100():
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    indicateur.unite = Indicateur.Unite.POURCENTAGE
    indicateur.save()
    cible = CibleAnnuelle(indicateur=indicateur, annee=2021, valeur=Decimal("120"))
    with pytest.raises(ValidationError) as excinfo:
        cible.full_clean()
    assert "entre 0 et 100" in str(excinfo.value)
    CibleAnnuelle(indicateur=indicateur, annee=2021, valeur=Decimal("80")).full_clean()


def test_api_shows_the_baseline_and_the_trajectory(client):
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    indicateur.valeur_reference = Decimal("12")
    indicateur.annee_reference = 2018
    indicateur.save()
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2022, valeur=20)
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2021, valeur=15)
    data = client.get("/api/indicateurs/2019-1.1-1/").json()
    assert data["reference"] == {"valeur": 12.0, "annee": 2018}
    assert data["cibles"] == [
        {"annee": 2021, "valeur": 15.0},
        {"annee": 2022, "valeur": 20.0},
    ]
    assert "valeur_cible" not in data


def test_api_filters_indicators_by_target(client):
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2021, valeur=15)
    codes = {
        i["code"]
        for i in client.get("/api/indicateurs/", {"annee_cible": 2021, "page_size": 1000}).json()[
            "results"
        ]
    }
    assert "2019-1.1-1" in codes
    assert all(CibleAnnuelle.objects.filter(indicateur__code=c, annee=2021).exists() for c in codes)
    sans = client.get("/api/indicateurs/", {"avec_cible": "false", "page_size": 1000}).json()
    assert "2019-1.1-1" not in {i["code"] for i in sans["results"]}
    assert sans["count"] == Indicateur.objects.count() - 43
    assert client.get("/api/indicateurs/", {"annee_cible": 2040}).status_code == 400
