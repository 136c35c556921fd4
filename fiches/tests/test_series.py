"""One series per fact: candidates, batch decisions, refusals, permissions,
history and the series API (values read through a series: tests/test_series.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from contrat.erreurs import Conflit, Invalide, PermissionRefusee
from contrat.models import Modification
from fiches.models import Fiche, Indicateur, LienSerie
from fiches.series import similarite
from fiches.services import (
    lien_serie_confirmer,
    liens_serie_statuer,
    serie_declarer,
    series_proposer,
)

pytestmark = pytest.mark.django_db

# Fiche 1.1: the Annexe 2 follow-up item restates the Annexe 3 indicator, word for word
# (with a trailing comma).
MEMBRE, REFERENCE = "2019-1.1-9", "2019-1.1-1"


def ind(code):
    return Indicateur.objects.get(code=code)


def proposer(membre, reference, origine=LienSerie.Origine.MEME_FICHE):
    return LienSerie.objects.create(
        indicateur=ind(membre), reference=ind(reference), origine=origine, score="0.9"
    )


def test_similarity_ignores_case_accents_punctuation_and_stop_words():
    assert similarite("Nombre d'outils créés,", "NOMBRE D'OUTILS CREES") == 1.0
    assert similarite("Nombre de places proposées", "Nombre de places proposés") > 0.9
    assert similarite("Nombre d'outils créés", "Taux de sorties positives") < 0.5


def test_labels_with_different_numbers_are_not_one_fact():
    assert similarite("Phase 1", "Phase 2") < 0.5


def test_seeded_restatement_is_proposed_with_score_and_reason():
    trouves, nouveaux = series_proposer()
    lien = LienSerie.objects.get(indicateur__code=MEMBRE)
    assert lien.reference.code == REFERENCE
    assert lien.statut == LienSerie.Statut.PROPOSE
    assert lien.origine == LienSerie.Origine.MEME_FICHE
    assert lien.score >= 0.95
    assert "même fiche 1.1" in lien.raison
    # The Annexe 2 lists restate most of the fiches' indicators.
    assert len(trouves) == len(nouveaux) > 150
    # Two Annexe 3 lines are never proposed as one series.
    assert (
        not LienSerie.objects.exclude(indicateur__type="suivi")
        .exclude(reference__type="suivi")
        .exists()
    )


def test_proposing_again_keeps_staff_decisions(equipe):
    series_proposer()
    lien = LienSerie.objects.get(indicateur__code=MEMBRE)
    liens_serie_statuer(utilisateur=equipe, liens=[lien], confirmer=False)
    _trouves, nouveaux = series_proposer()
    assert nouveaux == []
    lien.refresh_from_db()
    assert lien.statut == LienSerie.Statut.REJETE


def test_lineage_candidate_through_the_evolution_table():
    # 2015 fiche 1.4 became the 2019 fiches 1.3 and 1.4: a follow-up item of
    # 1.3 restating an indicator of 1.4 is one fact across the lineage.
    fiche_13 = Fiche.objects.get(version__code="2019", numero="1.3")
    copie = Indicateur.objects.create(
        code="2019-1.3-99",
        fiche=fiche_13,
        ordre=99,
        type=Indicateur.Type.SUIVI,
        libelle="Nombre de projets « amorcés », nombre de rendez-vous individuels",
    )
    series_proposer()
    lien = LienSerie.objects.get(indicateur=copie)
    assert lien.origine == LienSerie.Origine.FILIATION
    assert lien.reference.code == "2019-1.4-3"
    assert "fiche 2015 1.4" in lien.raison


def test_staff_confirm_and_reject_in_batch_from_the_admin(staff_client):
    a = proposer(MEMBRE, REFERENCE)
    b = proposer("2019-1.1-10", "2019-1.1-2")
    c = proposer("2019-1.1-11", "2019-1.1-3")
    url = reverse("admin:fiches_lienserie_changelist")
    page = staff_client.get(url)
    assert "Confirmer la sélection" in page.text and "Rejeter la sélection" in page.text
    reponse = staff_client.post(
        url, {"action": "confirmer_la_selection", "_selected_action": [a.pk, b.pk]}
    )
    assert reponse.status_code == 302
    staff_client.post(url, {"action": "rejeter_la_selection", "_selected_action": [c.pk]})
    for lien in (a, b, c):
        lien.refresh_from_db()
    assert [a.statut, b.statut, c.statut] == ["confirme", "confirme", "rejete"]
    assert a.decide_par.username == "agent" and a.decide_le is not None
    assert not Indicateur.objects.a_saisir().filter(code__in=[MEMBRE, "2019-1.1-10"]).exists()
    assert Indicateur.objects.a_saisir().filter(code="2019-1.1-11").exists()


def test_a_refused_link_leaves_the_rest_of_the_batch_confirmed(equipe):
    bon = proposer(MEMBRE, REFERENCE)
    autre = ind("2019-1.1-10")
    autre.unite = Indicateur.Unite.POURCENTAGE
    autre.save()
    mauvais = proposer("2019-1.1-10", "2019-1.1-2")
    decides, refus = liens_serie_statuer(utilisateur=equipe, liens=[bon, mauvais], confirmer=True)
    assert [d.pk for d in decides] == [bon.pk]
    assert "Unités incompatibles" in refus[mauvais]
    mauvais.refresh_from_db()
    assert mauvais.statut == LienSerie.Statut.PROPOSE


def test_refusals_self_units_breakdowns_cycles(equipe):
    with pytest.raises(Invalide, match="avec lui-même") as e:
        serie_declarer(utilisateur=equipe, indicateur=ind(REFERENCE), reference=ind(REFERENCE))
    assert e.value.code == "serie_soi_meme"

    membre = ind("2019-1.1-10")
    membre.desagregation = Indicateur.Desagregation.QUARTIER
    membre.save()
    with pytest.raises(Invalide, match="Ventilations incompatibles"):
        serie_declarer(utilisateur=equipe, indicateur=membre, reference=ind("2019-1.1-2"))

    serie_declarer(utilisateur=equipe, indicateur=ind(MEMBRE), reference=ind(REFERENCE))
    # The reference cannot be read under another indicator (a chain)...
    with pytest.raises(Invalide, match="est la référence d'une série") as e:
        serie_declarer(utilisateur=equipe, indicateur=ind(REFERENCE), reference=ind("2019-1.1-3"))
    assert e.value.code == "serie_cycle"
    # ... nor can a member become a reference (the cycle 1 -> 9 -> 1 included).
    with pytest.raises(Invalide, match="est lui-même lu sous"):
        serie_declarer(utilisateur=equipe, indicateur=ind(REFERENCE), reference=ind(MEMBRE))
    with pytest.raises(Invalide, match="est lui-même lu sous"):
        serie_declarer(utilisateur=equipe, indicateur=ind("2019-1.1-11"), reference=ind(MEMBRE))
    # One series per indicator.
    with pytest.raises(Conflit, match="déjà lu sous"):
        serie_declarer(utilisateur=equipe, indicateur=ind(MEMBRE), reference=ind("2019-1.1-3"))
    assert LienSerie.objects.confirmes().count() == 1


def test_partners_and_anonymous_cannot_declare_series(partenaire):
    lien = proposer(MEMBRE, REFERENCE)
    metropole = partenaire("metropole")
    with pytest.raises(PermissionRefusee):
        lien_serie_confirmer(utilisateur=metropole, lien=lien)
    with pytest.raises(PermissionRefusee):
        serie_declarer(utilisateur=metropole, indicateur=ind(MEMBRE), reference=ind(REFERENCE))
    url = reverse("admin:fiches_lienserie_changelist")
    anonyme, connecte = Client(), Client()
    connecte.force_login(metropole)
    for client in (anonyme, connecte):
        reponse = client.post(
            url, {"action": "confirmer_la_selection", "_selected_action": [lien.pk]}
        )
        assert reponse.status_code == 302 and reverse("admin:login") in reponse["Location"]
    lien.refresh_from_db()
    assert lien.statut == LienSerie.Statut.PROPOSE


def test_history_records_who_confirmed(equipe):
    lien = proposer(MEMBRE, REFERENCE)
    lien_serie_confirmer(utilisateur=equipe, lien=lien)
    modif = Modification.objects.filter(table="fiches_lienserie", objet_id=str(lien.pk)).latest(
        "date"
    )
    assert modif.utilisateur == equipe
    assert modif.contexte == "serie"
    assert "statut" in modif.champs and modif.apres["statut"] == "confirme"
    assert modif.apres["decide_par_id"] == equipe.pk


def test_staff_declare_a_series_by_hand_in_the_admin(staff_client):
    reponse = staff_client.post(
        reverse("admin:fiches_lienserie_add"),
        {"indicateur": ind(MEMBRE).pk, "reference": ind(REFERENCE).pk},
    )
    assert reponse.status_code == 302
    lien = LienSerie.objects.get(indicateur__code=MEMBRE)
    assert lien.statut == "confirme" and lien.origine == "manuelle"
    # The same refusals as a confirmation, shown on the form.
    reponse = staff_client.post(
        reverse("admin:fiches_lienserie_add"),
        {"indicateur": ind(REFERENCE).pk, "reference": ind(REFERENCE).pk},
    )
    assert reponse.status_code == 200 and "avec lui-même" in reponse.text


# ---------------------------------------------------------------- API


@pytest.fixture
def serie(equipe):
    return serie_declarer(utilisateur=equipe, indicateur=ind(MEMBRE), reference=ind(REFERENCE))


def test_indicator_detail_shows_its_series(client, serie):
    for code, role in [(MEMBRE, "membre"), (REFERENCE, "reference")]:
        donnees = client.get(f"/api/indicateurs/{code}/").json()
        assert donnees["serie"] == {"reference": REFERENCE, "role": role, "membres": [MEMBRE]}
    assert client.get("/api/indicateurs/2019-1.1-2/").json()["serie"] is None


def test_indicator_list_filters_members_out(client, serie):
    codes = [
        i["code"]
        for i in client.get("/api/indicateurs/?fiche=1.1&en_serie=false&page_size=100").json()[
            "results"
        ]
    ]
    assert REFERENCE in codes and MEMBRE not in codes
    membres = client.get("/api/indicateurs/?en_serie=true").json()["results"]
    assert [i["code"] for i in membres] == [MEMBRE]


def test_series_list_and_detail(client, serie):
    donnees = client.get("/api/series/").json()
    assert donnees["count"] == 1
    [ligne] = donnees["results"]
    assert ligne["reference"] == REFERENCE and ligne["fiche"] == "1.1"
    assert [m["code"] for m in ligne["membres"]] == [MEMBRE]
    assert ligne["membres"][0]["origine"] == "manuelle"
    # The detail answers under the reference's code and a member's.
    assert client.get(f"/api/series/{REFERENCE}/").json()["reference"] == REFERENCE
    assert client.get(f"/api/series/{MEMBRE}/").json()["reference"] == REFERENCE
    assert client.get("/api/series/2019-1.1-2/").status_code == 404
    assert client.get("/api/series/?fiche=1.1").json()["count"] == 1
    assert client.get("/api/series/?fiche=1.2").json()["count"] == 0
    assert client.get(f"/api/series/?membre={MEMBRE}").json()["count"] == 1
    assert client.get("/api/series/?q=outils").json()["count"] == 0
    assert client.get("/api/series/?origine=meme_fiche").json()["count"] == 0
    assert client.get("/api/series/?origine=inconnue").status_code == 400


def test_proposed_and_rejected_links_are_not_series(client):
    proposer(MEMBRE, REFERENCE)
    assert client.get("/api/series/").json()["count"] == 0
    assert client.get(f"/api/indicateurs/{MEMBRE}/").json()["serie"] is None


def test_series_list_query_count(client, serie, equipe, django_assert_num_queries):
    serie_declarer(utilisateur=equipe, indicateur=ind("2019-1.1-10"), reference=ind("2019-1.1-2"))
    # 4 queries: the cache's generation stamp, the page count, the references,
    # their confirmed members (+indicator, fiche)
    with django_assert_num_queries(4):
        assert client.get("/api/series/").status_code == 200


def test_indicator_list_query_count_does_not_grow_with_series(
    client, serie, django_assert_num_queries
):
    # 7 queries: the generation stamp, the page count, the indicators, their
    # yearly targets, their confirmed series links (+reference), the members
    # of those references, the members of each indicator (as a reference)
    with django_assert_num_queries(7):
        assert client.get("/api/indicateurs/?fiche=1.1").status_code == 200
