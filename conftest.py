"""Project-wide pytest fixtures.

The test database (PostgreSQL, created by pytest-django) is seeded once per
session with the committed fixtures, exactly as ``manage.py seed`` does; each
test then runs in a transaction that is rolled back.
"""

import json
import os
import shutil
import urllib.request
from urllib.parse import urlparse

import pytest
from django.core.cache import caches

from contrat.seeding import seed
from scripts.instances import LIMITE_HAUTE, base_jetable, instance_servie


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed()


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="agent", password="mot-de-passe-solide-42", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    return client


@pytest.fixture
def equipe(django_user_model):
    """A staff member of the policy unit."""
    return django_user_model.objects.create_user(
        username="equipe", password="mot-de-passe-solide-42", is_staff=True
    )


@pytest.fixture
def partenaire(django_user_model):
    """Factory: a partner user of the organisation with this slug."""
    from contrat.models import Membre, Organisation

    def creer(slug, username=None):
        user = django_user_model.objects.create_user(
            username=username or f"partenaire-{slug}", password="mot-de-passe-solide-42"
        )
        Membre.objects.create(utilisateur=user, organisation=Organisation.objects.get(slug=slug))
        return user

    return creer


@pytest.fixture
def campagne(equipe):
    """The 2021 data-entry campaign, open."""
    import datetime

    from engagements.services import campagne_ouvrir

    return campagne_ouvrir(utilisateur=equipe, annee=2021, date_limite=datetime.date(2022, 3, 31))


@pytest.fixture(autouse=True)
def _hachage_rapide(settings):
    # Tests log in hundreds of times: a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sans_cache_api(settings):
    # Each test rolls its transaction back, which rewinds the data generation:
    # a response cached by one test could match another's. The cache has its
    # own test (tests/test_api_cache.py).
    # The rate limits stay on, at their real rates, counted per test in this
    # process's memory: no query added to the query-count tests. The shared
    # backends (PostgreSQL, Redis) have their own tests (tests/test_limites.py).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        "limites": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "limites-tests",
        },
    }
    caches["limites"].clear()


@pytest.fixture
def limites_hautes(settings):
    """Rates no test reaches, for the tests that send thousands of requests
    from one address to test something else (matrix, fuzzing)."""
    settings.LIMITES_DEBIT = dict.fromkeys(settings.LIMITES_DEBIT, LIMITE_HAUTE)


# ---------------------------------------------------------------- a real server
# For tests that need the app served by its own process (browser, concurrent
# clients): a private database seeded as `make run` seeds it
# (scripts/instances.py). A test that needs a second process on the same
# database starts it with `instance_servie(base_e2e)`.


@pytest.fixture(scope="session")
def base_e2e():
    """The URL of the served app's database (``<test database>_e2e``)."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        pytest.skip("DATABASE_URL absent (run through make test)")
    with base_jetable(base, urlparse(base).path.lstrip("/") + "_e2e") as url:
        yield url


@pytest.fixture(scope="session")
def serveur(base_e2e):
    with instance_servie(base_e2e, workers=2, threads=8, backlog=256, env={"DEBUG": "1"}) as app:
        yield app.url


# Debian's Chromium (never a downloaded browser), for the browser tests.
CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="session")
def navigateur():
    """One Chromium for the whole session, driven by Playwright. Defined here,
    not in a test module: pytest keys a fixture by the module that defines or
    imports it, so each module importing a session fixture got its own, and a
    second Playwright started inside the first fails."""
    if CHROMIUM is None:
        pytest.skip("Chromium absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def jeton_demo(serveur):
    """Factory: the API token of a demo account of the served app."""
    from engagements.management.commands.create_demo_accounts import DEMO_PASSWORD

    def jeton(identifiant):
        requete = urllib.request.Request(
            serveur + "/api/jeton/",
            data=f"username={identifiant}&password={DEMO_PASSWORD}".encode(),
            method="POST",
        )
        with urllib.request.urlopen(requete, timeout=30) as reponse:
            return json.loads(reponse.read())["token"]

    return jeton


@pytest.fixture
def url_base_de_test(django_db_setup):
    """The test database's URL, for a subprocess (``manage.py``) that must
    read it: never the developer's database, where demo accounts live."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(autouse=True)
def _exports_par_test(settings, tmp_path):
    # The anonymous CSV exports are kept in files named by data generation,
    # which each test's rollback rewinds: each test gets its own folder.
    settings.EXPORTS_DIR = tmp_path / "exports"
