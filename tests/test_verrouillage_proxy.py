"""The login lockout behind a reverse proxy, on two served processes sharing
one database (as two app servers behind a load balancer): the client is read
from X-Forwarded-For through the one trusted proxy, failures counted on one
server lock that client on the other, and never anyone else."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from contrat.comptes import DEMO_PASSWORD
from scripts.instances import ENV_LIMITES_HAUTES

ROOT = Path(__file__).resolve().parent.parent


def lancer(env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    processus = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tests.wsgi_e2e:application"]
        + ["-b", f"127.0.0.1:{port}", "-w", "1", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    return processus, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def deux_serveurs(serveur):
    # The database that the `serveur` fixture migrated and seeded, with its demo accounts.
    base = os.environ["DATABASE_URL"]
    nom = urlparse(base).path.lstrip("/") + "_e2e"
    url = urlparse(base)._replace(path=f"/{nom}").geturl()
    env = dict(os.environ, DATABASE_URL=url, DEBUG="1", NB_PROXIES_DE_CONFIANCE="1")
    # Token requests here test the lockout, not the rate of token creation.
    env.update(ENV_LIMITES_HAUTES)
    lances = [lancer(env), lancer(env)]
    yield [adresse for _, adresse in lances]
    for processus, _ in lances:
        processus.terminate()
        processus.wait(timeout=20)


def jeton(base, identifiant, mot_de_passe, xff):
    requete = urllib.request.Request(
        base + "/api/jeton/",
        data=urllib.parse.urlencode({"username": identifiant, "password": mot_de_passe}).encode(),
        method="POST",
        headers={"X-Forwarded-For": xff},
    )
    try:
        with urllib.request.urlopen(requete, timeout=30) as reponse:
            return reponse.status
    except urllib.error.HTTPError as erreur:
        return erreur.code


def test_lockout_follows_the_client_behind_the_proxy_across_servers(deux_serveurs):
    a, b = deux_serveurs
    attaquant, proprietaire = "203.0.113.66", "203.0.113.67"
    for _ in range(4):
        assert jeton(a, "demo-region", "mauvais", attaquant) == 401
    # The fifth failure locks (AXES_FAILURE_LIMIT).
    assert jeton(a, "demo-region", "mauvais", attaquant) == 429
    # Locked on the other server too (the attempts are in PostgreSQL)...
    assert jeton(b, "demo-region", DEMO_PASSWORD, attaquant) == 429
    # ...also when the attacker writes another address before the proxy's.
    assert jeton(b, "demo-region", DEMO_PASSWORD, f"{proprietaire}, {attaquant}") == 429
    # The account's owner, from another address, through either server, gets in.
    assert jeton(a, "demo-region", DEMO_PASSWORD, proprietaire) == 200
    assert jeton(b, "demo-region", DEMO_PASSWORD, proprietaire) == 200
