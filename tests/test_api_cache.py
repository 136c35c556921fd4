"""API responses are cached per data generation: never served stale."""

import pytest
from django.core.cache import caches

from contrat.historique import generation
from contrat.models import Quartier

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_reel(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-api",
        }
    }
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_any_write_moves_the_generation():
    avant = generation()
    Quartier.objects.filter(slug="gely").update(population=1266)
    assert generation() == avant + 1


def test_a_cached_response_is_never_served_after_a_change(
    client, cache_reel, django_assert_num_queries
):
    assert client.get("/api/quartiers/gely/").json()["population"] == 1265
    # Hit: one query (the generation), no other.
    with django_assert_num_queries(1):
        assert client.get("/api/quartiers/gely/").json()["population"] == 1265
    # Even a bulk update behind the app's back invalidates it.
    Quartier.objects.filter(slug="gely").update(population=1300)
    assert client.get("/api/quartiers/gely/").json()["population"] == 1300


def test_cached_lists_answer_304_to_an_unchanged_etag(client, cache_reel):
    premiere = client.get("/api/fiches/", {"objectif": 2})
    etag = premiere["ETag"]
    assert client.get("/api/fiches/", {"objectif": 2}, HTTP_IF_NONE_MATCH=etag).status_code == 304
    Quartier.objects.filter(slug="gely").update(population=1)
    assert client.get("/api/fiches/", {"objectif": 2}, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_cache_is_per_visibility(client, cache_reel, campagne, partenaire):
    from engagements.services import grille_enregistrer
    from fiches.models import Indicateur

    metropole = partenaire("metropole")
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={("", ""): ("3", 0)}
    )
    assert client.get("/api/valeurs/").json()["count"] == 0
    client.force_login(metropole)
    assert client.get("/api/valeurs/").json()["count"] == 1
