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
from pathlib import Path

from django.apps import apps
from django.db import InterfaceError, OperationalError, connection, connections, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver

# What this connection has declared, as ``(user id, context)`` strings;
# ``None`` when unknown (a transaction that will roll back takes its
# set_config with it). Kept on the connection object (one per thread).
AUCUNE = ("", "")


def _declarer(cursor, utilisateur_id, contexte):
    declaration = (str(utilisateur_id or ""), (contexte or "")[:500])
    cursor.execute(
        "SELECT set_config('contrat.utilisateur_id', %s, false), "
        "set_config('contrat.contexte', %s, false)",
        list(declaration),
    )
    connection.contrat_declaration = declaration


def _declaration():
    return getattr(connection, "contrat_declaration", AUCUNE)


@receiver(connection_created)
def _nouvelle_session(sender, connection, **kwargs):
    # A new database session has declared nothing, whatever the last one had.
    connection.contrat_declaration = AUCUNE


@contextmanager
def auteur(utilisateur, contexte=""):
    """Attribute the writes made inside the block to ``utilisateur``, with
    ``contexte`` as their origin in the history. Inside a request, this wins
    over the request's default (the path, see :class:`AuteurMiddleware`). On
    exit, the declaration in force before the block comes back."""
    precedente = _declaration()
    with connection.cursor() as cursor:
        _declarer(cursor, getattr(utilisateur, "pk", None), contexte)
    connection.contrat_explicites = getattr(connection, "contrat_explicites", 0) + 1
    try:
        yield
    finally:
        connection.contrat_explicites -= 1
        if connection.needs_rollback:
            # No query allowed until the rollback, which may undo the set_config.
            connection.contrat_declaration = None
        else:
            with connection.cursor() as cursor:
                _declarer(cursor, *(precedente or AUCUNE))


ECRITURES = ("INSERT", "UPDATE", "DELETE")


class AuteurMiddleware:
    """Declares the logged-in user to the database before a request's first
    write, with the request (method and path) as the default context.

    A service that declares its own context with :func:`auteur` ("validation",
    "saisie 2019-1.1-1 2021"...) keeps it: inside an ``auteur`` block the
    middleware declares nothing, and after it the request's default is
    declared again before the next write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        etat = {"declare": False}

        def wrapper(execute, sql, params, many, context):
            if sql.lstrip()[:6].upper() in ECRITURES and not getattr(
                connection, "contrat_explicites", 0
            ):
                user = getattr(request, "user", None)
                uid = user.pk if user is not None and user.is_authenticated else None
                defaut = (str(uid or ""), f"{request.method} {request.path}"[:500])
                if _declaration() != defaut:
                    # The raw cursor: going through Django's would re-enter this wrapper.
                    _declarer(context["cursor"].cursor, *defaut)
                    etat["declare"] = True
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            response = self.get_response(request)
        if etat["declare"]:
            try:
                if _declaration() != AUCUNE:
                    with connection.cursor() as cursor:
                        _declarer(cursor, None, "")
            except (InterfaceError, OperationalError):
                # The connection broke during the request (PostgreSQL
                # restarting): the declaration went with its session, and the
                # answer (a 503 from BaseIndisponibleMiddleware) stands.
                connection.close_if_unusable_or_obsolete()
        return response


# A counter bumped by every statement that writes an audited table (one
# statement-level trigger per table). Its value versions everything the API
# serves: a cached response is valid while the counter has not moved. Writers
# serialise on the counter's row, so a stamp never misses a commit.
def generation():
    """The current data generation (one indexed read)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT valeur FROM contrat_generation WHERE id = 1")
        ligne = cursor.fetchone()
    return ligne[0] if ligne else 0


# ------------------------------------------------------------------ triggers
# Which tables carry the two triggers is decided here, from the models, and
# nowhere else. The SQL functions the triggers call are installed by
# migrations, and their text is frozen there: contrat_historique() by
# contrat/migrations/0003, contrat_generation_incrementer() and its counter by
# contrat/migrations/0006. Changing a function is a new migration with its own
# copy of the text (CREATE OR REPLACE FUNCTION), never an edit here.
#
# The triggers are created by a post_migrate handler (contrat/apps.py), not by
# a migration: a migration runs once, at its place in the graph, so a table
# created by a later migration would need one more such migration, which is
# exactly what gets forgotten (and without the generation trigger, the API's
# cached answers about that table would never expire). post_migrate runs after
# every `migrate` (deployment, `make run`, the test database), sees every model
# of the code, and creates only what is missing: a new model gets its triggers
# without anyone typing its table's name. When nothing is missing it costs two
# catalog queries.

# Tables of the apps that must NOT carry the triggers, and why.
SANS_TRIGGERS = {
    "contrat_modification": "the history itself: its trigger would record its own rows",
    "contrat_generation": "the generation counter (a table of migration 0006, no model): "
    "bumping it would fire its own trigger",
    "contrat_cache": "the shared cache of API answers and dashboard bodies (a table of "
    "migration 0008, no model): versioned by the generation, it must not bump it",
    "contrat_cache_limites": "the rate-limit counters (a table of migration 0008, no model): "
    "written on every request, they are neither history nor data",
    "engagements_synthesevaleurs": "written only by the engagements_valeur_synthese trigger, "
    "inside a write to engagements_valeur that is already recorded and already bumps "
    "the generation",
    "notifications_notification": "a mailbox, not data: marking a message read must not make "
    "the API caches stale, and the history would copy every e-mail",
    "notifications_preferences": "a user's mail settings, not data (same reason)",
    "tableaux_rapportpdf": "the annual report's PDF stored for one data generation (a cache "
    "entry, not data): the generation trigger would make each PDF stale as it is stored, and "
    "the history would copy every PDF's bytes",
}

# Kind of trigger: (the function it calls, the statement that creates it).
TRIGGERS = {
    "historique": (
        "contrat_historique",
        'CREATE TRIGGER "{table}_historique" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION contrat_historique()",
    ),
    "generation": (
        "contrat_generation_incrementer",
        'CREATE TRIGGER "{table}_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
        'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION contrat_generation_incrementer()',
    ),
}

# The project's apps are those whose package sits at the root of the
# repository (next to this app); Django's and third-party apps live elsewhere.
RACINE = Path(__file__).resolve().parent.parent


def apps_du_projet():
    return [c for c in apps.get_app_configs() if Path(c.path).resolve().parent == RACINE]


def tables_suivies():
    """Every table that must carry the history and generation triggers: the
    tables of the project's concrete models, with the many-to-many tables
    Django creates for them, minus :data:`SANS_TRIGGERS`."""
    tables = set()
    for config in apps_du_projet():
        for model in config.get_models(include_auto_created=True):
            meta = model._meta
            if meta.managed and not meta.proxy and not meta.swapped:
                tables.add(meta.db_table)
    return sorted(tables - SANS_TRIGGERS.keys())


def triggers_manquants(using="default"):
    """``(table, kind)`` for each tracked table of the database that has no
    trigger calling that kind's function (read from ``pg_trigger``)."""
    connexion = connections[using]
    with connexion.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, p.proname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
        )
        presents = set(cursor.fetchall())
        existantes = set(connexion.introspection.table_names(cursor))
    return [
        (table, genre)
        for table in tables_suivies()
        if table in existantes
        for genre, (fonction, _) in TRIGGERS.items()
        if (table, fonction) not in presents
    ]


def installer_triggers(using="default"):
    """Create the missing triggers (see :func:`triggers_manquants`) and return
    them; idempotent. A kind whose function is not installed yet (a database
    migrated back before contrat 0006, say) is left alone."""
    connexion = connections[using]
    if connexion.vendor != "postgresql":
        return []
    manquants = triggers_manquants(using)
    if not manquants:
        return []
    with transaction.atomic(using=using), connexion.cursor() as cursor:
        cursor.execute(
            "SELECT proname FROM pg_proc WHERE proname = ANY(%s) "
            "AND pronamespace = current_schema()::regnamespace",
            [[fonction for fonction, _ in TRIGGERS.values()]],
        )
        fonctions = {ligne[0] for ligne in cursor.fetchall()}
        crees = [(table, genre) for table, genre in manquants if TRIGGERS[genre][0] in fonctions]
        for table, genre in crees:
            cursor.execute(TRIGGERS[genre][1].format(table=table))
    return crees
