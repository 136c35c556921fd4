from django.db import migrations

from contrat.historique import FONCTION_SQL, SUPPRIMER_FONCTION_SQL, activer_sql, desactiver_sql

TABLES = [
    "contrat_contrat",
    "contrat_avenant",
    "contrat_organisation",
    "contrat_aliasorganisation",
    "contrat_signataire",
    "contrat_pilier",
    "contrat_principeintegrateur",
    "contrat_enjeu",
    "contrat_priorite",
    "contrat_objectif",
    "contrat_objectif_enjeux",
    "contrat_axetransversal",
    "contrat_quartier",
]


class Migration(migrations.Migration):
    dependencies = [("contrat", "0002_historique")]

    operations = [
        migrations.RunSQL(FONCTION_SQL, SUPPRIMER_FONCTION_SQL),
        *[migrations.RunSQL(activer_sql(t), desactiver_sql(t)) for t in TABLES],
    ]
