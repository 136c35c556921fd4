"""Annexe 1: every commitment once, verbatim, under its partner; every figure a Cible."""

import re
from decimal import Decimal

import pytest

from engagements.models import Cible, Engagement
from fiches.models import Indicateur

pytestmark = pytest.mark.django_db
DEBRIS = re.compile(r"<\s*/?\s*(p|ul|li|br|span)\b|\*\*|\^\{|\t")


def test_every_commitment_is_there_once_under_its_partner():
    assert Engagement.objects.count() == 94
    par_partenaire = {
        p: Engagement.objects.filter(partenaire=p).count() for p, _ in Engagement.Partenaire.choices
    }
    assert par_partenaire == {
        "metropole-ville": 28,
        "etat": 40,
        "departement": 17,
        "region": 2,
        "caf": 7,
    }
    textes = list(Engagement.objects.values_list("texte", flat=True))
    assert len(textes) == len(set(textes))
    assert all(t.strip() and not DEBRIS.search(t) for t in textes)


def test_commitments_belong_to_an_objective_or_the_transversal_axes():
    assert not Engagement.objects.filter(objectif__isnull=True, axes_transversaux=False).exists()
    assert Engagement.objects.filter(axes_transversaux=True).count() == 10
    for engagement in Engagement.objects.filter(axes_transversaux=True):
        assert engagement.axes.exists()
    premier = Engagement.objects.get(ordre=2)
    assert premier.objectif.numero == 1
    assert sorted(premier.enjeux.values_list("numero", flat=True)) == [1, 8]
    assert {o.slug for o in Engagement.objects.get(ordre=1).organisations.all()} == {
        "metropole",
        "ville-montpellier",
    }


def test_a_cell_printed_in_the_wrong_column_goes_to_its_partner_and_says_so():
    deplace = Engagement.objects.get(deplace=True)
    assert (deplace.partenaire, deplace.colonne_imprimee) == ("etat", "metropole-ville")
    assert deplace.texte.startswith("Au sein du Pic, investir près d'1,5 milliard d'euros")
    assert deplace.motif_deplacement


def test_every_figure_quotes_its_sentence_from_the_commitment():
    for cible in Cible.objects.select_related("engagement"):
        assert cible.phrase in cible.engagement.texte, cible.phrase
        assert cible.valeur_texte.replace("\u00a0", " ") in cible.phrase.replace("\u00a0", " "), (
            cible.phrase
        )
    assert Cible.objects.count() == 155


@pytest.mark.parametrize(
    ("phrase", "valeur", "unite", "nature"),
    [
        ("Objectif : 50 prêts accordés", "50", "nombre", Cible.Nature.CIBLE),
        (
            "Objectif : 25% de jeunes en Garantie Jeunes résidant en QPV",
            "25",
            "%",
            Cible.Nature.CIBLE,
        ),
        ("soit 76 CP et 72 CE1", "76", "nombre", Cible.Nature.CONSTAT),
        ("soit 76 CP et 72 CE1", "72", "nombre", Cible.Nature.CONSTAT),
    ],
)
def test_known_figures(phrase, valeur, unite, nature):
    cible = Cible.objects.get(phrase=phrase, valeur=Decimal(valeur))
    assert (cible.unite, cible.nature) == (unite, nature)


def test_targets_become_indicators_the_partner_reports_on_and_reported_figures_do_not():
    cibles = Cible.objects.filter(nature=Cible.Nature.CIBLE).select_related(
        "indicateur", "engagement"
    )
    assert cibles.count() == 42
    for cible in cibles:
        indicateur = cible.indicateur
        assert indicateur.type == Indicateur.Type.ENGAGEMENT
        assert indicateur.libelle == cible.phrase
        # The figure is the target of its year (the protocol's last when the text gives none).
        annuelle = indicateur.cibles_annuelles.get()
        assert annuelle.valeur == cible.valeur
        assert annuelle.annee == (cible.annee or 2022)
        assert indicateur.organisation.engagements.filter(pk=cible.engagement_id).exists()
    assert not Cible.objects.filter(nature=Cible.Nature.CONSTAT, indicateur__isnull=False).exists()
    garantie = Cible.objects.get(
        phrase__startswith="Objectif : 25% de jeunes en Garantie Jeunes"
    ).indicateur
    assert (garantie.unite, garantie.organisation.slug) == (Indicateur.Unite.POURCENTAGE, "etat")
    plus_de = Indicateur.objects.filter(type="engagement", cible_engagement__comparateur=">")
    assert plus_de.exists() and all(i.sens == Indicateur.Sens.HAUSSE for i in plus_de)
