"""The REST API: fields, filters, CSV, access, the write path, aggregates, schema, speed."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from contrat.models import Quartier
from engagements.models import Valeur
from engagements.services import campagne_fermer, grille_enregistrer, valeurs_statuer
from fiches.models import CibleAnnuelle, Indicateur

pytestmark = pytest.mark.django_db


def json_ok(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def nombres(client, url, **params):
    return [f["numero"] for f in json_ok(client, url, page_size=1000, **params)["results"]]


# ------------------------------------------------------------------ plan


def test_fiches_list_has_the_dashboard_fields(client):
    data = json_ok(client, "/api/fiches/", objectif=1)
    assert data["count"] == 16
    premiere = data["results"][0]
    assert {
        "numero",
        "titre",
        "objectif",
        "enjeux",
        "pilote",
        "pilotes",
        "date_debut",
        "date_fin",
    } <= set(premiere)
    assert premiere["numero"] == "1.1"
    assert premiere["objectif"] == 1
    assert premiere["enjeux"] == [1, 8]
    assert premiere["pilote"] == "Métropole et Etat"
    assert {p["slug"] for p in premiere["pilotes"]} == {"metropole", "etat"}
    assert (premiere["date_debut"], premiere["date_fin"]) == ("janvier 2016", "décembre 2022")


def test_transversal_fiches_have_a_null_objective(client):
    data = json_ok(client, "/api/fiches/12.1/")
    assert data["objectif"] is None
    assert 1 in data["axes"]


def test_fiche_detail_adds_every_section_and_its_indicators(client):
    data = json_ok(client, "/api/fiches/1.1/")
    for section in [
        "diagnostic",
        "objectifs",
        "resultats_attendus",
        "descriptif",
        "perimetre_texte",
        "publics_vises",
    ]:
        assert data[section], section
    assert data["indicateurs"][0] == {
        "code": "2019-1.1-1",
        "libelle": "Nombre d'actions mises en œuvre et suivies par l'équipe projet",
        "rubrique": "",
        "type": "realisation",
        "organisation": "metropole",
        "unite": "nombre",
        "desagregation": "aucune",
        "reference": {"valeur": None, "annee": None},
        "cibles": [],
    }
    assert [o["fiche_initiale"] for o in data["origines"]] == ["1.1"]
    assert client.get("/api/fiches/99.9/").status_code == 404


def test_other_versions_and_initial_fiches(client):
    assert json_ok(client, "/api/fiches/", version="2015")["count"] == 78
    initiale = json_ok(client, "/api/fiches-initiales/2.15/")
    assert initiale["devenir"][0]["fiches_nouvelles"] == ["2.14"]
    assert json_ok(client, "/api/evolutions/", sort="suppression")["count"] == 22


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        ({"objectif": 1}, "1.16", "2.1"),
        ({"enjeu": 12}, "12.2", "1.1"),
        ({"transversale": "true"}, "12.1", "1.1"),
        ({"pilote": "ccas-montpellier"}, "6.6", "1.1"),
        ({"partenaire": "bpifrance"}, "1.1", "2.1"),
        ({"quartier": "cevennes"}, "7.2", "7.1"),
        ({"axe": 2}, "12.2", "7.1"),
        ({"sort": "nouvelle"}, "12.1", "1.1"),
        ({"q": "fabriquer"}, "1.1", "2.1"),
        ({"annee_fin": 2020}, "10.2", "1.1"),
    ],
)
def test_fiche_filters(client, params, present, absent):
    trouves = nombres(client, "/api/fiches/", **params)
    assert present in trouves and absent not in trouves


def test_fiche_ordering_is_natural_by_default_and_can_be_changed(client):
    numeros = nombres(client, "/api/fiches/")
    assert numeros.index("1.2") < numeros.index("1.10")
    par_titre = nombres(client, "/api/fiches/", ordering="titre")
    assert par_titre != numeros


def test_frame_endpoints_use_natural_keys(client):
    assert json_ok(client, "/api/quartiers/gely/")["population"] == 1265
    assert json_ok(client, "/api/quartiers/")["count"] == 12
    assert json_ok(client, "/api/organisations/metropole/")["sigle"] == "MMM"
    assert "3M" in json_ok(client, "/api/organisations/metropole/")["aliases"]
    assert (
        json_ok(client, "/api/organisations/", q="Pôle emploi")["results"][0]["slug"]
        == "pole-emploi"
    )
    assert json_ok(client, "/api/signataires/")["count"] == 21
    assert json_ok(client, "/api/signataires/1/")["organisation"]["slug"] == "metropole"
    assert json_ok(client, "/api/enjeux/")["count"] == 12
    assert json_ok(client, "/api/priorites/")["count"] == 7
    assert json_ok(client, "/api/objectifs/2/")["enjeux"] == [5, 7]
    assert json_ok(client, "/api/axes/")["count"] == 4
    assert json_ok(client, "/api/piliers/3/")["intitule"] == "Développement économique et emploi"
    assert json_ok(client, "/api/principes/")["count"] == 3
    assert json_ok(client, "/api/avenants/2/")["date_signature"] is None
    assert json_ok(client, "/api/contrats/contrat-ville-mmm-2015-2022/")["annee_fin"] == 2022
    assert json_ok(client, "/api/anomalies/compte-fiches-2019/")["fiches"] == []
    assert json_ok(client, "/api/indicateurs/2019-1.1-1/")["fiche"] == "1.1"


def test_engagements_list_has_partner_objective_text_and_targets(client):
    data = json_ok(client, "/api/engagements/", partenaire="etat", page_size=100)
    assert data["count"] == 40
    engagement = json_ok(client, "/api/engagements/2/")
    assert (engagement["partenaire"], engagement["objectif"]) == ("etat", 1)
    assert engagement["texte"].startswith("Offrir un accompagnement aux entrepreneurs")
    assert [c["phrase"] for c in engagement["cibles"]] == [
        "Objectif : 50 personnes accompagnées dans le cadre de la Fabrique à entreprendre",
        "Objectif : 50 prêts accordés",
    ]
    assert json_ok(client, "/api/engagements/", objectif=3)["count"] == 19
    assert json_ok(client, "/api/engagements/", axes_transversaux="true")["count"] == 10
    assert json_ok(client, "/api/cibles/", nature="cible")["count"] == 42


def test_every_list_is_paginated_with_a_ceiling(client):
    data = json_ok(client, "/api/fiches/", page_size=5)
    assert (data["count"], len(data["results"])) == (69, 5)
    assert "page=2" in data["next"] and data["previous"] is None
    # 594 fiche indicators (579 before the merged "suivi" cells were split and the
    # headings removed) + 42 engagement targets
    assert len(json_ok(client, "/api/indicateurs/", page_size=1000)["results"]) == 636
    # Above the ceiling is an error, not a silently shorter page.
    reponse = client.get("/api/indicateurs/", {"page_size": 1001})
    assert reponse.status_code == 400
    assert reponse.json()["erreur"]["details"]["page_size"] == [
        "« 1001 » : un entier entre 1 et 1000 est attendu."
    ]


def test_every_list_is_also_csv(client):
    response = client.get("/api/fiches/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lignes = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert len(lignes) == 69
    assert lignes[0]["numero"] == "1.1"
    assert lignes[0]["pilotes"] == "etat | metropole"
    for url in [
        "/api/engagements/",
        "/api/organisations/",
        "/api/quartiers/",
        "/api/valeurs/",
        "/api/cibles/",
    ]:
        assert client.get(url, {"format": "csv"}).status_code == 200, url


def test_structured_errors(client):
    response = client.get("/api/fiches/99.9/")
    assert response.status_code == 404
    assert response.json()["erreur"]["statut"] == 404
    response = client.get("/api/valeurs/", {"annee": "deux-mille"})
    assert response.status_code == 400
    assert response.json()["erreur"]["details"]["annee"]
    response = client.get("/api/agregats/progression/", {"par": "planete"})
    assert response.status_code == 400 and response.json()["erreur"]["code"] == "invalide"


# ------------------------------------------------------------------ values


@pytest.fixture
def saisies(campagne, partenaire, equipe):
    """Métropole: one validated value and one draft; État: one submitted value."""
    metropole, etat = partenaire("metropole"), partenaire("etat")
    ind_m = Indicateur.objects.get(code="2019-1.1-1")
    ind_m2 = Indicateur.objects.get(code="2019-1.1-2")
    ind_e = Indicateur.objects.filter(organisation__slug="etat").order_by("code").first()
    tous = ("", "")
    [validee] = grille_enregistrer(
        utilisateur=metropole,
        indicateur=ind_m,
        annee=2021,
        saisies={tous: ("10", 0)},
        soumettre=True,
    )
    valeurs_statuer(utilisateur=equipe, valeurs=[(validee, validee.version)], valider=True)
    [brouillon] = grille_enregistrer(
        utilisateur=metropole, indicateur=ind_m2, annee=2021, saisies={tous: ("5", 0)}
    )
    [soumise] = grille_enregistrer(
        utilisateur=etat, indicateur=ind_e, annee=2021, saisies={tous: ("7", 0)}, soumettre=True
    )
    validee.refresh_from_db()
    return {
        "metropole": metropole,
        "etat": etat,
        "equipe": equipe,
        "validee": validee,
        "brouillon": brouillon,
        "soumise": soumise,
    }


def connecte(user):
    client = Client()
    client.force_login(user)
    return client


def ids(client, **params):
    return {v["id"] for v in json_ok(client, "/api/valeurs/", page_size=1000, **params)["results"]}


def test_values_are_open_data_once_validated_and_private_before(client, saisies):
    assert ids(client) == {saisies["validee"].pk}
    assert ids(connecte(saisies["metropole"])) == {saisies["validee"].pk, saisies["brouillon"].pk}
    assert ids(connecte(saisies["etat"])) == {saisies["validee"].pk, saisies["soumise"].pk}
    assert ids(connecte(saisies["equipe"])) == {
        saisies["validee"].pk,
        saisies["brouillon"].pk,
        saisies["soumise"].pk,
    }
    # Another partner's draft is not found at all.
    assert (
        connecte(saisies["etat"]).get(f"/api/valeurs/{saisies['brouillon'].pk}/").status_code == 404
    )
    assert client.get(f"/api/valeurs/{saisies['soumise'].pk}/").status_code == 404


def test_values_long_format(client, saisies):
    [ligne] = json_ok(client, "/api/valeurs/")["results"]
    assert ligne == {
        "id": saisies["validee"].pk,
        "indicateur": "2019-1.1-1",
        "indicateur_libelle": "Nombre d'actions mises en œuvre et suivies par l'équipe projet",
        "type_indicateur": "realisation",
        "fiche": "1.1",
        "objectif": 1,
        "organisation": "metropole",
        "organisation_nom": "Montpellier Méditerranée Métropole",
        "annee": 2021,
        "quartier": None,
        "quartier_nom": None,
        "sexe": "",
        "valeur": 10.0,
        "unite": "nombre",
        "statut": "validee",
        "note": "",
        "note_publique": False,
        "commentaire_validation": "",
        "version": saisies["validee"].version,
        "saisie_le": ligne["saisie_le"],
        "validee_le": ligne["validee_le"],
        "synthetique": False,
        "lu_pour": None,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"indicateur": "2019-1.1-1"},
        {"fiche": "1.1"},
        {"objectif": 1},
        {"organisation": "metropole"},
        {"annee": 2021},
        {"annee_min": 2020, "annee_max": 2022},
        {"quartier": "tous"},
        {"sexe": "ensemble"},
        {"statut": "validee"},
    ],
)
def test_value_filters_keep_the_matching_fact(client, saisies, params):
    assert ids(client, **params) == {saisies["validee"].pk}


@pytest.mark.parametrize(
    "params",
    [
        {"indicateur": "2019-1.1-2"},
        {"fiche": "2.1"},
        {"organisation": "etat"},
        {"annee": 2020},
        {"quartier": "gely"},
        {"sexe": "F"},
        {"statut": "brouillon"},
    ],
)
def test_value_filters_drop_the_others(client, saisies, params):
    assert ids(client, **params) == set()


def test_values_csv_for_one_quartier(client, saisies, partenaire):
    ind = Indicateur.objects.get(code="2019-1.2-1")
    ind.desagregation = Indicateur.Desagregation.QUARTIER
    ind.save()
    valeurs = grille_enregistrer(
        utilisateur=saisies["equipe"],
        indicateur=ind,
        annee=2021,
        saisies={(q.slug, ""): (str(n), 0) for n, q in enumerate(Quartier.objects.all(), start=1)},
        soumettre=True,
    )
    valeurs_statuer(
        utilisateur=saisies["equipe"], valeurs=[(v, v.version) for v in valeurs], valider=True
    )
    response = client.get("/api/valeurs/", {"quartier": "cevennes", "format": "csv"})
    lignes = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [(ligne["quartier"], ligne["valeur"], ligne["indicateur"]) for ligne in lignes] == [
        ("cevennes", "7.00", "2019-1.2-1")
    ]


# ------------------------------------------------------------------ writing


def poster(client, **data):
    return client.post("/api/valeurs/", data, content_type="application/json")


def test_a_partner_writes_its_value_through_the_api(campagne, partenaire):
    client = connecte(partenaire("metropole"))
    response = poster(client, indicateur="2019-1.1-1", annee=2021, valeur="1 234", version=0)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["valeur"], data["statut"], data["version"]) == (1234.0, "brouillon", 1)
    response = client.patch(
        f"/api/valeurs/{data['id']}/",
        {"valeur": "1 235", "version": 1, "soumettre": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Valeur.objects.get().statut == Valeur.Statut.SOUMISE


def test_token_authentication(campagne, partenaire):
    user = partenaire("metropole")
    reponse = Client().post(
        "/api/jeton/", {"username": user.username, "password": "mot-de-passe-solide-42"}
    )
    jeton = reponse.json()["token"]
    assert jeton == Token.objects.get(user=user).key
    client = Client(HTTP_AUTHORIZATION=f"Token {jeton}")
    assert (
        poster(client, indicateur="2019-1.1-1", annee=2021, valeur="3", version=0).status_code
        == 201
    )


def test_write_path_errors(campagne, partenaire, equipe):
    metropole = connecte(partenaire("metropole"))
    assert poster(Client(), indicateur="2019-1.1-1", annee=2021, valeur="3").status_code in {
        401,
        403,
    }
    response = poster(metropole, indicateur="2019-1.1-1", annee=2021, valeur="trois", version=0)
    assert response.status_code == 400
    assert "n'est pas un nombre" in response.json()["erreur"]["details"]["valeur"][0]
    response = poster(metropole, indicateur="inconnu", annee=2021, valeur="3")
    assert response.status_code == 400 and "indicateur" in response.json()["erreur"]["details"]
    autre = Indicateur.objects.filter(organisation__slug="etat").first()
    response = poster(metropole, indicateur=autre.code, annee=2021, valeur="3", version=0)
    assert response.status_code == 403
    assert (
        response.json()["erreur"]["message"]
        == "Cet indicateur ne relève pas de votre organisation."
    )
    # 409: a stale write gets the current value.
    assert (
        poster(metropole, indicateur="2019-1.1-1", annee=2021, valeur="3", version=0).status_code
        == 201
    )
    assert (
        poster(metropole, indicateur="2019-1.1-1", annee=2021, valeur="4", version=1).status_code
        == 200
    )
    response = poster(metropole, indicateur="2019-1.1-1", annee=2021, valeur="9", version=1)
    assert response.status_code == 409
    assert response.json()["erreur"]["details"]["actuelle"]["valeur"] == 4.0
    assert Valeur.objects.get().valeur == Decimal(4)
    # 423: a closed campaign.
    campagne_fermer(utilisateur=equipe, campagne=campagne, motif="Campagne terminée")
    response = poster(metropole, indicateur="2019-1.1-1", annee=2021, valeur="5", version=2)
    assert response.status_code == 423
    assert "fermée" in response.json()["erreur"]["message"]
    assert Valeur.objects.get().valeur == Decimal(4)


def test_staff_validate_and_reject_through_the_api(saisies):
    soumise = saisies["soumise"]
    partenaire = connecte(saisies["etat"])
    url = f"/api/valeurs/{soumise.pk}/valider/"
    assert (
        partenaire.post(
            url, {"version": soumise.version}, content_type="application/json"
        ).status_code
        == 403
    )
    equipe = connecte(saisies["equipe"])
    response = equipe.post(
        f"/api/valeurs/{soumise.pk}/rejeter/",
        {"version": soumise.version},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = equipe.post(url, {"version": soumise.version}, content_type="application/json")
    assert response.status_code == 200 and response.json()["statut"] == "validee"
    assert (
        equipe.post(url, {"version": soumise.version}, content_type="application/json").status_code
        == 409
    )


def test_plan_endpoints_are_read_only(client, equipe):
    staff = connecte(equipe)
    for url in ["/api/fiches/", "/api/engagements/", "/api/organisations/"]:
        assert staff.post(url, {}, content_type="application/json").status_code == 405
    assert staff.delete("/api/fiches/1.1/").status_code == 405


# ------------------------------------------------------------------ aggregates


@pytest.fixture
def cibles_validees(campagne, equipe):
    """Hand-made data: three indicators with targets and validated 2021 values.

    - 2019-1.1-1 (Métropole, objective 1): target 100, value 80 -> 80 %
    - 2019-1.1-2 (Métropole, objective 1): target 10, value 12 -> 120 % (capped at 100), reached
    - 2019-2.1-1 (Ville, objective 3): target 50, by quartier 12 x 5 = 60 -> 120 %, reached
    - 2019-2.1-2 (Ville, objective 3): target 20, no value
    """
    reglages = [
        ("2019-1.1-1", 100, None),
        ("2019-1.1-2", 10, None),
        ("2019-2.1-1", 50, "quartier"),
        ("2019-2.1-2", 20, None),
    ]
    for code, cible, ventilation in reglages:
        ind = Indicateur.objects.get(code=code)
        ind.unite = Indicateur.Unite.NOMBRE
        if ventilation:
            ind.desagregation = Indicateur.Desagregation.QUARTIER
        ind.save()
        CibleAnnuelle.objects.update_or_create(
            indicateur=ind, annee=2021, defaults={"valeur": cible}
        )

    def valider(code, saisies):
        ind = Indicateur.objects.get(code=code)
        valeurs = grille_enregistrer(
            utilisateur=equipe,
            indicateur=ind,
            annee=2021,
            saisies=saisies,
            note="test",
            soumettre=True,
        )
        valeurs_statuer(utilisateur=equipe, valeurs=[(v, v.version) for v in valeurs], valider=True)

    valider("2019-1.1-1", {("", ""): ("80", 0)})
    valider("2019-1.1-2", {("", ""): ("12", 0)})
    valider("2019-2.1-1", {(q.slug, ""): ("5", 0) for q in Quartier.objects.all()})


def cibles_de_l_objectif(numero):
    """Indicators with a target under an objective, counted with the ORM (the
    engagement targets of Annexe 1 included)."""
    from django.db.models import Q

    return (
        Indicateur.objects.filter(cibles_annuelles__annee=2021, actif=True)
        .filter(
            Q(fiche__objectif__numero=numero)
            | Q(cible_engagement__engagement__objectif__numero=numero)
        )
        .count()
    )


def test_progress_by_objective_matches_the_hand_computation(client, cibles_validees):
    # Objective 1: 80 % and 120 % (capped at 100) -> mean 90 %, one reached;
    # objective 3: 12 quartiers x 5 = 60 for 50 -> 100 %; the engagement
    # targets of 2021 count too, with no value yet; another year's target never.
    assert cibles_de_l_objectif(1) >= 2
    lignes = {
        ligne["objectif"]: ligne
        for ligne in json_ok(client, "/api/agregats/progression/", par="objectif", annee=2021)
    }
    assert lignes[1] == {
        "groupe": 1,
        "objectif": 1,
        "annee": 2021,
        "nb_cibles": cibles_de_l_objectif(1),
        "nb_renseignes": 2,
        "nb_atteints": 1,
        "avancement_moyen": 90.0,
    }
    assert lignes[3] == {
        "groupe": 3,
        "objectif": 3,
        "annee": 2021,
        "nb_cibles": cibles_de_l_objectif(3),
        "nb_renseignes": 1,
        "nb_atteints": 1,
        "avancement_moyen": 100.0,
    }


def test_progress_by_fiche_partner_and_year(client, cibles_validees):
    par_fiche = {
        ligne["fiche"]: ligne
        for ligne in json_ok(client, "/api/agregats/progression/", par="fiche", annee=2021)
    }
    assert par_fiche["1.1"]["nb_atteints"] == 1 and par_fiche["2.1"]["nb_renseignes"] == 1
    par_partenaire = {
        ligne["partenaire"]: ligne
        for ligne in json_ok(client, "/api/agregats/progression/", par="partenaire", annee=2021)
    }
    assert par_partenaire["metropole"]["avancement_moyen"] == 90.0
    par_annee = json_ok(client, "/api/agregats/progression/", par="annee")
    assert [ligne["annee"] for ligne in par_annee] == [2021]
    # Every indicator with a target of that year counts, the engagement targets
    # of 2021 included (the others are targets of another year: not compared).
    engagements_2021 = CibleAnnuelle.objects.filter(annee=2021, indicateur__type="engagement")
    assert 0 < engagements_2021.count() < 42
    assert par_annee[0]["nb_cibles"] == 4 + engagements_2021.count()
    assert par_annee[0]["nb_renseignes"] == 3


def test_breakdown_by_quartier_sums_counts_and_averages_percentages(
    client, cibles_validees, equipe
):
    data = json_ok(
        client, "/api/agregats/repartition/", indicateur="2019-2.1-1", annee=2021, par="quartier"
    )
    assert data["operation"] == "somme"
    assert len(data["resultats"]) == 12 and {r["valeur"] for r in data["resultats"]} == {5.0}
    ind = Indicateur.objects.get(code="2019-6.1-1")
    ind.unite, ind.desagregation = (
        Indicateur.Unite.POURCENTAGE,
        Indicateur.Desagregation.QUARTIER_SEXE,
    )
    ind.save()
    gely = Quartier.objects.get(slug="gely")
    valeurs = grille_enregistrer(
        utilisateur=equipe,
        indicateur=ind,
        annee=2021,
        saisies={("gely", "F"): ("40", 0), ("gely", "H"): ("60", 0), ("cevennes", "F"): ("10", 0)},
        soumettre=True,
    )
    valeurs_statuer(utilisateur=equipe, valeurs=[(v, v.version) for v in valeurs], valider=True)
    data = json_ok(
        client, "/api/agregats/repartition/", indicateur=ind.code, annee=2021, par="quartier"
    )
    assert data["operation"] == "moyenne"
    assert {r["quartier"]: r["valeur"] for r in data["resultats"]} == {
        gely.slug: 50.0,
        "cevennes": 10.0,
    }
    data = json_ok(
        client, "/api/agregats/repartition/", indicateur=ind.code, annee=2021, par="sexe"
    )
    assert {r["sexe"]: r["valeur"] for r in data["resultats"]} == {"F": 25.0, "H": 60.0}


def test_breakdown_ignores_unvalidated_values(client, saisies):
    data = json_ok(
        client, "/api/agregats/repartition/", indicateur="2019-1.1-2", annee=2021, par="quartier"
    )
    assert data["resultats"] == []


def test_campaign_completeness_by_partner(client, saisies):
    data = json_ok(client, "/api/agregats/completude/", annee=2021)
    lignes = {ligne["organisation"]: ligne for ligne in data["partenaires"]}
    assert lignes["metropole"]["validees"] == 1 and lignes["metropole"]["saisies"] == 2
    assert lignes["etat"]["soumises"] == 1
    # A year of the contract without a campaign: 404; a year outside the contract: 400.
    assert client.get("/api/agregats/completude/", {"annee": 2016}).status_code == 404
    assert client.get("/api/agregats/completude/", {"annee": 1999}).status_code == 400


# ------------------------------------------------------------------ schema, docs, speed


def test_the_openapi_schema_validates():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_docs_page_serves_its_assets_itself(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in response.text
    assert "https://" not in response.text and "http://" not in response.text.replace(
        "http://testserver", ""
    )
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert (
        b"/api/fiches/{numero}/" in schema.content
        and b"/api/agregats/progression/" in schema.content
    )


def test_conditional_get(client):
    response = client.get("/api/fiches/", {"objectif": 1})
    etag = response["ETag"]
    assert client.get("/api/fiches/", {"objectif": 1}, HTTP_IF_NONE_MATCH=etag).status_code == 304


# Each list answers in a fixed number of queries, whatever the number of rows.
# The counts below are the queries listed in each comment ("generation" is
# the cache's version stamp, read first; see contrat/api/cache.py).
LISTES = [
    # generation, count, fiches (+version, objectif, pilier, nb_indicateurs), enjeux, pilotes,
    # partenaires, quartier links (+quartier), axes
    ("/api/fiches/", 8),
    # generation, count, engagements (+objectif), enjeux, axes, organisations, cibles (+indicateur)
    ("/api/engagements/", 7),
    # generation, count, organisations (+rattachement), aliases
    ("/api/organisations/", 4),
    # generation, count, indicateurs (+fiche, organisation, cible, engagement), yearly targets,
    # their confirmed series links (+reference), the members of each (none seeded: no nested query)
    ("/api/indicateurs/", 6),
    # generation, count, evolutions (+fiche initiale), nouvelles fiches
    ("/api/evolutions/", 4),
    # generation, count, fiches 2015 (+objectif), pilotes, devenir (+fiche initiale), nouvelles fiches
    ("/api/fiches-initiales/", 6),
    # generation, count, cibles (+engagement, indicateur)
    ("/api/cibles/", 3),
    # generation, count, anomalies, their fiches
    ("/api/anomalies/", 4),
    # generation, count, signataires (+organisation, avenant)
    ("/api/signataires/", 3),
]


@pytest.mark.parametrize(("url", "requetes"), LISTES)
def test_list_query_counts(client, url, requetes, django_assert_num_queries):
    with django_assert_num_queries(requetes):
        assert client.get(url, {"page_size": 1000}).status_code == 200


def test_value_list_queries_do_not_grow_with_rows(client, campagne, django_assert_num_queries):
    call_command("generer_valeurs_synthetiques", "--annees", "2021", stdout=io.StringIO())
    assert Valeur.objects.count() > 500
    # generation, count, values (+indicateur, fiche, objectif, organisation, quartier)
    with django_assert_num_queries(3):
        client.get("/api/valeurs/", {"page_size": 1000})


def test_unknown_api_urls_and_bad_page_sizes_answer_in_the_error_format(client):
    response = client.get("/api/inexistant/")
    assert response.status_code == 404
    assert response.json()["erreur"]["statut"] == 404
    response = client.get("/api/fiches/", {"page_size": 0})
    assert response.status_code == 400
    assert "page_size" in response.json()["erreur"]["details"]
    assert client.get("/pas-une-page/").status_code == 404


def test_the_schema_documents_errors_and_csv_on_every_operation(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for chemin, operations in schema["paths"].items():
        for methode, operation in operations.items():
            assert {"400", "401", "403", "404"} <= set(operation["responses"]), (chemin, methode)
            if methode == "get" and chemin != "/api/datapackage.json":  # JSON only
                assert "text/csv" in operation["responses"]["200"]["content"], chemin
