"""Status lights (tableaux/feux.py): the rule at its thresholds, the
follow-ups, the roll-ups per fiche, objective and partner, and the query
counts."""

from decimal import Decimal

import pytest
from django.utils import timezone

from contrat.models import Objectif, Organisation
from engagements.models import Campagne, SuiviAction, Valeur
from fiches.models import CibleAnnuelle, Fiche, Indicateur, LienSerie
from tableaux import feux

pytestmark = pytest.mark.django_db


def valeur(equipe, code, annee, montant, statut=Valeur.Statut.VALIDEE, **cellule):
    # Written directly: these tests are about reading; the services have their own.
    return Valeur.objects.create(
        indicateur=Indicateur.objects.get(code=code),
        annee=annee,
        valeur=Decimal(montant),
        statut=statut,
        saisie_par=equipe,
        saisie_le=timezone.now(),
        **cellule,
    )


def cible(code, annee, montant):
    return CibleAnnuelle.objects.create(
        indicateur=Indicateur.objects.get(code=code), annee=annee, valeur=Decimal(montant)
    )


def suivi(equipe, fiche_numero, annee, avancement, statut=SuiviAction.Statut.VALIDE):
    fiche = Fiche.objects.en_vigueur().get(numero=fiche_numero)
    return SuiviAction.objects.create(
        annee=annee,
        fiche=fiche,
        organisation=fiche.pilotes.first(),
        avancement=avancement,
        statut=statut,
        saisi_par=equipe,
        saisi_le=timezone.now(),
    )


@pytest.mark.parametrize(
    ("montant", "attendu"),
    [
        ("120", feux.BONNE_VOIE),
        ("90", feux.BONNE_VOIE),
        ("89.99", feux.A_SURVEILLER),
        ("60", feux.A_SURVEILLER),
        ("59.99", feux.HORS_TRAJECTOIRE),
        ("0", feux.HORS_TRAJECTOIRE),
    ],
)
def test_an_indicator_light_at_the_thresholds(equipe, montant, attendu):
    cible("2019-1.1-1", 2021, "100")
    valeur(equipe, "2019-1.1-1", 2021, montant)
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    feu = feux.feu_indicateur(indicateur, 2021)
    assert feu.code == attendu
    assert feu.cible == Decimal("100")
    assert feu.valeur == Decimal(montant)
    assert feux.feux_indicateurs(2021)[indicateur.pk].code == attendu


def test_thresholds_come_from_the_settings(equipe, settings):
    settings.FEUX_SEUILS = {"bonne_voie": 100, "a_surveiller": 95}
    cible("2019-1.1-1", 2021, "100")
    valeur(equipe, "2019-1.1-1", 2021, "96")
    assert feux.feu_indicateur(Indicateur.objects.get(code="2019-1.1-1"), 2021).code == (
        feux.A_SURVEILLER
    )
    assert "100 %" in feux.regle() and "95 %" in feux.regle()


def test_no_target_no_value_a_draft_or_another_year_is_no_data(equipe):
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    valeur(equipe, "2019-1.1-1", 2021, "50")
    assert feux.feu_indicateur(indicateur, 2021).code == feux.PAS_DE_DONNEE  # no target
    cible("2019-1.1-2", 2021, "10")
    valeur(equipe, "2019-1.1-2", 2021, "10", statut=Valeur.Statut.SOUMISE)
    valeur(equipe, "2019-1.1-2", 2020, "10")
    second = Indicateur.objects.get(code="2019-1.1-2")
    assert feux.feu_indicateur(second, 2021).code == feux.PAS_DE_DONNEE
    assert feux.feux_indicateurs(2021)[second.pk].code == feux.PAS_DE_DONNEE


def test_lower_is_better_and_the_target_of_the_same_year_only(equipe):
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    indicateur.sens = Indicateur.Sens.BAISSE
    indicateur.save()
    cible("2019-1.1-1", 2021, "30")
    cible("2019-1.1-1", 2022, "300")
    valeur(equipe, "2019-1.1-1", 2021, "40")  # 30 / 40 = 75 %
    feu = feux.feu_indicateur(indicateur, 2021)
    assert feu.code == feux.A_SURVEILLER
    assert feu.avancement == Decimal("75")


def test_cells_add_up_when_there_is_no_total(equipe):
    from contrat.models import Quartier

    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    indicateur.desagregation = Indicateur.Desagregation.QUARTIER
    indicateur.save()
    cible("2019-1.1-1", 2021, "100")
    q1, q2 = Quartier.objects.all()[:2]
    valeur(equipe, "2019-1.1-1", 2021, "50", quartier=q1)
    valeur(equipe, "2019-1.1-1", 2021, "45", quartier=q2)
    assert feux.feu_indicateur(indicateur, 2021).valeur == Decimal("95")
    assert feux.feux_indicateurs(2021)[indicateur.pk].code == feux.BONNE_VOIE


def test_a_series_member_reads_its_reference_s_values(equipe):
    membre = Indicateur.objects.get(code="2019-1.1-2")
    reference = Indicateur.objects.get(code="2019-1.1-1")
    LienSerie.objects.create(
        indicateur=membre, reference=reference, origine="manuelle", statut="confirme"
    )
    cible("2019-1.1-2", 2021, "10")
    valeur(equipe, "2019-1.1-1", 2021, "10")
    assert feux.feu_indicateur(membre, 2021).code == feux.BONNE_VOIE
    assert feux.feux_indicateurs(2021)[membre.pk].code == feux.BONNE_VOIE


@pytest.mark.parametrize(
    ("avancement", "attendu"),
    [
        ("realise", feux.BONNE_VOIE),
        ("en_cours", feux.BONNE_VOIE),
        ("a_venir", feux.BONNE_VOIE),
        ("en_retard", feux.A_SURVEILLER),
        ("suspendu", feux.A_SURVEILLER),
        ("abandonne", feux.HORS_TRAJECTOIRE),
        ("", feux.PAS_DE_DONNEE),
    ],
)
def test_a_validated_follow_up_counts_by_its_progress(equipe, avancement, attendu):
    fiche = Fiche.objects.en_vigueur().get(numero="1.1")
    suivi(equipe, "1.1", 2021, avancement)
    assert feux.feux_fiches(2021)[fiche.pk].code == attendu


def test_an_unvalidated_follow_up_does_not_count(equipe):
    fiche = Fiche.objects.en_vigueur().get(numero="1.1")
    suivi(equipe, "1.1", 2021, "abandonne", statut=SuiviAction.Statut.SOUMIS)
    assert feux.feu_de(feux.feux_fiches(2021), fiche.pk).code == feux.PAS_DE_DONNEE


def test_roll_ups_take_the_least_favourable_light_and_count_each(equipe):
    fiche = Fiche.objects.en_vigueur().get(numero="1.1")
    cible("2019-1.1-1", 2021, "100")
    valeur(equipe, "2019-1.1-1", 2021, "95")
    cible("2019-1.1-2", 2021, "100")
    valeur(equipe, "2019-1.1-2", 2021, "70")
    calcul = feux.calculer(2021)
    feu_fiche = calcul.fiches[fiche.pk]
    assert feu_fiche.code == feux.A_SURVEILLER
    assert feu_fiche.comptes[feux.BONNE_VOIE] == 1
    assert feu_fiche.comptes[feux.A_SURVEILLER] == 1
    assert feu_fiche.comptes[feux.PAS_DE_DONNEE] == fiche.indicateurs.count() - 2
    assert "1 en bonne voie, 1 à surveiller" in feu_fiche.detail
    objectif = Objectif.objects.get(numero=1)
    assert calcul.objectifs[objectif.pk].code == feux.A_SURVEILLER
    assert calcul.objectifs[Objectif.objects.get(numero=2).pk].code == feux.PAS_DE_DONNEE
    metropole = Organisation.objects.get(slug="metropole")
    assert calcul.partenaires[metropole.pk].code == feux.A_SURVEILLER
    assert calcul.partenaires[Organisation.objects.get(slug="etat").pk].code == (feux.PAS_DE_DONNEE)
    # An off-track follow-up makes the whole fiche and objective off track.
    suivi(equipe, "1.1", 2021, "abandonne")
    calcul = feux.calculer(2021)
    assert calcul.fiches[fiche.pk].code == feux.HORS_TRAJECTOIRE
    assert calcul.objectifs[objectif.pk].code == feux.HORS_TRAJECTOIRE


def test_a_partner_answers_for_its_attached_services(equipe):
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    service = Organisation.objects.get(slug="academie-montpellier")
    indicateur.organisation = service
    indicateur.save()
    cible("2019-1.1-1", 2021, "100")
    valeur(equipe, "2019-1.1-1", 2021, "10")
    partenaires = feux.feux_partenaires(2021)
    assert partenaires[service.pk].code == feux.HORS_TRAJECTOIRE
    assert partenaires[Organisation.objects.get(slug="etat").pk].code == feux.HORS_TRAJECTOIRE


def test_a_commitment_target_counts_for_its_objective(equipe):
    indicateur = Indicateur.objects.filter(
        type=Indicateur.Type.ENGAGEMENT, cible_engagement__engagement__objectif__isnull=False
    ).first()
    objectif = indicateur.cible_engagement.engagement.objectif
    CibleAnnuelle.objects.update_or_create(
        indicateur=indicateur, annee=2021, defaults={"valeur": Decimal("100")}
    )
    Valeur.objects.create(
        indicateur=indicateur,
        annee=2021,
        valeur=Decimal("100"),
        statut=Valeur.Statut.VALIDEE,
        saisie_par=equipe,
        saisie_le=timezone.now(),
    )
    assert feux.feux_objectifs(2021)[objectif.pk].code == feux.BONNE_VOIE


def test_every_light_of_a_year_in_a_fixed_number_of_queries(equipe, django_assert_num_queries):
    for code in ["2019-1.1-1", "2019-1.1-2", "2019-2.1-1"]:
        cible(code, 2021, "100")
        valeur(equipe, code, 2021, "80")
    suivi(equipe, "1.1", 2021, "en_cours")
    # 8 queries: indicators, targets, series, syntheses, follow-ups,
    # commitments, organisations, objectives.
    with django_assert_num_queries(8):
        feux.calculer(2021)
    with django_assert_num_queries(8):
        feux.feux_partenaires(2021)
    indicateur = Indicateur.objects.prefetch_related("cibles_annuelles").get(code="2019-1.1-1")
    # 2 queries: its series, its synthesis.
    with django_assert_num_queries(2):
        feux.feu_indicateur(indicateur, 2021)


def test_the_default_year_is_the_latest_with_validated_data(equipe, django_assert_num_queries):
    Campagne.objects.create(annee=2022, date_limite="2023-03-31")
    assert feux.annee_par_defaut() == 2022  # nothing validated: the latest campaign
    valeur(equipe, "2019-1.1-1", 2021, "5")
    valeur(equipe, "2019-1.1-2", 2022, "5", statut=Valeur.Statut.SOUMISE)
    assert feux.annee_par_defaut() == 2021
    suivi(equipe, "1.1", 2022, "en_cours", statut=SuiviAction.Statut.SOUMIS)
    assert feux.annee_par_defaut() == 2021
    suivi(equipe, "1.2", 2022, "en_cours")
    with django_assert_num_queries(1):
        assert feux.annee_par_defaut() == 2022
