"""API responses are cached per data generation: never served stale, never
served to another audience or host, with an ETag that reveals nothing and
caching headers that keep shared caches from mixing callers."""

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils.crypto import salted_hmac

from contrat.api.cache import etag
from contrat.historique import generation
from contrat.models import Quartier
from fiches.models import Fiche

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_reel(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-api",
        },
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
    # A write elsewhere moves the generation, not this answer: still 304.
    Quartier.objects.filter(slug="gely").update(population=1)
    assert client.get("/api/fiches/", {"objectif": 2}, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # A change of what it shows: a new answer, a new ETag.
    Fiche.objects.filter(objectif__numero=2).update(titre="Titre neuf")
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


def _brouillon(partenaire_, soumettre=False, version=0):
    from engagements.services import grille_enregistrer
    from fiches.models import Indicateur

    return grille_enregistrer(
        utilisateur=partenaire_,
        indicateur=Indicateur.objects.get(code="2019-1.1-1"),
        annee=2021,
        saisies={("", ""): ("3", version)},
        soumettre=soumettre,
    )


def test_the_etag_is_an_hmac_of_the_content_with_the_servers_secret(client, cache_reel, settings):
    reponse = client.get("/api/quartiers/gely/")
    attendu = salted_hmac("contrat.api.cache.etag", reponse.content, algorithm="sha256")
    assert reponse["ETag"] == f'"{attendu.hexdigest()[:32]}"'
    # Another secret, another ETag for the same content: nobody else can
    # compute it, and it carries no counter.
    settings.SECRET_KEY = "un-autre-secret-" + "x" * 50
    assert etag(reponse.content) != reponse["ETag"]
    caches["default"].clear()
    assert client.get("/api/quartiers/gely/")["ETag"] == etag(reponse.content)


def test_a_partners_draft_leaves_the_anonymous_etag_a_validation_moves_it(
    client, cache_reel, campagne, partenaire, equipe
):
    from engagements.models import Valeur
    from engagements.services import valeurs_statuer

    premiere = client.get("/api/valeurs/")
    etag_public = premiere["ETag"]
    avant = generation()
    metropole = partenaire("metropole")
    _brouillon(metropole)
    _brouillon(metropole, soumettre=True, version=1)
    # The data generation moved (the cache was rebuilt), the public answer did not.
    assert generation() > avant
    seconde = client.get("/api/valeurs/")
    assert seconde.content == premiere.content and seconde["ETag"] == etag_public
    assert client.get("/api/valeurs/", HTTP_IF_NONE_MATCH=etag_public).status_code == 304
    valeur = Valeur.objects.get()
    valeurs_statuer(utilisateur=equipe, valeurs=[(valeur, valeur.version)], valider=True)
    apres = client.get("/api/valeurs/", HTTP_IF_NONE_MATCH=etag_public)
    assert apres.status_code == 200 and apres.json()["count"] == 1
    assert apres["ETag"] != etag_public


def _vary(reponse):
    return {v.strip().lower() for v in reponse.get("Vary", "").split(",")}


def _cache_control(reponse):
    return {v.strip() for v in reponse.get("Cache-Control", "").split(",")}


def test_an_anonymous_api_answer_is_public_for_a_short_while(client, cache_reel, settings):
    settings.API_CACHE_PUBLIC_MAX_AGE = 45
    for _ in range(2):  # computed, then from the cache
        reponse = client.get("/api/quartiers/")
        assert reponse.status_code == 200
        assert _cache_control(reponse) == {"public", "max-age=45"}
        assert {"cookie", "authorization"} <= _vary(reponse)
    pas_modifie = client.get("/api/quartiers/", HTTP_IF_NONE_MATCH=reponse["ETag"])
    assert pas_modifie.status_code == 304
    assert _cache_control(pas_modifie) == {"public", "max-age=45"}
    assert {"cookie", "authorization"} <= _vary(pas_modifie)


def test_an_anonymous_error_is_not_made_public(client):
    reponse = client.get("/api/quartiers/", {"inconnu": "1"})
    assert reponse.status_code == 400
    assert "public" not in _cache_control(reponse)
    assert {"cookie", "authorization"} <= _vary(reponse)


def test_answers_to_a_signed_in_caller_are_private(client, cache_reel, partenaire):
    client.force_login(partenaire("metropole"))
    for url in ("/api/valeurs/", "/api/quartiers/", reverse("tableaux:objectif", args=[1])):
        reponse = client.get(url)
        assert reponse.status_code == 200
        assert "private" in _cache_control(reponse) and "public" not in _cache_control(reponse)
        assert {"cookie", "authorization"} <= _vary(reponse)


def test_answers_to_a_token_are_private(client, cache_reel, partenaire):
    from contrat.comptes import jeton_pour

    jeton = jeton_pour(partenaire("metropole"))
    reponse = client.get("/api/valeurs/", HTTP_AUTHORIZATION=f"Token {jeton.key}")
    assert reponse.status_code == 200
    assert "private" in _cache_control(reponse) and "public" not in _cache_control(reponse)
    assert {"cookie", "authorization"} <= _vary(reponse)


def test_a_cached_answer_names_the_host_it_was_asked_on(client, cache_reel, settings):
    settings.ALLOWED_HOSTS = ["testserver", "autre.example"]
    url = "/api/quartiers/?page_size=1"
    assert client.get(url).json()["next"].startswith("http://testserver/api/quartiers/")
    # Cached for testserver; another host gets its own answer and links.
    autre = client.get(url, HTTP_HOST="autre.example")
    assert autre.json()["next"].startswith("http://autre.example/api/quartiers/")
    assert client.get(url).json()["next"].startswith("http://testserver/")
    # And another scheme (behind the TLS proxy) its own.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    securise = client.get(url, HTTP_X_FORWARDED_PROTO="https")
    assert securise.json()["next"].startswith("https://testserver")


def test_dashboard_bodies_are_cached_per_host(client, cache_reel, settings):
    settings.ALLOWED_HOSTS = ["testserver", "autre.example"]
    url = reverse("tableaux:objectif", args=[1])
    client.get(url)
    client.get(url)
    client.get(url, HTTP_HOST="autre.example")
    corps = [c for c in caches["default"]._cache if "template.cache.tableau" in c]
    assert len(corps) == 2
