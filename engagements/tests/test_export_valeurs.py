"""Bulk reads of /api/valeurs/: the CSV written by PostgreSQL (COPY) and the
JSON pages read as tuples give the same bytes as the serializer-based path,
for every audience; the anonymous export is kept per data generation."""

import csv
import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.signals import request_finished
from django.db import close_old_connections
from django.db.models import CharField, F, Value
from django.test import Client
from django.utils import timezone

from contrat.api import export
from engagements.api.serializers import ValeurSerializer
from engagements.api.views import ValeurViewSet
from engagements.models import Valeur
from fiches.models import Indicateur

# Texts a spreadsheet would run, numbers it would read, and what CSV must quote.
NOTES_HOSTILES = [
    '=HYPERLINK("http://x";"clic")',
    "+1+1",
    "-2",
    "-2,5",
    "+1.5e3",
    "-inf",
    "@SOMME(A1)",
    "\tnote après une tabulation",
    "\r\nretour chariot",
    "ligne 1\nligne 2",
    'guillemets "doubles", virgule',
    "-5\n",
    "",
    "note ordinaire",
]


@pytest.fixture
def valeurs_variees(campagne, partenaire, equipe):
    """The synthetic generator's values for 2021, then every status, hostile
    notes, public and private notes, staff comments, dates in both time zones
    (with and without microseconds), negative and decimal numbers."""
    call_command("generer_valeurs_synthetiques", "--annees", "2021", stdout=io.StringIO())
    ids = list(Valeur.objects.order_by("id").values_list("id", flat=True))
    assert len(ids) > 100
    ete = datetime.datetime(2021, 7, 1, 8, 30, 15, 123456, tzinfo=datetime.UTC)
    hiver = datetime.datetime(2021, 1, 15, 23, 59, 59, tzinfo=datetime.UTC)
    for n, pk in enumerate(ids[:120]):
        statut = [
            Valeur.Statut.VALIDEE,
            Valeur.Statut.SOUMISE,
            Valeur.Statut.BROUILLON,
            Valeur.Statut.REJETEE,
        ][n % 4]
        Valeur.objects.filter(pk=pk).update(
            note=NOTES_HOSTILES[n % len(NOTES_HOSTILES)],
            note_publique=n % 3 == 0,
            statut=statut,
            commentaire_validation=f"Commentaire interne n° {n}, « à revoir »"
            if n % 2 or statut == Valeur.Statut.REJETEE
            else "",
            validee_le=None if n % 5 == 0 else (ete if n % 2 else hiver),
            saisie_le=hiver if n % 2 else ete,
            valeur=Decimal("-12.5") if n % 7 == 0 else F("valeur"),
        )
    # An engagement target (no fiche, so no objective through the fiche).
    sans_fiche = Indicateur.objects.filter(fiche__isnull=True, organisation__isnull=False).first()
    if sans_fiche is not None:
        Valeur.objects.create(
            indicateur=sans_fiche,
            annee=2020,
            valeur=Decimal("3"),
            statut=Valeur.Statut.VALIDEE,
            note="=1+2",
            note_publique=True,
            saisie_par=equipe,
            saisie_le=timezone.now(),
        )
    return {"metropole": partenaire("metropole"), "equipe": equipe}


def _client(utilisateur):
    client = Client()
    if utilisateur is not None:
        client.force_login(utilisateur)
    return client


def _corps(reponse):
    assert reponse.status_code == 200, reponse.content[:500]
    if reponse.streaming:
        return b"".join(reponse.streaming_content)
    return reponse.content


def _quitter(reponse):
    """What the WSGI server does when the client goes away mid-answer: close
    the response (as the test client does, without closing the test's
    database connection)."""
    request_finished.disconnect(close_old_connections)
    try:
        reponse.close()
    finally:
        request_finished.connect(close_old_connections)


def _par_serializer(monkeypatch, client, url, params):
    """The same request through the serializer-based path (no ``colonnes``)."""
    with monkeypatch.context() as m:
        m.setattr(ValeurViewSet, "colonnes", None)
        return _corps(client.get(url, params))


AUDIENCES = ["anonyme", "metropole", "equipe"]
FILTRES = [
    {},
    {"annee": "2021", "statut": "validee"},
    {"organisation": "metropole", "ordering": "-id"},
    {"objectif": "1", "sexe": "ensemble"},
]


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("filtres", FILTRES)
def test_csv_by_copy_is_byte_for_byte_the_serializer_csv(
    valeurs_variees, monkeypatch, audience, filtres
):
    client = _client(valeurs_variees.get(audience))
    params = {**filtres, "format": "csv"}
    attendu = _par_serializer(monkeypatch, client, "/api/valeurs/", params)
    obtenu = _corps(client.get("/api/valeurs/", params))
    assert obtenu == attendu
    lignes = list(csv.reader(io.StringIO(obtenu.decode("utf-8-sig"), newline="")))
    assert lignes[0] == [c.nom for c in ValeurViewSet.colonnes]
    if not filtres:
        # Not vacuous: the rows are there, hostile notes included where visible.
        assert len(lignes) > 100
        if audience != "anonyme":
            note = lignes[0].index("note")
            assert '\'=HYPERLINK("http://x";"clic")' in {ligne[note] for ligne in lignes}


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize(
    "filtres", [{"page_size": "1000"}, {"page_size": "7", "page": "3"}, *FILTRES]
)
def test_json_page_from_tuples_is_byte_for_byte_the_serializer_page(
    valeurs_variees, monkeypatch, audience, filtres
):
    client = _client(valeurs_variees.get(audience))
    attendu = _par_serializer(monkeypatch, client, "/api/valeurs/", filtres)
    obtenu = _corps(client.get("/api/valeurs/", filtres))
    assert obtenu == attendu
    assert b'"results":[{' in obtenu


def test_the_list_columns_are_the_serializer_fields():
    assert [c.nom for c in ValeurViewSet.colonnes] == ValeurSerializer.Meta.fields


def test_a_json_page_of_1000_values_runs_a_fixed_number_of_queries(
    valeurs_variees, client, django_assert_num_queries
):
    # 3 queries: the data generation (response cache key), the count, the page
    # of tuples; no query per row, however long the page.
    with django_assert_num_queries(3):
        reponse = client.get("/api/valeurs/", {"page_size": "1000"})
    assert len(reponse.json()["results"]) > 100
    with django_assert_num_queries(3):
        client.get("/api/valeurs/", {"page_size": "5"})


def test_the_csv_export_is_written_by_postgresql_copy(valeurs_variees, client, monkeypatch):
    requetes = []
    vrai = export.flux_copy

    def espion(sql):
        requetes.append(sql)
        return vrai(sql)

    monkeypatch.setattr(export, "flux_copy", espion)
    corps = _corps(client.get("/api/valeurs/", {"format": "csv", "annee": "2021"}))
    assert len(requetes) == 1
    assert requetes[0].startswith("COPY (SELECT ")
    assert "TO STDOUT WITH (FORMAT csv, DELIMITER ',', QUOTE '\"')" in requetes[0]
    assert corps.startswith(b"id,indicateur,")  # the API's dialect: no BOM


def test_the_csv_export_streams_in_bounded_chunks(valeurs_variees, monkeypatch):
    monkeypatch.setattr(export, "TAILLE_MORCEAU", 2000)
    reponse = _client(valeurs_variees["equipe"]).get("/api/valeurs/", {"format": "csv"})
    morceaux = list(reponse.streaming_content)
    # The header, then chunks of a little over 2 000 bytes: never the whole body at once.
    assert len(morceaux) > 10
    assert max(len(m) for m in morceaux[1:-1]) < 2000 + 4000


def test_a_client_leaving_mid_export_cancels_the_copy_and_leaves_the_connection_usable(
    valeurs_variees, monkeypatch
):
    monkeypatch.setattr(export, "TAILLE_MORCEAU", 500)
    monkeypatch.setattr(export, "MORCEAUX_EN_ATTENTE", 1)
    lignes = Valeur.objects.avec_textes_visibles(None).annotate(
        lu_pour=Value(None, output_field=CharField())
    )
    sql = export.sql_copy_csv(lignes, ValeurViewSet.colonnes)
    flux = export.flux_copy(sql)
    next(flux)
    next(flux)
    flux.close()  # the client went away: the generator is closed mid-COPY
    assert not [t for t in threading.enumerate() if t.name == "export-copy"]
    # The same connection answers the next query: the COPY ended, and the
    # test's transaction is not aborted.
    assert Valeur.objects.count() > 100


def test_anonymous_export_is_written_once_per_generation_then_served_from_its_file(
    valeurs_variees, client, settings, monkeypatch
):
    appels = []
    vrai = export.flux_copy
    monkeypatch.setattr(export, "flux_copy", lambda sql: appels.append(sql) or vrai(sql))
    premier = _corps(client.get("/api/valeurs/", {"format": "csv"}))
    fichiers = list(settings.EXPORTS_DIR.glob("valeur-public-g*.csv"))
    assert len(fichiers) == 1
    assert fichiers[0].read_bytes() == premier
    second = client.get("/api/valeurs/", {"format": "csv"})
    assert _corps(second) == premier
    assert second["Content-Disposition"] == 'attachment; filename="valeur.csv"'
    assert second["Content-Type"] == "text/csv; charset=utf-8"
    assert len(appels) == 1  # the second answer came from the file
    # Other filters: another file of the same generation.
    _corps(client.get("/api/valeurs/", {"format": "csv", "annee": "2021"}))
    assert len(list(settings.EXPORTS_DIR.glob("valeur-public-g*.csv"))) == 2
    # A write makes a new generation: a new file, the old ones removed.
    valeur = Valeur.objects.filter(statut="validee").first()
    Valeur.objects.filter(pk=valeur.pk).update(valeur=Decimal("123456"))
    troisieme = _corps(client.get("/api/valeurs/", {"format": "csv"}))
    assert troisieme != premier and b"123456.00" in troisieme
    restants = list(settings.EXPORTS_DIR.glob("valeur-public-g*.csv"))
    assert len(restants) == 1 and restants[0] not in fichiers
    assert restants[0].read_bytes() == troisieme
    assert not list(settings.EXPORTS_DIR.glob(".valeur-public-*.tmp"))


def test_an_interrupted_anonymous_export_leaves_no_file(valeurs_variees, client, settings):
    reponse = client.get("/api/valeurs/", {"format": "csv"})
    flux = iter(reponse.streaming_content)
    next(flux)
    next(flux)
    _quitter(reponse)
    assert not list(settings.EXPORTS_DIR.glob("*.csv"))
    assert not list(settings.EXPORTS_DIR.glob(".*.tmp"))


def test_past_the_ceiling_anonymous_exports_are_streamed_but_not_kept(
    valeurs_variees, client, settings
):
    settings.EXPORTS_FICHIERS_MAX = 2
    for annee in ("2019", "2020", "2021", "2022"):
        _corps(client.get("/api/valeurs/", {"format": "csv", "annee": annee}))
    assert len(list(settings.EXPORTS_DIR.glob("valeur-public-g*.csv"))) == 2


def test_signed_in_exports_are_not_kept(valeurs_variees, settings):
    _corps(_client(valeurs_variees["metropole"]).get("/api/valeurs/", {"format": "csv"}))
    assert not settings.EXPORTS_DIR.exists() or not list(settings.EXPORTS_DIR.iterdir())


def test_two_concurrent_first_writers_leave_one_whole_file(tmp_path):
    final = tmp_path / "valeur-public-g7-abc.csv"
    premier = export._flux_ecrit(
        (m for m in [b"a1", b"a2", b"a3"]), tmp_path, "valeur-public", final
    )
    second = export._flux_ecrit(
        (m for m in [b"b1", b"b2", b"b3"]), tmp_path, "valeur-public", final
    )
    # Interleaved as two workers would: each writes its own temporary file.
    sortie = [next(premier), next(second), next(premier), next(second)]
    assert not final.exists()  # nothing complete yet: no reader sees a partial file
    assert len(list(tmp_path.glob(".valeur-public-*.tmp"))) == 2
    sortie += list(premier)
    assert final.read_bytes() == b"a1a2a3"
    sortie += list(second)
    assert final.read_bytes() == b"b1b2b3"  # the last rename wins, whole
    assert sortie == [b"a1", b"b1", b"a2", b"b2", b"a3", b"b3"]
    assert not list(tmp_path.glob(".valeur-public-*.tmp"))


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_filter_that_matches_nothing_gives_the_header_alone(
    valeurs_variees, monkeypatch, audience
):
    # A filter that matches nothing by construction (queryset.none(): no SQL
    # at all). A NUL in a filter used to be one; it is a 400 now (contrat.securite).
    filtrer = ValeurViewSet.filter_queryset
    monkeypatch.setattr(ValeurViewSet, "filter_queryset", lambda vue, qs: filtrer(vue, qs).none())
    client = _client(valeurs_variees.get(audience))
    params = {"indicateur": "2019-1.1-1", "format": "csv"}
    attendu = _par_serializer(monkeypatch, client, "/api/valeurs/", params)
    obtenu = _corps(client.get("/api/valeurs/", params))
    assert obtenu == export.entete_csv(ValeurViewSet.colonnes)
    # The serializer path writes the same header: its columns come from the
    # serializer, not from a first row (contrat.api.colonnes).
    assert attendu == obtenu
    page = client.get("/api/valeurs/", {"indicateur": "2019-1.1-1"})
    assert page.status_code == 200 and page.json()["count"] == 0
