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
    "engagements_engagement",
    "engagements_engagement_organisations",
    "engagements_engagement_axes",
    "engagements_engagement_enjeux",
    "engagements_cible",
    "engagements_campagne",
    "engagements_evenementcampagne",
    "engagements_valeur",
]


class Migration(migrations.Migration):
    dependencies = [("engagements", "0001_initial"), ("contrat", "0003_historique_triggers")]

    operations = [migrations.RunSQL(activer_sql(t), desactiver_sql(t)) for t in TABLES]
