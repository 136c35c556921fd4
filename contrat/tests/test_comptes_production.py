"""Accounts in production: demo accounts refused and flagged by the deploy
check; API tokens that expire, die with the password and that staff revoke."""

import datetime
import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import checks
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from contrat.comptes import COMPTE_DEMO_EQUIPE, DEMO_PASSWORD, GROUPE_DEMO

ROOT = Path(__file__).resolve().parent.parent.parent
MOT_DE_PASSE = "mot-de-passe-solide-42"


def connexion(client, username, password):
    return client.post(reverse("connexion"), {"username": username, "password": password})


def jeton(username, password):
    return Client().post("/api/jeton/", {"username": username, "password": password})


# ---------------------------------------------------------------- demo accounts


@pytest.fixture
def comptes_demo(db):
    call_command("create_demo_accounts", stdout=io.StringIO())


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    return settings


@pytest.mark.django_db
def test_demo_accounts_are_flagged_by_the_command(comptes_demo, django_user_model):
    flagged = django_user_model.objects.filter(groups__name=GROUPE_DEMO)
    assert set(flagged.values_list("username", flat=True)) == {
        COMPTE_DEMO_EQUIPE,
        "demo-metropole",
        "demo-ville",
        "demo-etat",
        "demo-departement",
        "demo-region",
        "demo-caf",
    }


@pytest.mark.django_db
def test_demo_accounts_cannot_log_in_in_production(comptes_demo, production, django_user_model):
    for username in (COMPTE_DEMO_EQUIPE, "demo-caf"):
        client = Client()
        response = connexion(client, username, DEMO_PASSWORD)
        assert response.status_code == 200  # the form again, not a redirect
        assert "_auth_user_id" not in client.session
        assert client.get(reverse("admin:index")).status_code == 302
        reponse = jeton(username, DEMO_PASSWORD)
        assert reponse.status_code == 401
        assert reponse.json()["erreur"]["statut"] == 401
    admin = Client().post(
        reverse("admin:login"), {"username": COMPTE_DEMO_EQUIPE, "password": DEMO_PASSWORD}
    )
    assert admin.status_code == 200
    # A real account still logs in, in production.
    django_user_model.objects.create_user("agent-reel", password=MOT_DE_PASSE)
    assert connexion(Client(), "agent-reel", MOT_DE_PASSE).status_code == 302
    assert jeton("agent-reel", MOT_DE_PASSE).status_code == 200


@pytest.mark.django_db
def test_demo_accounts_still_log_in_in_development(comptes_demo):
    assert connexion(Client(), COMPTE_DEMO_EQUIPE, DEMO_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_demo_session_or_token_opened_before_production_stops_working(
    comptes_demo, settings, django_user_model
):
    equipe = django_user_model.objects.get(username=COMPTE_DEMO_EQUIPE)
    client = Client()
    client.force_login(equipe)
    cle = jeton(COMPTE_DEMO_EQUIPE, DEMO_PASSWORD).json()["token"]
    assert client.get(reverse("admin:index")).status_code == 200
    settings.PRODUCTION = True
    assert client.get(reverse("admin:index")).status_code == 302
    reponse = Client(HTTP_AUTHORIZATION=f"Token {cle}").get("/api/quartiers/")
    assert reponse.status_code == 401
    assert reponse.json()["erreur"]["code"] == "compte_refuse"


@pytest.mark.django_db
def test_any_account_in_the_demo_group_is_refused_in_production(production, django_user_model):
    formation = django_user_model.objects.create_user("formation-1", password=MOT_DE_PASSE)
    groupe, _ = Group.objects.get_or_create(name=GROUPE_DEMO)
    formation.groups.add(groupe)
    assert connexion(Client(), "formation-1", MOT_DE_PASSE).status_code == 200
    formation.groups.remove(groupe)
    assert connexion(Client(), "formation-1", MOT_DE_PASSE).status_code == 302


def erreurs_deploiement():
    return [
        e
        for e in checks.run_checks(include_deployment_checks=True)
        if e.id and e.id.startswith("contrat.")
    ]


@pytest.mark.django_db
def test_deploy_check_fails_while_a_demo_account_is_active(
    comptes_demo, production, django_user_model
):
    erreurs = erreurs_deploiement()
    assert [e.id for e in erreurs] == ["contrat.E001"]
    assert erreurs[0].level == checks.ERROR
    assert COMPTE_DEMO_EQUIPE in erreurs[0].msg and "demo-caf" in erreurs[0].msg
    # Not an ordinary check: `manage.py check` on a developer's machine stays quiet.
    assert not [e for e in checks.run_checks() if e.id == "contrat.E001"]
    django_user_model.objects.filter(groups__name=GROUPE_DEMO).update(is_active=False)
    assert erreurs_deploiement() == []


@pytest.mark.django_db
def test_deploy_check_is_quiet_in_development(comptes_demo):
    assert erreurs_deploiement() == []


def test_manage_check_deploy_fails_in_production_with_a_demo_account(url_base_de_test):
    """The real command, in production mode, on the test database: the demo
    account is committed by a connection of its own (then deleted) so that
    the other process sees it."""
    import psycopg2

    url = url_base_de_test
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(
        DJANGO_MODE="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="contrat.example.org",
        DATABASE_URL=url,
    )
    commande = [sys.executable, "manage.py", "check", "--deploy"]
    base = psycopg2.connect(url)
    base.autocommit = True
    try:
        with base.cursor() as cur:
            cur.execute(
                "INSERT INTO auth_user (username, password, is_superuser, is_staff, is_active,"
                " first_name, last_name, email, date_joined)"
                " VALUES (%s, '!', true, true, true, '', '', '', now())",
                [COMPTE_DEMO_EQUIPE],
            )
        resultat = subprocess.run(commande, cwd=ROOT, env=env, capture_output=True, text=True)
    finally:
        with base.cursor() as cur:
            cur.execute("DELETE FROM auth_user WHERE username = %s", [COMPTE_DEMO_EQUIPE])
        base.close()
    assert resultat.returncode != 0
    assert "contrat.E001" in resultat.stderr and COMPTE_DEMO_EQUIPE in resultat.stderr
    # Without it, the same command passes (the existing deploy test, on this database).
    propre = subprocess.run(commande, cwd=ROOT, env=env, capture_output=True, text=True)
    assert propre.returncode == 0, propre.stderr


def test_demo_accounts_command_refuses_to_run_in_production(db, production):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="production"):
        call_command("create_demo_accounts", stdout=io.StringIO())


# ---------------------------------------------------------------- API tokens


@pytest.fixture
def compte(django_user_model):
    return django_user_model.objects.create_user("partenaire-jeton", password=MOT_DE_PASSE)


def lire(cle):
    return Client(HTTP_AUTHORIZATION=f"Token {cle}").get("/api/quartiers/")


def vieillir(cle, jours):
    Token.objects.filter(key=cle).update(created=timezone.now() - datetime.timedelta(days=jours))


@pytest.mark.django_db
def test_token_expires_after_the_configured_days(compte, settings):
    assert settings.API_JETON_DUREE_JOURS == 30
    reponse = jeton(compte.username, MOT_DE_PASSE)
    assert reponse.status_code == 200
    cle = reponse.json()["token"]
    expire = datetime.datetime.fromisoformat(reponse.json()["expire"])
    attendu = timezone.now() + datetime.timedelta(days=30)
    assert abs((expire - attendu).total_seconds()) < 60
    assert lire(cle).status_code == 200

    vieillir(cle, 29)
    assert lire(cle).status_code == 200
    vieillir(cle, 31)
    refus = lire(cle)
    assert refus.status_code == 401
    assert refus["WWW-Authenticate"] == "Token"
    assert refus.json()["erreur"]["code"] == "jeton_expire"
    assert refus.json()["erreur"]["statut"] == 401
    assert "POST /api/jeton/" in refus.json()["erreur"]["message"]

    # The token endpoint replaces an expired token with a new, working one.
    nouveau = jeton(compte.username, MOT_DE_PASSE).json()["token"]
    assert nouveau != cle
    assert lire(nouveau).status_code == 200
    assert lire(cle).status_code == 401
    # A valid token is given again, not replaced.
    assert jeton(compte.username, MOT_DE_PASSE).json()["token"] == nouveau

    settings.API_JETON_DUREE_JOURS = 2
    vieillir(nouveau, 3)
    assert lire(nouveau).status_code == 401
    vieillir(nouveau, 1)
    assert lire(nouveau).status_code == 200


@pytest.mark.django_db
def test_a_password_change_revokes_the_tokens(compte):
    cle = jeton(compte.username, MOT_DE_PASSE).json()["token"]
    # Saves that do not change the password keep the token (a login updates last_login).
    compte.first_name = "Camille"
    compte.save()
    assert connexion(Client(), compte.username, MOT_DE_PASSE).status_code == 302
    assert lire(cle).status_code == 200

    compte.set_password("un-autre-mot-de-passe-43")
    compte.save()
    assert not Token.objects.filter(user=compte).exists()
    assert lire(cle).status_code == 401
    nouveau = jeton(compte.username, "un-autre-mot-de-passe-43").json()["token"]
    assert nouveau != cle and lire(nouveau).status_code == 200


@pytest.mark.django_db
def test_a_password_changed_in_the_admin_revokes_the_tokens(compte, staff_client):
    cle = jeton(compte.username, MOT_DE_PASSE).json()["token"]
    response = staff_client.post(
        reverse("admin:auth_user_password_change", args=[compte.pk]),
        {
            "password1": "change-par-l-equipe-44",
            "password2": "change-par-l-equipe-44",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert lire(cle).status_code == 401
    assert not Token.objects.filter(user=compte).exists()


@pytest.mark.django_db
def test_staff_revoke_tokens_from_the_admin(compte, staff_client, django_user_model):
    autre = django_user_model.objects.create_user("autre-jeton", password=MOT_DE_PASSE)
    cle = jeton(compte.username, MOT_DE_PASSE).json()["token"]
    cle_autre = jeton(autre.username, MOT_DE_PASSE).json()["token"]

    liste = staff_client.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert liste.status_code == 200
    assert "Expire le" in liste.text and cle[:8] in liste.text

    response = staff_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "revoquer_jetons", "_selected_action": [compte.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 jeton(s) d&#x27;API révoqué(s)" in response.text
    assert lire(cle).status_code == 401
    assert not Token.objects.filter(user=compte).exists()
    # Only the selected accounts.
    assert lire(cle_autre).status_code == 200


@pytest.mark.django_db
def test_partners_cannot_revoke_tokens(compte, partenaire):
    cle = jeton(compte.username, MOT_DE_PASSE).json()["token"]
    client = Client()
    client.force_login(partenaire("etat"))
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "revoquer_jetons", "_selected_action": [compte.pk]},
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Token.objects.filter(key=cle).exists()
