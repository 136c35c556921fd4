"""Governance seeded from the avenant: bodies, dated events, conseils citoyens, préconisations."""

import datetime

import pytest

from gouvernance.models import ConseilCitoyen, Evenement, Instance, Preconisation

pytestmark = pytest.mark.django_db


def test_governance_is_seeded():
    assert Instance.objects.count() == 57
    assert Evenement.objects.count() == 75
    assert ConseilCitoyen.objects.lignes().count() == 12
    assert Preconisation.objects.count() == 19
    assert Instance.objects.get(slug="comite-pilotage").role.startswith(
        "Comité de pilotage qui est commun"
    )


@pytest.mark.parametrize(
    ("date_texte", "date", "precision"),
    [
        ("26 mars 2019", datetime.date(2019, 3, 26), "jour"),
        ("9 mai 2019", datetime.date(2019, 5, 9), "jour"),
        ("16 juillet 2019", datetime.date(2019, 7, 16), "jour"),
        ("25 septembre 2019", datetime.date(2019, 9, 25), "jour"),
        ("17 décembre 2014", datetime.date(2014, 12, 17), "jour"),
    ],
)
def test_dated_meetings_keep_their_date(date_texte, date, precision):
    evenement = Evenement.objects.filter(date_texte=date_texte).first()
    assert evenement is not None, date_texte
    assert (evenement.date_debut, evenement.precision) == (date, precision)


def test_dates_without_a_year_say_so():
    gtp = Evenement.objects.get(date_texte="du 20 au 28 mai")
    assert gtp.precision == Evenement.Precision.JOUR_SANS_ANNEE
    assert gtp.date_debut is None  # no date is invented
    assert (gtp.annee, gtp.annee_deduite) == (2019, True)
    assert gtp.annee_deduite_raison
    conseil = Evenement.objects.get(date_texte="conseil municipal du 18 juillet")
    assert conseil.annee_deduite
    assert not Evenement.objects.filter(precision="jour", date_debut__isnull=True).exists()


def test_world_cafe_with_its_themes_and_eight_questions():
    cafe = Evenement.objects.get(slug="world-cafe-2019-05-09")
    questions = cafe.points.filter(type="question").order_by("ordre")
    assert questions.count() == 8
    assert (
        questions[0].texte
        == "Comment rapprocher l'offre d'insertion professionnelle des habitants ?"
    )
    # The five themes are the national programmes, not workshops.
    assert list(cafe.themes.values_list("nom", flat=True)) == [
        "Education",
        "Emploi",
        "Sécurité",
        "Logement",
        "Lien social",
    ]
    assert not cafe.points.filter(type="atelier").exists()
    assert "7 ateliers" in cafe.notes  # 7 announced, 5 themes named: reported


def test_podem_milestones():
    temps_forts = Evenement.objects.filter(temps_fort_podem=True)
    assert temps_forts.count() >= 7
    assert temps_forts.filter(date_debut=datetime.date(2016, 11, 4)).exists()


def test_conseils_citoyens_table_and_its_totals_row():
    gely = ConseilCitoyen.objects.get(quartier__slug="gely")
    assert (gely.tires_au_sort, gely.jeunes, gely.volontaires, gely.associations, gely.total) == (
        6,
        2,
        4,
        8,
        20,
    )
    total = ConseilCitoyen.objects.get(est_total=True)
    assert (total.population, total.total) == (50445, 320)
    assert ConseilCitoyen.controle_des_totaux() == []
    assert ConseilCitoyen.objects.sommes()["total"] == 320


def test_the_totals_check_reports_a_row_that_does_not_add_up():
    ConseilCitoyen.objects.filter(quartier__slug="gely").update(volontaires=5)
    ecarts = ConseilCitoyen.controle_des_totaux()
    assert any("Gély" in e and "21" in e for e in ecarts)
    assert any("Ligne des totaux" in e for e in ecarts)


def test_preconisations_link_to_the_fiches_that_answer_them():
    premiere = Preconisation.objects.get(ordre=1)
    assert premiere.volet == "Emploi – Développement économique"
    assert premiere.texte == "Créer l'observatoire économique de l'emploi"
    assert premiere.suivi == ""  # follow-up not yet entered
    assert Preconisation.objects.filter(reponses__isnull=False).distinct().count() >= 10
    for reponse in premiere.reponses.all():
        assert reponse.justification


def test_governance_api(client):
    assert client.get("/api/instances/").json()["count"] == 57
    data = client.get("/api/evenements/", {"annee": 2019, "page_size": 200}).json()
    assert any(
        e["slug"] == "world-cafe-2019-05-09" and len(e["points"]) == 8 and len(e["themes"]) == 5
        for e in data["results"]
    )
    assert client.get("/api/conseils-citoyens/controle/").json() == {"ecarts": []}
    assert client.get("/api/conseils-citoyens/conseil-citoyen-gely/").json()["total"] == 20
    assert client.get("/api/preconisations/1/").json()["reponses"]
