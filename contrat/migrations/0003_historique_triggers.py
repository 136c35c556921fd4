from django.db import migrations

# Frozen: the SQL this migration installed, copied here so that editing
# contrat/historique.py never changes what this migration does. A later
# change of the function is a new migration with its own copy.
FONCTION_SQL = """
CREATE OR REPLACE FUNCTION contrat_historique() RETURNS trigger AS $$
DECLARE
    v_avant jsonb;
    v_apres jsonb;
    v_champs jsonb;
    v_uid text := nullif(current_setting('contrat.utilisateur_id', true), '');
    v_ctx text := coalesce(current_setting('contrat.contexte', true), '');
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN v_avant := to_jsonb(OLD); END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN v_apres := to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT coalesce(jsonb_agg(n.key ORDER BY n.key), '[]'::jsonb) INTO v_champs
        FROM jsonb_each(v_apres) AS n
        WHERE n.value IS DISTINCT FROM v_avant -> n.key;
        IF v_champs = '[]'::jsonb THEN
            RETURN NEW;
        END IF;
    ELSE
        v_champs := '[]'::jsonb;
    END IF;
    INSERT INTO contrat_modification
        ("table", objet_id, operation, avant, apres, champs, utilisateur_id, contexte, date)
    VALUES (
        TG_TABLE_NAME,
        coalesce(v_apres ->> 'id', v_avant ->> 'id', ''),
        TG_OP,
        v_avant,
        v_apres,
        v_champs,
        v_uid::bigint,
        left(v_ctx, 500),
        clock_timestamp()
    );
    RETURN coalesce(NEW, OLD);
END;
$$ LANGUAGE plpgsql;
"""

SUPPRIMER_FONCTION_SQL = "DROP FUNCTION IF EXISTS contrat_historique() CASCADE;"

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
    dependencies = [("contrat", "0002_historique")]

    operations = [
        migrations.RunSQL(FONCTION_SQL, SUPPRIMER_FONCTION_SQL),
        *[migrations.RunSQL(activer_sql(t), desactiver_sql(t)) for t in TABLES],
    ]
