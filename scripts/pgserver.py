"""Find or start the PostgreSQL server the app needs, and print its DATABASE_URL.

Order of preference:

1. ``DATABASE_URL`` already set: used as is (the database is created if missing).
2. A server answering on 127.0.0.1:5432 as ``postgres`` (trust auth, as on
   Debian/CI machines): the ``contrat_ville`` database is created on it.
3. Otherwise a private cluster in ``.pgdata/`` inside the checkout, on port
   54329, started with the machine's PostgreSQL binaries (``pg_config --bindir``
   or ``/usr/lib/postgresql/*/bin``). When run as root, the server runs as the
   ``postgres`` user; if that user cannot reach the checkout (it sits in a
   mode-700 home or temporary folder), the cluster goes to
   ``/var/tmp/contrat-pg-<hash of the checkout's path>/`` instead, on a port
   derived from the same hash (54330-54929), so two checkouts never share one.
   ``CONTRAT_PGDATA_DIR`` and ``CONTRAT_PG_PORT`` override both. If no binaries
   exist and ``apt-get`` does, they are installed (``apt-get install -y postgresql``).
4. If nothing works, exit with a message that says exactly what to install.

Usage: ``python scripts/pgserver.py ensure`` (prints the URL on stdout; progress
goes to stderr), ``python scripts/pgserver.py stop`` (stops the private cluster),
``python scripts/pgserver.py clean`` (stops it and removes its folder),
``python scripts/pgserver.py where`` (prints its folder and port).

Runs with the project's virtualenv (it needs psycopg2 to probe servers).
"""

import glob
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.getenv("CONTRAT_DB_NAME", "contrat_ville")
DEFAULT_PORT = 54329
# Where the cluster goes when the server user cannot reach the checkout: a
# folder every user can traverse, that survives reboots less often than /tmp.
FALLBACK_PARENT = Path("/var/tmp")
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
        # The current folder may be out of the server user's reach (the case
        # the fallback folder is for): start from one it can enter.
        kwargs.setdefault("cwd", "/")
    return subprocess.run(list(map(str, cmd)), **kwargs)


def server_user_can_reach(path):
    """Whether the user the server runs as can traverse every folder down to ``path``.

    Only root hands the server to another user (``postgres``); anyone else runs
    it as themselves, and they can reach their own checkout."""
    if os.geteuid() != 0:
        return True
    probe = run_as_server_user(["test", "-x", path], capture_output=True)
    return probe.returncode == 0


def project_hash(root):
    return hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:10]


def fallback_location(root):
    """The project-specific folder and port used when the checkout is unreachable.

    Both derive from the checkout's path: the same checkout always finds its
    cluster again (``stop``, ``clean``), two checkouts never share one."""
    digest = project_hash(root)
    return FALLBACK_PARENT / f"contrat-pg-{digest}", DEFAULT_PORT + 1 + int(digest, 16) % 600


def automatic_locations(root):
    """Every folder this checkout's cluster may live in without an override."""
    return [Path(root) / ".pgdata", fallback_location(root)[0]]


def private_location(root=ROOT, reachable=server_user_can_reach):
    """The private cluster's folder and port: the overrides, else ``.pgdata/``
    in the checkout, else (the server user cannot reach it) the fallback."""
    folder, port = Path(root) / ".pgdata", DEFAULT_PORT
    if not reachable(root):
        folder, port = fallback_location(root)
    if os.getenv("CONTRAT_PGDATA_DIR"):
        # Absolute: server commands run from / when root.
        folder = Path(os.environ["CONTRAT_PGDATA_DIR"]).absolute()
    if os.getenv("CONTRAT_PG_PORT"):
        port = int(os.environ["CONTRAT_PG_PORT"])
    return folder, port


def make_fallback_folder(folder, server_user):
    """Create the fallback folder in /var/tmp, refusing one planted there.

    Its name is predictable and /var/tmp is writable by everyone: another user
    could have put a symlink or their own folder there, which root must neither
    chown nor hand to the server."""
    try:
        folder.mkdir(mode=0o700)
        log(f"the 'postgres' user cannot reach {ROOT}: private cluster in {folder}")
        (folder / "PROJECT").write_text(f"Private PostgreSQL cluster of {ROOT}\n")
    except FileExistsError:
        pass
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid not in (0, server_user.pw_uid):
        sys.exit(
            f"[pgserver] {folder} exists but is not a folder owned by root or "
            "'postgres'; remove it, or set CONTRAT_PGDATA_DIR to another folder."
        )


def private_server():
    bindir = find_bindir() or install_binaries()
    if bindir is None:
        sys.exit(f"[pgserver] {INSTALL_HINT}")

    private_dir, port = private_location()
    data = private_dir / "data"
    sockets = private_dir / "run"
    logfile = private_dir / "server.log"
    server_user = None
    if os.geteuid() == 0:
        try:
            server_user = pwd.getpwnam("postgres")
        except KeyError:
            sys.exit(
                "[pgserver] running as root but there is no 'postgres' system user "
                "to run the private server; create it (useradd --system postgres) "
                "or run as an ordinary user."
            )
    if server_user and not os.getenv("CONTRAT_PGDATA_DIR") and private_dir != ROOT / ".pgdata":
        make_fallback_folder(private_dir, server_user)
    private_dir.mkdir(parents=True, exist_ok=True)
    sockets.mkdir(exist_ok=True)
    if server_user:
        for path in (private_dir, sockets):
            os.chown(path, server_user.pw_uid, server_user.pw_gid)
        probe = run_as_server_user(["test", "-w", private_dir], capture_output=True)
        if probe.returncode != 0:
            sys.exit(
                f"[pgserver] the 'postgres' user cannot write to {private_dir} "
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

    params = {"host": "127.0.0.1", "port": port, "user": "postgres"}
    if can_connect(dbname="postgres", **params):
        check_same_cluster(data, **params)
    else:
        log(f"starting the private server on 127.0.0.1:{port}")
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1"
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
    return f"postgres://postgres@127.0.0.1:{port}/{DB_NAME}"


def check_same_cluster(data, **params):
    """Refuse to use a server on our port that serves another folder's cluster
    (another checkout's): its data would land there and `stop` would miss it."""
    conn = psycopg2.connect(connect_timeout=5, dbname="postgres", **params)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW data_directory")
            serving = Path(cur.fetchone()[0])
    finally:
        conn.close()
    if serving.resolve() != data.resolve():
        sys.exit(
            f"[pgserver] port {params['port']} is taken by the cluster in {serving}, not this "
            f"checkout's ({data}). Stop that one, or set CONTRAT_PG_PORT to a free port."
        )


def cluster_folders():
    """The folders to look for this checkout's cluster in: the override, or
    every automatic place (the checkout may have become reachable since)."""
    if os.getenv("CONTRAT_PGDATA_DIR"):
        return [Path(os.environ["CONTRAT_PGDATA_DIR"]).absolute()]
    return automatic_locations(ROOT)


def stop():
    bindir = find_bindir()
    running = [f for f in cluster_folders() if (f / "data" / "postmaster.pid").exists()]
    if not running or bindir is None:
        log("no private cluster to stop")
        return
    for folder in running:
        log(f"stopping the private cluster in {folder}")
        run_as_server_user(
            [bindir / "pg_ctl", "-D", folder / "data", "-m", "fast", "stop"],
            stdout=sys.stderr,
            stderr=sys.stderr,
        )


def clean():
    """Stop the cluster and remove the folders this script made for it (an
    override folder is the user's: it is stopped, never removed)."""
    stop()
    if os.getenv("CONTRAT_PGDATA_DIR"):
        log(f"CONTRAT_PGDATA_DIR is set: {os.environ['CONTRAT_PGDATA_DIR']} is kept")
        return
    for folder in automatic_locations(ROOT):
        if folder.is_symlink():
            folder.unlink()
        elif folder.exists():
            log(f"removing {folder}")
            shutil.rmtree(folder)


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
    elif command == "clean":
        clean()
    elif command == "where":
        folder, port = private_location()
        print(f"{folder} 127.0.0.1:{port}")
    else:
        sys.exit("usage: pgserver.py ensure|stop|clean|where")
