"""Settings, the demo account, the home page and the private PostgreSQL fallback."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from config.settings import database_from_url

ROOT = Path(__file__).resolve().parent.parent


def test_database_url_is_parsed():
    db = database_from_url("postgres://u:p%40ss@db.example:6543/contrat?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "u",
        "p@ss",
        "db.example",
        "6543",
        "contrat",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_only_postgresql_is_accepted():
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://u@localhost/contrat")


def test_the_project_runs_on_postgresql():
    from django.db import connection

    assert connection.vendor == "postgresql"


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True
    )


def test_production_mode_passes_the_deployment_checklist(url_base_de_test):
    # On the test database: the deploy check fails while demo accounts exist
    # (contrat.E001), and `make test` creates them in the development database.
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_MODE="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="contrat.example.org",
        DATABASE_URL=url_base_de_test,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_MODE="production", ALLOWED_HOSTS="contrat.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_home_page_shows_the_frame(client):
    response = client.get(reverse("accueil"))
    assert response.status_code == 200
    assert "Les 5 objectifs opérationnels" in response.text
    assert (
        "50 445" in response.text or "50\u202f445" in response.text or "50\xa0445" in response.text
    )


@pytest.mark.django_db
def test_demo_accounts_log_in(client, capsys):
    from engagements.management.commands.create_demo_accounts import (
        DEMO_PASSWORD,
        PARTENAIRES,
        STAFF_USERNAME,
    )
    from engagements.models import Campagne

    call_command("create_demo_accounts")
    out = capsys.readouterr().out
    assert STAFF_USERNAME in out and DEMO_PASSWORD in out
    for username, _ in PARTENAIRES:
        assert username in out
    assert (
        client.post(
            reverse("connexion"), {"username": STAFF_USERNAME, "password": DEMO_PASSWORD}
        ).status_code
        == 302
    )
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    assert (
        client.post(
            reverse("connexion"), {"username": "demo-caf", "password": DEMO_PASSWORD}
        ).status_code
        == 302
    )
    assert client.get(reverse("saisie:mes_indicateurs")).status_code == 200
    # The admin is for staff only.
    assert client.get(reverse("admin:index")).status_code == 302
    assert list(Campagne.objects.order_by("annee").values_list("annee", flat=True)) == [
        2019,
        2020,
        2021,
        2022,
    ]
    # Idempotent: a second run resets the same accounts and opens nothing more.
    call_command("create_demo_accounts")
    assert Campagne.objects.count() == 4


def test_private_cluster_is_started_when_no_server_is_probed():
    """The fallback used on machines without PostgreSQL: a private cluster."""
    import tempfile

    # The server runs as `postgres` when we are root: its folder must be reachable.
    data_dir = Path(tempfile.mkdtemp(prefix="contrat-pgtest-", dir="/var/tmp"))
    data_dir.chmod(0o755)
    env = dict(
        os.environ,
        CONTRAT_PG_PROBE="0",
        CONTRAT_PGDATA_DIR=str(data_dir / "pg"),
        CONTRAT_PG_PORT="54391",
        # The URL asserted below names the default database, whatever the caller's.
        CONTRAT_DB_NAME="contrat_ville",
    )
    env.pop("DATABASE_URL", None)
    script = ROOT / "scripts" / "pgserver.py"
    try:
        result = subprocess.run(
            [sys.executable, script, "ensure"], env=env, capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, result.stderr
        url = result.stdout.strip()
        assert url == "postgres://postgres@127.0.0.1:54391/contrat_ville"
        import psycopg2

        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT current_database()")
            assert cur.fetchone() == ("contrat_ville",)
        conn.close()
        # A second call reuses the running cluster.
        again = subprocess.run(
            [sys.executable, script, "ensure"], env=env, capture_output=True, text=True, timeout=60
        )
        assert again.stdout.strip() == url
    finally:
        subprocess.run([sys.executable, script, "stop"], env=env, capture_output=True, timeout=60)
        subprocess.run(["rm", "-rf", str(data_dir)], check=False)


def test_every_app_with_tests_is_collected_by_make_test():
    """pytest only looks in `testpaths`: an app whose tests folder is missing
    there would have its tests silently skipped by `make test` and CI."""
    import tomllib

    racine = Path(__file__).resolve().parent.parent
    chemins = tomllib.loads((racine / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"
    ]["testpaths"]
    dossiers = {p.parent.parent.name for p in racine.glob("*/tests/__init__.py")}
    dossiers |= {p.parent.name for p in racine.glob("*/test_*.py") if p.parent != racine}
    assert dossiers - set(chemins) == set()
