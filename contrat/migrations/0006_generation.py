from django.db import migrations

# Frozen: the SQL this migration installed, copied here so that editing
# contrat/historique.py never changes what this migration does.
GENERATION_SQL = """
CREATE TABLE IF NOT EXISTS contrat_generation (id smallint PRIMARY KEY, valeur bigint NOT NULL);
INSERT INTO contrat_generation (id, valeur) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
CREATE OR REPLACE FUNCTION contrat_generation_incrementer() RETURNS trigger AS $$
BEGIN
    UPDATE contrat_generation SET valeur = valeur + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
SUPPRIMER_GENERATION_SQL = (
    "DROP FUNCTION IF EXISTS contrat_generation_incrementer() CASCADE; "
    "DROP TABLE IF EXISTS contrat_generation;"
)


# The trigger statements, frozen here like the rest of this migration. The DROP
# comes first because contrat's post_migrate handler (contrat/historique.py)
# creates the same trigger on a database migrated only up to before this
# migration; either way the result is the same trigger.
def generation_sql(table):
    return (
        f'DROP TRIGGER IF EXISTS {table}_generation ON "{table}"; '
        f'CREATE TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION contrat_generation_incrementer();"
    )


def sans_generation_sql(table):
    return f'DROP TRIGGER IF EXISTS {table}_generation ON "{table}";'


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
