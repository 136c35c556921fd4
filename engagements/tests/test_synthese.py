"""The per-indicator synthesis kept by a trigger always equals the values it sums."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from engagements.models import SyntheseValeurs, Valeur
from engagements.services import grille_enregistrer, valeurs_statuer
from fiches.models import Indicateur

pytestmark = pytest.mark.django_db

ATTENDU = """
SELECT indicateur_id, annee, statut, count(*), sum(valeur),
       count(*) FILTER (WHERE quartier_id IS NULL AND sexe = ''),
       coalesce(sum(valeur) FILTER (WHERE quartier_id IS NULL AND sexe = ''), 0)
FROM engagements_valeur GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""


def synthese():
    return sorted(
        SyntheseValeurs.objects.filter(nb__gt=0).values_list(
            "indicateur_id", "annee", "statut", "nb", "somme", "nb_global", "somme_global"
        )
    )


def attendu():
    with connection.cursor() as cursor:
        cursor.execute(ATTENDU)
        return sorted(tuple(row) for row in cursor.fetchall())


def test_synthesis_follows_inserts_updates_status_changes_and_deletes(campagne, equipe):
    call_command(
        "generer_valeurs_synthetiques",
        "--annees",
        "2021",
        "--statut",
        "brouillon",
        stdout=io.StringIO(),
    )
    assert synthese() == attendu()
    ind = Indicateur.objects.get(code="2019-1.1-1")
    ind.desagregation = Indicateur.Desagregation.QUARTIER
    ind.save()
    Valeur.objects.filter(indicateur=ind).delete()
    valeurs = grille_enregistrer(
        utilisateur=equipe,
        indicateur=ind,
        annee=2021,
        saisies={("gely", ""): ("4", 0), ("cevennes", ""): ("6", 0)},
        soumettre=True,
    )
    valeurs_statuer(utilisateur=equipe, valeurs=[(v, v.version) for v in valeurs], valider=True)
    cinquante = Valeur.objects.filter(statut="brouillon").exclude(indicateur=ind).values("pk")[:50]
    Valeur.objects.filter(pk__in=list(cinquante.values_list("pk", flat=True))).update(valeur=999)
    Valeur.objects.filter(
        pk__in=list(Valeur.objects.filter(statut="brouillon").values_list("pk", flat=True)[:10])
    ).delete()
    assert synthese() == attendu()
    ligne = SyntheseValeurs.objects.get(indicateur=ind, annee=2021, statut="validee")
    assert (ligne.nb, ligne.somme, ligne.nb_global) == (2, 10, 0)


def test_rebuild_gives_the_same_synthesis(campagne):
    call_command("generer_valeurs_synthetiques", "--annees", "2021", stdout=io.StringIO())
    avant = synthese()
    with connection.cursor() as cursor:
        cursor.execute("SELECT engagements_synthese_reconstruire()")
    assert synthese() == avant == attendu()
