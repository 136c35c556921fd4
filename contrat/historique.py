"""Change history written by the database itself.

A PostgreSQL trigger on each audited table copies every inserted, updated or
deleted row into ``contrat_modification`` (the :class:`~contrat.models.Modification`
model), with the row before and after and the changed columns. Because it is a
trigger, ``QuerySet.update()``, bulk imports and raw SQL are recorded too.

Who made the change is a per-connection setting, ``contrat.utilisateur_id``
(and ``contrat.contexte``), that :class:`AuteurMiddleware` declares for each
request, and :func:`auteur` for services and management commands. It is only
sent before the first write of a request, so read-only requests cost no query.
"""

from contextlib import contextmanager

from django.db import connection

FONCTION_SQL = """
CREATE OR REPLACE FUNCTION contrat_historique() RETURNS trigger AS $$
DECLARE
    v_avant jsonb;
    v_apres jsonb;
    v_champs jsonb;
    v_uid text := nullif(current_setting('contrat.utilisateur_id', true), '');
    v_ctx text := coalesce(current_setting('contrat.contexte', true), '');
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN v_avant := to_jsonb(OLD); END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN v_apres := to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT coalesce(jsonb_agg(n.key ORDER BY n.key), '[]'::jsonb) INTO v_champs
        FROM jsonb_each(v_apres) AS n
        WHERE n.value IS DISTINCT FROM v_avant -> n.key;
        IF v_champs = '[]'::jsonb THEN
            RETURN NEW;
        END IF;
    ELSE
        v_champs := '[]'::jsonb;
    END IF;
    INSERT INTO contrat_modification
        ("table", objet_id, operation, avant, apres, champs, utilisateur_id, contexte, date)
    VALUES (
        TG_TABLE_NAME,
        coalesce(v_apres ->> 'id', v_avant ->> 'id', ''),
        TG_OP,
        v_avant,
        v_apres,
        v_champs,
        v_uid::bigint,
        left(v_ctx, 500),
        clock_timestamp()
    );
    RETURN coalesce(NEW, OLD);
END;
$$ LANGUAGE plpgsql;
"""

SUPPRIMER_FONCTION_SQL = "DROP FUNCTION IF EXISTS contrat_historique() CASCADE;"


def activer_sql(table):
    """SQL that puts ``table`` under history (for a migration's RunSQL)."""
    return (
        f'CREATE TRIGGER {table}_historique AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION contrat_historique();"
    )


def desactiver_sql(table):
    return f'DROP TRIGGER IF EXISTS {table}_historique ON "{table}";'


def _declarer(cursor, utilisateur_id, contexte):
    cursor.execute(
        "SELECT set_config('contrat.utilisateur_id', %s, false), "
        "set_config('contrat.contexte', %s, false)",
        [str(utilisateur_id or ""), (contexte or "")[:500]],
    )


@contextmanager
def auteur(utilisateur, contexte=""):
    """Attribute the writes made inside the block to ``utilisateur``."""
    with connection.cursor() as cursor:
        _declarer(cursor, getattr(utilisateur, "pk", None), contexte)
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                _declarer(cursor, None, "")


ECRITURES = ("INSERT", "UPDATE", "DELETE")


class AuteurMiddleware:
    """Declares the logged-in user to the database before a request's first write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        etat = {"declare": False}

        def wrapper(execute, sql, params, many, context):
            if not etat["declare"] and sql.lstrip()[:6].upper() in ECRITURES:
                user = getattr(request, "user", None)
                uid = user.pk if user is not None and user.is_authenticated else None
                # The raw cursor: going through Django's would re-enter this wrapper.
                _declarer(context["cursor"].cursor, uid, f"{request.method} {request.path}")
                etat["declare"] = True
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            response = self.get_response(request)
        if etat["declare"]:
            with connection.cursor() as cursor:
                _declarer(cursor, None, "")
        return response


# A counter bumped by every statement that writes an audited table (one
# statement-level trigger per table). Its value versions everything the API
# serves: a cached response is valid while the counter has not moved. Writers
# serialise on the counter's row, so a stamp never misses a commit.
GENERATION_SQL = """
CREATE TABLE IF NOT EXISTS contrat_generation (id smallint PRIMARY KEY, valeur bigint NOT NULL);
INSERT INTO contrat_generation (id, valeur) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
CREATE OR REPLACE FUNCTION contrat_generation_incrementer() RETURNS trigger AS $$
BEGIN
    UPDATE contrat_generation SET valeur = valeur + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
SUPPRIMER_GENERATION_SQL = (
    "DROP FUNCTION IF EXISTS contrat_generation_incrementer() CASCADE; "
    "DROP TABLE IF EXISTS contrat_generation;"
)


def generation_sql(table):
    return (
        f'CREATE TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION contrat_generation_incrementer();"
    )


def sans_generation_sql(table):
    return f'DROP TRIGGER IF EXISTS {table}_generation ON "{table}";'


def generation():
    """The current data generation (one indexed read)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT valeur FROM contrat_generation WHERE id = 1")
        ligne = cursor.fetchone()
    return ligne[0] if ligne else 0
