"""The API refuses what its schema does not allow (a misspelt filter must not
silently answer every row), answers errors in JSON whatever the format asked,
and accepts exactly the query parameters it documents."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.request import Request

from contrat.api.base import calculer_parametres

pytestmark = pytest.mark.django_db


def erreurs(reponse, statut=400):
    assert reponse.status_code == statut, reponse.content[:300]
    assert reponse["Content-Type"].startswith("application/json")
    return reponse.json()["erreur"]["details"]


@pytest.mark.parametrize(
    ("url", "parametre", "message"),
    [
        ("/api/fiches/?objectf=1", "objectf", "Paramètre inconnu"),
        ("/api/fiches/?objectif=1&objectif=2", "objectif", "Paramètre répété"),
        ("/api/fiches/1.1/?statut=brouillon", "statut", "Paramètre inconnu"),
        ("/api/fiches/?format=", "format", "Format inconnu"),
        ("/api/fiches/?format=xml", "format", "Format inconnu"),
        ("/api/fiches/?objectif=0.5", "objectif", "« 0.5 » n'est pas un nombre entier"),
        ("/api/fiches/?transversale=oui", "transversale", "Valeur booléenne attendue"),
        ("/api/valeurs/?statut=", "statut", "Valeur vide"),
        ("/api/evenements/?annee=", "annee", "Valeur vide"),
        ("/api/fiches/?page=0", "page", "« 0 » : un entier entre 1 et"),
        ("/api/fiches/?page=abc", "page", "« abc » n'est pas un nombre entier"),
        ("/api/fiches/?page_size=%C2%B2", "page_size", "« ² » n'est pas un nombre entier"),
        ("/api/fiches/?page_size=1001", "page_size", "« 1001 » : un entier entre 1 et 1000"),
        # A CSV export reads no page, but a wrong one is still an error.
        ("/api/fiches/?format=csv&page=-1", "page", "« -1 » : un entier entre 1 et"),
        ("/api/agregats/progression/?annee=deux-mille", "annee", "Année invalide"),
        ("/api/agregats/progression/?anne=2021", "anne", "Paramètre inconnu"),
        ("/api/fiches/?ordering=titr", "ordering", "Tri inconnu : titr."),
        ("/api/valeurs/?ordering=-annee,valuer&format=csv", "ordering", "Tri inconnu : valuer."),
    ],
)
def test_a_query_parameter_the_schema_refuses_is_an_error(client, url, parametre, message):
    details = erreurs(client.get(url))
    assert list(details) == [parametre]
    assert details[parametre][0].startswith(message)


def test_the_error_lists_the_parameters_that_are_accepted(client):
    message = erreurs(client.get("/api/organisations/?nom=ville"))["nom"][0]
    assert message == (
        "Paramètre inconnu. Paramètres acceptés : format, ordering, page, page_size, q, "
        "rattachement, signataire, type."
    )


def test_valid_parameters_still_filter(client):
    assert client.get("/api/fiches/?transversale=false&objectif=1").json()["count"] == 16
    assert client.get("/api/fiches/?transversale=1").json()["count"] > 0
    assert client.get("/api/fiches/?version=2015").json()["count"] == 78
    # An empty text filters nothing (the schema allows any string).
    assert client.get("/api/fiches/?q=").json()["count"] == 69
    premiers = client.get("/api/fiches/?ordering=-enjeu_numero,rang").json()["results"][:3]
    assert [f["numero"] for f in premiers] == ["12.1", "12.2", "11.1"]
    assert client.get("/api/organisations/?ordering=").status_code == 200


@pytest.mark.parametrize(
    ("url", "parametre"),
    [
        ("/api/signataires/?q=a%00b", "q"),
        ("/api/fiches/?pilote=%00", "pilote"),
        ("/api/valeurs/?fiche=%00", "fiche"),
        # Both were server errors (PostgreSQL refuses a NUL in text).
        ("/api/fiches/?version=%00", "version"),
        ("/api/agregats/repartition/?indicateur=%00&annee=2021", "indicateur"),
        ("/api/fiches/?objectif=1%00", "objectif"),
    ],
)
def test_a_nul_character_in_a_query_parameter_is_a_400(client, url, parametre):
    reponse = client.get(url)
    assert reponse.json()["erreur"]["code"] == "caractere_nul"
    assert list(erreurs(reponse)) == [parametre]


def test_a_nul_character_in_a_page_address_is_a_french_400(client):
    for url in ["/saisie/?organisation=%00", "/tableaux/?x=%00", "/saisie/2021/%00/"]:
        reponse = client.get(url)
        assert reponse.status_code == 400, url
        assert "caractère nul" in reponse.content.decode()


LONG = "9" * 4301  # past Python's int() limit of 4 300 digits


@pytest.mark.parametrize(
    ("url", "parametre", "message"),
    [
        (f"/api/fiches/?page={LONG}", "page", "trop long"),
        (f"/api/fiches/?page_size={LONG}", "page_size", "trop long"),
        (f"/api/valeurs/?annee={LONG}", "annee", "trop long"),
        (f"/api/agregats/progression/?annee={LONG}", "annee", "trop long"),
        (f"/api/agregats/completude/?annee={LONG}", "annee", "trop long"),
        (f"/api/agregats/repartition/?indicateur=2019-1.1-1&annee={LONG}", "annee", "trop long"),
        (f"/api/fiches/?objectif={LONG}", "objectif", "trop long"),
        ("/api/fiches/?page=NaN", "page", "n'est pas un nombre fini"),
        ("/api/fiches/?page_size=1E5", "page_size", "la notation scientifique"),
        ("/api/valeurs/?annee=-Infinity", "annee", "n'est pas un nombre fini"),
        ("/api/valeurs/?annee_min=1990", "annee_min", "un entier entre 2015 et 2030"),
        ("/api/agregats/progression/?annee=1990", "annee", "un entier entre 2015 et 2030"),
        ("/api/agregats/progression/?annee=sNaN", "annee", "n'est pas un nombre fini"),
        ("/api/agregats/completude/?annee=2031", "annee", "un entier entre 2015 et 2030"),
        ("/api/fiches/?annee_fin=99999999999", "annee_fin", "un entier entre"),
    ],
)
def test_every_integer_query_parameter_is_bounded(client, url, parametre, message):
    details = erreurs(client.get(url))
    assert list(details) == [parametre]
    assert message in details[parametre][0]


def test_an_unsupported_method_answers_405_whatever_its_parameters(client, equipe):
    client.force_login(equipe)
    assert client.generic("TRACE", "/api/fiches/?inconnu=1").status_code == 405
    assert client.delete("/api/fiches/1.1/?inconnu=1").status_code == 405


@pytest.mark.parametrize("methode", ["put", "patch", "delete", "post"])
def test_an_unsupported_method_answers_405_to_the_anonymous_too(client, methode):
    """Public reads declare no security: an anonymous write on them is an
    unsupported method (405, in JSON), not a missing login (401)."""
    reponse = getattr(client, methode)("/api/fiches/1.1/", {}, content_type="application/json")
    assert reponse.status_code == 405
    assert reponse["Content-Type"].startswith("application/json")
    assert client.put("/api/valeurs/", {}, content_type="application/json").status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/api/fiches/99.9/?format=csv",
        "/api/agregats/repartition/?format=csv",
        "/api/fiches/?format=csv&objectif=x",
        "/api/agregats/completude/?format=csv&annee=1999",
    ],
)
def test_errors_are_json_even_when_csv_was_asked(client, url):
    reponse = client.get(url)
    assert reponse.status_code in {400, 404}
    assert reponse["Content-Type"].startswith("application/json")
    assert reponse.json()["erreur"]["statut"] == reponse.status_code


def test_an_unknown_api_url_is_json_even_with_debug_on(client, settings):
    settings.DEBUG = True
    reponse = client.get("/api/fiches/%C2%84/?format=csv")
    assert reponse.status_code == 404
    assert reponse.json()["erreur"]["code"] == "not_found"
    # Elsewhere Django's own debug page is kept, and a missing slash still redirects.
    assert client.get("/pas-une-page/")["Content-Type"].startswith("text/html")
    assert client.get("/api/fiches").status_code == 301


def test_the_token_endpoint_says_401_for_wrong_credentials(client, equipe):
    reponse = client.post("/api/jeton/", {"username": equipe.username, "password": "faux"})
    assert reponse.status_code == 401
    assert reponse["WWW-Authenticate"] == "Token"
    # A missing field is a malformed request, not a failed login.
    assert set(erreurs(client.post("/api/jeton/", {"username": "x"}))) == {"password"}


def test_every_operation_accepts_exactly_the_query_parameters_it_documents(rf):
    generateur = SchemaGenerator()
    schema = generateur.get_schema(request=None, public=True)
    comparees = 0
    for chemin, _regex, methode, vue in generateur._get_paths_and_endpoints():
        if chemin not in schema["paths"]:
            assert chemin in {"/api/schema/", "/api/docs/"}, chemin
            continue
        vue.request = Request(rf.get(chemin))
        operation = schema["paths"][chemin][methode.lower()]
        documentes = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert set(calculer_parametres(vue)) == documentes, (methode, chemin)
        comparees += 1
    assert comparees >= 57
