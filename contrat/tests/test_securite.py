"""Security: brute-force lockout, CSRF, session expiry, headers, denied accesses logged."""

import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def compte(django_user_model):
    return django_user_model.objects.create_user("victime", password="bon-mot-de-passe-42")


def essayer(client, mot_de_passe, ip="10.0.0.1"):
    return client.post(
        reverse("connexion"), {"username": "victime", "password": mot_de_passe}, REMOTE_ADDR=ip
    )


def test_five_failed_logins_lock_the_username_from_that_ip(compte):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert essayer(client, "mauvais").status_code == 200
    verrou = essayer(client, "mauvais")
    assert verrou.status_code == 429
    assert "Connexion temporairement bloquée" in verrou.text
    # Even the right password is refused now...
    assert essayer(client, "bon-mot-de-passe-42").status_code == 429
    # ...from that IP: the same account from elsewhere still logs in.
    assert essayer(Client(), "bon-mot-de-passe-42", ip="10.0.0.2").status_code == 302


def test_client_address_is_read_through_the_trusted_proxies_only(settings):
    from django.test import RequestFactory

    from contrat.securite import adresse_client

    def adresse(nombre, xff=None, remote="10.0.0.254"):
        settings.NB_PROXIES_DE_CONFIANCE = nombre
        meta = {"REMOTE_ADDR": remote}
        if xff is not None:
            meta["HTTP_X_FORWARDED_FOR"] = xff
        return adresse_client(RequestFactory().get("/", **meta))

    # No proxy trusted (the default): a client-written header changes nothing.
    assert settings.AXES_CLIENT_IP_CALLABLE == "contrat.securite.adresse_client"
    assert adresse(0, "203.0.113.7") == "10.0.0.254"
    # One proxy: the address it appended, whatever the client wrote before it.
    assert adresse(1, "203.0.113.7") == "203.0.113.7"
    assert adresse(1, "198.51.100.1, 203.0.113.7") == "203.0.113.7"
    # Two proxies: the outer one's entry, the inner one's is the last.
    assert adresse(2, "198.51.100.1, 203.0.113.7, 10.0.0.253") == "203.0.113.7"
    assert adresse(1, "2001:db8::1") == "2001:db8::1"
    # A header shorter than the chain or not an address: REMOTE_ADDR.
    assert adresse(2, "203.0.113.7") == "10.0.0.254"
    assert adresse(1, "pas-une-adresse") == "10.0.0.254"
    assert adresse(1) == "10.0.0.254"


def test_behind_a_proxy_one_client_cannot_lock_the_account_for_the_others(compte, settings):
    """Every request comes from the proxy's address (REMOTE_ADDR); the lockout
    follows the client named by the proxy in X-Forwarded-For."""
    settings.NB_PROXIES_DE_CONFIANCE = 1

    def essai(mot_de_passe, xff):
        return Client().post(
            reverse("connexion"),
            {"username": "victime", "password": mot_de_passe},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR=xff,
        )

    for _ in range(settings.AXES_FAILURE_LIMIT):
        essai("mauvais", "203.0.113.7")
    assert essai("bon-mot-de-passe-42", "203.0.113.7").status_code == 429
    # Writing another address before the proxy's does not get the attacker out...
    assert essai("bon-mot-de-passe-42", "198.51.100.9, 203.0.113.7").status_code == 429
    # ...and the account's owner, from elsewhere, through the same proxy, logs in.
    assert essai("bon-mot-de-passe-42", "203.0.113.8").status_code == 302
    # Nor can the attacker lock the owner by naming the owner's address.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        essai("mauvais", "203.0.113.8, 203.0.113.7")
    assert essai("bon-mot-de-passe-42", "203.0.113.8").status_code == 302


def test_the_api_token_endpoint_is_protected_too(compte):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/jeton/", {"username": "victime", "password": "x"}, REMOTE_ADDR="10.0.0.3")
    response = client.post(
        "/api/jeton/",
        {"username": "victime", "password": "bon-mot-de-passe-42"},
        REMOTE_ADDR="10.0.0.3",
    )
    # Locked out: even the right password gets no token.
    assert response.status_code == 429
    assert response.json()["erreur"]["code"] == "verrouille"


def test_forms_need_their_csrf_token(compte):
    client = Client(enforce_csrf_checks=True)
    assert (
        client.post(
            reverse("connexion"), {"username": "victime", "password": "bon-mot-de-passe-42"}
        ).status_code
        == 403
    )
    client.force_login(compte)
    assert client.post("/api/valeurs/", {}, content_type="application/json").status_code == 403


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert (
        "'unsafe-inline'"
        in client.get("/api/docs/")["Content-Security-Policy"].split("script-src")[1]
    )


def test_denied_accesses_are_logged(client, caplog, partenaire):
    user = partenaire("etat")
    client.force_login(user)
    with caplog.at_level(logging.WARNING, logger="contrat.securite"):
        client.get(reverse("saisie:validation"))
        client.get(reverse("saisie:grille", args=[2021, "2019-1.1-1"]))
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        "accès refusé 403 GET /saisie/validation/" in m and "partenaire-etat" in m for m in messages
    )
    assert any("accès refusé 404" in m and "2019-1.1-1" in m for m in messages)
