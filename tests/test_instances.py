"""The shared helpers of the system tests and the benchmark
(scripts/instances.py): a throwaway database exists only inside its block,
and two served instances can share one database."""

import json
import os
import urllib.request

import psycopg2
import pytest

from scripts.instances import ROOT as RACINE
from scripts.instances import base_jetable, instance_servie


def bases(url):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT datname, pg_encoding_to_char(encoding) FROM pg_database")
        return dict(cur.fetchall())


@pytest.fixture
def url_serveur():
    url = os.environ.get("DATABASE_URL")
    if not url:
        pytest.skip("DATABASE_URL absent (run through make test)")
    return url


def test_a_throwaway_database_lives_only_inside_its_block(url_serveur):
    nom = "contrat_ville_jetable_" + str(os.getpid())
    with base_jetable(url_serveur, nom, peuplee=False) as url:
        assert bases(url_serveur).get(nom) == "UTF8"
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT current_database()")
            assert cur.fetchone()[0] == nom
        # An open connection does not keep it alive: the drop cuts it.
        reste_ouverte = psycopg2.connect(url)
    assert nom not in bases(url_serveur)
    reste_ouverte.close()


def quartiers(base):
    requete = urllib.request.Request(
        base + "/api/quartiers/", headers={"Accept": "application/json"}
    )
    with urllib.request.urlopen(requete, timeout=30) as reponse:
        return reponse.status, json.loads(reponse.read())


def test_two_instances_serve_the_same_database_and_stop_on_exit(serveur, base_e2e):
    with instance_servie(base_e2e) as seconde:
        assert seconde.url != serveur
        premiere_reponse, seconde_reponse = quartiers(serveur), quartiers(seconde.url)
        assert premiere_reponse[0] == seconde_reponse[0] == 200
        assert premiere_reponse[1] == seconde_reponse[1]
        assert premiere_reponse[1]["count"] == 12
        # Its kept CSV exports go to a folder of its own, never the project's.
        with urllib.request.urlopen(seconde.url + "/api/valeurs/?format=csv", timeout=60) as r:
            assert r.status == 200 and r.read().startswith(b"id,indicateur,")
        assert any(seconde.exports.glob("*.csv"))
        assert not str(seconde.exports).startswith(str(RACINE))
    assert seconde.processus.poll() is not None
    assert not seconde.exports.exists()
    with pytest.raises(OSError):
        quartiers(seconde.url)
