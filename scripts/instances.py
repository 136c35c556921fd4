"""Throwaway databases and served instances, for the system tests and the benchmark.

    with base_jetable(url, "contrat_ville_e2e") as url_e2e:   # created, seeded, dropped
        with instance_servie(url_e2e) as premiere, instance_servie(url_e2e) as seconde:
            ...  # two gunicorn processes on the same database

A throwaway database is created from ``template0`` in UTF-8 on the server of
``url`` and, unless told otherwise, set up as ``make run`` sets it up
(``migrate``, ``seed``, ``create_demo_accounts``). A served instance is gunicorn
on a free local port, ready when a worker has answered a first request, and
stopped on exit. Nothing here reads anything outside the repository.
"""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import psycopg2

ROOT = Path(__file__).resolve().parent.parent

# The rate (config/settings.py, LIMITES_DEBIT) that a served instance gets for
# every scope unless told otherwise: the tests and the benchmark that serve
# the app send thousands of requests from 127.0.0.1, and measure other things.
LIMITE_HAUTE = "1000000/minute"
ENV_LIMITES_HAUTES = {
    f"LIMITE_{portee}": LIMITE_HAUTE
    for portee in ("ANONYME", "CONNECTE", "JETON", "IMPORT", "RAPPORT_PDF")
}

# What `make run` does to a fresh database before serving it.
COMMANDES_PEUPLEMENT = (["migrate", "-v0"], ["seed"], ["create_demo_accounts"])


def url_de_base(url, nom):
    """``url`` pointing at the database ``nom`` of the same server."""
    return urlparse(url)._replace(path=f"/{nom}").geturl()


def _connexion_serveur(url):
    parsed = urlparse(url)
    conn = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def peupler(url):
    """Set the database of ``url`` up as ``make run`` does; raises with the
    command's output if a step fails."""
    env = dict(os.environ, DATABASE_URL=url)
    for commande in COMMANDES_PEUPLEMENT:
        fait = subprocess.run(
            [sys.executable, "manage.py", *commande],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if fait.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(commande)} failed ({fait.returncode}):\n"
                f"{fait.stdout}{fait.stderr}"
            )


@contextmanager
def base_jetable(url, nom, *, peuplee=True):
    """A database ``nom`` on the server of ``url``, yielded as its URL.

    Any previous database of that name is dropped first (a run that was killed
    leaves one behind); the database is dropped on exit, its connections cut.
    ``peuplee=False`` leaves it empty (for a restore, or a caller that times
    the set-up itself with :func:`peupler`).
    """
    admin = _connexion_serveur(url)
    try:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
            cur.execute(f"CREATE DATABASE \"{nom}\" TEMPLATE template0 ENCODING 'UTF8'")
        try:
            url_jetable = url_de_base(url, nom)
            if peuplee:
                peupler(url_jetable)
            yield url_jetable
        finally:
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
    finally:
        admin.close()


def port_libre():
    """A TCP port free on 127.0.0.1 now (another process could take it before
    gunicorn binds it; nothing better exists without passing a socket)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_production():
    """The environment of production mode, minus TLS (served over plain HTTP
    on 127.0.0.1) and with a fresh secret key."""
    return {
        "DJANGO_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "BEHIND_TLS_PROXY": "0",
        "LOG_LEVEL": "WARNING",
    }


@dataclass
class Instance:
    """A running gunicorn: ``url`` is its base address (http://127.0.0.1:port)."""

    url: str
    port: int
    processus: subprocess.Popen
    # Where it keeps the anonymous CSV exports (EXPORTS_DIR).
    exports: Path


def _attendre(processus, port, delai):
    # The master binds the socket before its workers boot: only an HTTP answer
    # (whatever its status) says a worker is serving.
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if processus.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {processus.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/api/quartiers/", headers={"Accept": "application/json"})
            conn.getresponse().read()
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError(f"gunicorn did not answer on port {port} within {delai} s")


@contextmanager
def instance_servie(
    url,
    *,
    wsgi="tests.wsgi_e2e:application",
    workers=2,
    threads=4,
    backlog=None,
    production=False,
    env=None,
    log_level="warning",
    sortie=subprocess.DEVNULL,
    delai=60,
    limites_reelles=False,
    port=None,
):
    """gunicorn serving the database of ``url`` on a free port, yielded as an
    :class:`Instance` once it answers; terminated on exit.

    Each call starts its own process: two calls on the same ``url`` give two
    instances sharing one database (as two servers behind a load balancer).
    ``wsgi`` defaults to the test application, which also serves static files;
    ``production=True`` adds :func:`env_production`; ``env`` adds variables.
    ``sortie=None`` lets gunicorn write to the caller's terminal. The rate
    limits are raised out of reach (:data:`ENV_LIMITES_HAUTES`) unless
    ``limites_reelles=True`` (then the environment's, or ``env``'s, apply).
    ``port`` (from :func:`port_libre`) lets the caller name the address in
    ``env`` before the start (``SITE_URL``, for the links of e-mails).
    """
    port = port or port_libre()
    # Its own folder for the kept CSV exports, removed on exit (never the repo's).
    exports = tempfile.TemporaryDirectory(prefix="contrat-exports-")
    environnement = dict(os.environ, DATABASE_URL=url, EXPORTS_DIR=exports.name)
    if not limites_reelles:
        environnement.update(ENV_LIMITES_HAUTES)
    if production:
        environnement.update(env_production())
    environnement.update(env or {})
    commande = [
        sys.executable,
        "-m",
        "gunicorn",
        wsgi,
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "-k",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        log_level,
    ]
    if backlog is not None:
        commande += ["--backlog", str(backlog)]
    processus = subprocess.Popen(
        commande, cwd=ROOT, env=environnement, stdout=sortie, stderr=sortie
    )
    try:
        _attendre(processus, port, delai)
        yield Instance(
            url=f"http://127.0.0.1:{port}",
            port=port,
            processus=processus,
            exports=Path(environnement["EXPORTS_DIR"]),
        )
    finally:
        processus.terminate()
        try:
            processus.wait(timeout=30)
        except subprocess.TimeoutExpired:
            processus.kill()
            processus.wait()
        exports.cleanup()
