"""The evolution table's "indicateurs de suivi": one indicator per item of a
cell, headings as a rubrique (tools/transcription/scissions.py). The take-over
of a database seeded before the split: tests/test_seed_reprises.py."""

import importlib.util
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from fiches.models import Evolution, Indicateur
from fiches.reprises import entrees

pytestmark = pytest.mark.django_db

RACINE = Path(settings.BASE_DIR)
SOURCE = RACINE / "tools" / "transcription" / "source" / "avenant-n2-2019.txt"
FIXTURE = RACINE / "fixtures" / "fiches" / "03_fiches_2019.json"


def _outil():
    chemin = RACINE / "tools" / "transcription" / "scissions.py"
    spec = importlib.util.spec_from_file_location("scissions", chemin)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plat(texte):
    return " ".join(re.sub(r"<[^>]*>", " ", texte).split())


def suivi(numero):
    return list(
        Indicateur.objects.filter(
            fiche__version__code="2019", fiche__numero=numero, type="suivi"
        ).order_by("ordre")
    )


def test_no_indicator_label_is_a_heading():
    # The text prints no indicator that ends with a colon: a label that does is
    # a heading ("Objectifs chiffrés :"), which belongs in a rubrique.
    titres = list(Indicateur.objects.filter(libelle__regex=r":\s*$").values_list("code", "libelle"))
    assert titres == []


def test_no_suivi_label_runs_two_indicators_together():
    # A merged cell reads "... réalisées Nombre de participants": a word in
    # lower case, then a capitalised indicator opening, with no separator.
    fusion = re.compile(r"[a-zéèàù.)] (?:Nombre|Taux|Indicateurs|Evolution|Résultats|%) ")
    fusionnes = [
        i.code for i in Indicateur.objects.filter(type="suivi") if fusion.search(i.libelle)
    ]
    assert fusionnes == []


def test_the_merged_cells_are_split_verbatim_with_stable_codes():
    assert [(i.code, i.libelle) for i in suivi("12.2")] == [
        ("2019-12.2-4", "Nombre d'actions réalisées"),
        ("2019-12.2-4b", "Nombre de participants"),
        ("2019-12.2-4c", "Nombre de professionnels formés/sensibilisés"),
    ]
    assert [i.code for i in suivi("2.7")] == [
        "2019-2.7-5",
        "2019-2.7-5b",
        "2019-2.7-5c",
        "2019-2.7-5d",
    ]
    assert suivi("2.7")[2].libelle == "Taux d'évitement des écoles et des établissements concernés"
    assert len(suivi("1.14")) == 6
    assert [i.libelle for i in suivi("5.8")] == [
        "Nombre de parties communes de copropriétés réhabilitées",
        "Nombre de logements en copropriété traités",
    ]
    lignes = SOURCE.read_text(encoding="utf-8").split("\n")
    for numero, ligne in [("12.2", 883), ("2.7", 732), ("1.14", 665), ("5.2", 786), ("5.9", 800)]:
        cellule = _plat(lignes[ligne - 1])
        for indicateur in suivi(numero):
            assert indicateur.libelle in cellule, (numero, indicateur.libelle)


def test_a_heading_qualifies_the_items_under_it():
    cinq_un = [i for i in suivi("5.1") if i.rubrique]
    assert [i.code for i in cinq_un] == ["2019-5.1-7", "2019-5.1-7b", "2019-5.1-7c"]
    assert {i.rubrique for i in cinq_un} == {"Objectifs chiffrés :"}
    assert cinq_un[1].libelle.startswith("50 % des attributions prononcées")
    sorties = [i for i in suivi("1.15") if i.rubrique]
    assert [i.libelle for i in sorties][1:3] == [
        "contrat aidé",
        "Formation : qualifiante, pré-qualifiante",
    ]
    assert {i.rubrique for i in sorties} == {
        "nombre de sorties positives des personnes accompagnées :"
    }
    # The heading's own former code is gone; the fiche's order has no hole.
    assert not Indicateur.objects.filter(code="2019-1.15-12").exists()
    ordres = [
        i.ordre
        for i in Indicateur.objects.filter(fiche__numero="1.15", fiche__version__code="2019")
    ]
    assert sorted(ordres) == list(range(1, len(ordres) + 1))


def test_the_evolution_row_keeps_the_cell_as_printed():
    ligne = Evolution.objects.get(version__code="2019", lignes_source="883")
    assert ligne.indicateurs_suivi_texte == (
        "Nombre d'actions réalisées Nombre de participants Nombre de professionnels "
        "formés/sensibilisés"
    )


def test_the_transcription_step_rebuilds_the_split_from_the_merged_cells():
    outil = _outil()
    objets = json.loads(FIXTURE.read_text(encoding="utf-8"))
    lignes = SOURCE.read_text(encoding="utf-8").split("\n")
    # On the committed fixture, nothing left to do (idempotent).
    assert outil.scinder(json.loads(json.dumps(objets)), lignes) == {}
    # From the merged state the take-over file records, the same split again.
    for entree in entrees():
        numero = entree["fiche"][1]
        modele = next(
            o
            for o in objets
            if o["model"] == "fiches.indicateur" and o["fields"]["fiche"][1] == numero
        )
        objets = [
            o
            for o in objets
            if not (o["model"] == "fiches.indicateur" and o["fields"]["fiche"][1] == numero)
        ]
        for ancien in entree["avant"]:
            copie = json.loads(json.dumps(modele))
            copie["fields"].update(
                code=ancien["code"], ordre=ancien["ordre"], libelle=ancien["libelle"], type="suivi"
            )
            copie["fields"].pop("rubrique", None)
            objets.append(copie)
    changees = outil.scinder(objets, lignes)
    assert sorted(changees) == sorted(e["fiche"][1] for e in entrees())
    for entree in entrees():
        assert changees[entree["fiche"][1]][1] == entree["apres"]


def test_the_take_over_file_matches_the_fixture():
    fixture = {
        o["fields"]["code"]: o["fields"]
        for o in json.loads(FIXTURE.read_text(encoding="utf-8"))
        if o["model"] == "fiches.indicateur"
    }
    for entree in entrees():
        for apres in entree["apres"]:
            ligne = fixture[apres["code"]]
            assert (ligne["ordre"], ligne["libelle"], ligne.get("rubrique", "")) == (
                apres["ordre"],
                apres["libelle"],
                apres["rubrique"],
            )
