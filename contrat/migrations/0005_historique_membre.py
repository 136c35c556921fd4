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


class Migration(migrations.Migration):
    dependencies = [("contrat", "0004_membre")]

    operations = [
        migrations.RunSQL(activer_sql("contrat_membre"), desactiver_sql("contrat_membre")),
    ]
