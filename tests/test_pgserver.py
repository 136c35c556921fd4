"""Where the private PostgreSQL cluster lives (scripts/pgserver.py).

As root the server runs as `postgres`; a checkout in a mode-700 folder (a home
or temporary folder) is out of its reach, so the cluster goes to a folder of
/var/tmp named after the checkout's path, and stop/clean find it there."""

import importlib.util
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "pgserver.py"

as_root = pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the server to another user")


@pytest.fixture
def pgserver(monkeypatch):
    for variable in ("CONTRAT_PGDATA_DIR", "CONTRAT_PG_PORT"):
        monkeypatch.delenv(variable, raising=False)
    spec = importlib.util.spec_from_file_location("pgserver_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reachable_checkout_keeps_its_pgdata_folder(pgserver):
    assert pgserver.private_location("/srv/a", reachable=lambda p: True) == (
        Path("/srv/a/.pgdata"),
        54329,
    )


def test_unreachable_checkout_gets_its_own_folder_and_port_in_var_tmp(pgserver):
    def unreachable(path):
        return False

    folder_a, port_a = pgserver.private_location("/root/tmp/a/proj", reachable=unreachable)
    folder_b, port_b = pgserver.private_location("/root/tmp/b/proj", reachable=unreachable)
    assert folder_a.parent == Path("/var/tmp") and folder_a.name.startswith("contrat-pg-")
    assert folder_a != folder_b and port_a != port_b
    assert 54330 <= port_a <= 54929 and 54330 <= port_b <= 54929
    # The same checkout always finds the same place again (stop, clean).
    assert pgserver.private_location("/root/tmp/a/proj", reachable=unreachable) == (
        folder_a,
        port_a,
    )
    assert folder_a in pgserver.automatic_locations("/root/tmp/a/proj")


def test_overrides_win_over_the_automatic_place(pgserver, monkeypatch):
    monkeypatch.setenv("CONTRAT_PGDATA_DIR", "/srv/pg")
    monkeypatch.setenv("CONTRAT_PG_PORT", "55555")
    assert pgserver.private_location("/root/x", reachable=lambda p: False) == (
        Path("/srv/pg"),
        55555,
    )


def test_a_planted_fallback_folder_is_refused(pgserver, tmp_path):
    # /var/tmp is writable by everyone and the name is predictable: root must
    # not chown whatever another user put there.
    (tmp_path / "cible").mkdir()
    plante = tmp_path / "contrat-pg-plante"
    plante.symlink_to(tmp_path / "cible")
    nobody = pwd.struct_passwd(("x", "x", 65534, 65534, "", "/", "/bin/sh"))
    with pytest.raises(SystemExit, match="not a folder owned by root"):
        pgserver.make_fallback_folder(plante, nobody)


@as_root
def test_postgres_cannot_reach_a_checkout_in_a_mode_700_folder(pgserver):
    prive = Path(tempfile.mkdtemp(prefix="contrat-prive-"))
    public = Path(tempfile.mkdtemp(prefix="contrat-public-", dir="/var/tmp"))
    try:
        prive.chmod(0o700)
        public.chmod(0o755)
        (prive / "proj").mkdir()
        (public / "proj").mkdir()
        assert not pgserver.server_user_can_reach(prive / "proj")
        assert pgserver.server_user_can_reach(public / "proj")
    finally:
        shutil.rmtree(prive)
        shutil.rmtree(public)


def run(command, env, **kwargs):
    return subprocess.run(
        [sys.executable, "scripts/pgserver.py", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        **kwargs,
    )


@as_root
def test_checkout_in_a_private_folder_gets_a_cluster_that_stop_and_clean_find():
    """The issue's case, for real: no variable but CONTRAT_PG_PROBE=0."""
    prive = Path(tempfile.mkdtemp(prefix="contrat-prive-"))
    prive.chmod(0o700)
    checkout = prive / "proj"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, checkout / "scripts" / "pgserver.py")
    env = dict(os.environ, CONTRAT_PG_PROBE="0", CONTRAT_DB_NAME="contrat_ville_prive")
    for variable in ("DATABASE_URL", "CONTRAT_PGDATA_DIR", "CONTRAT_PG_PORT"):
        env.pop(variable, None)
    where = run("where", env, cwd=checkout)
    folder, address = where.stdout.split()
    folder, port = Path(folder), int(address.rsplit(":", 1)[1])
    autre = Path(tempfile.mkdtemp(prefix="contrat-autre-", dir="/var/tmp"))
    autre.chmod(0o755)
    try:
        assert folder.parent == Path("/var/tmp") and port != 54329, where.stdout
        result = run("ensure", env, cwd=checkout)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"postgres://postgres@127.0.0.1:{port}/contrat_ville_prive"
        assert (folder / "data" / "PG_VERSION").exists()
        assert not (checkout / ".pgdata").exists()
        import psycopg2

        conn = psycopg2.connect(result.stdout.strip())
        with conn.cursor() as cur:
            cur.execute("SHOW data_directory")
            assert Path(cur.fetchone()[0]) == folder / "data"
        conn.close()

        # Another cluster told to use the same port refuses the one already there.
        conflit = run(
            "ensure",
            dict(env, CONTRAT_PGDATA_DIR=str(autre / "pg"), CONTRAT_PG_PORT=str(port)),
            cwd=checkout,
        )
        assert conflit.returncode != 0
        assert f"port {port} is taken by the cluster in {folder / 'data'}" in conflit.stderr

        stopped = run("stop", env, cwd=checkout)
        assert stopped.returncode == 0, stopped.stderr
        assert not (folder / "data" / "postmaster.pid").exists()
        cleaned = run("clean", env, cwd=checkout)
        assert cleaned.returncode == 0, cleaned.stderr
        assert not folder.exists()
    finally:
        run("stop", env, cwd=checkout)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(autre, ignore_errors=True)
        shutil.rmtree(prive, ignore_errors=True)
