from django.db import migrations


# The trigger statements, frozen here like the rest of this migration. The DROP
# comes first because contrat's post_migrate handler (contrat/historique.py)
# creates the same trigger on a database migrated only up to before this
# migration; either way the result is the same trigger.
def activer_sql(table):
    return (
        f'DROP TRIGGER IF EXISTS {table}_historique ON "{table}"; '
        f'CREATE TRIGGER {table}_historique AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION contrat_historique();"
    )


def desactiver_sql(table):
    return f'DROP TRIGGER IF EXISTS {table}_historique ON "{table}";'


def generation_sql(table):
    return (
        f'DROP TRIGGER IF EXISTS {table}_generation ON "{table}"; '
        f'CREATE TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION contrat_generation_incrementer();"
    )


def sans_generation_sql(table):
    return f'DROP TRIGGER IF EXISTS {table}_generation ON "{table}";'


TABLES = [
    "gouvernance_instance",
    "gouvernance_instance_fiches",
    "gouvernance_evenement",
    "gouvernance_evenement_fiches",
    "gouvernance_pointevenement",
    "gouvernance_document",
    "gouvernance_conseilcitoyen",
    "gouvernance_preconisation",
    "gouvernance_reponsepreconisation",
]


class Migration(migrations.Migration):
    dependencies = [("gouvernance", "0001_initial"), ("contrat", "0006_generation")]

    operations = [
        *[migrations.RunSQL(activer_sql(t), desactiver_sql(t)) for t in TABLES],
        *[migrations.RunSQL(generation_sql(t), sans_generation_sql(t)) for t in TABLES],
    ]
