from django.db import migrations

from contrat.historique import (
    GENERATION_SQL,
    SUPPRIMER_GENERATION_SQL,
    generation_sql,
    sans_generation_sql,
)

# Every table whose rows the API serves.
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
    "contrat_membre",
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
    dependencies = [
        ("contrat", "0005_historique_membre"),
        ("fiches", "0003_code_indicateur"),
        ("engagements", "0002_historique_triggers"),
    ]

    operations = [
        migrations.RunSQL(GENERATION_SQL, SUPPRIMER_GENERATION_SQL),
        *[migrations.RunSQL(generation_sql(t), sans_generation_sql(t)) for t in TABLES],
    ]
