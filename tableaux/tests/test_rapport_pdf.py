"""The annual report's PDF is printed at most once per (year, data generation)
and stored for every worker and server; callers wait for a print under way,
or get 503 with Retry-After; one Chromium at a time per server.

The printer (``imprimer_rapport``, both Chromium prints) is replaced by a fake that counts its calls:
a real print takes Chromium ~15 s (the real one is exercised by
test_tableaux.py and by tests/test_rapport_pdf_serveurs.py, two served
processes)."""

import fcntl
import os
import threading
import time

import psycopg2
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from contrat.historique import generation
from fiches.models import Fiche
from tableaux import rapport
from tableaux.models import RapportPdf

pytestmark = pytest.mark.django_db


class Imprimante:
    """A fake ``imprimer_rapport``: distinct bytes per call, an optional delay,
    and the most prints it saw running at once."""

    def __init__(self, duree=0.0):
        self.duree = duree
        self.appels = 0
        self.en_cours = 0
        self.max_simultanes = 0
        self.verrou = threading.Lock()

    def __call__(self, rendre):
        assert "Rapport annuel" in rendre({})
        with self.verrou:
            self.appels += 1
            numero = self.appels
            self.en_cours += 1
            self.max_simultanes = max(self.max_simultanes, self.en_cours)
        time.sleep(self.duree)
        with self.verrou:
            self.en_cours -= 1
        return f"%PDF-1.4 impression {numero}".encode()


@pytest.fixture
def imprimante(monkeypatch, settings, tmp_path):
    settings.RAPPORT_PDF_DOSSIER_VERROU = tmp_path / "verrou"
    fausse = Imprimante()
    monkeypatch.setattr(rapport, "imprimer_rapport", fausse)
    return fausse


def url(annee):
    return reverse("rapport:pdf", args=[annee])


def test_a_second_request_serves_the_stored_pdf_without_printing(client, imprimante):
    premiere = client.get(url(2020))
    seconde = client.get(url(2020))
    assert premiere.status_code == seconde.status_code == 200
    assert premiere["Content-Type"] == "application/pdf"
    assert premiere.content == seconde.content == b"%PDF-1.4 impression 1"
    assert imprimante.appels == 1
    stocke = RapportPdf.objects.get(annee=2020)
    assert stocke.generation == generation()
    assert bytes(stocke.contenu) == premiere.content
    assert stocke.taille == len(premiere.content)
    assert stocke.duree_rendu >= 0


def test_storing_the_pdf_does_not_move_the_data_generation(client, imprimante):
    avant = generation()
    assert client.get(url(2020)).status_code == 200
    assert RapportPdf.objects.filter(annee=2020, generation=avant).exists()
    assert generation() == avant
    assert "tableaux_rapportpdf" not in {t for t, _ in _triggers()}


def _triggers():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal"
        )
        return cursor.fetchall()


def test_new_data_print_again_and_replace_only_that_year_s_older_pdf(client, imprimante):
    assert client.get(url(2020)).content == b"%PDF-1.4 impression 1"
    assert client.get(url(2021)).content == b"%PDF-1.4 impression 2"
    ancienne = generation()
    Fiche.objects.filter(numero="1.1").update(titre="Titre modifié")
    assert generation() > ancienne
    reponse = client.get(url(2020))
    assert reponse.content == b"%PDF-1.4 impression 3"
    assert imprimante.appels == 3
    assert list(RapportPdf.objects.filter(annee=2020).values_list("generation", flat=True)) == [
        generation()
    ]
    # The other year's PDF waits for its own next request.
    assert list(RapportPdf.objects.filter(annee=2021).values_list("generation", flat=True)) == [
        ancienne
    ]
    assert client.get(url(2020)).content == b"%PDF-1.4 impression 3"
    assert imprimante.appels == 3


def test_without_chromium_the_answer_is_a_french_503(client, settings, tmp_path, monkeypatch):
    settings.RAPPORT_PDF_DOSSIER_VERROU = tmp_path
    monkeypatch.setattr(rapport, "chromium", lambda: None)
    reponse = client.get(url(2020))
    assert reponse.status_code == 503
    assert "Chromium n'est pas installé" in reponse.content.decode()
    assert not RapportPdf.objects.exists()
    # The year's lock was given back: nobody is left waiting on it.
    assert rapport._verrou_annee(2020)
    rapport._liberer_annee(2020)


# --------------------------------------------------------------- concurrency
# Threads have their own database connections, outside the test's
# transaction: what they store is committed, and removed by this fixture.


@pytest.fixture
def en_parallele(imprimante):
    def lancer(urls):
        barriere = threading.Barrier(len(urls))
        reponses = [None] * len(urls)

        def appeler(i, adresse):
            try:
                barriere.wait()
                reponses[i] = Client().get(adresse)
            finally:
                connection.close()

        fils = [threading.Thread(target=appeler, args=(i, u)) for i, u in enumerate(urls)]
        for f in fils:
            f.start()
        for f in fils:
            f.join(60)
        return reponses

    yield lancer

    def nettoyer():
        try:
            RapportPdf.objects.all().delete()
        finally:
            connection.close()

    fil = threading.Thread(target=nettoyer)
    fil.start()
    fil.join(30)


def test_simultaneous_requests_for_a_year_print_it_once(imprimante, en_parallele):
    imprimante.duree = 1.0
    reponses = en_parallele([url(2020)] * 4)
    assert [r.status_code for r in reponses] == [200] * 4
    assert {r.content for r in reponses} == {b"%PDF-1.4 impression 1"}
    assert imprimante.appels == 1


def test_two_years_at_once_never_run_two_chromiums(imprimante, en_parallele):
    imprimante.duree = 0.5
    reponses = en_parallele([url(2020), url(2021), url(2022)])
    assert [r.status_code for r in reponses] == [200] * 3
    assert imprimante.appels == 3
    assert imprimante.max_simultanes == 1


@pytest.fixture
def autre_connexion():
    """A second PostgreSQL session on the test database (another worker)."""
    reglages = connection.settings_dict
    conn = psycopg2.connect(
        dbname=reglages["NAME"],
        user=reglages["USER"],
        password=reglages["PASSWORD"],
        host=reglages["HOST"] or "127.0.0.1",
        port=reglages["PORT"] or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        # A write blocked by the test's own transaction fails instead of hanging.
        cur.execute("SET lock_timeout = '5s'")
    yield conn
    with conn.cursor() as cur:
        cur.execute("DELETE FROM tableaux_rapportpdf")
    conn.close()


def test_while_another_process_prints_the_year_a_caller_waits_then_gets_503(
    client, settings, imprimante, autre_connexion
):
    settings.RAPPORT_PDF_ATTENTE = 1
    with autre_connexion.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s, 2020)", [rapport.VERROU_RAPPORT])
    debut = time.monotonic()
    reponse = client.get(url(2020))
    assert time.monotonic() - debut >= 1
    assert reponse.status_code == 503
    assert 5 <= int(reponse["Retry-After"]) <= 120
    assert "en cours d'impression" in reponse.content.decode()
    assert imprimante.appels == 0
    # Another year is not held up by it.
    assert client.get(url(2021)).status_code == 200
    with autre_connexion.cursor() as cur:
        cur.execute("SELECT pg_advisory_unlock(%s, 2020)", [rapport.VERROU_RAPPORT])
    assert client.get(url(2020)).status_code == 200
    assert imprimante.appels == 2


def test_a_waiting_caller_serves_the_pdf_the_other_process_stores(
    client, settings, imprimante, autre_connexion
):
    settings.RAPPORT_PDF_ATTENTE = 10
    gen = generation()
    with autre_connexion.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s, 2020)", [rapport.VERROU_RAPPORT])

    def imprimer_ailleurs():
        time.sleep(0.7)
        with autre_connexion.cursor() as cur:
            cur.execute(
                "INSERT INTO tableaux_rapportpdf "
                "(annee, generation, contenu, taille, duree_rendu, cree_le) "
                "VALUES (2020, %s, %s, 9, 0.7, now())",
                [gen, b"%PDF-autre"],
            )
            cur.execute("SELECT pg_advisory_unlock(%s, 2020)", [rapport.VERROU_RAPPORT])

    fil = threading.Thread(target=imprimer_ailleurs)
    fil.start()
    debut = time.monotonic()
    reponse = client.get(url(2020))
    fil.join(30)
    assert 0.5 < time.monotonic() - debut < 5
    assert reponse.status_code == 200
    assert reponse.content == b"%PDF-autre"
    assert imprimante.appels == 0


def test_a_pdf_stored_while_the_lock_was_being_taken_is_served_not_printed_again(
    client, imprimante, monkeypatch
):
    # The race the second read under the lock closes: the previous holder
    # stores the PDF and lets go between this request's read and its lock.
    prendre = rapport._verrou_annee

    def stocker_puis_prendre(annee):
        RapportPdf.objects.create(
            annee=annee, generation=generation(), contenu=b"%PDF-juste", taille=10, duree_rendu=1
        )
        return prendre(annee)

    monkeypatch.setattr(rapport, "_verrou_annee", stocker_puis_prendre)
    reponse = client.get(url(2020))
    assert reponse.content == b"%PDF-juste"
    assert imprimante.appels == 0


def test_while_chromium_is_busy_on_this_server_another_year_waits_then_gets_503(
    client, settings, imprimante
):
    settings.RAPPORT_PDF_ATTENTE = 0.6
    settings.RAPPORT_PDF_DOSSIER_VERROU.mkdir(mode=0o755)  # left open to others: closed
    dossier = rapport.dossier_verrou()
    assert dossier == settings.RAPPORT_PDF_DOSSIER_VERROU
    assert dossier.stat().st_mode & 0o777 == 0o700
    fd = os.open(dossier / "chromium.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        reponse = client.get(url(2021))
        assert reponse.status_code == 503
        assert reponse["Retry-After"].isdigit()
        assert "Un autre rapport est en cours d'impression" in reponse.content.decode()
        assert imprimante.appels == 0
    finally:
        os.close(fd)
    # Both locks were given back.
    assert client.get(url(2021)).status_code == 200
    assert imprimante.appels == 1


# --------------------------------------------------------------------- admin


def test_staff_list_the_stored_pdfs_and_delete_one_to_print_it_again(
    staff_client, client, imprimante
):
    client.get(url(2020))
    stocke = RapportPdf.objects.get(annee=2020)
    liste = reverse("admin:tableaux_rapportpdf_changelist")
    page = staff_client.get(liste)
    assert page.status_code == 200
    assert "Rapports annuels en PDF" in page.text
    assert "Supprimer les PDF sélectionnés" in page.text
    assert staff_client.get(reverse("admin:tableaux_rapportpdf_add")).status_code == 403
    fiche = staff_client.get(reverse("admin:tableaux_rapportpdf_change", args=[stocke.pk]))
    assert fiche.status_code == 200
    assert 'name="taille"' not in fiche.text  # read-only
    reponse = staff_client.post(
        liste, {"action": "forcer_impression", "_selected_action": [stocke.pk]}, follow=True
    )
    assert "imprimé de nouveau" in reponse.text
    assert not RapportPdf.objects.exists()
    assert client.get(url(2020)).content == b"%PDF-1.4 impression 2"
