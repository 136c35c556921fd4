from django.db import migrations

from contrat.historique import activer_sql, desactiver_sql

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
