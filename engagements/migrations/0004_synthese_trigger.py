from django.db import migrations

# Keeps engagements_synthesevaleurs equal to
#   SELECT indicateur_id, annee, statut, count(*), sum(valeur),
#          count(*) FILTER (global cell), sum(valeur) FILTER (global cell)
#   FROM engagements_valeur GROUP BY indicateur_id, annee, statut
# on every insert, update and delete (a test checks it against that query).
FONCTION = """
CREATE OR REPLACE FUNCTION engagements_synthese_maj() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE engagements_synthesevaleurs SET
            nb = nb - 1,
            somme = somme - OLD.valeur,
            nb_global = nb_global - CASE WHEN OLD.quartier_id IS NULL AND OLD.sexe = '' THEN 1 ELSE 0 END,
            somme_global = somme_global - CASE WHEN OLD.quartier_id IS NULL AND OLD.sexe = '' THEN OLD.valeur ELSE 0 END
        WHERE indicateur_id = OLD.indicateur_id AND annee = OLD.annee AND statut = OLD.statut;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO engagements_synthesevaleurs AS s (indicateur_id, annee, statut, nb, somme, nb_global, somme_global)
        VALUES (
            NEW.indicateur_id, NEW.annee, NEW.statut, 1, NEW.valeur,
            CASE WHEN NEW.quartier_id IS NULL AND NEW.sexe = '' THEN 1 ELSE 0 END,
            CASE WHEN NEW.quartier_id IS NULL AND NEW.sexe = '' THEN NEW.valeur ELSE 0 END
        )
        ON CONFLICT (indicateur_id, annee, statut) DO UPDATE SET
            nb = s.nb + 1,
            somme = s.somme + EXCLUDED.somme,
            nb_global = s.nb_global + EXCLUDED.nb_global,
            somme_global = s.somme_global + EXCLUDED.somme_global;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Rebuild from scratch (after a bulk load with the trigger disabled).
CREATE OR REPLACE FUNCTION engagements_synthese_reconstruire() RETURNS void AS $$
BEGIN
    DELETE FROM engagements_synthesevaleurs;
    INSERT INTO engagements_synthesevaleurs (indicateur_id, annee, statut, nb, somme, nb_global, somme_global)
    SELECT indicateur_id, annee, statut, count(*), sum(valeur),
           count(*) FILTER (WHERE quartier_id IS NULL AND sexe = ''),
           coalesce(sum(valeur) FILTER (WHERE quartier_id IS NULL AND sexe = ''), 0)
    FROM engagements_valeur GROUP BY indicateur_id, annee, statut;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER engagements_valeur_synthese
AFTER INSERT OR UPDATE OR DELETE ON engagements_valeur
FOR EACH ROW EXECUTE FUNCTION engagements_synthese_maj();

SELECT engagements_synthese_reconstruire();
"""

RETOUR = """
DROP TRIGGER IF EXISTS engagements_valeur_synthese ON engagements_valeur;
DROP FUNCTION IF EXISTS engagements_synthese_maj();
DROP FUNCTION IF EXISTS engagements_synthese_reconstruire();
"""


class Migration(migrations.Migration):
    dependencies = [("engagements", "0003_synthese"), ("contrat", "0006_generation")]

    operations = [migrations.RunSQL(FONCTION, RETOUR)]
