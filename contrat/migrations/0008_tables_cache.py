"""The tables of the shared caches when there is no Redis (config/settings.py):
API answers and dashboard bodies in ``contrat_cache``, rate-limit counters in
``contrat_cache_limites``. The same columns as ``manage.py createcachetable``
creates, so Django's database cache reads them; created here so that
``migrate`` (``make run``, ``make test``, a deployment) is all it takes.
Neither carries the history or generation triggers (contrat/historique.py)."""

from django.db import migrations

TABLES = ("contrat_cache", "contrat_cache_limites")


def creer(table):
    return (
        f'CREATE TABLE "{table}" ('
        '"cache_key" varchar(255) NOT NULL PRIMARY KEY, '
        '"value" text NOT NULL, '
        '"expires" timestamp with time zone NOT NULL); '
        f'CREATE INDEX "{table}_expires" ON "{table}" ("expires");'
    )


class Migration(migrations.Migration):
    dependencies = [("contrat", "0007_section_texte")]

    operations = [migrations.RunSQL(creer(table), f'DROP TABLE "{table}";') for table in TABLES]
