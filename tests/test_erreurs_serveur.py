"""A server error under /api/ is the API's JSON error body (status 500, code
``erreur_serveur``), never an HTML page nor a traceback, DEBUG on or off; it
is still logged as Django logs any server error. Pages keep the French HTML
500 page."""

import logging

import pytest
from django.test import Client

from engagements.models import Valeur

pytestmark = pytest.mark.django_db


class Panne(RuntimeError):
    pass


def _panne(*args, **kwargs):
    raise Panne("panne simulée pour le test")


@pytest.fixture
def client_sans_exceptions():
    # The test client re-raises a view's exception by default; a server does not.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize(
    ("cible", "url"),
    [
        ("tableaux.agregats.progression", "/api/agregats/progression/"),
        ("fiches.api.views.FicheViewSet.get_queryset", "/api/fiches/"),
        ("fiches.api.views.FicheViewSet.get_queryset", "/api/fiches/?format=csv"),
    ],
)
def test_an_unexpected_exception_under_the_api_is_the_json_error(
    client_sans_exceptions, monkeypatch, settings, caplog, debug, cible, url
):
    settings.DEBUG = debug
    monkeypatch.setattr(cible, _panne)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        reponse = client_sans_exceptions.get(url)
    assert reponse.status_code == 500
    assert reponse["Content-Type"] == "application/json"
    erreur = reponse.json()["erreur"]
    assert erreur["code"] == "erreur_serveur"
    assert erreur["statut"] == 500
    assert erreur["details"] == {}
    assert "erreur interne" in erreur["message"].lower()
    contenu = reponse.content.decode()
    assert "Traceback" not in contenu and "Panne" not in contenu and "<html" not in contenu
    # Still logged, with the exception, as Django logs any server error.
    journal = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert journal and journal[0].exc_info[0] is Panne
    # The inner middlewares' headers are kept.
    assert "Content-Security-Policy" in reponse


def test_a_write_that_fails_is_the_json_error_too(
    client_sans_exceptions, monkeypatch, partenaire, campagne
):
    client_sans_exceptions.force_login(partenaire("metropole"))
    # Fails in the middle of the service's transaction, rows locked.
    monkeypatch.setattr("engagements.services.verifier_unite", _panne)
    avant = Valeur.objects.count()
    reponse = client_sans_exceptions.post(
        "/api/valeurs/",
        {"indicateur": "2019-1.1-1", "annee": 2021, "valeur": "3", "version": 0},
        content_type="application/json",
    )
    assert reponse.status_code == 500
    assert reponse.json()["erreur"]["code"] == "erreur_serveur"
    assert Valeur.objects.count() == avant


def test_a_page_keeps_the_french_html_500_page(client_sans_exceptions, monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.setattr("contrat.views.render", _panne)
    reponse = client_sans_exceptions.get("/")
    assert reponse.status_code == 500
    assert reponse["Content-Type"].startswith("text/html")
    assert "Une erreur est survenue" in reponse.content.decode()
