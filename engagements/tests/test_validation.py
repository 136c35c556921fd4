"""Staff validation with context (per cell, per grid, a selection across
indicators) and campaigns closed with a reason, reopened with a new deadline."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contrat.models import Modification
from engagements.models import Campagne, EvenementCampagne, Valeur
from engagements.services import (
    VALIDATION_LOT_MAX,
    campagne_fermer,
    campagne_ouvrir,
    campagne_rouvrir,
    cle,
    grille_cles,
    grille_enregistrer,
    valeurs_statuer,
)
from fiches.models import CibleAnnuelle, Indicateur

pytestmark = pytest.mark.django_db
TOUT = ("", "")


@pytest.fixture
def metropole(partenaire):
    return partenaire("metropole")


@pytest.fixture
def indicateur():
    """Fiche 1.1's first indicator, a count reported by the Métropole."""
    return Indicateur.objects.get(code="2019-1.1-1")


@pytest.fixture
def grille(indicateur, metropole, campagne):
    """A 12 × 2 grid (quartier × sex) submitted for 2021 with a note."""
    indicateur.desagregation = Indicateur.Desagregation.QUARTIER_SEXE
    indicateur.save()
    saisies = {cle(q, s): (str(i + 1), 0) for i, (q, s) in enumerate(grille_cles(indicateur))}
    grille_enregistrer(
        utilisateur=metropole,
        indicateur=indicateur,
        annee=2021,
        saisies=saisies,
        note="Chiffres du service jeunesse, hors vacances scolaires.",
        soumettre=True,
    )
    return indicateur


def soumettre(indicateur, utilisateur, texte="5", annee=2021):
    grille_enregistrer(
        utilisateur=utilisateur,
        indicateur=indicateur,
        annee=annee,
        saisies={TOUT: (texte, 0)},
        soumettre=True,
    )
    return Valeur.objects.get(indicateur=indicateur, annee=annee)


def autre_indicateur(code="2019-1.1-2"):
    ind = Indicateur.objects.get(code=code)
    assert ind.organisation.slug == "metropole"
    return ind


def test_validate_one_cell_leaves_the_others_submitted(grille, equipe, client):
    client.force_login(equipe)
    url = reverse("saisie:valider_grille", args=[2021, grille.code])
    une = Valeur.objects.filter(indicateur=grille).order_by("pk").first()
    versions = {f"ver_{v.pk}": v.version for v in Valeur.objects.filter(indicateur=grille)}
    response = client.post(url, {"action": f"valider:{une.pk}", "commentaire": "", **versions})
    assert response.status_code == 302
    assert Valeur.objects.get(pk=une.pk).statut == Valeur.Statut.VALIDEE
    assert Valeur.objects.filter(indicateur=grille, statut=Valeur.Statut.SOUMISE).count() == 23
    # The rest still waits: back to the grid, not the queue.
    assert response["Location"] == url


def test_reject_one_cell_needs_a_reason(grille, equipe, client):
    client.force_login(equipe)
    url = reverse("saisie:valider_grille", args=[2021, grille.code])
    une = Valeur.objects.filter(indicateur=grille).order_by("pk").first()
    versions = {f"ver_{v.pk}": v.version for v in Valeur.objects.filter(indicateur=grille)}
    response = client.post(url, {"action": f"rejeter:{une.pk}", "commentaire": " ", **versions})
    assert response.status_code == 400
    assert "Expliquez le rejet" in html.unescape(response.text)
    assert not Valeur.objects.filter(statut=Valeur.Statut.REJETEE).exists()
    response = client.post(
        url, {"action": f"rejeter:{une.pk}", "commentaire": "Gély : doublon ?", **versions}
    )
    assert response.status_code == 302
    une.refresh_from_db()
    assert (une.statut, une.commentaire_validation, une.validee_par) == (
        Valeur.Statut.REJETEE,
        "Gély : doublon ?",
        equipe,
    )
    assert Valeur.objects.filter(indicateur=grille, statut=Valeur.Statut.SOUMISE).count() == 23


def test_a_partial_selection_of_a_grid_is_decided_alone(grille, equipe, client):
    client.force_login(equipe)
    url = reverse("saisie:valider_grille", args=[2021, grille.code])
    valeurs = list(Valeur.objects.filter(indicateur=grille).order_by("pk"))
    versions = {f"ver_{v.pk}": v.version for v in valeurs}
    choisies = [v.pk for v in valeurs[:5]]
    response = client.post(
        url,
        {"action": "valider_selection", "selection": choisies, "commentaire": "", **versions},
    )
    assert response.status_code == 302
    statuts = dict(Valeur.objects.filter(indicateur=grille).values_list("pk", "statut"))
    assert [statuts[v.pk] for v in valeurs[:5]] == [Valeur.Statut.VALIDEE] * 5
    assert [statuts[v.pk] for v in valeurs[5:]] == [Valeur.Statut.SOUMISE] * 19
    # Nothing ticked: a clear message, nothing decided.
    response = client.post(url, {"action": "valider_selection", "commentaire": "", **versions})
    assert response.status_code == 400
    assert "Aucune valeur sélectionnée" in html.unescape(response.text)
    # The whole grid: the 19 still submitted.
    versions = {
        f"ver_{v.pk}": v.version
        for v in Valeur.objects.filter(indicateur=grille, statut=Valeur.Statut.SOUMISE)
    }
    response = client.post(url, {"action": "valider", "commentaire": "", **versions})
    assert response.status_code == 302 and response["Location"] == reverse("saisie:validation")
    assert Valeur.objects.filter(indicateur=grille, statut=Valeur.Statut.VALIDEE).count() == 24


def test_a_value_not_submitted_is_refused_with_a_clear_message(
    indicateur, metropole, campagne, equipe
):
    equipe_ = equipe
    grille_enregistrer(
        utilisateur=metropole, indicateur=indicateur, annee=2021, saisies={TOUT: ("5", 0)}
    )
    brouillon = Valeur.objects.get()
    with pytest.raises(ValidationError) as excinfo:
        valeurs_statuer(utilisateur=equipe_, valeurs=[(brouillon, brouillon.version)], valider=True)
    message = excinfo.value.messages[0]
    assert "Seules les valeurs soumises se valident" in message
    assert "2019-1.1-1 2021, tous quartiers / ensemble (brouillon)" in message
    assert "Rien n'a été enregistré" in message
    brouillon.refresh_from_db()
    assert brouillon.statut == Valeur.Statut.BROUILLON
    # The same through the page, with the cell's own button (crafted: the page offers none).
    client = Client()
    client.force_login(equipe_)
    reponse = client.post(
        reverse("saisie:valider_grille", args=[2021, indicateur.code]),
        {"action": f"valider:{brouillon.pk}", "commentaire": ""},
    )
    assert reponse.status_code == 400
    assert "Seules les valeurs soumises se valident" in html.unescape(reponse.text)
    brouillon.refresh_from_db()
    assert brouillon.statut == Valeur.Statut.BROUILLON


def test_a_selection_with_one_value_not_submitted_decides_nothing(
    indicateur, metropole, campagne, equipe
):
    soumise = soumettre(indicateur, metropole)
    validee = soumettre(autre_indicateur(), metropole)
    valeurs_statuer(utilisateur=equipe, valeurs=[(validee, validee.version)], valider=True)
    validee.refresh_from_db()
    with pytest.raises(ValidationError):
        valeurs_statuer(
            utilisateur=equipe,
            valeurs=[(soumise, soumise.version), (validee, validee.version)],
            valider=False,
            commentaire="À revoir",
        )
    soumise.refresh_from_db()
    assert soumise.statut == Valeur.Statut.SOUMISE


def test_a_selection_too_large_is_refused_before_reading(equipe):
    paires = [(i + 1, 1) for i in range(VALIDATION_LOT_MAX + 1)]
    with pytest.raises(ValidationError) as excinfo:
        valeurs_statuer(utilisateur=equipe, valeurs=paires, valider=True)
    assert f"{VALIDATION_LOT_MAX} au plus" in excinfo.value.messages[0]


def test_a_selection_across_indicators_from_the_queue(indicateur, metropole, campagne, equipe):
    client_ = Client()
    client_.force_login(equipe)
    a = soumettre(indicateur, metropole)
    b = soumettre(autre_indicateur(), metropole)
    c = soumettre(autre_indicateur("2019-1.1-3"), metropole)
    file = client_.get(reverse("saisie:validation"))
    assert file.status_code == 200
    jetons = {
        v.pk: f"{v.pk}:{v.version}" for v in (a, b, c)
    }  # the checkbox of each grid carries its submitted values and versions
    for jeton in jetons.values():
        assert f'value="{jeton}"' in file.text
    # A rejection of several needs one reason.
    donnees = {"grille": [jetons[a.pk], jetons[b.pk]], "action": "rejeter", "commentaire": ""}
    response = client_.post(reverse("saisie:validation"), donnees)
    assert response.status_code == 400
    assert "Expliquez le rejet" in html.unescape(response.text)
    donnees["commentaire"] = "Sources manquantes"
    response = client_.post(reverse("saisie:validation"), donnees)
    assert response.status_code == 302
    statuts = dict(Valeur.objects.values_list("pk", "statut"))
    assert (statuts[a.pk], statuts[b.pk], statuts[c.pk]) == ("rejetee", "rejetee", "soumise")
    assert set(
        Valeur.objects.filter(pk__in=[a.pk, b.pk]).values_list("commentaire_validation", flat=True)
    ) == {"Sources manquantes"}
    # History kept, with the staff member as author.
    rejets = Modification.objects.filter(
        table="engagements_valeur", apres__statut="rejetee"
    ).values_list("utilisateur", flat=True)
    assert list(rejets) == [equipe.pk, equipe.pk]
    # A stale checkbox (the version moved) is a conflict: nothing decided.
    response = client_.post(
        reverse("saisie:validation"),
        {"grille": [jetons[a.pk], jetons[c.pk]], "action": "valider", "commentaire": ""},
    )
    assert response.status_code == 409
    assert Valeur.objects.get(pk=c.pk).statut == Valeur.Statut.SOUMISE


def test_the_queue_filters_and_counts(indicateur, metropole, campagne, equipe, partenaire, client):
    etat = partenaire("etat")
    de_l_etat = Indicateur.objects.a_saisir().filter(organisation__slug="etat").first()
    soumettre(indicateur, metropole)
    v = soumettre(autre_indicateur(), metropole)
    valeurs_statuer(utilisateur=equipe, valeurs=[(v, v.version)], valider=True)
    soumettre(de_l_etat, etat)
    client.force_login(equipe)
    url = reverse("saisie:validation")

    def codes(reponse):
        return [ligne.indicateur.code for ligne in reponse.context["lignes"]]

    reponse = client.get(url)
    assert sorted(codes(reponse)) == sorted([indicateur.code, de_l_etat.code])
    comptes = {s["code"]: (s["grilles"], s["valeurs"]) for s in reponse.context["statuts"]}
    assert comptes["soumise"] == (2, 2) and comptes["validee"] == (1, 1) and comptes[""] == (3, 3)
    assert codes(client.get(url, {"organisation": "etat"})) == [de_l_etat.code]
    assert codes(client.get(url, {"statut": "validee"})) == ["2019-1.1-2"]
    assert codes(client.get(url, {"fiche": "1.1", "statut": ""})) == sorted(
        [indicateur.code, "2019-1.1-2"]
    )
    objectif = indicateur.fiche.objectif.numero
    assert indicateur.code in codes(client.get(url, {"objectif": objectif}))
    campagne_ouvrir(utilisateur=equipe, annee=2022, date_limite=datetime.date(2023, 3, 31))
    assert codes(client.get(url, {"annee": 2022})) == []
    assert len(codes(client.get(url, {"annee": 2021}))) == 2
    # A filter out of the lists is refused in French, never reaches a query.
    reponse = client.get(url, {"organisation": "inconnue"})
    assert reponse.status_code == 400
    assert "Filtres ignorés" in html.unescape(reponse.text)


def test_the_queue_reads_a_bounded_number_of_queries(
    indicateur, metropole, campagne, equipe, client, django_assert_num_queries
):
    client.force_login(equipe)
    soumettre(indicateur, metropole)
    # session, user, campaigns, organisations, objectives, fiches, the synthesis,
    # the submissions' dates, the page's indicators, their submitted values
    with django_assert_num_queries(11):  # 10 + the header's unread notifications
        assert client.get(reverse("saisie:validation")).status_code == 200
    for code in ["2019-1.1-2", "2019-1.1-3", "2019-1.1-4"]:
        soumettre(Indicateur.objects.get(code=code), metropole)
    with django_assert_num_queries(11):  # 10 + the header's unread notifications
        reponse = client.get(reverse("saisie:validation"))
    assert len(reponse.context["lignes"]) == 4


def test_the_grid_page_shows_its_context(grille, metropole, equipe, client):
    """Unit, the year's target, baseline, earlier years, totals, the note
    once, who submitted when."""
    grille.valeur_reference, grille.annee_reference = Decimal(40), 2018
    grille.save()
    CibleAnnuelle.objects.create(indicateur=grille, annee=2021, valeur=Decimal(250))
    CibleAnnuelle.objects.create(indicateur=grille, annee=2020, valeur=Decimal(200))
    equipe_ = equipe
    campagne_ouvrir(utilisateur=equipe_, annee=2020, date_limite=datetime.date(2021, 3, 31))
    saisies = {cle(q, s): ("2", 0) for q, s in grille_cles(grille)}
    grille_enregistrer(
        utilisateur=metropole,
        indicateur=grille,
        annee=2020,
        saisies=saisies,
        note="Premier recensement.",
        soumettre=True,
    )
    valeurs_statuer(
        utilisateur=equipe_,
        valeurs=[(v, v.version) for v in Valeur.objects.filter(annee=2020)],
        valider=True,
    )
    client.force_login(equipe_)
    reponse = client.get(reverse("saisie:valider_grille", args=[2021, grille.code]))
    assert reponse.status_code == 200
    page = html.unescape(reponse.text)
    assert "Nombre" in page  # the unit
    assert "250" in page  # the 2021 target
    assert "40 (2018)" in page  # the baseline
    # 2020 validated: 24 cells of 2, total 48, against its target of 200.
    precedentes = reponse.context["precedentes"]
    assert [(a.annee, a.total, a.cible.valeur, a.nb) for a in precedentes] == [
        (2020, Decimal(48), Decimal(200), 24)
    ]
    # 2021's total: 1 + 2 + ... + 24 = 300; women's and men's columns apart.
    assert reponse.context["total"] == Decimal(300)
    assert [s for _, s in reponse.context["par_sexe"]] == [Decimal(144), Decimal(156)]
    # The note once, not on each of the 24 rows.
    assert page.count("Chiffres du service jeunesse") == 1
    assert f"24 valeurs par {metropole}" in page


def test_the_grid_page_says_what_is_missing(indicateur, metropole, campagne, equipe, client):
    indicateur.unite = ""
    indicateur.save()
    soumettre(indicateur, metropole)
    client.force_login(equipe)
    page = html.unescape(
        client.get(reverse("saisie:valider_grille", args=[2021, indicateur.code])).text
    )
    assert page.count("non renseignée") >= 3  # unit, target, baseline
    assert "Aucune valeur validée avant 2021" in page
    assert "aucune note" in page


def test_the_grid_page_reads_a_bounded_number_of_queries(
    grille, equipe, client, django_assert_num_queries
):
    client.force_login(equipe)
    # session, user, the indicator, its targets, its series link, the campaign,
    # the values, the quartiers (grid layout), the earlier years
    with django_assert_num_queries(10):  # 9 + the header's unread notifications
        assert (
            client.get(reverse("saisie:valider_grille", args=[2021, grille.code])).status_code
            == 200
        )


def test_partners_never_reach_validation(grille, metropole, client):
    client.force_login(metropole)
    valeur = Valeur.objects.filter(indicateur=grille).first()
    for url, donnees in [
        (reverse("saisie:validation"), {"grille": f"{valeur.pk}:{valeur.version}"}),
        (
            reverse("saisie:valider_grille", args=[2021, grille.code]),
            {"action": f"valider:{valeur.pk}", f"ver_{valeur.pk}": valeur.version},
        ),
        (
            reverse("saisie:campagne_action", args=[2021, "fermer"]),
            {"motif": "x", "confirmer": "on"},
        ),
    ]:
        # A signed-in partner is told the page is the staff's (French 403).
        assert client.get(url).status_code == 403
        reponse = client.post(url, {**donnees, "action": donnees.get("action", "valider")})
        assert reponse.status_code == 403
    assert not Valeur.objects.filter(statut=Valeur.Statut.VALIDEE).exists()
    assert not Campagne.objects.get(annee=2021).verrouillee
    with pytest.raises(PermissionDenied):
        valeurs_statuer(utilisateur=metropole, valeurs=[(valeur, valeur.version)], valider=True)


# ---------------------------------------------------------------- campaigns


def test_closing_without_a_reason_is_refused(campagne, equipe):
    with pytest.raises(ValidationError) as excinfo:
        campagne_fermer(utilisateur=equipe, campagne=campagne, motif="  ")
    assert "Indiquez pourquoi la campagne est fermée" in excinfo.value.messages[0]
    campagne.refresh_from_db()
    assert not campagne.verrouillee
    campagne_fermer(utilisateur=equipe, campagne=campagne, motif="Saisie 2021 terminée")
    evenement = campagne.evenements.get(action=EvenementCampagne.Action.FERMETURE)
    assert (evenement.motif, evenement.auteur) == ("Saisie 2021 terminée", equipe)


def test_reopening_needs_a_reason_and_a_future_deadline(campagne, equipe):
    campagne_fermer(utilisateur=equipe, campagne=campagne, motif="Fin")
    demain = timezone.localdate() + datetime.timedelta(days=1)
    for motif, date_limite, message in [
        ("Retard", None, "Indiquez la nouvelle date limite"),
        ("", demain, "Indiquez pourquoi la campagne est rouverte"),
        ("Retard", timezone.localdate(), "doit être dans le futur"),
        ("Retard", datetime.date(2022, 3, 31), "doit être dans le futur"),
        ("Retard", "31/03/2099", "AAAA-MM-JJ"),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            campagne_rouvrir(
                utilisateur=equipe, campagne=campagne, motif=motif, date_limite=date_limite
            )
        assert message in excinfo.value.messages[0], (motif, date_limite)
        campagne.refresh_from_db()
        assert campagne.verrouillee and campagne.date_limite == datetime.date(2022, 3, 31)
    campagne_rouvrir(utilisateur=equipe, campagne=campagne, motif="Retard", date_limite=demain)
    campagne.refresh_from_db()
    assert not campagne.verrouillee and campagne.date_limite == demain
    evenement = campagne.evenements.get(action=EvenementCampagne.Action.REOUVERTURE)
    assert (evenement.motif, evenement.date_limite) == ("Retard", demain)


def test_the_deadline_must_follow_the_opening(campagne, equipe):
    campagne_fermer(utilisateur=equipe, campagne=campagne, motif="Fin")
    dans_un_mois = timezone.localdate() + datetime.timedelta(days=30)
    # An opening recorded in the future (a clock moved): the deadline must still follow it.
    EvenementCampagne.objects.filter(campagne=campagne).update(
        date=timezone.now() + datetime.timedelta(days=60)
    )
    with pytest.raises(ValidationError) as excinfo:
        campagne_rouvrir(
            utilisateur=equipe, campagne=campagne, motif="Retard", date_limite=dans_un_mois
        )
    assert "doit suivre l'ouverture" in excinfo.value.messages[0]


def test_the_campaign_pages_ask_for_confirmation(campagne, equipe, client):
    client.force_login(equipe)
    page = client.get(reverse("saisie:campagne_action", args=[2021, "fermer"]))
    assert page.status_code == 200
    assert 'name="confirmer"' in page.text and 'name="motif"' in page.text
    liste = client.get(reverse("saisie:campagnes"), {"annee": 2021})
    assert reverse("saisie:campagne_action", args=[2021, "fermer"]) in liste.text
    assert client.get(reverse("saisie:campagne_action", args=[2021, "effacer"])).status_code == 404
    campagne_fermer(utilisateur=equipe, campagne=campagne, motif="Fin")
    page = client.get(reverse("saisie:campagne_action", args=[2021, "rouvrir"]))
    assert 'name="date_limite"' in page.text


def test_the_admin_actions_ask_for_a_reason_and_a_deadline(campagne, equipe, staff_client):
    url = reverse("admin:engagements_campagne_changelist")
    base = {"_selected_action": [campagne.pk], "index": 0}
    staff_client.post(url, {**base, "action": "fermer", "motif": ""})
    campagne.refresh_from_db()
    assert not campagne.verrouillee
    staff_client.post(url, {**base, "action": "fermer", "motif": "Fin de saisie"})
    campagne.refresh_from_db()
    assert campagne.verrouillee
    staff_client.post(url, {**base, "action": "rouvrir", "motif": "Retard"})
    campagne.refresh_from_db()
    assert campagne.verrouillee
    demain = timezone.localdate() + datetime.timedelta(days=1)
    staff_client.post(
        url, {**base, "action": "rouvrir", "motif": "Retard", "date_limite": demain.isoformat()}
    )
    campagne.refresh_from_db()
    assert not campagne.verrouillee and campagne.date_limite == demain
