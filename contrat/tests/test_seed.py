"""`manage.py seed`: idempotent, keeps staff edits, all or nothing."""

import io
import json

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db import IntegrityError

from contrat.models import Quartier
from contrat.seeding import LOCAL_APPS, seed

pytestmark = pytest.mark.django_db


def snapshot():
    models = [m for label in LOCAL_APPS for m in apps.get_app_config(label).get_models()]
    return {
        m._meta.label: serializers.serialize("json", m._default_manager.order_by("pk"))
        for m in models
    }


def test_second_seed_changes_nothing():
    before = snapshot()
    report = seed()
    assert sum(report.created.values()) == 0
    assert sum(report.kept.values()) == 0
    assert sum(report.unchanged.values()) > 0
    assert snapshot() == before


def test_seed_command_reports_in_french():
    out = io.StringIO()
    call_command("seed", stdout=out)
    assert "0 ligne(s) créée(s)" in out.getvalue()
    assert "quartiers prioritaires : 0 créé(s), 12 inchangé(s)" in out.getvalue()


def test_seed_keeps_rows_edited_by_staff_and_reset_restores_them():
    quartier = Quartier.objects.get_by_natural_key("gely")
    quartier.population = 1300
    quartier.save()

    report = seed()
    quartier.refresh_from_db()
    assert quartier.population == 1300
    assert report.kept["contrat.quartier"] == 1
    assert report.kept_rows[0][2] == ["population"]

    report = seed(reset=True)
    quartier.refresh_from_db()
    assert quartier.population == 1265
    assert report.reset["contrat.quartier"] == 1


def test_seed_recreates_a_deleted_row_of_the_avenant():
    from contrat.models import Priorite

    Priorite.objects.get_by_natural_key(3).delete()
    report = seed()
    assert report.created["contrat.priorite"] == 1
    assert Priorite.objects.get_by_natural_key(3).intitule.startswith(
        "Mobiliser l'ensemble des communes"
    )


def test_a_broken_fixture_saves_nothing(tmp_path):
    good = {
        "model": "contrat.quartier",
        "fields": {"slug": "nouveau", "nom": "Nouveau", "ordre": 99},
    }
    # Same name as an existing quartier: violates the unique constraint.
    bad = {"model": "contrat.quartier", "fields": {"slug": "doublon", "nom": "Gély", "ordre": 100}}
    path = tmp_path / "99_broken.json"
    path.write_text(json.dumps([good, bad]), encoding="utf-8")
    with pytest.raises(IntegrityError):
        seed(files=[path])
    assert not Quartier.objects.filter(slug__in=["nouveau", "doublon"]).exists()
