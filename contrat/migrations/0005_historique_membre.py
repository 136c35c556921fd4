from django.db import migrations

from contrat.historique import activer_sql, desactiver_sql


class Migration(migrations.Migration):
    dependencies = [("contrat", "0004_membre")]

    operations = [
        migrations.RunSQL(activer_sql("contrat_membre"), desactiver_sql("contrat_membre")),
    ]
