"""``manage.py seed`` on a database seeded before the fixtures split the
merged "indicateurs de suivi" cells (fiches/reprises.py): load, modify,
reseed. Cross-app: a partner's value (engagements) on a merged indicator."""

import pytest
from django.utils import timezone

from contrat.seeding import seed
from engagements.models import Valeur
from fiches.models import Evolution, FicheQuartier, Indicateur
from fiches.reprises import SUFFIXE_CONSERVE, entrees

pytestmark = pytest.mark.django_db


def suivi(numero):
    return list(
        Indicateur.objects.filter(
            fiche__version__code="2019", fiche__numero=numero, type="suivi"
        ).order_by("ordre")
    )


def _revenir_avant_la_scission():
    """The database as a seed of the fixtures before the split left it:
    merged labels, headings as indicators, no rubrique, no cell text, no
    deduced links."""
    for entree in entrees():
        fiche = entree["fiche"]
        lignes = Indicateur.objects.filter(fiche__version__code=fiche[0], fiche__numero=fiche[1])
        anciens = {a["code"]: a for a in entree["avant"]}
        lignes.exclude(code__in=anciens).delete()
        for rang, ligne in enumerate(lignes):
            Indicateur.objects.filter(pk=ligne.pk).update(ordre=20000 + rang)
        modele = lignes.first()
        for code, ancien in anciens.items():
            ligne = Indicateur.objects.filter(code=code).first() or Indicateur(
                code=code,
                fiche=modele.fiche,
                type="suivi",
                organisation=modele.organisation,
            )
            ligne.ordre, ligne.libelle, ligne.rubrique = ancien["ordre"], ancien["libelle"], ""
            ligne.save()
    Evolution.objects.update(indicateurs_suivi_texte="")
    FicheQuartier.objects.filter(deduit=True).delete()


def test_seed_takes_over_a_database_seeded_before_the_split(django_user_model):
    _revenir_avant_la_scission()
    assert Indicateur.objects.filter(libelle="Objectifs chiffrés :").exists()
    # A partner entered a value on a merged indicator; staff edited another.
    fusionne = Indicateur.objects.get(code="2019-12.2-4")
    assert fusionne.libelle.startswith("Nombre d'actions réalisées Nombre de participants")
    auteur = django_user_model.objects.create_user(username="saisie", password="x-x-x-x-x-42")
    Valeur.objects.create(
        indicateur=fusionne, annee=2021, valeur=7, saisie_par=auteur, saisie_le=timezone.now()
    )
    Indicateur.objects.filter(code="2019-5.8-3").update(libelle="Libellé revu par l'équipe")

    report = seed()

    assert report.kept_rows == [
        ("fiches.indicateur", "5.8 — Libellé revu par l'équipe", ["libelle"])
    ]
    # Split without values: the first item keeps the code, the next are created.
    assert (
        Indicateur.objects.get(code="2019-2.7-5").libelle
        == "% d'enfants qui ont participé à ces actions"
    )
    assert Indicateur.objects.get(code="2019-2.7-5d").ordre == 8
    # Split with values: kept whole, out of entry, with its value; the code is the new first item's.
    conserve = Indicateur.objects.get(code=f"2019-12.2-4{SUFFIXE_CONSERVE}")
    assert conserve.pk == fusionne.pk and not conserve.actif
    assert conserve.valeurs.get().valeur == 7
    assert Indicateur.objects.get(code="2019-12.2-4").libelle == "Nombre d'actions réalisées"
    assert [i.code for i in suivi("12.2") if i.actif] == [
        "2019-12.2-4",
        "2019-12.2-4b",
        "2019-12.2-4c",
    ]
    # Headings without values are gone; the items carry them.
    assert not Indicateur.objects.filter(libelle__regex=r":\s*$").exists()
    assert Indicateur.objects.get(code="2019-1.15-14").rubrique.startswith("nombre de sorties")
    assert report.filled["fiches.indicateur"] == 4  # 1.15's items, seeded without rubrique
    assert report.filled["fiches.evolution"] > 0
    assert FicheQuartier.objects.filter(deduit=True).count() == 4
    assert any("12.2" in phrase and "conservé" in phrase for phrase in report.reprises)

    # A second run changes nothing, and still keeps the staff's edit.
    second = seed()
    assert sum(second.created.values()) == 0
    assert sum(second.filled.values()) == 0
    assert second.reprises == []
    assert [row[1] for row in second.kept_rows] == ["5.8 — Libellé revu par l'équipe"]
