"""Open data that keeps its types: the data package (/api/datapackage.json)
describes every CSV the API serves, checked by the frictionless library
against the real files of the seeded database; the one CSV dialect of the
API; the OpenAPI description marks the operations open without a login."""

import csv
import datetime
import io
from decimal import Decimal

import pandas
import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from frictionless import Package, Resource, validate

from config.api import router
from contrat.api.paquet import LICENCE, listes_csv
from contrat.api.rendu import DIALECTE
from engagements.models import Valeur

pytestmark = pytest.mark.django_db

HOTE = "http://testserver"
NOTES = ['=HYPERLINK("http://x";"clic")', "-2,5", 'guillemets "doubles", virgule', "a\nb", ""]


def _corps(reponse):
    assert reponse.status_code == 200, reponse.content[:300]
    return b"".join(reponse.streaming_content) if reponse.streaming else reponse.content


@pytest.fixture
def valeurs_validees(campagne):
    """Synthetic 2021 values, validated (open data), with public notes a CSV
    must quote and a spreadsheet must not run, and a negative decimal."""
    call_command("generer_valeurs_synthetiques", "--annees", "2021", stdout=io.StringIO())
    ids = list(Valeur.objects.order_by("id").values_list("id", flat=True)[:60])
    assert len(ids) == 60
    for n, pk in enumerate(ids):
        Valeur.objects.filter(pk=pk).update(
            statut=Valeur.Statut.VALIDEE,
            note=NOTES[n % len(NOTES)],
            note_publique=True,
            validee_le=datetime.datetime(2022, 1, 15, 10, 0, n, 123456 * (n % 2), datetime.UTC),
            valeur=Decimal("-12.5") if n % 7 == 0 else Decimal(n),
        )
    return ids


@pytest.fixture
def paquet(client):
    reponse = client.get("/api/datapackage.json")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/json"
    return reponse.json()


def _fichiers(client, paquet, dossier):
    """Each resource's CSV as the API serves it to an anonymous caller,
    written to ``dossier``; ``{name: bytes}``."""
    corps = {}
    for ressource in paquet["resources"]:
        assert ressource["path"].startswith(HOTE + "/api/")
        contenu = _corps(client.get(ressource["path"].removeprefix(HOTE)))
        (dossier / f"{ressource['name']}.csv").write_bytes(contenu)
        corps[ressource["name"]] = contenu
    return corps


def test_every_csv_list_of_the_api_is_a_resource(paquet):
    attendus = [prefixe for prefixe, _classe in listes_csv(router.registry)]
    assert len(attendus) == len(router.registry) == 26
    assert [r["name"] for r in paquet["resources"]] == attendus
    for ressource in paquet["resources"]:
        assert ressource["path"] == f"{HOTE}/api/{ressource['name']}/?format=csv"
        assert ressource["format"] == "csv"
        assert ressource["mediatype"] == "text/csv"
        assert ressource["encoding"] == "utf-8"
        assert ressource["dialect"] == DIALECTE
        assert ressource["schema"]["missingValues"] == [""]
        for champ in ressource["schema"]["fields"]:
            assert champ["title"] and champ["description"], (ressource["name"], champ)
    assert paquet["licenses"] == [LICENCE]
    assert paquet["licenses"][0]["name"] == "etalab-2.0"
    # The sources are the avenants as the database holds them.
    assert any("avenant n° 2" in s["title"] for s in paquet["sources"])
    assert datetime.datetime.fromisoformat(paquet["created"]).tzinfo is not None


def test_fiche_numbers_and_codes_are_text_and_values_carry_their_row_unit(paquet):
    ressources = {r["name"]: r for r in paquet["resources"]}

    def champ(ressource, nom):
        (trouve,) = [c for c in ressources[ressource]["schema"]["fields"] if c["name"] == nom]
        return trouve

    assert champ("fiches", "numero")["type"] == "string"
    assert ressources["fiches"]["schema"]["primaryKey"] == ["numero"]
    assert champ("valeurs", "fiche")["type"] == "string"
    assert champ("valeurs", "indicateur")["type"] == "string"
    assert champ("indicateurs", "code")["type"] == "string"
    assert champ("valeurs", "annee")["type"] == "integer"
    assert champ("valeurs", "saisie_le")["type"] == "datetime"
    assert champ("valeurs", "note_publique")["type"] == "boolean"
    assert champ("campagnes", "date_limite")["type"] == "date"
    valeur = champ("valeurs", "valeur")
    assert valeur["type"] == "number"
    assert "colonne « unite »" in valeur["description"]
    assert "colonne « unite »" in champ("indicateurs", "reference.valeur")["description"]
    # A nested object is flattened as the CSV flattens it; a list is one text cell.
    assert champ("indicateurs", "serie.reference")["type"] == "string"
    assert "« | »" in champ("fiches", "pilotes")["description"]
    # Choices are listed as written in the file (a lone "=" is neutralised).
    assert "'=" in champ("cibles", "comparateur")["constraints"]["enum"]


def test_the_package_and_every_resource_validate_against_the_real_csv(
    client, paquet, valeurs_validees, tmp_path
):
    assert Package.validate_descriptor(paquet).valid
    corps = _fichiers(client, paquet, tmp_path)
    erreurs = {}
    for descripteur in paquet["resources"]:
        ressource = Resource(
            dict(descripteur, path=f"{descripteur['name']}.csv"), basepath=str(tmp_path)
        )
        rapport = validate(ressource)
        if not rapport.valid:
            erreurs[descripteur["name"]] = rapport.flatten(["rowNumber", "type", "message"])[:5]
    assert not erreurs
    # Not vacuous: the files hold rows, the values' included.
    lignes = {nom: contenu.count(b"\r\n") - 1 for nom, contenu in corps.items()}
    assert lignes["fiches"] == 69 and lignes["indicateurs"] > 500
    assert lignes["valeurs"] >= 60


def test_a_column_the_schema_does_not_list_fails_validation(client, paquet, tmp_path):
    # What the test above would catch if a CSV column and the schema drifted.
    (fiches,) = [r for r in paquet["resources"] if r["name"] == "fiches"]
    _fichiers(client, {"resources": [fiches]}, tmp_path)
    amputee = dict(fiches, schema=dict(fiches["schema"], fields=fiches["schema"]["fields"][:-1]))
    rapport = validate(Resource(dict(amputee, path="fiches.csv"), basepath=str(tmp_path)))
    assert not rapport.valid
    assert "extra-label" in {e[0] for e in rapport.flatten(["type"])}


def test_every_csv_header_is_its_schema_even_without_rows(client, paquet):
    # /api/series/ and /api/suivis/ hold no row in the seeded database: the
    # header still names every column (it comes from the serializer).
    for ressource in paquet["resources"]:
        contenu = _corps(client.get(ressource["path"].removeprefix(HOTE)))
        entete = next(csv.reader(io.StringIO(contenu.decode("utf-8"), newline="")))
        assert entete == [c["name"] for c in ressource["schema"]["fields"]], ressource["name"]


def test_pandas_with_the_package_types_keeps_fiche_1_10_apart_from_1_1(client, paquet):
    (fiches,) = [r for r in paquet["resources"] if r["name"] == "fiches"]
    contenu = _corps(client.get("/api/fiches/?format=csv"))
    # Table Schema types as pandas dtypes (nullable: an empty cell is missing).
    types = {"string": "string", "integer": "Int64", "number": "Float64"}
    dtypes = {c["name"]: types[c["type"]] for c in fiches["schema"]["fields"] if c["type"] in types}
    lu = pandas.read_csv(
        io.BytesIO(contenu),
        dtype=dtypes,
        keep_default_na=False,
        na_values=fiches["schema"]["missingValues"],
        sep=fiches["dialect"]["delimiter"],
        encoding=fiches["encoding"],
    )
    numeros = list(lu["numero"])
    assert "1.10" in numeros and "1.1" in numeros
    assert len(numeros) == len(set(numeros)) == 69
    assert lu["objectif"].dtype == "Int64"
    # What users met with pandas' defaults: "1.10" read as 1.1, duplicates.
    naif = pandas.read_csv(io.BytesIO(contenu))
    assert naif["numero"].duplicated().sum() > 0


def test_every_csv_of_the_api_is_in_one_dialect(client, valeurs_validees):
    adresses = [
        "/api/fiches/?format=csv",  # the serializer's path
        "/api/valeurs/?format=csv",  # PostgreSQL's COPY
        "/api/fiches/1.1/?format=csv",  # one object
        "/api/agregats/completude/?format=csv&annee=2021",  # an aggregate
    ]
    for adresse in adresses:
        contenu = _corps(client.get(adresse))
        assert not contenu.startswith(b"\xef\xbb\xbf"), adresse  # no BOM
        texte = contenu.decode("utf-8")
        assert texte.endswith("\r\n") and "\r\n" in texte[:2000], adresse
        lignes = list(
            csv.reader(
                io.StringIO(texte, newline=""),
                delimiter=DIALECTE["delimiter"],
                quotechar=DIALECTE["quoteChar"],
                doublequote=DIALECTE["doubleQuote"],
                strict=True,
            )
        )
        assert len(lignes) >= 2 and all(len(ligne) == len(lignes[0]) for ligne in lignes)
    valeurs = _corps(client.get("/api/valeurs/?format=csv")).decode()
    assert '"guillemets ""doubles"", virgule"' in valeurs
    assert "'=HYPERLINK" in valeurs


def test_the_spreadsheet_export_for_people_keeps_the_french_excel_dialect():
    # Apart from the API on purpose: ";", a BOM and decimal commas.
    from engagements.echange import exporter_csv
    from fiches.models import Indicateur

    contenu = exporter_csv(Indicateur.objects.a_saisir().first(), 2021)
    assert contenu.startswith(b"\xef\xbb\xbf")
    assert ";" in contenu.decode("utf-8-sig").splitlines()[0]


def test_the_data_package_runs_two_queries(client, django_assert_num_queries):
    # 2 queries: the data generation (cache key), the avenants and their contract.
    with django_assert_num_queries(2):
        assert client.get("/api/datapackage.json").status_code == 200


# ---------------------------------------------------------------- OpenAPI
def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (methode.upper(), chemin): operation
        for chemin, operations in schema["paths"].items()
        for methode, operation in operations.items()
    }


def test_openapi_shows_no_lock_on_what_anyone_may_read():
    operations = _operations()
    for cle in [
        ("GET", "/api/fiches/"),
        ("GET", "/api/fiches/{numero}/"),
        ("GET", "/api/valeurs/"),
        ("GET", "/api/agregats/progression/"),
        ("GET", "/api/datapackage.json"),
        ("POST", "/api/jeton/"),  # the login itself
    ]:
        assert operations[cle]["security"] == [], cle
    lectures = [op for (m, _c), op in operations.items() if m == "GET"]
    assert len(lectures) > 50 and all(op["security"] == [] for op in lectures)
    # The data package is JSON only: no CSV answer documented.
    reponse = operations[("GET", "/api/datapackage.json")]["responses"]["200"]
    assert set(reponse["content"]) == {"application/json"}


def test_openapi_keeps_the_login_on_writes():
    operations = _operations()
    ecritures = {cle: op for cle, op in operations.items() if cle[0] in {"POST", "PATCH"}}
    ecritures.pop(("POST", "/api/jeton/"))
    assert ("POST", "/api/valeurs/") in ecritures and ("PATCH", "/api/suivis/{id}/") in ecritures
    for cle, operation in ecritures.items():
        assert operation["security"] == [{"tokenAuth": []}, {"cookieAuth": []}], cle
