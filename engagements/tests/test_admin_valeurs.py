"""The values' admin is read-only: staff find values, read their history and
validate or reject them; writes go through the data-entry pages and the API."""

import html

import pytest
from django.urls import reverse

from contrat.models import Modification
from engagements.models import Valeur
from engagements.services import cle, grille_cles, grille_enregistrer, valeurs_statuer
from fiches.models import Indicateur

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:engagements_valeur_changelist")


@pytest.fixture
def soumise(campagne, partenaire):
    """A value the Métropole submitted for 2021."""
    utilisateur = partenaire("metropole")
    indicateur = (
        Indicateur.objects.a_saisir().filter(organisation__slug="metropole").order_by("code")[0]
    )
    quartier, sexe = grille_cles(indicateur)[0]
    [valeur] = grille_enregistrer(
        utilisateur=utilisateur,
        indicateur=indicateur,
        annee=2021,
        saisies={cle(quartier, sexe): ("3", 0)},
        note="Source : tableau de bord du service",
        soumettre=True,
    )
    return valeur


@pytest.fixture
def validee(soumise, equipe):
    [valeur] = valeurs_statuer(
        utilisateur=equipe, valeurs=[(soumise, soumise.version)], valider=True
    )
    return valeur


def test_resaving_a_validated_value_with_a_new_note_cannot_write(staff_client, validee):
    # The old admin form saved inside clean() and answered this with "Cette
    # cellule n'existe pas pour cet indicateur". The change page is now read-only.
    url = reverse("admin:engagements_valeur_change", args=[validee.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["adminform"].form.fields == {}
    texte = html.unescape(page.text)
    assert "Source : tableau de bord du service" in texte
    assert 'name="_save"' not in page.text

    response = staff_client.post(
        url, {"valeur_saisie": "3", "version_lue": validee.version, "note": "Nouvelle note"}
    )
    assert response.status_code == 403
    assert "Cette cellule n'existe pas" not in html.unescape(response.content.decode())
    avant = validee.version
    validee.refresh_from_db()
    assert (validee.note, validee.version, validee.statut) == (
        "Source : tableau de bord du service",
        avant,
        Valeur.Statut.VALIDEE,
    )


def test_admin_neither_adds_nor_deletes_values(staff_client, soumise):
    assert staff_client.get(reverse("admin:engagements_valeur_add")).status_code == 403
    assert (
        staff_client.post(
            reverse("admin:engagements_valeur_add"),
            {"indicateur": soumise.indicateur_id, "annee": 2021, "valeur_saisie": "4"},
        ).status_code
        == 403
    )
    assert (
        staff_client.post(
            reverse("admin:engagements_valeur_delete", args=[soumise.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Valeur.objects.filter(pk=soumise.pk).exists()
    assert Valeur.objects.count() == 1


def test_changelist_filters_searches_and_links_to_the_grid(staff_client, soumise):
    code = soumise.indicateur.code
    response = staff_client.get(CHANGELIST, {"statut__exact": "soumise", "q": code})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [soumise]
    assert (
        list(staff_client.get(CHANGELIST, {"statut__exact": "validee"}).context["cl"].result_list)
        == []
    )
    grille = reverse("saisie:grille", args=[2021, code])
    assert f'href="{grille}"' in response.text
    # The actions stay on the list, read-only as it is.
    assert {"valider", "rejeter"} <= {
        nom for nom, _ in response.context["action_form"].fields["action"].choices
    }

    change = staff_client.get(reverse("admin:engagements_valeur_change", args=[soumise.pk]))
    assert f'href="{grille}"' in change.text
    assert f'href="{reverse("saisie:valider_grille", args=[2021, code])}"' in change.text


def test_validate_action_goes_through_the_service_and_is_in_the_history(staff_client, soumise):
    response = staff_client.post(
        CHANGELIST, {"action": "valider", "_selected_action": [soumise.pk], "commentaire": ""}
    )
    assert response.status_code == 302
    soumise.refresh_from_db()
    assert soumise.statut == Valeur.Statut.VALIDEE
    assert soumise.validee_par.username == "agent"
    modification = Modification.objects.filter(
        table="engagements_valeur", objet_id=str(soumise.pk), operation="UPDATE"
    ).latest("id")
    assert "statut" in modification.champs
    assert modification.utilisateur.username == "agent"
    assert modification.apres["statut"] == Valeur.Statut.VALIDEE

    history = staff_client.get(reverse("admin:engagements_valeur_history", args=[soumise.pk]))
    assert history.status_code == 200
    assert modification in history.context["modifications"]
    assert "<del>soumise</del><ins>validee</ins>" in history.text
    assert "agent" in history.text
    assert (
        staff_client.get(reverse("admin:engagements_valeur_history", args=["x"])).status_code == 404
    )


def test_reject_action_needs_a_comment_and_records_it(staff_client, soumise):
    staff_client.post(
        CHANGELIST, {"action": "rejeter", "_selected_action": [soumise.pk], "commentaire": ""}
    )
    soumise.refresh_from_db()
    assert soumise.statut == Valeur.Statut.SOUMISE
    staff_client.post(
        CHANGELIST,
        {"action": "rejeter", "_selected_action": [soumise.pk], "commentaire": "Source ?"},
    )
    soumise.refresh_from_db()
    assert (soumise.statut, soumise.commentaire_validation) == (Valeur.Statut.REJETEE, "Source ?")
    assert Modification.objects.filter(
        table="engagements_valeur",
        objet_id=str(soumise.pk),
        apres__statut=Valeur.Statut.REJETEE,
        utilisateur__username="agent",
    ).exists()


def test_partner_cannot_reach_the_values_admin(client, partenaire, soumise):
    client.force_login(partenaire("etat"))
    for url in (CHANGELIST, reverse("admin:engagements_valeur_history", args=[soumise.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
