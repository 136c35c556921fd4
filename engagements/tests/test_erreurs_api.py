"""The service layer's refusals reach the API's clients through the one
error handler, as the documented body (contrat/erreurs.py)."""

import pytest
from django.test import Client

from contrat.api.base import gestionnaire_erreurs
from contrat.erreurs import Conflit
from engagements.api import views
from engagements.models import Valeur
from engagements.services import ConflitEdition, GrilleInvalide, campagne_fermer
from fiches.models import Indicateur


def corps(statut, code, message, details=None):
    return {
        "erreur": {"code": code, "statut": statut, "message": message, "details": details or {}}
    }


def test_grid_errors_put_cell_and_grid_messages_in_details():
    exc = GrilleInvalide(
        erreurs={("gely", ""): ["Un nombre (effectif) doit être entier."], ("", "F"): ["Trop."]},
        globales=["Expliquez-la dans la note."],
    )
    reponse = gestionnaire_erreurs(exc, {})
    assert reponse.status_code == 400
    assert reponse.data == corps(
        400,
        "invalide",
        "Les données envoyées ne sont pas valides.",
        {
            "valeur": ["Un nombre (effectif) doit être entier.", "Trop."],
            "non_field_errors": ["Expliquez-la dans la note."],
        },
    )
    assert "details" not in str(exc) and "Trop." in str(exc)


@pytest.mark.django_db
def test_an_edit_conflict_gives_the_current_value_as_the_api_shows_it(campagne, partenaire):
    client = Client()
    client.force_login(partenaire("metropole"))
    client.post(
        "/api/valeurs/",
        {"indicateur": "2019-1.1-1", "annee": 2021, "valeur": "7", "version": 0},
        content_type="application/json",
    )
    valeur = Valeur.objects.get()
    exc = ConflitEdition([(("", ""), valeur), (("gely", ""), None)])
    reponse = gestionnaire_erreurs(exc, {})
    assert reponse.status_code == 409
    assert (
        reponse.data["erreur"]["details"]["actuelle"]
        == client.get(f"/api/valeurs/{valeur.pk}/").json()
    )
    assert reponse.data["erreur"]["message"] == exc.message
    assert "une valeur a été supprimée entre-temps" in exc.message
    assert gestionnaire_erreurs(ConflitEdition([(("", ""), None)]), {}).data["erreur"][
        "details"
    ] == {"actuelle": None}


@pytest.mark.django_db
def test_a_service_error_raised_under_a_view_reaches_the_client_as_the_body(
    campagne, partenaire, monkeypatch
):
    def refuse(**kwargs):
        raise Conflit("Déjà changé.", details={"actuelle": {"valeur": 4.0}})

    monkeypatch.setattr(views, "grille_enregistrer", refuse)
    client = Client()
    client.force_login(partenaire("metropole"))
    reponse = client.post(
        "/api/valeurs/",
        {"indicateur": "2019-1.1-1", "annee": 2021, "valeur": "3", "version": 0},
        content_type="application/json",
    )
    assert reponse.status_code == 409
    assert reponse.json() == corps(409, "conflit", "Déjà changé.", {"actuelle": {"valeur": 4.0}})


@pytest.mark.django_db
def test_the_real_service_refusals_reach_the_client(campagne, partenaire, equipe):
    client = Client()
    client.force_login(partenaire("metropole"))

    def poster(**donnees):
        return client.post(
            "/api/valeurs/",
            {"annee": 2021, "valeur": "3", "version": 0, **donnees},
            content_type="application/json",
        )

    autre = Indicateur.objects.filter(organisation__slug="etat").first()
    reponse = poster(indicateur=autre.code)
    assert reponse.status_code == 403
    assert reponse.json() == corps(
        403, "permission_denied", "Cet indicateur ne relève pas de votre organisation."
    )
    reponse = poster(indicateur="2019-1.1-1", quartier="nulle-part")
    assert reponse.status_code == 400
    assert reponse.json() == corps(
        400, "invalide", "Quartier inconnu.", {"quartier": ["« nulle-part » n'existe pas."]}
    )
    assert poster(indicateur="2019-1.1-1").status_code == 201
    reponse = poster(indicateur="2019-1.1-1", valeur="5")
    assert reponse.status_code == 409
    erreur = reponse.json()["erreur"]
    assert (erreur["code"], erreur["statut"]) == ("conflit", 409)
    assert erreur["message"].startswith("Quelqu'un a modifié ces valeurs")
    assert erreur["details"]["actuelle"]["valeur"] == 3.0
    campagne_fermer(utilisateur=equipe, campagne=campagne, motif="Campagne terminée")
    reponse = poster(indicateur="2019-1.1-1", valeur="5", version=1)
    assert reponse.status_code == 423
    assert reponse.json() == corps(
        423,
        "verrouillee",
        "La campagne 2021 est fermée : ses valeurs sont verrouillées. "
        "Demandez à l'équipe politique de la ville de la rouvrir.",
    )
    assert Valeur.objects.get().valeur == 3
