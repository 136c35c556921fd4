import io

import pytest
from django.core.management import CommandError, call_command

from engagements.models import Valeur
from engagements.services import verifier_unite

pytestmark = pytest.mark.django_db


def test_synthetic_values_are_labelled_valid_and_removable(campagne):
    call_command("generer_valeurs_synthetiques", "--annees", "2021", stdout=io.StringIO())
    valeurs = Valeur.objects.all()
    assert valeurs.exists()
    assert not valeurs.filter(synthetique=False).exists()
    for valeur in valeurs.select_related("indicateur")[:500]:
        assert verifier_unite(valeur.indicateur, valeur.valeur) == []
    # Reproducible and idempotent: a second run adds nothing.
    n = valeurs.count()
    call_command("generer_valeurs_synthetiques", "--annees", "2021", stdout=io.StringIO())
    assert Valeur.objects.count() == n
    call_command("generer_valeurs_synthetiques", "--supprimer", stdout=io.StringIO())
    assert not Valeur.objects.exists()


def test_no_campaign_no_synthetic_values():
    with pytest.raises(CommandError):
        call_command("generer_valeurs_synthetiques", "--annees", "2020", stdout=io.StringIO())


def test_the_seed_holds_no_values():
    assert not Valeur.objects.exists()
