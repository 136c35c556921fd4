"""The service layer of data entry: every rule, whatever the entry point."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contrat.models import Modification, Quartier
from contrat.nombres import ecrire_nombre, lire_nombre
from engagements.models import EvenementCampagne, Valeur
from engagements.services import (
    ConflitEdition,
    GrilleInvalide,
    campagne_fermer,
    campagne_rouvrir,
    cle,
    ecart_a_la_cible,
    grille_cles,
    grille_enregistrer,
    valeurs_statuer,
)
from fiches.models import CibleAnnuelle, Indicateur

pytestmark = pytest.mark.django_db
TOUT = ("", "")


@pytest.fixture
def indicateur():
    """Fiche 1.1's first indicator: "Nombre d'actions...", reported by the Métropole."""
    ind = Indicateur.objects.get_by_natural_key("2019-1.1-1")
    assert ind.organisation.slug == "metropole" and ind.unite == Indicateur.Unite.NOMBRE
    return ind


@pytest.fixture
def metropole(partenaire):
    return partenaire("metropole")


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("1 234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),
        ("1\u202f234", "1234"),
        ("1234,50", "1234.50"),
        ("1234.5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("45 %", "45"),
        ("1 200 €", "1200"),
        ("-3", "-3"),
        ("−3,25", "-3.25"),
        ("0", "0"),
    ],
)
def test_french_numbers_are_read(texte, attendu):
    assert lire_nombre(texte) == Decimal(attendu)


@pytest.mark.parametrize(
    ("texte", "message"),
    [
        ("", "Saisissez un nombre"),
        ("abc", "n'est pas un nombre"),
        ("1,2,3", "une seule virgule"),
        ("1.234", "ambigu"),
        ("12,345", "deux décimales au plus"),
        ("1e5", "notation scientifique"),
        ("999999999999999", "trop grand"),
    ],
)
def test_bad_numbers_get_a_french_message(texte, message):
    with pytest.raises(ValidationError) as excinfo:
        lire_nombre(texte)
    assert message in excinfo.value.messages[0]


def test_numbers_are_written_the_french_way():
    assert ecrire_nombre(Decimal("1234.50")) == "1 234,5"
    assert ecrire_nombre(Decimal("1000000")) == "1 000 000"
    assert ecrire_nombre(Decimal("-0.25")) == "-0,25"
    assert ecrire_nombre(None) == ""


def test_a_partner_saves_a_draft_then_submits(indicateur, metropole, campagne):
    [valeur] = grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: ("1 234", 0)}
    )
    assert (valeur.valeur, valeur.statut, valeur.version) == (
        Decimal(1234),
        Valeur.Statut.BROUILLON,
        1,
    )
    assert valeur.saisie_par == metropole
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={}, soumettre=True
    )
    valeur.refresh_from_db()
    assert (valeur.statut, valeur.version) == (Valeur.Statut.SOUMISE, 2)
    assert valeur.soumise_le is not None


@pytest.mark.parametrize(
    ("unite", "texte", "message"),
    [
        (Indicateur.Unite.POURCENTAGE, "101", "entre 0 et 100"),
        (Indicateur.Unite.POURCENTAGE, "-1", "entre 0 et 100"),
        (Indicateur.Unite.NOMBRE, "2,5", "entier"),
        (Indicateur.Unite.NOMBRE, "-1", "négatif"),
        (Indicateur.Unite.EUROS, "-10", "négative"),
        (Indicateur.Unite.HEURES, "-10", "négative"),
    ],
)
def test_unit_rules(indicateur, metropole, campagne, unite, texte, message):
    indicateur.unite = unite
    indicateur.save()
    with pytest.raises(GrilleInvalide) as excinfo:
        grille_enregistrer(
            utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: (texte, 0)}
        )
    assert message in excinfo.value.erreurs[TOUT][0]
    assert not Valeur.objects.exists()


@pytest.mark.parametrize(
    ("unite", "texte"),
    [
        (Indicateur.Unite.POURCENTAGE, "0"),
        (Indicateur.Unite.POURCENTAGE, "100"),
        (Indicateur.Unite.POURCENTAGE, "33,33"),
        (Indicateur.Unite.NOMBRE, "0"),
        (Indicateur.Unite.AUTRE, "-3,5"),
        ("", "-3,5"),
    ],
)
def test_unit_rules_accept_valid_values(indicateur, metropole, campagne, unite, texte):
    indicateur.unite = unite
    indicateur.save()
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: (texte, 0)}
    )
    assert Valeur.objects.get().valeur == lire_nombre(texte)


def test_a_value_far_from_its_target_needs_a_note_at_submission(indicateur, metropole, campagne):
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2021, valeur=Decimal(100))
    with pytest.raises(GrilleInvalide) as excinfo:
        grille_enregistrer(
            utilisateur=metropole,
            indicateur=indicateur,
            annee=2021,
            saisies={TOUT: ("20", 0)},
            soumettre=True,
        )
    assert "expliquez-la dans la note" in excinfo.value.globales[0]
    assert "cible 2021 (100)" in excinfo.value.globales[0]
    assert not Valeur.objects.exists()
    grille_enregistrer(
        utilisateur=metropole,
        indicateur=indicateur,
        annee=2021,
        saisies={TOUT: ("20", 0)},
        note="Deux actions reportées en 2022.",
        soumettre=True,
    )
    valeur = Valeur.objects.get()
    assert valeur.note == "Deux actions reportées en 2022."
    assert valeur.statut == Valeur.Statut.SOUMISE
    # Close to the target: no note needed.
    indicateur2 = Indicateur.objects.get_by_natural_key("2019-1.1-2")
    CibleAnnuelle.objects.create(indicateur=indicateur2, annee=2021, valeur=Decimal(10))
    grille_enregistrer(
        utilisateur=metropole,
        indicateur=indicateur2,
        annee=2021,
        saisies={TOUT: ("9", 0)},
        soumettre=True,
    )


def test_a_draft_far_from_its_target_always_saves(indicateur, metropole, campagne):
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2021, valeur=Decimal(100))
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: ("20", 0)}
    )
    valeur = Valeur.objects.get()
    assert valeur.valeur == Decimal(20)
    assert valeur.statut == Valeur.Statut.BROUILLON
    # Submitting the draft later asks the note.
    with pytest.raises(GrilleInvalide):
        grille_enregistrer(
            utilisateur=metropole,
            indicateur=indicateur,
            annee=2021,
            saisies={TOUT: ("20", valeur.version)},
            soumettre=True,
        )


def test_a_value_is_compared_with_the_target_of_its_own_year_only(indicateur, metropole, campagne):
    # A 2022 target far from the 2021 value: never compared, no note asked.
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2022, valeur=Decimal(1000))
    assert ecart_a_la_cible(indicateur, 2021, {(None, ""): Decimal(20)}) is None
    grille_enregistrer(
        utilisateur=metropole,
        indicateur=indicateur,
        annee=2021,
        saisies={TOUT: ("20", 0)},
        soumettre=True,
    )
    assert Valeur.objects.get().statut == Valeur.Statut.SOUMISE
    # The same year's target is the one compared.
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2021, valeur=Decimal(21))
    assert ecart_a_la_cible(indicateur, 2021, {(None, ""): Decimal(20)})[1] == Decimal(21)


def test_the_target_check_uses_the_grid_total_for_counts(indicateur, metropole, campagne):
    indicateur.desagregation = Indicateur.Desagregation.QUARTIER
    indicateur.save()
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2021, valeur=Decimal(120))
    saisies = {cle(q, s): ("10", 0) for q, s in grille_cles(indicateur)}  # 12 x 10 = 120
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies=saisies, soumettre=True
    )
    assert Valeur.objects.count() == 12


def test_a_closed_campaign_refuses_writes_until_reopened(indicateur, metropole, campagne, equipe):
    campagne_fermer(utilisateur=equipe, campagne=campagne, motif="Campagne terminée")
    with pytest.raises(ValidationError) as excinfo:
        grille_enregistrer(
            utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: ("5", 0)}
        )
    assert "La campagne 2021 est fermée" in excinfo.value.messages[0]
    # Staff too: closing locks values for everyone.
    with pytest.raises(ValidationError):
        grille_enregistrer(
            utilisateur=equipe, indicateur=indicateur, annee=2021, saisies={TOUT: ("5", 0)}
        )
    with pytest.raises(ValidationError):
        campagne_rouvrir(utilisateur=equipe, campagne=campagne, motif="")
    campagne_rouvrir(
        utilisateur=equipe,
        campagne=campagne,
        motif="Correction demandée par la CAF",
        date_limite=timezone.localdate() + datetime.timedelta(days=30),
    )
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: ("5", 0)}
    )
    actions = list(campagne.evenements.values_list("action", "motif"))
    assert actions == [
        (EvenementCampagne.Action.OUVERTURE, ""),
        (EvenementCampagne.Action.FERMETURE, "Campagne terminée"),
        (EvenementCampagne.Action.REOUVERTURE, "Correction demandée par la CAF"),
    ]


def test_no_campaign_no_entry(indicateur, metropole):
    with pytest.raises(ValidationError) as excinfo:
        grille_enregistrer(
            utilisateur=metropole, indicateur=indicateur, annee=2020, saisies={TOUT: ("5", 0)}
        )
    assert "Aucune campagne de saisie n'existe pour 2020" in excinfo.value.messages[0]


def test_a_partner_writes_only_its_own_indicators(indicateur, partenaire, campagne):
    etat = partenaire("etat")
    with pytest.raises(PermissionDenied):
        grille_enregistrer(
            utilisateur=etat, indicateur=indicateur, annee=2021, saisies={TOUT: ("5", 0)}
        )
    # ...but the État's account covers the State services attached to it.
    ddcs_indicateur = Indicateur.objects.filter(organisation__slug="ddcs-34").first()
    if ddcs_indicateur is None:
        ddcs_indicateur = Indicateur.objects.get_by_natural_key("2019-1.2-1")
        ddcs_indicateur.organisation = etat.membre.organisation.services.get(slug="ddcs-34")
        ddcs_indicateur.save()
    grille_enregistrer(
        utilisateur=etat, indicateur=ddcs_indicateur, annee=2021, saisies={TOUT: ("5", 0)}
    )
    assert not Valeur.objects.filter(indicateur=indicateur).exists()


def test_two_saves_from_the_same_version_one_wins_one_is_refused(
    indicateur, metropole, partenaire, campagne
):
    collegue = partenaire("metropole", username="collegue")
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: ("10", 0)}
    )
    # Both opened the grid at version 1.
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: ("11", 1)}
    )
    with pytest.raises(ConflitEdition) as excinfo:
        grille_enregistrer(
            utilisateur=collegue, indicateur=indicateur, annee=2021, saisies={TOUT: ("99", 1)}
        )
    assert "11" in excinfo.value.message and "partenaire-metropole" in excinfo.value.message
    valeur = Valeur.objects.get()
    assert (valeur.valeur, valeur.version, valeur.saisie_par) == (Decimal(11), 2, metropole)


def test_creating_a_value_someone_else_created_meanwhile_is_a_conflict(
    indicateur, metropole, partenaire, campagne
):
    collegue = partenaire("metropole", username="collegue")
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: ("10", 0)}
    )
    with pytest.raises(ConflitEdition):
        grille_enregistrer(
            utilisateur=collegue, indicateur=indicateur, annee=2021, saisies={TOUT: ("12", 0)}
        )
    assert Valeur.objects.get().valeur == Decimal(10)


def test_a_grid_with_one_bad_cell_saves_nothing(indicateur, metropole, campagne):
    indicateur.desagregation = Indicateur.Desagregation.QUARTIER_SEXE
    indicateur.save()
    cellules = grille_cles(indicateur)
    assert len(cellules) == 24
    saisies = {cle(q, s): ("3", 0) for q, s in cellules}
    mauvaise = cle(*cellules[7])
    saisies[mauvaise] = "trois", 0
    with pytest.raises(GrilleInvalide) as excinfo:
        grille_enregistrer(
            utilisateur=metropole, indicateur=indicateur, annee=2021, saisies=saisies
        )
    assert list(excinfo.value.erreurs) == [mauvaise]
    assert not Valeur.objects.exists()
    saisies[mauvaise] = "4", 0
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies=saisies, soumettre=True
    )
    assert Valeur.objects.filter(statut=Valeur.Statut.SOUMISE).count() == 24
    assert Valeur.objects.filter(quartier=Quartier.objects.get(slug="gely"), sexe="F").exists()


def test_validation_cycle(indicateur, metropole, campagne, equipe):
    grille_enregistrer(
        utilisateur=metropole,
        indicateur=indicateur,
        annee=2021,
        saisies={TOUT: ("7", 0)},
        soumettre=True,
    )
    valeur = Valeur.objects.get()
    with pytest.raises(PermissionDenied):
        valeurs_statuer(utilisateur=metropole, valeurs=[(valeur, valeur.version)], valider=True)
    with pytest.raises(ValidationError):
        valeurs_statuer(utilisateur=equipe, valeurs=[(valeur, valeur.version)], valider=False)
    valeurs_statuer(
        utilisateur=equipe,
        valeurs=[(valeur, valeur.version)],
        valider=False,
        commentaire="Chiffre 2020 ?",
    )
    valeur.refresh_from_db()
    assert (valeur.statut, valeur.commentaire_validation) == (
        Valeur.Statut.REJETEE,
        "Chiffre 2020 ?",
    )
    grille_enregistrer(
        utilisateur=metropole,
        indicateur=indicateur,
        annee=2021,
        saisies={TOUT: ("8", valeur.version)},
        soumettre=True,
    )
    valeur.refresh_from_db()
    valeurs_statuer(utilisateur=equipe, valeurs=[(valeur, valeur.version)], valider=True)
    valeur.refresh_from_db()
    assert (valeur.statut, valeur.valeur, valeur.validee_par) == (
        Valeur.Statut.VALIDEE,
        Decimal(8),
        equipe,
    )
    # A validated value is locked for the partner.
    with pytest.raises(GrilleInvalide) as excinfo:
        grille_enregistrer(
            utilisateur=metropole,
            indicateur=indicateur,
            annee=2021,
            saisies={TOUT: ("9", valeur.version)},
        )
    assert "Valeur validée" in excinfo.value.erreurs[TOUT][0]
    # Validating from a stale version is a conflict.
    with pytest.raises(ConflitEdition):
        valeurs_statuer(utilisateur=equipe, valeurs=[(valeur, 1)], valider=True)


def test_every_write_is_in_the_history_with_its_author(indicateur, metropole, campagne):
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: ("7", 0)}
    )
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: ("8", 1)}
    )
    modifications = Modification.objects.filter(table="engagements_valeur").order_by("id")
    assert [m.operation for m in modifications] == ["INSERT", "UPDATE"]
    assert modifications[1].avant["valeur"] == 7 and modifications[1].apres["valeur"] == 8
    assert {m.utilisateur for m in modifications} == {metropole}
