"""Find or start the PostgreSQL server the app needs, and print its DATABASE_URL.

Order of preference:

1. ``DATABASE_URL`` already set: used as is (the database is created if missing).
2. A server answering on 127.0.0.1:5432 as ``postgres`` (trust auth, as on
   Debian/CI machines): the ``contrat_ville`` database is created on it.
3. Otherwise a private cluster in ``.pgdata/`` inside the checkout, on port
   54329, started with the machine's PostgreSQL binaries (``pg_config --bindir``
   or ``/usr/lib/postgresql/*/bin``). When run as root, the server runs as the
   ``postgres`` user. If no binaries exist and ``apt-get`` does, they are
   installed (``apt-get install -y postgresql``).
4. If nothing works, exit with a message that says exactly what to install.

Usage: ``python scripts/pgserver.py ensure`` (prints the URL on stdout; progress
goes to stderr), ``python scripts/pgserver.py stop`` (stops the private cluster).

Runs with the project's virtualenv (it needs psycopg2 to probe servers).
"""

import glob
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.getenv("CONTRAT_DB_NAME", "contrat_ville")
PRIVATE_DIR = Path(os.getenv("CONTRAT_PGDATA_DIR", ROOT / ".pgdata"))
PRIVATE_PORT = int(os.getenv("CONTRAT_PG_PORT", "54329"))
# Set CONTRAT_PG_PROBE=0 to skip the shared server and always use the private one.
PROBE_SHARED = os.getenv("CONTRAT_PG_PROBE", "1") != "0"

INSTALL_HINT = (
    "No PostgreSQL server answers on 127.0.0.1:5432 and no PostgreSQL binaries "
    "were found to start a private one.\n"
    "Install PostgreSQL (server and client), for example:\n"
    "  Debian/Ubuntu: sudo apt-get install -y postgresql\n"
    "  Fedora:        sudo dnf install -y postgresql-server\n"
    "  macOS:         brew install postgresql@15\n"
    "or point DATABASE_URL at an existing server:\n"
    "  export DATABASE_URL=postgres://user:password@host:5432/contrat_ville"
)


def log(message):
    print(f"[pgserver] {message}", file=sys.stderr, flush=True)


def can_connect(**params):
    try:
        psycopg2.connect(connect_timeout=3, **params).close()
    except psycopg2.OperationalError:
        return False
    return True


def ensure_database(dbname, **params):
    """Create ``dbname`` on the server reached with ``params`` unless it exists."""
    conn = psycopg2.connect(connect_timeout=5, dbname="postgres", **params)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
            if cur.fetchone() is None:
                log(f"creating database {dbname}")
                cur.execute(
                    sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                        sql.Identifier(dbname)
                    )
                )
    finally:
        conn.close()


def from_env():
    url = os.environ["DATABASE_URL"]
    parsed = urlparse(url)
    params = {
        "host": parsed.hostname or None,
        "port": parsed.port or None,
        "user": parsed.username or None,
        "password": parsed.password or None,
    }
    params = {k: v for k, v in params.items() if v is not None}
    try:
        ensure_database(parsed.path.lstrip("/") or DB_NAME, **params)
    except psycopg2.Error as exc:
        # The URL may point at a database the user may not create; let Django
        # report the real problem when it connects.
        log(f"could not check/create the database of DATABASE_URL: {exc}".strip())
    return url


def shared_server():
    params = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
    if not can_connect(dbname="postgres", **params):
        return None
    ensure_database(DB_NAME, **params)
    return f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"


def find_bindir():
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(out.stdout.strip())

    def version_key(path):
        try:
            return float(Path(path).parent.name)
        except ValueError:
            return 0.0

    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version_key, reverse=True)
    candidates += sorted(glob.glob("/usr/pgsql-*/bin"), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).resolve().parent))
    for bindir in candidates:
        if (Path(bindir) / "initdb").exists() and (Path(bindir) / "pg_ctl").exists():
            return Path(bindir)
    return None


def install_binaries():
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    log("no PostgreSQL binaries found: installing them with apt-get (postgresql)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update"], check=False, env=env, stdout=sys.stderr)
    result = subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"],
        env=env,
        stdout=sys.stderr,
    )
    if result.returncode != 0:
        return None
    return find_bindir()


def run_as_server_user(cmd, **kwargs):
    """Run a server command; as root, PostgreSQL refuses to run, so use `postgres`."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *map(str, cmd)]
    return subprocess.run(list(map(str, cmd)), **kwargs)


def private_server():
    bindir = find_bindir() or install_binaries()
    if bindir is None:
        sys.exit(f"[pgserver] {INSTALL_HINT}")

    data = PRIVATE_DIR / "data"
    sockets = PRIVATE_DIR / "run"
    logfile = PRIVATE_DIR / "server.log"
    PRIVATE_DIR.mkdir(parents=True, exist_ok=True)
    sockets.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        try:
            server_user = pwd.getpwnam("postgres")
        except KeyError:
            sys.exit(
                "[pgserver] running as root but there is no 'postgres' system user "
                "to run the private server; create it (useradd --system postgres) "
                "or run as an ordinary user."
            )
        for path in (PRIVATE_DIR, sockets):
            os.chown(path, server_user.pw_uid, server_user.pw_gid)
        probe = run_as_server_user(["test", "-w", PRIVATE_DIR], capture_output=True)
        if probe.returncode != 0:
            sys.exit(
                f"[pgserver] the 'postgres' user cannot write to {PRIVATE_DIR} "
                "(a parent folder is not traversable). Set CONTRAT_PGDATA_DIR to a "
                "folder it can reach, e.g. CONTRAT_PGDATA_DIR=/var/tmp/contrat-pg."
            )

    if not (data / "PG_VERSION").exists():
        log(f"initialising a private cluster in {data}")
        result = run_as_server_user(
            [
                bindir / "initdb",
                "-D",
                data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            stdout=sys.stderr,
            stderr=sys.stderr,
        )
        if result.returncode != 0:
            sys.exit("[pgserver] initdb failed; see the messages above.")

    params = {"host": "127.0.0.1", "port": PRIVATE_PORT, "user": "postgres"}
    if not can_connect(dbname="postgres", **params):
        log(f"starting the private server on 127.0.0.1:{PRIVATE_PORT}")
        options = f"-p {PRIVATE_PORT} -k {sockets} -c listen_addresses=127.0.0.1"
        result = run_as_server_user(
            [
                bindir / "pg_ctl",
                "-D",
                data,
                "-l",
                logfile,
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            stdout=sys.stderr,
            stderr=sys.stderr,
        )
        if result.returncode != 0:
            sys.exit(f"[pgserver] the private server did not start; see {logfile}.")
        for _ in range(30):
            if can_connect(dbname="postgres", **params):
                break
            time.sleep(1)
        else:
            sys.exit(f"[pgserver] the private server does not answer; see {logfile}.")
    ensure_database(DB_NAME, **params)
    return f"postgres://postgres@127.0.0.1:{PRIVATE_PORT}/{DB_NAME}"


def stop():
    data = PRIVATE_DIR / "data"
    bindir = find_bindir()
    if not (data / "PG_VERSION").exists() or bindir is None:
        log("no private cluster to stop")
        return
    run_as_server_user(
        [bindir / "pg_ctl", "-D", data, "-m", "fast", "stop"], stdout=sys.stderr, stderr=sys.stderr
    )


def ensure():
    if os.getenv("DATABASE_URL"):
        return from_env()
    if PROBE_SHARED:
        url = shared_server()
        if url:
            return url
        log("no server answers on 127.0.0.1:5432")
    return private_server()


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "ensure"
    if command == "ensure":
        print(ensure())
    elif command == "stop":
        stop()
    else:
        sys.exit("usage: pgserver.py ensure|stop")
