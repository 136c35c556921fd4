"""Partner data entry and staff validation, through the web pages, as users do it."""

import csv
import datetime
import html
import io
import itertools

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contrat.models import Quartier
from engagements import xlsx
from engagements.management.commands.create_demo_accounts import DEMO_PASSWORD, PARTENAIRES
from engagements.models import Campagne, Valeur
from engagements.services import cle, grille_cles
from fiches.models import Indicateur

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    """The demo accounts and campaigns, as `make run` creates them."""
    call_command("create_demo_accounts", stdout=io.StringIO())


def connecte(username):
    client = Client()
    response = client.post(reverse("connexion"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{username} could not log in"
    return client


def indicateur_de(slug):
    """An indicator the organisation reports on (staff assign one if it has none yet)."""
    indicateur = (
        Indicateur.objects.a_saisir().filter(organisation__slug=slug).order_by("code").first()
    )
    if indicateur is None:
        from contrat.models import Organisation

        indicateur = Indicateur.objects.filter(fiche__numero="12.2").order_by("code").last()
        indicateur.organisation = Organisation.objects.get(slug=slug)
        indicateur.save()
    return indicateur


def grille_url(indicateur, annee=2021):
    return reverse("saisie:grille", args=[annee, indicateur.code])


def donnees_grille(indicateur, valeurs, action="brouillon", note=""):
    from engagements.forms import nom_champ

    data = {"action": action, "note": note}
    for (quartier, sexe), texte in valeurs.items():
        nom = nom_champ(cle(quartier, sexe))
        data[nom] = texte
        data[f"ver_{nom}"] = 0
    return data


def test_partner_fills_a_12_by_2_grid_staff_validates_partner_sees_it_locked(demo):
    indicateur = indicateur_de("caf-herault")
    indicateur.desagregation = Indicateur.Desagregation.QUARTIER_SEXE
    indicateur.unite = Indicateur.Unite.NOMBRE
    indicateur.save()

    caf = connecte("demo-caf")
    page = caf.get(reverse("saisie:mes_indicateurs"), {"annee": 2021, "filtre": "a_faire"})
    assert page.status_code == 200
    assert indicateur.libelle[:40] in html.unescape(page.text)
    assert "en retard" in page.text  # the 2021 deadline (31 March 2022) has passed

    cellules = grille_cles(indicateur)
    assert len(cellules) == 24
    valeurs = {c: f"{i + 1} 000" for i, c in enumerate(cellules)}
    response = caf.post(
        grille_url(indicateur), donnees_grille(indicateur, valeurs, action="soumettre")
    )
    assert response.status_code == 302
    assert Valeur.objects.filter(indicateur=indicateur, statut=Valeur.Statut.SOUMISE).count() == 24
    assert (
        Valeur.objects.get(indicateur=indicateur, quartier=cellules[0][0], sexe="F").valeur == 1000
    )

    equipe = connecte("demo-equipe")
    file = equipe.get(reverse("saisie:validation"))
    assert indicateur.libelle[:40] in html.unescape(file.text)
    valider = reverse("saisie:valider_grille", args=[2021, indicateur.code])
    page = equipe.get(valider)
    assert page.status_code == 200
    versions = {f"ver_{v.pk}": v.version for v in Valeur.objects.filter(indicateur=indicateur)}
    response = equipe.post(valider, {"action": "valider", "commentaire": "", **versions})
    assert response.status_code == 302
    assert Valeur.objects.filter(indicateur=indicateur, statut=Valeur.Statut.VALIDEE).count() == 24

    page = caf.get(grille_url(indicateur))
    assert page.text.count("Validée") >= 24
    assert page.text.count(" disabled") >= 24
    # Locked: posting anyway changes nothing.
    caf.post(grille_url(indicateur), donnees_grille(indicateur, {cellules[0]: "5"}))
    assert (
        Valeur.objects.get(indicateur=indicateur, quartier=cellules[0][0], sexe="F").valeur == 1000
    )


def test_a_refused_form_shows_back_exactly_what_was_typed(demo):
    indicateur = indicateur_de("metropole")
    client = connecte("demo-metropole")
    response = client.post(
        grille_url(indicateur), donnees_grille(indicateur, {(None, ""): "douze virgule 5"})
    )
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert 'value="douze virgule 5"' in page
    assert "n'est pas un nombre (exemple : 1 234,5)" in page
    assert "Rien n'a été enregistré" in page
    assert not Valeur.objects.exists()


def test_the_second_of_two_concurrent_edits_is_refused_with_the_newer_value(demo):
    indicateur = indicateur_de("metropole")
    premier, second = connecte("demo-metropole"), connecte("demo-metropole")
    # Both open the empty grid (version 0), both save.
    assert (
        premier.post(
            grille_url(indicateur), donnees_grille(indicateur, {(None, ""): "15"})
        ).status_code
        == 302
    )
    response = second.post(grille_url(indicateur), donnees_grille(indicateur, {(None, ""): "99"}))
    assert response.status_code == 409
    page = html.unescape(response.text)
    assert "Enregistrement refusé" in page and "15" in page
    assert 'value="99"' in page  # what the second user typed is still there
    assert Valeur.objects.get().valeur == 15


def test_a_closed_campaign_shows_locked_and_refuses_writes(demo):
    indicateur = indicateur_de("metropole")
    equipe = connecte("demo-equipe")
    fermer = reverse("saisie:campagne_action", args=[2021, "fermer"])
    # No reason, or no confirmation: refused in French, nothing closed.
    response = equipe.post(fermer, {"motif": "", "confirmer": "on"})
    assert response.status_code == 400
    assert "Indiquez pourquoi la campagne est fermée." in html.unescape(response.text)
    response = equipe.post(fermer, {"motif": "Fin de la campagne"})
    assert response.status_code == 400
    assert "Cochez la case pour confirmer la fermeture." in response.text
    assert not Campagne.objects.get(annee=2021).verrouillee
    response = equipe.post(fermer, {"motif": "Fin de la campagne", "confirmer": "on"})
    assert response.status_code == 302
    assert Campagne.objects.get(annee=2021).verrouillee
    liste = html.unescape(equipe.get(reverse("saisie:campagnes")).text)
    assert "Fermeture le" in liste and "Fin de la campagne" in liste
    client = connecte("demo-metropole")
    page = client.get(grille_url(indicateur))
    assert "fermée : valeurs verrouillées" in page.text
    response = client.post(grille_url(indicateur), donnees_grille(indicateur, {(None, ""): "3"}))
    assert not Valeur.objects.exists()
    # Reopening needs a reason and a new deadline in the future.
    rouvrir = reverse("saisie:campagne_action", args=[2021, "rouvrir"])
    demain = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    hier = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert equipe.post(rouvrir, {"motif": "", "date_limite": demain}).status_code == 400
    assert equipe.post(rouvrir, {"motif": "Retard de la CAF"}).status_code == 400
    response = equipe.post(rouvrir, {"motif": "Retard de la CAF", "date_limite": hier})
    assert response.status_code == 400
    assert "doit être dans le futur" in html.unescape(response.text)
    assert Campagne.objects.get(annee=2021).verrouillee
    response = equipe.post(rouvrir, {"motif": "Retard de la CAF", "date_limite": demain})
    assert response.status_code == 302
    campagne = Campagne.objects.get(annee=2021)
    assert not campagne.verrouillee and campagne.date_limite.isoformat() == demain
    page = equipe.get(reverse("saisie:campagnes"), {"annee": 2021})
    assert "Réouverture" in page.text and "Retard de la CAF" in page.text


def test_staff_see_completeness_per_partner(demo):
    indicateur = indicateur_de("metropole")
    client = connecte("demo-metropole")
    client.post(
        grille_url(indicateur), donnees_grille(indicateur, {(None, ""): "3"}, action="soumettre")
    )
    page = connecte("demo-equipe").get(reverse("saisie:campagnes"), {"annee": 2021})
    assert page.status_code == 200
    ligne = next(c for c in page.context["completude"] if c.organisation.slug == "metropole")
    assert ligne.soumises == 1
    assert (
        ligne.dues == Indicateur.objects.a_saisir().filter(organisation__slug="metropole").count()
    )


def test_staff_open_a_campaign_from_the_web(demo):
    client = connecte("demo-equipe")
    response = client.post(
        reverse("saisie:campagnes"), {"annee": 2023, "date_limite": "2024-03-31", "libelle": ""}
    )
    assert response.status_code == 302
    assert Campagne.objects.get(annee=2023).evenements.get().action == "ouverture"
    response = client.post(
        reverse("saisie:campagnes"), {"annee": 2023, "date_limite": "2024-03-31"}
    )
    assert response.status_code == 400
    assert "existe déjà" in html.unescape(response.text)


# ------------------------------------------------------------ permissions

PAIRES = [(a, b) for (a, _), (b, _) in itertools.permutations(PARTENAIRES, 2)]


@pytest.mark.parametrize(("lecteur", "proprietaire"), PAIRES)
def test_a_partner_cannot_read_or_write_another_partners_indicators(demo, lecteur, proprietaire):
    slug = dict(PARTENAIRES)[proprietaire]
    indicateur = indicateur_de(slug)
    assert indicateur is not None, slug
    # The owner saves a draft.
    connecte(proprietaire).post(
        grille_url(indicateur), donnees_grille(indicateur, {(None, ""): "7"})
    )
    brouillon = Valeur.objects.get(indicateur=indicateur)

    client = connecte(lecteur)
    # Another partner's grid does not exist for them: 404, read or write.
    assert client.get(grille_url(indicateur)).status_code == 404
    assert (
        client.post(
            grille_url(indicateur), donnees_grille(indicateur, {(None, ""): "8"})
        ).status_code
        == 404
    )
    for format_ in ("csv", "xlsx"):
        assert (
            client.get(
                reverse("saisie:exporter", args=[2021, indicateur.code, format_])
            ).status_code
            == 404
        )
    fichier = io.BytesIO(b"indicateur;annee;quartier;sexe;valeur;version\n")
    fichier.name = "grille.csv"
    assert (
        client.post(
            reverse("saisie:importer", args=[2021, indicateur.code]), {"fichier": fichier}
        ).status_code
        == 404
    )
    liste = client.get(reverse("saisie:mes_indicateurs"), {"annee": 2021})
    assert indicateur.code not in liste.text
    # The admin is not theirs either.
    assert (
        client.get(reverse("admin:engagements_valeur_change", args=[brouillon.pk])).status_code
        == 302
    )
    assert (
        client.get(reverse("admin:fiches_indicateur_change", args=[indicateur.pk])).status_code
        == 302
    )
    # Their view of values never holds another partner's draft.
    from django.contrib.auth import get_user_model

    utilisateur = get_user_model().objects.get(username=lecteur)
    assert not Valeur.objects.visibles_par(utilisateur).filter(pk=brouillon.pk).exists()
    brouillon.refresh_from_db()
    assert brouillon.valeur == 7


def test_staff_pages_are_refused_to_partners(demo):
    # A signed-in partner is told why (the French 403 page), not sent to log in again.
    client = connecte("demo-etat")
    for url in (reverse("saisie:validation"), reverse("saisie:campagnes")):
        response = client.get(url)
        assert response.status_code == 403
        assert "réservée à l&#x27;équipe politique de la ville" in response.content.decode()


def test_anonymous_users_are_sent_to_the_login(demo):
    indicateur = indicateur_de("etat")
    for url in (reverse("saisie:mes_indicateurs"), grille_url(indicateur)):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("connexion"))


# ------------------------------------------------------------ files


def _csv_lignes(contenu):
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))


def _csv_bytes(lignes):
    tampon = io.StringIO()
    csv.writer(tampon, delimiter=";").writerows(lignes)
    return tampon.getvalue().encode("utf-8")


def _importer(client, indicateur, nom, contenu, soumettre=False):
    fichier = io.BytesIO(contenu)
    fichier.name = nom
    data = {"fichier": fichier}
    if soumettre:
        data["soumettre"] = "on"
    return client.post(reverse("saisie:importer", args=[2021, indicateur.code]), data)


@pytest.fixture
def grille_quartiers(demo):
    indicateur = indicateur_de("ville-montpellier")
    indicateur.desagregation = Indicateur.Desagregation.QUARTIER
    indicateur.unite = Indicateur.Unite.POURCENTAGE
    indicateur.save()
    return indicateur


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_import_round_trip(grille_quartiers, format_):
    indicateur = grille_quartiers
    client = connecte("demo-ville")
    # Some values typed in the form first.
    premiers = {grille_cles(indicateur)[0]: "12,5", grille_cles(indicateur)[1]: "40"}
    assert (
        client.post(grille_url(indicateur), donnees_grille(indicateur, premiers)).status_code == 302
    )
    export = client.get(reverse("saisie:exporter", args=[2021, indicateur.code, format_]))
    assert export.status_code == 200
    contenu = export.content
    # Re-importing the export unchanged changes nothing.
    avant = list(Valeur.objects.order_by("pk").values_list("pk", "valeur", "version"))
    assert _importer(client, indicateur, f"grille.{format_}", contenu).status_code == 302
    assert list(Valeur.objects.order_by("pk").values_list("pk", "valeur", "version")) == avant
    # Fill every quartier in the file, import, submit.
    lignes = _csv_lignes(contenu) if format_ == "csv" else xlsx.lire(contenu)
    entetes = lignes[0]
    i_valeur = entetes.index("valeur")
    for n, ligne in enumerate(lignes[1:], start=1):
        ligne[i_valeur] = f"{n},5"
    contenu = _csv_bytes(lignes) if format_ == "csv" else xlsx.ecrire(lignes)
    assert (
        _importer(client, indicateur, f"grille.{format_}", contenu, soumettre=True).status_code
        == 302
    )
    assert Valeur.objects.filter(indicateur=indicateur, statut=Valeur.Statut.SOUMISE).count() == 12
    gely = Quartier.objects.get(slug="gely")
    assert str(Valeur.objects.get(indicateur=indicateur, quartier=gely).valeur) == "4.50"


def test_a_file_with_one_bad_row_saves_nothing_and_reports_each_row(grille_quartiers):
    indicateur = grille_quartiers
    client = connecte("demo-ville")
    lignes = _csv_lignes(
        client.get(reverse("saisie:exporter", args=[2021, indicateur.code, "csv"])).content
    )
    i_valeur = lignes[0].index("valeur")
    for ligne in lignes[1:]:
        ligne[i_valeur] = "50"
    lignes[3][i_valeur] = "150"  # a percentage above 100
    lignes[5][i_valeur] = "cinquante"
    lignes[7][lignes[0].index("quartier")] = "quartier-inconnu"
    response = _importer(client, indicateur, "grille.csv", _csv_bytes(lignes))
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert "rien n'a été enregistré" in page.lower()
    rapport = response.context["rapport"]
    assert [ligne for ligne, _ in rapport.erreurs] == [8]  # unknown cell: checked first
    assert "quartier-inconnu" in rapport.erreurs[0][1]
    lignes[7][lignes[0].index("quartier")] = lignes[6][lignes[0].index("quartier")]
    response = _importer(client, indicateur, "grille.csv", _csv_bytes(lignes))
    rapport = response.context["rapport"]
    assert [ligne for ligne, _ in rapport.erreurs] == [8]
    assert "double" in rapport.erreurs[0][1]
    lignes[7][lignes[0].index("quartier")] = "mosson-paillade-celleneuve"
    lignes = [
        ligne
        for ligne in lignes
        if ligne[lignes[0].index("quartier")] != "mosson-paillade-celleneuve" or ligne is lignes[7]
    ]
    response = _importer(client, indicateur, "grille.csv", _csv_bytes(lignes))
    rapport = response.context["rapport"]
    erreurs = dict(rapport.erreurs)
    assert "entre 0 et 100" in erreurs[4]
    assert "n'est pas un nombre" in erreurs[6]
    assert not Valeur.objects.exists()


def test_import_refuses_a_file_for_another_grid_or_in_another_format(grille_quartiers):
    indicateur = grille_quartiers
    client = connecte("demo-ville")
    lignes = _csv_lignes(
        client.get(reverse("saisie:exporter", args=[2021, indicateur.code, "csv"])).content
    )
    lignes[1][lignes[0].index("annee")] = "2020"
    response = _importer(client, indicateur, "grille.csv", _csv_bytes(lignes))
    assert "ce fichier doit porter sur 2021" in html.unescape(response.text)
    response = _importer(client, indicateur, "grille.pdf", b"%PDF")
    assert "Format non reconnu" in html.unescape(response.text)
    response = _importer(client, indicateur, "grille.xlsx", b"pas un zip")
    assert "n'est pas un classeur XLSX" in html.unescape(response.text)
    assert not Valeur.objects.exists()


# ------------------------------------------------------------ admin


def test_admin_actions_validate_and_reject(demo):
    indicateur = indicateur_de("metropole")
    connecte("demo-metropole").post(
        grille_url(indicateur), donnees_grille(indicateur, {(None, ""): "3"}, action="soumettre")
    )
    valeur = Valeur.objects.get()
    client = connecte("demo-equipe")
    url = reverse("admin:engagements_valeur_changelist")
    client.post(url, {"action": "rejeter", "_selected_action": [valeur.pk], "commentaire": ""})
    valeur.refresh_from_db()
    assert valeur.statut == Valeur.Statut.SOUMISE  # no comment, no rejection
    client.post(
        url, {"action": "rejeter", "_selected_action": [valeur.pk], "commentaire": "Source ?"}
    )
    valeur.refresh_from_db()
    assert (valeur.statut, valeur.commentaire_validation) == (Valeur.Statut.REJETEE, "Source ?")
    page = connecte("demo-metropole").get(grille_url(indicateur))
    assert "Source ?" in page.text


def test_admin_campaign_actions_record_who_and_why(demo):
    client = connecte("demo-equipe")
    campagne = Campagne.objects.get(annee=2020)
    url = reverse("admin:engagements_campagne_changelist")
    client.post(
        url, {"action": "fermer", "_selected_action": [campagne.pk], "motif": "Bilan arrêté"}
    )
    campagne.refresh_from_db()
    assert campagne.verrouillee
    client.post(url, {"action": "rouvrir", "_selected_action": [campagne.pk], "motif": ""})
    campagne.refresh_from_db()
    assert campagne.verrouillee
    assert list(campagne.evenements.values_list("action", "motif", "auteur__username"))[-1] == (
        "fermeture",
        "Bilan arrêté",
        "demo-equipe",
    )
