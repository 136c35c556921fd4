from django.db import migrations

from contrat.historique import activer_sql, desactiver_sql, generation_sql, sans_generation_sql

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
