"""Who validates values: one rule (engagements.services.peut_valider), read by
the service and by the API before it reads the request's body (the API's
refusal is in tests/test_matrice.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from engagements.services import VALIDATION_RESERVEE, peut_valider, valeurs_statuer

pytestmark = pytest.mark.django_db


def test_only_staff_may_validate(equipe, partenaire):
    assert peut_valider(equipe) is True
    assert peut_valider(partenaire("metropole")) is False
    assert peut_valider(AnonymousUser()) is False
    assert peut_valider(None) is False


def test_the_service_refuses_a_partner_with_the_rule_s_message(partenaire):
    with pytest.raises(PermissionDenied, match=VALIDATION_RESERVEE):
        valeurs_statuer(utilisateur=partenaire("metropole"), valeurs=[], valider=True)
