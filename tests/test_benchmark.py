"""The benchmark's synthetic values follow the app's grid, not a copy of it."""

import pytest
from django.db import connection

from bench.benchmark import VALEURS_SQL, parametres_valeurs
from contrat.models import Quartier
from engagements.models import Valeur
from engagements.services import cle, grille_cles
from fiches.models import Indicateur, VersionPlan


@pytest.mark.django_db
def test_synthetic_values_fill_the_apps_grid_for_each_year_of_the_plan(equipe):
    # A thirteenth quartier: a benchmark that typed "12 quartiers" would miss it.
    Quartier.objects.create(slug="quartier-d-essai", nom="Quartier d'essai", ordre=13)
    with connection.cursor() as cur:
        parametres = parametres_valeurs(cur, volume=10_000, user=equipe.pk)
        cur.execute(VALEURS_SQL, parametres)

    plan = VersionPlan.objects.get(en_vigueur=True)
    annees = range(plan.annee_debut, plan.annee_fin + 1)
    indicateur = (
        Indicateur.objects.filter(actif=True, organisation__isnull=False).order_by("id").first()
    )
    assert indicateur.desagregation == Indicateur.Desagregation.QUARTIER_SEXE
    attendu = {(annee, *cle(q, s)) for annee in annees for q, s in grille_cles(indicateur)}
    assert len(attendu) == len(annees) * 13 * len(Valeur.Sexe)
    valeurs = {
        (v.annee, v.quartier.slug, v.sexe)
        for v in Valeur.objects.filter(indicateur=indicateur, synthetique=True).select_related(
            "quartier"
        )
    }
    assert valeurs == attendu
    assert parametres["indicateurs"] == -(-10_000 // len(attendu))
    assert Valeur.objects.filter(synthetique=True).count() == 10_000


@pytest.mark.django_db
def test_synthetic_indicators_are_added_beyond_the_seeded_ones(equipe):
    with connection.cursor() as cur:
        existants = Indicateur.objects.filter(actif=True, organisation__isnull=False).count()
        parametres = parametres_valeurs(cur, volume=100_000, user=equipe.pk)
    par_indicateur = 4 * Quartier.objects.count() * len(Valeur.Sexe)  # 2019-2022
    assert parametres["indicateurs"] == -(-100_000 // par_indicateur)
    assert parametres["extra"] == max(0, parametres["indicateurs"] - existants)
    assert parametres["sexes"] == [s.value for s in Valeur.Sexe]
