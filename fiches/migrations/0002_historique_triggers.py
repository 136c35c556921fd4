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


TABLES = [
    "fiches_versionplan",
    "fiches_fiche",
    "fiches_fiche_enjeux",
    "fiches_fiche_pilotes",
    "fiches_fiche_partenaires",
    "fiches_fiche_quartiers",
    "fiches_fiche_axes",
    "fiches_souspartie",
    "fiches_indicateur",
    "fiches_evolution",
    "fiches_evolution_fiches_nouvelles",
    "fiches_anomalie",
    "fiches_anomalie_fiches",
]


class Migration(migrations.Migration):
    dependencies = [("fiches", "0001_initial"), ("contrat", "0003_historique_triggers")]

    operations = [migrations.RunSQL(activer_sql(t), desactiver_sql(t)) for t in TABLES]
