"""The partner's home (/saisie/) and the grid's context, through the web pages."""

import datetime
import html
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from contrat.models import Organisation
from engagements import accueil
from engagements.forms import nom_champ
from engagements.models import Campagne, SuiviAction, Valeur
from engagements.services import cle, grille_cles, grille_enregistrer, valeurs_statuer
from fiches.models import CibleAnnuelle, Indicateur, LienSerie

pytestmark = pytest.mark.django_db

ACCUEIL = "saisie:mes_indicateurs"


def connecte(utilisateur):
    client = Client()
    client.force_login(utilisateur)
    return client


def indicateurs_de(slug):
    return Indicateur.objects.a_saisir().pour_organisation(Organisation.objects.get(slug=slug))


def lignes(reponse):
    return [ligne for bloc in reponse.context["blocs"] for ligne in bloc.lignes]


def saisir(utilisateur, indicateur, texte, annee=2021, soumettre=False, note=""):
    return grille_enregistrer(
        utilisateur=utilisateur,
        indicateur=indicateur,
        annee=annee,
        saisies={cle(*k): (texte, 0) for k in grille_cles(indicateur)[:1]},
        soumettre=soumettre,
        note=note,
    )


@pytest.fixture
def etat(partenaire):
    return partenaire("etat")


# ------------------------------------------------------------ the home


def test_the_home_groups_lines_by_objective_then_fiche_or_commitment(campagne, etat):
    reponse = connecte(etat).get(reverse(ACCUEIL), {"annee": 2021})
    assert reponse.status_code == 200
    blocs = reponse.context["blocs"]
    assert [b.ordre for b in blocs] == sorted(b.ordre for b in blocs)
    vus = set()
    for bloc in blocs:
        for groupe in bloc.groupes:
            assert groupe.cle not in vus  # one group per fiche or commitment
            vus.add(groupe.cle)
            for ligne in groupe.lignes:
                if ligne.fiche is not None:
                    assert groupe.cle == f"f{ligne.fiche.pk}"
                    attendu = ligne.fiche.objectif
                else:
                    assert groupe.cle == f"e{ligne.engagement.pk}"
                    attendu = ligne.engagement.objectif
                assert bloc.titre == (str(attendu) if attendu else accueil._bloc_de(None)[1]), (
                    ligne.libelle
                )
            # A fiche's follow-up comes before its indicators.
            natures = [ligne.nature for ligne in groupe.lignes]
            assert natures == sorted(natures, key=lambda n: n != "suivi")
    # Indicators and follow-ups, both owed.
    natures = {ligne.nature for ligne in lignes(reponse)}
    assert natures == {"indicateur", "suivi"}
    assert reponse.content.decode().count('<details class="groupe"') == len(vus)


def test_state_filters_and_counts_read_get_parameters(campagne, etat, equipe):
    brouillon, soumis, valide = indicateurs_de("etat").order_by("code")[:3]
    saisir(etat, brouillon, "1")
    saisir(etat, soumis, "2", soumettre=True)
    [v] = saisir(etat, valide, "3", soumettre=True)
    valeurs_statuer(utilisateur=equipe, valeurs=[(v, v.version)], valider=True)
    client = connecte(etat)

    tout = client.get(reverse(ACCUEIL), {"annee": 2021})
    nb = tout.context["nb"]
    assert nb["brouillon"] == 1 and nb["soumis"] == 1 and nb["valide"] == 1
    assert nb["a_saisir"] == nb["total"] - 3
    assert nb["total"] == len(lignes(tout)) > indicateurs_de("etat").count()
    # The 2021 deadline (31 March 2022) has passed: everything still due is late.
    assert nb["en_retard"] == nb["a_saisir"] + nb["brouillon"]
    assert tout.context["faites"] == 2
    assert tout.context["progression"] == round(200 / nb["total"])

    seul = client.get(reverse(ACCUEIL), {"annee": 2021, "etat": "brouillon"})
    assert [ligne.indicateur for ligne in lignes(seul)] == [brouillon]
    deux = client.get(reverse(ACCUEIL), {"annee": 2021, "etat": ["soumis", "valide"]})
    assert {ligne.indicateur for ligne in lignes(deux)} == {soumis, valide}
    # The counts stay the campaign's whatever the filter.
    assert deux.context["nb"] == nb
    retard = client.get(reverse(ACCUEIL), {"annee": 2021, "etat": "en_retard"})
    assert all(ligne.en_retard for ligne in lignes(retard))
    assert len(lignes(retard)) == nb["en_retard"]
    # The former single filter still works (links made before).
    ancien = client.get(reverse(ACCUEIL), {"annee": 2021, "filtre": "a_faire"})
    assert len(lignes(ancien)) == nb["a_saisir"] + nb["brouillon"]
    # An unknown state is ignored, not an error.
    assert len(lignes(client.get(reverse(ACCUEIL), {"etat": "x", "annee": 2021}))) == nb["total"]
    # The count links keep the campaign.
    assert 'href="?annee=2021&amp;etat=brouillon"' in seul.content.decode()


def test_search_ignores_case_and_accents_and_reads_codes(campagne, etat):
    client = connecte(etat)
    sante = lignes(client.get(reverse(ACCUEIL), {"annee": 2021, "q": "SANTE"}))
    assert sante
    for ligne in sante:
        assert "sante" in ligne.recherche
    tout = lignes(client.get(reverse(ACCUEIL), {"annee": 2021}))
    assert len(sante) < len(tout)
    code = indicateurs_de("etat").order_by("code").first().code
    [trouvee] = [
        ligne
        for ligne in lignes(client.get(reverse(ACCUEIL), {"annee": 2021, "q": code}))
        if ligne.indicateur and ligne.indicateur.code == code
    ]
    assert trouvee
    vide = client.get(reverse(ACCUEIL), {"annee": 2021, "q": "zzzz introuvable"})
    assert lignes(vide) == []
    assert "Aucune ligne ne correspond" in html.unescape(vide.content.decode())


def test_the_service_column_shows_what_the_data_names_or_a_dash(campagne, etat):
    reponse = connecte(etat).get(reverse(ACCUEIL), {"annee": 2021})
    ars = Organisation.objects.get(slug="ars-occitanie")
    toutes = lignes(reponse)
    # An indicator a service is responsible for: that service.
    a_l_ars = [ligne for ligne in toutes if ligne.responsable == ars and ligne.indicateur]
    assert a_l_ars and all(ligne.services == [ars] for ligne in a_l_ars)
    # Never an organisation outside the État's perimeter.
    perimetre = set(Organisation.objects.perimetre(Organisation.objects.get(slug="etat")))
    assert all(set(ligne.services) <= perimetre for ligne in toutes)
    # Where nothing names a service: none, shown as a dash.
    assert any(ligne.services == [] for ligne in toutes)
    assert "ne nomme pas de service" in reponse.content.decode()


def test_a_service_named_in_the_indicator_text_is_found():
    etat = Organisation.objects.get(slug="etat")
    services = accueil.Services(etat)
    dsden = Organisation.objects.get(slug="dsden-34")
    assert services.de(responsable=etat, textes=["Élèves suivis par la DSDEN"]) == [dsden]
    assert services.de(responsable=etat, textes=["Nombre de réunions"]) == []


def test_a_partner_never_sees_another_organisations_lines(campagne, partenaire):
    caf = partenaire("caf-herault")
    reponse = connecte(caf).get(reverse(ACCUEIL), {"annee": 2021, "organisation": "etat"})
    assert reponse.context["organisation"].slug == "caf-herault"
    perimetre = set(Organisation.objects.perimetre(Organisation.objects.get(slug="caf-herault")))
    for ligne in lignes(reponse):
        if ligne.indicateur is not None:
            assert ligne.indicateur.organisation in perimetre
        elif ligne.engagement is not None:
            assert set(ligne.engagement.organisations.all()) & perimetre
        else:
            assert ligne.responsable in perimetre
    page = reponse.content.decode()
    for code in indicateurs_de("etat").values_list("code", flat=True):
        assert f">{code}<" not in page


def test_the_home_reads_a_bounded_number_of_queries(campagne, etat, django_assert_num_queries):
    client = connecte(etat)
    client.get(reverse(ACCUEIL), {"annee": 2021})  # session warm-up
    assert indicateurs_de("etat").count() >= 200
    # 18 queries: session, user, membership, its organisation; the campaigns;
    # the perimeter and its services' aliases (the service column); the values'
    # synthesis and the quartier count; the indicators (fiche, objective,
    # commitment joined), their fiches' pilots, their commitments' organisations;
    # the actions: the perimeter, the records, the fiches in force and their
    # pilots, the commitments and their organisations.
    with django_assert_num_queries(19) as captured:  # 18 + the header's unread notifications
        client.get(reverse(ACCUEIL), {"annee": 2021, "q": "a"})
    avant = len(captured.captured_queries)
    # More of the État's lines: the same count.
    extra = Indicateur.objects.filter(organisation__isnull=True, fiche__isnull=False)[:30]
    Indicateur.objects.filter(pk__in=[i.pk for i in extra]).update(
        organisation=Organisation.objects.get(slug="etat")
    )
    with django_assert_num_queries(avant):
        client.get(reverse(ACCUEIL), {"annee": 2021})


def test_the_default_campaign_is_the_open_one_with_the_nearest_deadline():
    aujourdhui = datetime.date(2022, 3, 1)

    def c(annee, limite, statut=Campagne.Statut.OUVERTE):
        return Campagne(annee=annee, date_limite=limite, statut=statut)

    a, b, fermee = (
        c(2020, datetime.date(2021, 3, 31)),
        c(2021, datetime.date(2022, 3, 31)),
        c(2022, datetime.date(2022, 3, 2), Campagne.Statut.FERMEE),
    )
    assert accueil.campagne_par_defaut([fermee, b, a], aujourdhui) == b
    assert accueil.campagne_par_defaut([fermee], aujourdhui) == fermee
    assert accueil.campagne_par_defaut([a, c(2019, datetime.date(2019, 3, 1))], aujourdhui) == a
    assert accueil.campagne_par_defaut([], aujourdhui) is None


def test_the_campaign_selector_lists_every_campaign_and_keeps_the_choice(campagne, etat, equipe):
    from engagements.services import campagne_fermer, campagne_ouvrir

    autre = campagne_ouvrir(utilisateur=equipe, annee=2020, date_limite=datetime.date(2021, 3, 31))
    campagne_fermer(utilisateur=equipe, campagne=autre, motif="Campagne 2020 terminée.")
    client = connecte(etat)
    defaut = client.get(reverse(ACCUEIL))
    assert defaut.context["campagne"] == campagne  # the open one
    assert [c.annee for c in defaut.context["campagnes"]] == [2021, 2020]
    choisie = client.get(reverse(ACCUEIL), {"annee": 2020})
    assert choisie.context["campagne"].annee == 2020
    page = choisie.content.decode()
    assert 'value="2020" selected' in page
    code = indicateurs_de("etat").order_by("code").first().code
    assert reverse("saisie:grille", args=[2020, code]) in page
    assert "campagne fermée" in page


def test_empty_states_say_why_in_french(partenaire):
    client = connecte(partenaire("etat"))
    sans = client.get(reverse(ACCUEIL))
    assert "Aucune campagne de saisie n'est ouverte" in html.unescape(sans.content.decode())
    Campagne.objects.create(annee=2021, date_limite=datetime.date(2022, 3, 31))
    nouvelle = Organisation.objects.create(slug="sans-rien", nom="Sans rien", type="autre")
    rien = connecte(partenaire("sans-rien")).get(reverse(ACCUEIL))
    assert rien.context["organisation"] == nouvelle
    assert "Rien n'est attendu de votre organisation" in html.unescape(rien.content.decode())


def test_a_follow_up_record_shows_its_state(campagne, partenaire):
    caf = partenaire("caf-herault")
    client = connecte(caf)
    [premiere, *_] = [
        ligne
        for ligne in lignes(client.get(reverse(ACCUEIL), {"annee": 2021}))
        if ligne.nature == "suivi"
    ]
    SuiviAction.objects.create(
        annee=2021,
        fiche=premiere.fiche,
        engagement=premiere.engagement,
        organisation=premiere.responsable,
        statut=SuiviAction.Statut.SOUMIS,
        saisi_par=caf,
        saisi_le=datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC),
    )
    soumis = lignes(client.get(reverse(ACCUEIL), {"annee": 2021, "etat": "soumis"}))
    assert [(ligne.nature, ligne.fiche, ligne.engagement) for ligne in soumis] == [
        ("suivi", premiere.fiche, premiere.engagement)
    ]


# ------------------------------------------------------------ the grid


@pytest.fixture
def grille_quartiers(etat):
    indicateur = indicateurs_de("etat").filter(fiche__isnull=False).order_by("code").first()
    indicateur.desagregation = Indicateur.Desagregation.QUARTIER_SEXE
    indicateur.unite = Indicateur.Unite.NOMBRE
    indicateur.valeur_reference = Decimal(120)
    indicateur.annee_reference = 2017
    indicateur.save()
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2021, valeur=Decimal(400))
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2020, valeur=Decimal(300))
    return indicateur


def test_the_grid_shows_unit_target_baseline_history_and_totals(
    campagne, etat, equipe, grille_quartiers
):
    indicateur = grille_quartiers
    Campagne.objects.create(annee=2020, date_limite=datetime.date(2021, 3, 31))
    cellules = grille_cles(indicateur)
    [v1, v2] = grille_enregistrer(
        utilisateur=etat,
        indicateur=indicateur,
        annee=2020,
        saisies={cle(*cellules[0]): ("10", 0), cle(*cellules[1]): ("5", 0)},
        soumettre=True,
        note="Première année.",
    )
    valeurs_statuer(utilisateur=equipe, valeurs=[(v1, v1.version)], valider=True)
    # A validated 2019 value of a member of the series is read with it.
    membre = Indicateur.objects.filter(fiche=indicateur.fiche).exclude(pk=indicateur.pk).first()
    Valeur.objects.create(
        indicateur=membre,
        annee=2019,
        valeur=Decimal(7),
        statut=Valeur.Statut.VALIDEE,
        saisie_par=etat,
        saisie_le=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    )
    LienSerie.objects.create(
        indicateur=membre, reference=indicateur, statut=LienSerie.Statut.CONFIRME
    )
    grille_enregistrer(
        utilisateur=etat,
        indicateur=indicateur,
        annee=2021,
        saisies={cle(*cellules[0]): ("1 000", 0), cle(*cellules[3]): ("2", 0)},
    )
    reponse = connecte(etat).get(reverse("saisie:grille", args=[2021, indicateur.code]))
    assert reponse.status_code == 200
    # Only validated values, of the earlier years, the series read whole.
    assert reponse.context["historique"] == [
        {"annee": 2019, "valeur": Decimal(7), "nb": 1, "cible": None},
        {"annee": 2020, "valeur": Decimal(10), "nb": 1, "cible": Decimal(300)},
    ]
    totaux = reponse.context["totaux"]
    assert totaux["general"] == Decimal(1002)
    assert totaux["lignes"][:2] == [Decimal(1000), Decimal(2)]
    assert totaux["colonnes"] == [Decimal(1000), Decimal(2)]
    page = html.unescape(reponse.content.decode()).replace("\u202f", " ").replace("\xa0", " ")
    assert "Nombre" in page and "120 (2017)" in page and "400" in page
    assert "data-total-general>1 002<" in page
    assert "engagements/grille.js" in page

    # A percentage does not add up: no totals, no script.
    indicateur.unite = Indicateur.Unite.POURCENTAGE
    indicateur.save()
    reponse = connecte(etat).get(reverse("saisie:grille", args=[2021, indicateur.code]))
    assert reponse.context["totaux"] is None
    assert "grille.js" not in reponse.content.decode()


def _poste(client, indicateur, valeurs, action="brouillon", note=""):
    data = {"action": action, "note": note}
    for k in grille_cles(indicateur):
        nom = nom_champ(cle(*k))
        data[nom] = valeurs.get(k, "")
        versions = Valeur.objects.filter(
            indicateur=indicateur, annee=2021, quartier=k[0], sexe=k[1]
        ).values_list("version", flat=True)
        data[f"ver_{nom}"] = versions[0] if versions else 0
    return client.post(reverse("saisie:grille", args=[2021, indicateur.code]), data)


def _message(reponse):
    """The messages the redirect carries (then read: the next one starts afresh)."""
    messages = [str(m) for m in get_messages(reponse.wsgi_request)]
    reponse.client.get(reponse["Location"])
    return messages


def test_a_draft_far_from_target_saves_the_submission_asks_for_the_note(campagne, etat):
    indicateur = indicateurs_de("etat").order_by("code").first()
    indicateur.desagregation = Indicateur.Desagregation.AUCUNE
    indicateur.unite = Indicateur.Unite.NOMBRE
    indicateur.save()
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2021, valeur=Decimal(100))
    client = connecte(etat)
    [k] = grille_cles(indicateur)

    reponse = _poste(client, indicateur, {k: "900"})
    assert reponse.status_code == 302
    assert _message(reponse) == ["Brouillon enregistré : 1 cellule modifiée."]
    valeur = Valeur.objects.get(indicateur=indicateur, annee=2021)
    assert valeur.valeur == 900 and valeur.statut == Valeur.Statut.BROUILLON

    refus = _poste(client, indicateur, {k: "900"}, action="soumettre")
    assert refus.status_code == 400
    assert "expliquez-la dans la note avant de soumettre" in html.unescape(refus.content.decode())
    valeur.refresh_from_db()
    assert valeur.statut == Valeur.Statut.BROUILLON

    ok = _poste(client, indicateur, {k: "900"}, action="soumettre", note="Nouveau dispositif.")
    assert ok.status_code == 302
    valeur.refresh_from_db()
    assert valeur.statut == Valeur.Statut.SOUMISE


def test_an_empty_save_says_nothing_was_saved(campagne, etat, grille_quartiers):
    indicateur = grille_quartiers
    client = connecte(etat)
    vide = _poste(client, indicateur, {}, note="une note seule")
    assert vide.status_code == 302
    assert _message(vide) == [
        "Aucune valeur saisie : rien n'a été enregistré (la note s'enregistre avec les valeurs)."
    ]
    assert not Valeur.objects.filter(indicateur=indicateur).exists()
    assert "Brouillon enregistré" not in html.unescape(
        client.get(reverse("saisie:grille", args=[2021, indicateur.code])).content.decode()
    )

    cellules = grille_cles(indicateur)
    deux = _poste(client, indicateur, {cellules[0]: "3", cellules[5]: "4"})
    assert _message(deux) == ["Brouillon enregistré : 2 cellules modifiées."]
    assert Valeur.objects.filter(indicateur=indicateur).count() == 2
    # The same grid again: nothing changed, and it says so.
    pareil = _poste(client, indicateur, {cellules[0]: "3", cellules[5]: "4"})
    assert _message(pareil) == ["Aucune modification : rien n'a été enregistré."]
    # One changed, one emptied: two cells.
    une = _poste(client, indicateur, {cellules[0]: "8"})
    assert _message(une) == ["Brouillon enregistré : 2 cellules modifiées."]
    assert list(Valeur.objects.filter(indicateur=indicateur).values_list("valeur", flat=True)) == [
        8
    ]


def test_home_and_follow_up_list_default_to_the_nearest_open_deadline(campagne, etat, equipe):
    from django.utils import timezone

    from engagements.services import campagne_ouvrir

    proche = campagne_ouvrir(
        utilisateur=equipe,
        annee=2020,
        date_limite=timezone.localdate() + datetime.timedelta(days=5),
    )
    client = connecte(etat)
    accueil_ = client.get(reverse(ACCUEIL))
    assert accueil_.context["campagne"] == proche  # not the latest, 2021
    assert accueil_.context["jours_restants"] == 5
    assert "encore <strong>5 jours</strong>" in accueil_.content.decode()
    assert client.get(reverse("saisie:suivis")).context["campagne"] == proche
