"""make backup / make restore round-trip the database: same rows, same
content, triggers included."""

import shutil

import psycopg2
import pytest
from django.db import connection

from scripts.instances import base_jetable
from scripts.sauvegarde import restaurer, sauvegarder

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="client PostgreSQL absent"),
]

EMPREINTES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1
"""


def empreintes(conn):
    """Row count and an md5 of every row's text, per table; and the triggers."""
    with conn.cursor() as cur:
        cur.execute(EMPREINTES)
        tables = [t for (t,) in cur.fetchall()]
        resultat = {}
        for table in tables:
            cur.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            )
            resultat[table] = cur.fetchone()
        cur.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1")
        resultat["__triggers__"] = [t for (t,) in cur.fetchall()]
    return resultat


def test_backup_then_restore_gives_the_same_database(tmp_path, django_db_blocker):
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    with base_jetable(url, settings["NAME"] + "_restauration", peuplee=False) as url_copie:
        fichier = sauvegarder(url, tmp_path / "sauvegarde.dump")
        assert fichier.stat().st_size > 10_000
        restaurer(url_copie, fichier)
        source = psycopg2.connect(url)
        cible = psycopg2.connect(url_copie)
        avant, apres = empreintes(source), empreintes(cible)
        source.close()
        cible.close()
        assert avant["fiches_fiche"][0] == 147 and avant["engagements_engagement"][0] == 94
        assert "engagements_valeur_historique" in avant["__triggers__"]
        assert apres == avant
