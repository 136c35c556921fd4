"""Rate limits (contrat/limites.py): anonymous callers per address, signed-in
ones per user, stricter scopes for token creation, imports and report PDFs;
counted in a shared cache (PostgreSQL's table, or Redis when one answers), so
that two served processes hold one limit."""

import json
import os
import secrets
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from contrat.limites import lire_debit
from scripts.instances import instance_servie

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _redis_ou_raison():
    """None when a Redis answers on REDIS_URL, else why not."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 (any failure means: no Redis here)
        return f"no Redis answers on {REDIS_URL} ({exc.__class__.__name__})"
    return None


@pytest.fixture
def redis_url():
    raison = _redis_ou_raison()
    if raison:
        pytest.skip(raison)
    return REDIS_URL


@pytest.fixture(params=["postgresql", "redis"])
def compteurs(request, settings):
    """The counters in each shared backend production may use."""
    if request.param == "postgresql":
        limites = {
            "BACKEND": "contrat.limites.CacheBaseDeDonnees",
            "LOCATION": "contrat_cache_limites",
        }
    else:
        limites = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": request.getfixturevalue("redis_url"),
            # Other test runs share this Redis.
            "KEY_PREFIX": f"test-{secrets.token_hex(8)}",
        }
    settings.CACHES = {**settings.CACHES, "limites": limites}
    # No clean-up: PostgreSQL's rows go with the test's transaction, Redis's
    # keys expire with their window (and clear() would empty the whole Redis
    # database, other prefixes included).
    return request.param


def _par_seconde(settings, portee):
    nombre, duree = lire_debit(settings.LIMITES_DEBIT[portee])
    return nombre / duree


def _refus_api(reponse, duree):
    assert reponse.status_code == 429
    assert 0 < int(reponse["Retry-After"]) <= duree
    erreur = reponse.json()["erreur"]
    assert erreur["code"] == "trop_de_requetes"
    assert erreur["statut"] == 429
    assert erreur["message"].startswith("Trop de requêtes. Réessayez dans ")


def _refus_page(reponse, duree):
    assert reponse.status_code == 429
    assert 0 < int(reponse["Retry-After"]) <= duree
    page = reponse.content.decode()
    assert "<h1>Trop de requêtes</h1>" in page and "Réessayez dans " in page


# ---------------------------------------------------------------- scopes


def test_the_configured_rates_of_the_strict_scopes_are_below_the_apis(settings):
    for portee in ("jeton", "import", "rapport_pdf"):
        assert _par_seconde(settings, portee) < _par_seconde(settings, "anonyme")
        assert _par_seconde(settings, portee) < _par_seconde(settings, "connecte")


def test_token_creation_has_a_stricter_rate_than_the_api(
    client, compteurs, django_user_model, settings
):
    # The real rate (LIMITE_JETON), with valid credentials: only the rate refuses.
    django_user_model.objects.create_user(username="robot", password="mot-de-passe-solide-42")
    nombre, duree = lire_debit(settings.LIMITES_DEBIT["jeton"])
    identifiants = {"username": "robot", "password": "mot-de-passe-solide-42"}
    for _ in range(nombre):
        assert client.post("/api/jeton/", identifiants).status_code == 200
    _refus_api(client.post("/api/jeton/", identifiants), duree)
    # The rest of the API still answers the same address.
    assert client.get("/api/quartiers/").status_code == 200


def test_imports_have_a_stricter_rate(client, compteurs, campagne, partenaire, settings):
    from engagements.models import Valeur

    client.force_login(partenaire("metropole"))
    url = reverse("saisie:importer", args=[2021, "2019-1.1-1"])
    nombre, duree = lire_debit(settings.LIMITES_DEBIT["import"])
    for _ in range(nombre):
        # A form without a file: the import view refuses it (400), and counts.
        assert client.post(url, {}).status_code == 400
    refus = client.post(url, {"fichier": _fichier_csv()})
    _refus_page(refus, duree)
    assert not Valeur.objects.exists()
    # The grid page itself is not counted.
    assert client.get(reverse("saisie:grille", args=[2021, "2019-1.1-1"])).status_code == 200


def _fichier_csv():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("grille.csv", b"quartier;valeur\r\n", content_type="text/csv")


def test_report_pdfs_have_a_stricter_rate(client, compteurs, settings):
    nombre, duree = lire_debit(settings.LIMITES_DEBIT["rapport_pdf"])
    # A year outside the contract: refused (404) without rendering, and counted.
    url = reverse("rapport:pdf", args=[1900])
    for _ in range(nombre):
        assert client.get(url).status_code != 429
    _refus_page(client.get(reverse("rapport:pdf", args=[2021])), duree)
    assert client.get(reverse("rapport:choix")).status_code == 200
    assert client.get("/api/quartiers/").status_code == 200


def test_signed_in_callers_are_counted_per_user(client, compteurs, settings, partenaire):
    settings.LIMITES_DEBIT = {**settings.LIMITES_DEBIT, "connecte": "3/minute"}
    client.force_login(partenaire("metropole"))
    for _ in range(3):
        assert client.get("/api/quartiers/").status_code == 200
    _refus_api(client.get("/api/quartiers/"), 60)
    # Another user at the same address, and anonymous callers, are not refused.
    client.force_login(partenaire("etat"))
    assert client.get("/api/quartiers/").status_code == 200
    client.logout()
    assert client.get("/api/quartiers/").status_code == 200


def test_anonymous_callers_are_counted_per_address_through_the_proxies(client, compteurs, settings):
    settings.NB_PROXIES_DE_CONFIANCE = 1
    settings.LIMITES_DEBIT = {**settings.LIMITES_DEBIT, "anonyme": "3/minute"}
    for _ in range(3):
        assert client.get("/api/fiches/", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 200
    _refus_api(client.get("/api/fiches/", HTTP_X_FORWARDED_FOR="203.0.113.5"), 60)
    # Writing another address to the left of the chain changes nothing: only
    # the address the trusted proxy appended counts.
    forge = "198.51.100.1, 203.0.113.5"
    assert client.get("/api/fiches/", HTTP_X_FORWARDED_FOR=forge).status_code == 429
    # Another client behind the same proxy is not refused.
    assert client.get("/api/fiches/", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


def test_the_default_pytest_counters_run_at_real_rates(client, settings):
    # No test setting turns the limits off: the configured rate refuses here too.
    nombre, duree = lire_debit(settings.LIMITES_DEBIT["jeton"])
    for _ in range(nombre):
        # An empty form: refused (400), and counted like a wrong password.
        assert client.post("/api/jeton/", {}).status_code == 400
    _refus_api(client.post("/api/jeton/", {}), duree)


# ------------------------------------------------- two served processes


def _attendre_loin_de_la_fin_de_l_heure():
    # A counter covers one fixed window (here an hour): counting across its
    # end would start again from zero.
    reste = 3600 - time.time() % 3600
    if reste < 60:
        time.sleep(reste + 1)


def _get(base, adresse):
    requete = urllib.request.Request(
        base + "/api/quartiers/",
        headers={"X-Forwarded-For": adresse, "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(requete, timeout=60) as reponse:
            return reponse.status, dict(reponse.headers), reponse.read()
    except urllib.error.HTTPError as erreur:
        return erreur.code, dict(erreur.headers), erreur.read()


@pytest.mark.parametrize("backend", ["postgresql", "redis"])
def test_two_served_processes_hold_one_shared_limit(base_e2e, backend, request):
    env = {
        "NB_PROXIES_DE_CONFIANCE": "1",
        "LIMITE_ANONYME": "20/hour",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    if backend == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
        env["REDIS_PREFIXE"] = f"test-{secrets.token_hex(8)}"
    # A client address of its own: the e2e database outlives this test.
    client = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    autre = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    options = {"workers": 1, "threads": 4, "limites_reelles": True, "env": env}
    with instance_servie(base_e2e, **options) as a, instance_servie(base_e2e, **options) as b:
        _attendre_loin_de_la_fin_de_l_heure()

        def une(n):
            return _get((a.url, b.url)[n % 2], client)

        # 40 requests at once, half on each process: exactly 20 get through.
        with ThreadPoolExecutor(8) as pool:
            resultats = list(pool.map(une, range(40)))
        statuts = [statut for statut, _, _ in resultats]
        assert statuts.count(200) == 20, statuts
        assert statuts.count(429) == 20, statuts
        for statut, entetes, corps in resultats:
            if statut == 429:
                assert 0 < int(entetes["Retry-After"]) <= 3600
                assert json.loads(corps)["erreur"]["code"] == "trop_de_requetes"
        # Refused on both processes, and nobody else is.
        assert _get(a.url, client)[0] == 429 and _get(b.url, client)[0] == 429
        assert _get(a.url, autre)[0] == 200 and _get(b.url, autre)[0] == 200
