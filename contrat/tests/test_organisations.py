"""Organisations and their aliases: each way the avenant names a body leads to one organisation."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contrat.models import AliasOrganisation, Organisation, normaliser_libelle

pytestmark = pytest.mark.django_db


def test_normalisation_ignores_case_accents_apostrophes_and_spacing():
    assert normaliser_libelle("  MÉTROPOLE ") == normaliser_libelle("Métropole")
    assert normaliser_libelle("Département de l’Hérault") == normaliser_libelle(
        "Departement de l'Herault"
    )
    assert normaliser_libelle("Pôle   Emploi") == "pole emploi"


def test_every_alias_resolves_to_exactly_one_organisation():
    aliases = list(AliasOrganisation.objects.all())
    assert aliases, "no alias seeded"
    for alias in aliases:
        found = Organisation.objects.par_libelle(alias.libelle)
        assert list(found) == [alias.organisation], alias.libelle


def test_every_organisation_is_reachable_by_its_name_and_short_name():
    for organisation in Organisation.objects.all():
        assert list(Organisation.objects.par_libelle(organisation.nom)) == [organisation]
        if organisation.sigle:
            assert list(Organisation.objects.par_libelle(organisation.sigle)) == [organisation]


def test_no_organisation_appears_twice_under_two_spellings():
    keys = [normaliser_libelle(o.nom) for o in Organisation.objects.all()]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("libelle", "slug"),
    [
        ("Métropole", "metropole"),
        ("MMM", "metropole"),
        ("Montpellier Méditerranée Métropole", "metropole"),
        ("METROPOLE", "metropole"),
        ("Etat", "etat"),
        ("État", "etat"),
        ("Ville de Montpellier", "ville-montpellier"),
        ("CAF", "caf-herault"),
    ],
)
def test_the_text_s_spellings_resolve(libelle, slug):
    assert Organisation.objects.par_libelle(libelle).get().slug == slug


def test_an_alias_cannot_name_two_organisations():
    etat = Organisation.objects.get_by_natural_key("etat")
    doublon = AliasOrganisation(organisation=etat, libelle="métropole")
    with pytest.raises(ValidationError) as excinfo:
        doublon.full_clean()
    assert "désigne déjà" in str(excinfo.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        doublon.save()
