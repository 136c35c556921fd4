"""Every place that bounds a year reads contrat/annees.py: the data-entry
form, the API, the database and the annual report agree on both bounds."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from contrat.annees import ANNEE_MAX, ANNEE_MIN
from engagements.api.serializers import ValeurEcritureSerializer
from engagements.forms import CampagneForm
from engagements.models import Campagne

BORNES = [(ANNEE_MIN - 1, False), (ANNEE_MIN, True), (ANNEE_MAX, True), (ANNEE_MAX + 1, False)]


@pytest.mark.parametrize(("annee", "admise"), BORNES)
def test_the_campaign_form_and_the_api_accept_the_same_years(annee, admise):
    formulaire = CampagneForm(data={"annee": annee, "date_limite": "2030-03-31"})
    assert formulaire.is_valid() is admise
    serializer = ValeurEcritureSerializer(
        data={"indicateur": "2019-1.1-1", "annee": annee, "valeur": "1", "version": 0}
    )
    serializer.is_valid()
    assert ("annee" not in serializer.errors) is admise


@pytest.mark.django_db
@pytest.mark.parametrize(("annee", "admise"), BORNES)
def test_the_database_accepts_the_same_years(annee, admise):
    def creer():
        with transaction.atomic():
            Campagne.objects.create(annee=annee, date_limite=datetime.date(2031, 3, 31))

    if admise:
        creer()
    else:
        with pytest.raises(IntegrityError, match="annee_du_contrat"):
            creer()


@pytest.mark.django_db
@pytest.mark.parametrize("annee", [ANNEE_MIN - 1, ANNEE_MAX + 1])
def test_the_report_refuses_the_years_outside(client, annee):
    assert client.get(f"/rapport/{annee}/").status_code == 404
