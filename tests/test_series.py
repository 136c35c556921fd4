"""One series per fact, across the floors: a value entered once under the
reference is read under every member (values API, aggregates, dashboards),
and the member is no longer asked of its partner."""

import html
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from contrat.erreurs import Invalide
from engagements.models import Valeur
from engagements.services import grille_enregistrer, valeurs_statuer
from fiches.models import CibleAnnuelle, Indicateur, LienSerie
from fiches.services import serie_declarer
from tableaux import agregats

pytestmark = pytest.mark.django_db

# Fiche 1.1 (Métropole): the Annexe 2 follow-up item restates the Annexe 3 indicator.
MEMBRE, REFERENCE = "2019-1.1-9", "2019-1.1-1"


def ind(code):
    return Indicateur.objects.get(code=code)


@pytest.fixture
def metropole(partenaire):
    return partenaire("metropole")


@pytest.fixture
def serie(equipe):
    return serie_declarer(utilisateur=equipe, indicateur=ind(MEMBRE), reference=ind(REFERENCE))


@pytest.fixture
def valeur_validee(campagne, serie, metropole, equipe):
    [valeur] = grille_enregistrer(
        utilisateur=metropole,
        indicateur=ind(REFERENCE),
        annee=2021,
        saisies={("", ""): ("42", 0)},
        soumettre=True,
    )
    [valeur] = valeurs_statuer(utilisateur=equipe, valeurs=[(valeur, valeur.version)], valider=True)
    return valeur


def test_a_value_entered_once_is_read_under_both_indicators_in_the_api(valeur_validee):
    anonyme = Client()
    sous_membre = anonyme.get(f"/api/valeurs/?indicateur={MEMBRE}").json()["results"]
    sous_reference = anonyme.get(f"/api/valeurs/?indicateur={REFERENCE}").json()["results"]
    assert (
        [v["id"] for v in sous_membre] == [v["id"] for v in sous_reference] == [valeur_validee.pk]
    )
    assert sous_membre[0]["indicateur"] == REFERENCE
    assert sous_membre[0]["lu_pour"] == MEMBRE  # flagged: read through the series
    assert sous_reference[0]["lu_pour"] is None
    assert Decimal(sous_membre[0]["valeur"]) == 42
    # Stored once.
    assert Valeur.objects.filter(indicateur__code__in=[MEMBRE, REFERENCE]).count() == 1


def test_aggregates_read_the_series(valeur_validee):
    CibleAnnuelle.objects.create(indicateur=ind(MEMBRE), annee=2021, valeur=84)
    # Only the member has a target: it is measured against the reference's value.
    lignes = {
        ligne["indicateur"]: ligne
        for ligne in agregats.progression(par="indicateur", annee=2021)
        if ligne["indicateur"] in {MEMBRE, REFERENCE}
    }
    assert list(lignes) == [MEMBRE]
    assert lignes[MEMBRE]["nb_renseignes"] == 1
    assert lignes[MEMBRE]["avancement_moyen"] == Decimal("50.0")
    # Both have a target: the fact counts once, under the reference.
    CibleAnnuelle.objects.create(indicateur=ind(REFERENCE), annee=2021, valeur=42)
    codes = [
        ligne["indicateur"]
        for ligne in agregats.progression(par="indicateur", annee=2021)
        if ligne["indicateur"] in {MEMBRE, REFERENCE}
    ]
    assert codes == [REFERENCE]


def test_breakdown_of_a_member_reads_the_reference(campagne, serie, metropole, equipe):
    for code in (MEMBRE, REFERENCE):
        Indicateur.objects.filter(code=code).update(desagregation="quartier")
    valeurs = grille_enregistrer(
        utilisateur=metropole,
        indicateur=ind(REFERENCE),
        annee=2021,
        saisies={("gely", ""): ("3", 0), ("cevennes", ""): ("4", 0)},
        soumettre=True,
    )
    valeurs_statuer(utilisateur=equipe, valeurs=[(v, v.version) for v in valeurs], valider=True)
    reponse = (
        Client()
        .get(f"/api/agregats/repartition/?indicateur={MEMBRE}&annee=2021&par=quartier")
        .json()
    )
    assert reponse["lu_sous"] == REFERENCE
    assert {r["quartier"]: Decimal(str(r["valeur"])) for r in reponse["resultats"]} == {
        "gely": 3,
        "cevennes": 4,
    }


def test_the_member_is_not_asked_of_the_partner(campagne, serie, metropole):
    client = Client()
    client.force_login(metropole)
    page = client.get(reverse("saisie:mes_indicateurs"), {"annee": 2021}).text
    assert REFERENCE in page and MEMBRE not in page
    # Its grid sends to the reference's, saying why.
    reponse = client.get(reverse("saisie:grille", args=[2021, MEMBRE]), follow=True)
    assert reponse.redirect_chain[-1][0] == reverse("saisie:grille", args=[2021, REFERENCE])
    assert f"saisi sous l'indicateur {REFERENCE}" in html.unescape(reponse.text)
    assert MEMBRE not in [i.code for i in Indicateur.objects.a_saisir()]


def test_writing_under_the_member_is_refused(campagne, serie, metropole):
    with pytest.raises(Invalide, match=f"saisi sous l'indicateur {REFERENCE}"):
        grille_enregistrer(
            utilisateur=metropole,
            indicateur=ind(MEMBRE),
            annee=2021,
            saisies={("", ""): ("5", 0)},
        )
    client = Client()
    client.force_login(metropole)
    reponse = client.post(
        "/api/valeurs/",
        {"indicateur": MEMBRE, "annee": 2021, "valeur": "5", "version": 0},
        content_type="application/json",
    )
    assert reponse.status_code == 400
    assert reponse.json()["erreur"]["code"] == "saisi_sous_serie"
    assert reponse.json()["erreur"]["details"]["reference"] == REFERENCE
    assert not Valeur.objects.filter(indicateur__code=MEMBRE).exists()


def test_an_indicator_with_values_of_its_own_is_not_linked(campagne, metropole, equipe):
    grille_enregistrer(
        utilisateur=metropole,
        indicateur=ind(MEMBRE),
        annee=2021,
        saisies={("", ""): ("7", 0)},
    )
    lien = LienSerie.objects.create(
        indicateur=ind(MEMBRE), reference=ind(REFERENCE), origine="meme_fiche"
    )
    with pytest.raises(Invalide) as e:
        serie_declarer(utilisateur=equipe, indicateur=ind(MEMBRE), reference=ind(REFERENCE))
    assert e.value.code == "serie_valeurs_propres"
    assert "1 valeur(s) en propre" in e.value.message
    assert e.value.details["valeurs"] == ["2021 / tous quartiers = 7.00 (brouillon)"]
    lien.refresh_from_db()
    assert lien.statut == LienSerie.Statut.PROPOSE


def test_dashboard_page_of_a_member_names_its_reference(client, serie):
    page = client.get(reverse("tableaux:indicateur", args=[MEMBRE])).text
    assert "Saisi sous l'indicateur" in page and REFERENCE in page
    page = client.get(reverse("tableaux:indicateur", args=[REFERENCE])).text
    assert "Lu aussi sous" in page and MEMBRE in page
