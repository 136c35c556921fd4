"""Every table of the apps carries the history and generation triggers, except
an explicit allow-list, and a new table gets them without anyone naming it."""

import pytest
from django.apps import apps
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, models

from contrat.historique import (
    SANS_TRIGGERS,
    apps_du_projet,
    generation,
    installer_triggers,
    tables_suivies,
    triggers_manquants,
)
from contrat.models import Modification

pytestmark = pytest.mark.django_db

# The two definitions as PostgreSQL reports them (pg_get_triggerdef), written
# out here rather than taken from contrat/historique.py, so that a change of
# either is seen.
HISTORIQUE = (
    "CREATE TRIGGER {t}_historique AFTER INSERT OR DELETE OR UPDATE ON {s}.{t} "
    "FOR EACH ROW EXECUTE FUNCTION contrat_historique()"
)
GENERATION = (
    "CREATE TRIGGER {t}_generation AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON {s}.{t} "
    "FOR EACH STATEMENT EXECUTE FUNCTION contrat_generation_incrementer()"
)
# Triggers that some tables carry besides the two (engagements/migrations/0004).
AUTRES = {
    "engagements_valeur": {
        "CREATE TRIGGER engagements_valeur_synthese AFTER INSERT OR DELETE OR UPDATE "
        "ON {s}.engagements_valeur FOR EACH ROW EXECUTE FUNCTION engagements_synthese_maj()"
    },
}


def _schema():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def _tables_des_apps():
    """Every table of the database named after one of the project's apps
    (read from the catalog, not from the models)."""
    prefixes = tuple(f"{config.label}_" for config in apps_du_projet())
    with connection.cursor() as cursor:
        return {t for t in connection.introspection.table_names(cursor) if t.startswith(prefixes)}


def _definitions():
    """{table: {trigger definition}} for every user trigger of the schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
        )
        definitions = {}
        for table, definition in cursor.fetchall():
            definitions.setdefault(table, set()).add(definition)
    return definitions


def _ecarts():
    """What differs from: every table of the apps outside the allow-list has
    exactly the two triggers (plus those of AUTRES)."""
    s, definitions = _schema(), _definitions()
    ecarts = []
    for table in sorted(_tables_des_apps() - SANS_TRIGGERS.keys()):
        attendues = {HISTORIQUE.format(t=table, s=s), GENERATION.format(t=table, s=s)}
        attendues |= {d.format(s=s) for d in AUTRES.get(table, ())}
        if definitions.get(table, set()) != attendues:
            manque = sorted(attendues - definitions.get(table, set()))
            en_trop = sorted(definitions.get(table, set()) - attendues)
            ecarts.append(f"{table}: missing {manque}, unexpected {en_trop}")
    return ecarts


def test_every_table_of_the_apps_has_the_history_and_generation_triggers():
    assert len(_tables_des_apps()) > 40  # the catalog was read, the four apps were found
    assert _ecarts() == []
    assert triggers_manquants() == []


def test_the_tracked_tables_are_all_the_tables_of_the_apps_but_the_allow_list():
    # The list built from the models misses no table (many-to-many ones included).
    assert set(tables_suivies()) == _tables_des_apps() - SANS_TRIGGERS.keys()
    assert "fiches_fiche_enjeux" in tables_suivies()


def test_allow_listed_tables_exist_and_carry_neither_trigger():
    definitions = _definitions()
    for table in SANS_TRIGGERS:
        assert table in _tables_des_apps(), f"{table}: stale entry of the allow-list"
        fonctions = " ".join(definitions.get(table, ()))
        assert "contrat_historique" not in fonctions
        assert "contrat_generation_incrementer" not in fonctions


def test_a_dropped_trigger_is_reported_then_restored_by_migrate():
    with connection.cursor() as cursor:
        cursor.execute('DROP TRIGGER fiches_fiche_axes_generation ON "fiches_fiche_axes"')
        cursor.execute('DROP TRIGGER contrat_quartier_historique ON "contrat_quartier"')
    attendus = [("contrat_quartier", "historique"), ("fiches_fiche_axes", "generation")]
    assert sorted(triggers_manquants()) == attendus
    assert len(_ecarts()) == 2

    # What `migrate` runs at its end (contrat/apps.py's post_migrate handler).
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert triggers_manquants() == []
    assert _ecarts() == []
    assert installer_triggers() == []  # idempotent: nothing left to create


@pytest.fixture
def nouveau_modele():
    """A model added to an app, with its table, as a new migration would
    create it: nobody lists it anywhere."""

    class EssaiTriggers(models.Model):
        libelle = models.CharField(max_length=50)

        class Meta:
            app_label = "gouvernance"

        def __str__(self):
            return self.libelle

    try:
        with connection.schema_editor() as editor:
            editor.create_model(EssaiTriggers)
        yield EssaiTriggers
    finally:
        # The table goes with the test's transaction; the model leaves the registry.
        del apps.all_models["gouvernance"]["essaitriggers"]
        apps.clear_cache()


def test_a_new_table_gets_both_triggers_without_being_named(nouveau_modele):
    table = nouveau_modele._meta.db_table
    assert table in tables_suivies()
    assert sorted(triggers_manquants()) == [(table, "generation"), (table, "historique")]

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert triggers_manquants() == []
    assert _ecarts() == []
    # And they work: the write is in the history and moves the generation.
    avant = generation()
    ligne = nouveau_modele.objects.create(libelle="essai")
    assert generation() == avant + 1
    assert Modification.objects.filter(table=table, objet_id=str(ligne.pk)).count() == 1
