"""Aggregates for dashboards, computed by PostgreSQL over *validated* values.

Progress against target: for an indicator with a target and a year, the
value is the validated "all quartiers / both sexes" cell when there is one;
otherwise the sum of its validated cells where the unit adds up (counts,
euros, hours, days), or their mean (percentages, other). Progress is
value ÷ target (target ÷ value when lower is better), in %. A group's
``avancement_moyen`` averages the progress of its indicators that have a
value, each capped at 100 % so one outlier does not hide the others.

Series (``fiches.LienSerie``, confirmed): a member's values are its
reference's. A member with a target is measured against the reference's
values; a member whose reference has a target too is left out, so that a
fact told twice by the avenant counts once.
"""

from django.db import connection
from django.db.models import Avg, Count, Sum

from engagements.models import Valeur
from fiches.models import Indicateur

UNITES_ADDITIVES = Indicateur.UNITES_ADDITIVES

GROUPES = {
    "objectif": "COALESCE(o1.numero, o2.numero)",
    "fiche": "fi.numero",
    "partenaire": "org.slug",
    "indicateur": "c.code",
    "annee": "NULL",
}

PROGRESSION_SQL = """
WITH annees AS (
    SELECT annee FROM engagements_campagne {filtre_annee_campagne}
),
series AS (
    SELECT l.indicateur_id, l.reference_id FROM fiches_lienserie l WHERE l.statut = 'confirme'
),
cibles AS (
    -- Indicators with at least one yearly target; each year is measured
    -- against its own year's target only (mesures, below). source_id: whose
    -- values are read (the series' reference for a member).
    SELECT i.id, i.code, i.fiche_id, i.organisation_id, i.unite, i.sens,
           COALESCE(se.reference_id, i.id) AS source_id,
           CASE WHEN r.actif THEN se.reference_id END AS reference_active_id
    FROM fiches_indicateur i
    LEFT JOIN series se ON se.indicateur_id = i.id
    LEFT JOIN fiches_indicateur r ON r.id = se.reference_id
    WHERE i.actif AND EXISTS (SELECT 1 FROM fiches_cibleannuelle ca WHERE ca.indicateur_id = i.id)
),
faits AS (
    -- From the per-indicator synthesis kept by a trigger, not the values themselves.
    SELECT s.indicateur_id, s.annee,
           CASE WHEN s.nb_global > 0 THEN s.somme_global END AS global,
           s.somme,
           s.somme / NULLIF(s.nb, 0) AS moyenne
    FROM engagements_synthesevaleurs s
    WHERE s.statut = 'validee' AND s.nb > 0 AND s.indicateur_id IN (SELECT source_id FROM cibles) {filtre_annee_valeur}
),
mesures AS (
    SELECT c.*, a.annee, ca.valeur AS valeur_cible,
           COALESCE(f.global, CASE WHEN c.unite IN %(additives)s THEN f.somme ELSE f.moyenne END) AS valeur
    FROM cibles c
    CROSS JOIN annees a
    JOIN fiches_cibleannuelle ca ON ca.indicateur_id = c.id AND ca.annee = a.annee
    LEFT JOIN faits f ON f.indicateur_id = c.source_id AND f.annee = a.annee
    -- A member and its reference both with a target that year: the fact counts once.
    WHERE NOT EXISTS (
        SELECT 1 FROM fiches_cibleannuelle rc
        WHERE rc.indicateur_id = c.reference_active_id AND rc.annee = a.annee
    )
),
calculs AS (
    SELECT m.*,
           CASE
               WHEN m.valeur IS NULL THEN NULL
               WHEN m.sens = 'baisse' THEN CASE WHEN m.valeur > 0 THEN m.valeur_cible / m.valeur * 100 END
               ELSE CASE WHEN m.valeur_cible <> 0 THEN m.valeur / m.valeur_cible * 100 END
           END AS avancement
    FROM mesures m
)
SELECT {groupe} AS groupe, c.annee,
       COUNT(*) AS nb_cibles,
       COUNT(c.valeur) AS nb_renseignes,
       COUNT(*) FILTER (WHERE c.avancement >= 100) AS nb_atteints,
       -- LEAST() skips NULLs: indicators without a value must stay out of the mean.
       ROUND(AVG(CASE WHEN c.avancement IS NOT NULL THEN LEAST(c.avancement, 100) END), 1) AS avancement_moyen
FROM calculs c
LEFT JOIN fiches_fiche fi ON fi.id = c.fiche_id
LEFT JOIN contrat_objectif o1 ON o1.id = fi.objectif_id
LEFT JOIN engagements_cible ci ON ci.indicateur_id = c.id
LEFT JOIN engagements_engagement e ON e.id = ci.engagement_id
LEFT JOIN contrat_objectif o2 ON o2.id = e.objectif_id
LEFT JOIN contrat_organisation org ON org.id = c.organisation_id
{filtre_groupe}
GROUP BY 1, 2
ORDER BY 1, 2
"""


def progression(*, par="objectif", annee=None):
    """Rows of progress against target, grouped by ``par`` and year."""
    if par not in GROUPES:
        raise ValueError(par)
    params = {"additives": UNITES_ADDITIVES}
    filtre_campagne = filtre_valeur = ""
    if annee is not None:
        params["annee"] = int(annee)
        filtre_campagne = "WHERE annee = %(annee)s"
        filtre_valeur = "AND s.annee = %(annee)s"
    filtre_groupe = "WHERE fi.numero IS NOT NULL" if par == "fiche" else ""
    sql = PROGRESSION_SQL.format(
        groupe=GROUPES[par],
        filtre_annee_campagne=filtre_campagne,
        filtre_annee_valeur=filtre_valeur,
        filtre_groupe=filtre_groupe,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        colonnes = [c.name for c in cursor.description]
        lignes = [dict(zip(colonnes, row, strict=True)) for row in cursor.fetchall()]
    for ligne in lignes:
        # "groupe" always holds the group's key; the column named after ``par`` too.
        if par == "annee":
            ligne["groupe"] = ligne["annee"]
        else:
            ligne[par] = ligne["groupe"]
    return lignes


def repartition(*, indicateur, annee, par="quartier"):
    """Validated values of one indicator and year, summed (units that add
    up) or averaged (percentages, other) by quartier or by sex. A member of
    a series reads its reference's values (``lu_sous`` names it)."""
    source = indicateur.source_des_valeurs()
    additive = source.additive
    champ = {"quartier": "quartier__slug", "sexe": "sexe"}[par]
    valeurs = Valeur.objects.filter(indicateur=source, annee=annee, statut=Valeur.Statut.VALIDEE)
    if par == "quartier":
        valeurs = valeurs.filter(quartier__isnull=False)
    else:
        valeurs = valeurs.exclude(sexe="")
    lignes = (
        valeurs.values(champ)
        .annotate(valeur=Sum("valeur") if additive else Avg("valeur"), nb_valeurs=Count("pk"))
        .order_by(champ)
    )
    return {
        "indicateur": indicateur.code,
        "annee": annee,
        "par": par,
        "lu_sous": source.code if source.pk != indicateur.pk else None,
        "operation": "somme" if additive else "moyenne",
        "unite": source.unite,
        "resultats": [
            {par: ligne[champ], "valeur": ligne["valeur"], "nb_valeurs": ligne["nb_valeurs"]}
            for ligne in lignes
        ],
    }
