from django.db import migrations

from contrat.historique import activer_sql, desactiver_sql

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
