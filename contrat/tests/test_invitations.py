"""Invitations, password reset by e-mail, the 403 page and the French 404 with DEBUG on."""

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from contrat.invitations import JetonsInvitation
from contrat.models import Membre

pytestmark = pytest.mark.django_db
MOT_DE_PASSE = "un-mot-de-passe-tout-neuf-2024"
FORMULAIRE = {
    "email": "Claire.Martin@Example.org",
    "prenom": "Claire",
    "nom": "Martin",
    "organisation": "caf-herault",
}


@pytest.fixture
def client_class():
    """Another browser."""
    from django.test import Client

    return Client


@pytest.fixture
def equipe_client(client, equipe):
    client.force_login(equipe)
    return client


def texte(reponse):
    return html.unescape(reponse.content.decode())


def lien(courriel):
    return re.search(r"https?://[^/\s]+(/\S+)", courriel.body).group(1)


def choisir_mot_de_passe(client, url):
    """Follow an e-mailed link: Django swaps the token for a session one, then the form."""
    reponse = client.get(url)
    assert reponse.status_code == 302
    formulaire = reponse["Location"]
    assert "Nouveau mot de passe" in client.get(formulaire).content.decode()
    return client.post(formulaire, {"new_password1": MOT_DE_PASSE, "new_password2": MOT_DE_PASSE})


def se_connecter(client, identifiant, mot_de_passe):
    return client.post(reverse("connexion"), {"username": identifiant, "password": mot_de_passe})


def test_invite_email_set_password_log_in(equipe_client, client_class):
    reponse = equipe_client.post(reverse("comptes:invitations"), FORMULAIRE, follow=True)
    assert reponse.redirect_chain == [(reverse("comptes:invitations"), 302)]
    assert (
        "Invitation envoyée à claire.martin@example.org "
        "(Caisse d'Allocations Familiales de l'Hérault)." in texte(reponse)
    )
    utilisateur = get_user_model().objects.get(username="claire.martin@example.org")
    assert not utilisateur.has_usable_password()
    assert Membre.objects.get(utilisateur=utilisateur).organisation.slug == "caf-herault"
    [courriel] = mail.outbox
    assert courriel.to == ["claire.martin@example.org"]
    assert "Invitation" in courriel.subject and "Caisse" in courriel.body
    assert courriel.alternatives[0][1] == "text/html"
    # The invited user, in their own browser.
    invite = client_class()
    url = lien(courriel)
    assert url.startswith("/comptes/activer/")
    reponse = choisir_mot_de_passe(invite, url)
    assert reponse.status_code == 302 and reponse["Location"] == reverse("connexion")
    utilisateur.refresh_from_db()
    assert utilisateur.check_password(MOT_DE_PASSE)
    reponse = se_connecter(invite, "claire.martin@example.org", MOT_DE_PASSE)
    assert reponse.status_code == 302 and reponse["Location"] == reverse("saisie:mes_indicateurs")
    # The link served once: it is dead now, and says so in French.
    page = client_class().get(url, follow=True).content.decode()
    assert "n'est plus valable" in page
    # Nothing left to re-send.
    equipe_client.post(reverse("comptes:renvoyer", args=[utilisateur.pk]))
    assert len(mail.outbox) == 1


def test_the_invitation_expires_and_a_new_one_works(equipe_client, client_class, monkeypatch):
    equipe_client.post(reverse("comptes:invitations"), FORMULAIRE)
    ancien = lien(mail.outbox[0])
    utilisateur = get_user_model().objects.get(username="claire.martin@example.org")
    assert (
        "claire.martin@example.org"
        in equipe_client.get(reverse("comptes:invitations")).content.decode()
    )
    plus_tard = JetonsInvitation()._now() + datetime.timedelta(days=8)
    monkeypatch.setattr(JetonsInvitation, "_now", lambda self: plus_tard)
    page = client_class().get(ancien, follow=True).content.decode()
    assert "n'est plus valable" in page
    # Re-invited (at that later date): a fresh link that works.
    assert equipe_client.post(reverse("comptes:renvoyer", args=[utilisateur.pk])).status_code == 302
    assert len(mail.outbox) == 2
    assert choisir_mot_de_passe(client_class(), lien(mail.outbox[1])).status_code == 302
    utilisateur.refresh_from_db()
    assert utilisateur.check_password(MOT_DE_PASSE)


def test_an_address_already_known_is_refused_in_french(equipe_client, django_user_model):
    django_user_model.objects.create_user(username="x", email="claire.martin@example.org")
    reponse = equipe_client.post(reverse("comptes:invitations"), FORMULAIRE)
    assert reponse.status_code == 400
    assert "Un compte existe déjà pour claire.martin@example.org" in texte(reponse)
    assert mail.outbox == []


def test_a_mail_server_down_creates_no_account(equipe_client, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    def en_panne(self, *a, **k):
        raise OSError("injoignable")

    monkeypatch.setattr(EmailMultiAlternatives, "send", en_panne)
    reponse = equipe_client.post(reverse("comptes:invitations"), FORMULAIRE)
    assert reponse.status_code == 400
    assert "aucun compte n'a été créé" in texte(reponse)
    assert not get_user_model().objects.filter(email__iexact=FORMULAIRE["email"]).exists()


def test_a_partner_cannot_invite_and_is_told_why(client, partenaire):
    client.force_login(partenaire("metropole"))
    reponse = client.post(reverse("comptes:invitations"), FORMULAIRE)
    assert reponse.status_code == 403
    assert "réservée à l'équipe politique de la ville" in texte(reponse)
    assert not get_user_model().objects.filter(email__iexact=FORMULAIRE["email"]).exists()


def test_password_reset_by_email(client, client_class, django_user_model):
    utilisateur = django_user_model.objects.create_user(
        username="lea", email="lea@example.org", password="ancien-mot-de-passe-42"
    )
    page = client.get(reverse("connexion")).content.decode()
    assert reverse("comptes:mot_de_passe_oubli") in page
    reponse = client.post(reverse("comptes:mot_de_passe_oubli"), {"email": "lea@example.org"})
    assert reponse.status_code == 302
    assert "Vérifiez votre messagerie" in client.get(reponse["Location"]).content.decode()
    [courriel] = mail.outbox
    assert courriel.subject == "[Contrat de ville] Réinitialisation de votre mot de passe"
    assert "« lea »" in courriel.body
    reponse = choisir_mot_de_passe(client_class(), lien(courriel))
    assert reponse["Location"] == reverse("comptes:mot_de_passe_change")
    utilisateur.refresh_from_db()
    assert utilisateur.check_password(MOT_DE_PASSE)
    assert se_connecter(client_class(), "lea", MOT_DE_PASSE).status_code == 302
    # An unknown address: the same answer, and no e-mail (nothing to learn from it).
    mail.outbox.clear()
    reponse = client.post(reverse("comptes:mot_de_passe_oubli"), {"email": "nul@example.org"})
    assert reponse.status_code == 302 and mail.outbox == []


# ---------------------------------------------------------------- error pages


def test_a_partner_on_a_staff_page_gets_the_french_403_with_a_way_home(client, partenaire):
    client.force_login(partenaire("metropole"))
    for url in [reverse("saisie:validation"), reverse("saisie:campagnes")]:
        reponse = client.get(url)
        assert reponse.status_code == 403
        page = texte(reponse)
        assert "Accès refusé" in page
        assert (
            "réservée à l'équipe politique de la ville" in page and "partenaire-metropole" in page
        )
        assert f'href="{reverse("accueil")}"' in page


def test_the_anonymous_on_a_staff_page_are_still_sent_to_log_in(client):
    reponse = client.get(reverse("saisie:validation"))
    assert reponse.status_code == 302 and reverse("connexion") in reponse["Location"]


@pytest.mark.parametrize("debug", [True, False])
def test_french_404_for_the_apps_pages_with_debug_on_or_off(
    client, partenaire, campagne, settings, debug
):
    settings.DEBUG = debug
    client.force_login(partenaire("etat"))
    for url in ["/saisie/2021/2019-1.1-1/", "/nexiste-pas/", "/tableaux/fiche/99.99/"]:
        reponse = client.get(url)
        assert reponse.status_code == 404, url
        page = texte(reponse)
        assert "Page introuvable" in page and "Retour à l'accueil" in page, url
        assert "Page not found" not in page and "URLconf" not in page, url
    # A missing trailing slash is still redirected.
    assert client.get("/saisie").status_code == 301
    # The API keeps its JSON error.
    reponse = client.get("/api/nexiste-pas/")
    assert reponse.status_code == 404 and reponse["Content-Type"].startswith("application/json")
