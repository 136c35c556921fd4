"""The annual report's PDF printed once for all servers: two gunicorn processes
on one database (as two app servers behind a load balancer), each with its own
Chromium lock folder (as on two machines, so that only PostgreSQL's advisory
lock can stop a second print), receive simultaneous requests for the same PDF.
Chromium really prints (~15 s): this is the one test that pays for it."""

import shutil
import threading
import urllib.error
import urllib.request

import psycopg2
import pytest

from scripts.instances import instance_servie

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Chromium absent (apt-get install chromium)"
)

PAR_SERVEUR = 3


def obtenir(url):
    try:
        with urllib.request.urlopen(url, timeout=300) as reponse:
            return reponse.status, reponse.read()
    except urllib.error.HTTPError as erreur:
        return erreur.code, erreur.read()


def test_simultaneous_requests_on_two_servers_print_the_pdf_once(base_e2e, tmp_path):
    with psycopg2.connect(base_e2e) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM tableaux_rapportpdf")
    journaux = [tmp_path / "serveur-a.log", tmp_path / "serveur-b.log"]
    with (
        open(journaux[0], "w") as sortie_a,
        open(journaux[1], "w") as sortie_b,
        instance_servie(
            base_e2e,
            sortie=sortie_a,
            log_level="info",
            env={
                "RAPPORT_PDF_ATTENTE": "240",
                "RAPPORT_PDF_DOSSIER_VERROU": str(tmp_path / "verrou-a"),
            },
        ) as a,
        instance_servie(
            base_e2e,
            sortie=sortie_b,
            log_level="info",
            env={
                "RAPPORT_PDF_ATTENTE": "240",
                "RAPPORT_PDF_DOSSIER_VERROU": str(tmp_path / "verrou-b"),
            },
        ) as b,
    ):
        urls = [serveur.url + "/rapport/2021.pdf" for serveur in (a, b)] * PAR_SERVEUR
        barriere = threading.Barrier(len(urls))
        reponses = [None] * len(urls)

        def appeler(i, url):
            barriere.wait()
            reponses[i] = obtenir(url)

        fils = [threading.Thread(target=appeler, args=(i, u)) for i, u in enumerate(urls)]
        for fil in fils:
            fil.start()
        for fil in fils:
            fil.join(320)

    assert [statut for statut, _ in reponses] == [200] * len(urls), reponses
    corps = {contenu for _, contenu in reponses}
    # Chromium stamps each PDF with its creation time: two prints would differ.
    assert len(corps) == 1
    [pdf] = corps
    assert pdf.startswith(b"%PDF")
    with psycopg2.connect(base_e2e) as conn, conn.cursor() as cur:
        cur.execute("SELECT annee, taille, duree_rendu FROM tableaux_rapportpdf")
        lignes = cur.fetchall()
        cur.execute("DELETE FROM tableaux_rapportpdf")
    assert len(lignes) == 1
    annee, taille, duree = lignes[0]
    assert (annee, taille) == (2021, len(pdf))
    assert duree > 1  # a real print
    print(f"{len(urls)} requests on 2 servers: one print of {duree:.1f} s, {taille} bytes")
    # Each print is logged by the server that made it: one, on one server.
    impressions = [j.read_text().count("rapport annuel 2021 : PDF imprimé") for j in journaux]
    assert sorted(impressions) == [0, 1], impressions
