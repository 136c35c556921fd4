"""The campaign workbook of an organisation (export, import with a preview,
confirm) and the single-grid import's messages."""

import csv
import html
import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from contrat.models import Quartier
from engagements import classeur, echange
from engagements.models import Valeur
from engagements.services import grille_enregistrer
from fiches.models import Indicateur

pytestmark = pytest.mark.django_db

ORG = "departement-herault"


@pytest.fixture
def dep(partenaire, campagne):
    """The Département's partner and its 4 indicators for 2021: E78-1 by
    quartier and sex (2 drafts), E82-2 a percentage (submitted: locked),
    E78-2 and E82-1 empty."""
    user = partenaire(ORG)
    grille = Indicateur.objects.get(code="E78-1")
    grille.desagregation = Indicateur.Desagregation.QUARTIER_SEXE
    grille.save()
    premier = Quartier.objects.first().slug
    grille_enregistrer(
        utilisateur=user,
        indicateur=grille,
        annee=2021,
        saisies={(premier, "F"): ("10", 0), (premier, "H"): ("12", 0)},
        note="Source : CAF",
    )
    grille_enregistrer(
        utilisateur=user,
        indicateur=Indicateur.objects.get(code="E82-2"),
        annee=2021,
        saisies={("", ""): ("40", 0)},
        soumettre=True,
    )
    client = Client()
    client.force_login(user)
    return {"user": user, "client": client, "premier": premier}


def url(nom, slug=ORG):
    return reverse(f"saisie:{nom}", args=[2021, slug])


def telecharger(client, slug=ORG):
    reponse = client.get(url("classeur_exporter", slug))
    assert reponse.status_code == 200
    assert reponse["Content-Disposition"] == f'attachment; filename="classeur-{slug}-2021.xlsx"'
    return reponse.content


def cles_de(classeur_xlsx):
    """{(type, code, quartier, sexe): coordinate} from the hidden key sheet."""
    feuille = classeur_xlsx[classeur.FEUILLE_CLES]
    lignes = list(feuille.iter_rows(min_row=3, values_only=True))
    return {(t, code, q or "", s or ""): coord for _f, coord, t, code, q, s, _v in lignes}


def modifier(contenu, changements):
    """The workbook with ``{(type, code, quartier, sexe): new cell value}`` written,
    as a partner would in a spreadsheet program."""
    wb = openpyxl.load_workbook(io.BytesIO(contenu))
    cles = cles_de(wb)
    for k, valeur in changements.items():
        wb[classeur.FEUILLE_VALEURS][cles[k]] = valeur
    tampon = io.BytesIO()
    wb.save(tampon)
    return tampon.getvalue()


def deposer(client, contenu, slug=ORG, nom="classeur.xlsx"):
    fichier = io.BytesIO(contenu)
    fichier.name = nom
    return client.post(url("classeur_importer", slug), {"fichier": fichier})


def etat_base():
    return sorted(
        Valeur.objects.values_list(
            "indicateur__code", "quartier__slug", "sexe", "valeur", "version"
        )
    )


# ---------------------------------------------------------------- export


def test_workbook_holds_every_indicator_owed_with_keys_and_locked_cells(dep):
    contenu = telecharger(dep["client"])
    wb = openpyxl.load_workbook(io.BytesIO(contenu))
    assert wb.sheetnames == ["Instructions", "Valeurs", "Suivi des actions", "_cles"]
    assert wb["_cles"].sheet_state == "hidden"
    instructions = "\n".join(str(c.value or "") for c in wb["Instructions"]["A"])
    assert "date limite de saisie : 31/03/2022" in instructions
    assert "verrouillées" in instructions and "Soumise" in instructions
    valeurs = wb["Valeurs"]
    assert valeurs.freeze_panes == "B3"
    assert valeurs.protection.sheet
    texte = [str(c.value) for ligne in valeurs.iter_rows() for c in ligne if c.value is not None]
    for code in ["E78-1", "E78-2", "E82-1", "E82-2"]:
        assert any(t.startswith(f"{code} — ") for t in texte), code
    assert "non renseignée" in texte  # no target, no baseline: shown as missing
    meta = [c.value for c in wb["_cles"][1]]
    assert meta[:3] == ["classeur-campagne", ORG, 2021]
    cles = cles_de(wb)
    # Every cell of every grid keyed once: 12 quartiers × 2 sexes + 3 single values + 4 notes.
    assert len([k for k in cles if k[0] in {"valeur", "note"}]) == 24 + 3 + 4
    premier = dep["premier"]
    brouillon = valeurs[cles[("valeur", "E78-1", premier, "F")]]
    assert brouillon.value == 10
    assert brouillon.protection.locked is False
    assert brouillon.fill.fgColor.rgb.endswith("FFF2CC")
    soumise = valeurs[cles[("valeur", "E82-2", "", "")]]
    assert soumise.value == 40
    assert soumise.protection.locked is True
    assert soumise.fill.fgColor.rgb.endswith("D9D9D9")
    assert soumise.number_format == '0.0" %"'
    assert valeurs[cles[("note", "E78-1", "", "")]].value == "Source : CAF"
    # The row of a quartier says each cell's state.
    ligne = brouillon.row
    assert valeurs.cell(row=ligne, column=4).value == "Brouillon"


def test_another_organisation_cannot_download_or_import_the_workbook(dep, partenaire):
    autre = Client()
    autre.force_login(partenaire("caf-herault"))
    assert autre.get(url("classeur_exporter")).status_code == 404
    assert autre.get(url("classeur")).status_code == 404
    assert deposer(autre, b"x").status_code == 404


# ---------------------------------------------------------------- import


def test_round_trip_preview_counts_exactly_and_confirm_saves_exactly_those(dep):
    client, premier = dep["client"], dep["premier"]
    deuxieme = Quartier.objects.all()[1].slug
    contenu = modifier(
        telecharger(client),
        {
            ("valeur", "E78-1", premier, "F"): 11,  # changed
            ("valeur", "E78-1", deuxieme, "H"): "7",  # new, typed as text
            ("valeur", "E82-1", "", ""): 3,  # new
        },
    )
    avant = etat_base()
    reponse = deposer(client, contenu)
    assert reponse.status_code == 200
    apercu = reponse.context["apercu"]
    assert apercu.comptes == {
        "nouvelle": 2,
        "modifiee": 1,
        "supprimee": 0,
        "inchangee": 2,  # the other draft and the submitted value
        "note": 0,
        "erreur": 0,
    }
    modifiee = next(ligne for ligne in apercu.lignes if ligne.etat == "modifiee")
    assert (modifiee.code, modifiee.avant, modifiee.apres) == ("E78-1", "10", "11")
    assert modifiee.cellule.startswith("Valeurs!B")
    page = html.unescape(reponse.text)
    assert "rien n'est encore enregistré" in page
    assert etat_base() == avant  # a preview writes nothing
    reponse = client.post(
        url("classeur_confirmer"), {"jeton": reponse.context["jeton"], "action": "brouillon"}
    )
    assert reponse.status_code == 302
    message = html.unescape(client.get(reponse["Location"]).text)
    assert (
        "Classeur enregistré : 2 nouvelle(s) valeur(s), 1 valeur(s) modifiée(s), 2 inchangée(s)."
        in message
    )
    apres = {(c, q or "", s): (v, ver) for c, q, s, v, ver in etat_base()}
    assert apres[("E78-1", premier, "F")] == (11, 2)
    assert apres[("E78-1", premier, "H")] == (12, 1)  # unchanged: not even re-saved
    assert apres[("E78-1", deuxieme, "H")][0] == 7
    assert apres[("E82-1", "", "")][0] == 3
    assert len(apres) == len(avant) + 2
    # The note went with the new values (one note per grid).
    assert Valeur.objects.get(indicateur__code="E78-1", quartier__slug=deuxieme).note == (
        "Source : CAF"
    )
    # The preview is used once.
    assert client.post(url("classeur_confirmer"), {"jeton": "x"}).status_code == 302


def test_an_unchanged_workbook_changes_nothing(dep):
    client = dep["client"]
    reponse = deposer(client, telecharger(client))
    assert reponse.status_code == 200
    assert reponse.context["apercu"].comptes["inchangee"] == 3
    assert not reponse.context["apercu"].changements
    assert "il n'y a rien à enregistrer" in html.unescape(reponse.text)


def test_any_error_blocks_the_whole_workbook(dep):
    client, premier = dep["client"], dep["premier"]
    contenu = modifier(
        telecharger(client),
        {
            ("valeur", "E78-1", premier, "F"): 11,  # fine on its own
            ("valeur", "E78-1", premier, "H"): "douze",
            ("valeur", "E82-1", "", ""): 2.5,  # a count must be whole
            ("valeur", "E82-2", "", ""): 45,  # submitted: locked
        },
    )
    avant = etat_base()
    reponse = deposer(client, contenu)
    assert reponse.status_code == 400
    apercu = reponse.context["apercu"]
    assert apercu.comptes["erreur"] == 3 and apercu.comptes["modifiee"] == 1
    erreurs = {ligne.code: ligne for ligne in apercu.erreurs}
    assert "n'est pas un nombre" in erreurs["E78-1"].message
    assert erreurs["E78-1"].cellule.startswith("Valeurs!C")
    assert erreurs["E78-1"].ligne > 3
    assert "entier" in erreurs["E82-1"].message
    assert "soumise" in erreurs["E82-2"].message and "verrouillée" in erreurs["E82-2"].message
    page = html.unescape(reponse.text)
    assert "rien n'a été enregistré" in page
    assert "Enregistrer en brouillon" not in page
    assert classeur_session(client) is None
    assert etat_base() == avant


def classeur_session(client):
    from engagements.views_classeur import SESSION_APERCU

    return client.session.get(SESSION_APERCU)


def test_a_stale_preview_is_refused(dep, partenaire):
    client, premier = dep["client"], dep["premier"]
    contenu = modifier(telecharger(client), {("valeur", "E82-1", "", ""): 3})
    reponse = deposer(client, contenu)
    jeton = reponse.context["jeton"]
    # A colleague saves another cell of the organisation meanwhile.
    collegue = partenaire(ORG, username="collegue")
    grille_enregistrer(
        utilisateur=collegue,
        indicateur=Indicateur.objects.get(code="E78-1"),
        annee=2021,
        saisies={(premier, "F"): ("13", 1)},
        note="Source : CAF",
    )
    avant = etat_base()
    reponse = client.post(url("classeur_confirmer"), {"jeton": jeton, "action": "brouillon"})
    assert reponse.status_code == 409
    assert "ont changé depuis l'aperçu" in html.unescape(reponse.text)
    assert etat_base() == avant
    assert not Valeur.objects.filter(indicateur__code="E82-1").exists()


def test_a_cell_changed_in_the_app_since_the_download_is_an_error(dep):
    client, premier = dep["client"], dep["premier"]
    contenu = modifier(telecharger(client), {("valeur", "E78-1", premier, "F"): 11})
    grille_enregistrer(
        utilisateur=dep["user"],
        indicateur=Indicateur.objects.get(code="E78-1"),
        annee=2021,
        saisies={(premier, "F"): ("15", 1)},
        note="Source : CAF",
    )
    reponse = deposer(client, contenu)
    assert reponse.status_code == 400
    [erreur] = reponse.context["apercu"].erreurs
    assert "depuis le téléchargement" in erreur.message and "15" in erreur.message


def test_an_expired_preview_is_refused(dep):
    client = dep["client"]
    reponse = deposer(client, modifier(telecharger(client), {("valeur", "E82-1", "", ""): 3}))
    session = client.session
    session["classeur_import"]["expire"] = 0
    session.save()
    reponse = client.post(url("classeur_confirmer"), {"jeton": reponse.context["jeton"]})
    assert reponse.status_code == 302
    assert "Aperçu périmé" in html.unescape(client.get(reponse["Location"]).text)
    assert not Valeur.objects.filter(indicateur__code="E82-1").exists()


def test_another_organisations_workbook_is_refused(dep, partenaire):
    caf = Client()
    caf.force_login(partenaire("caf-herault"))
    contenu = caf.get(url("classeur_exporter", "caf-herault")).content
    avant = etat_base()
    reponse = deposer(dep["client"], contenu)
    assert reponse.status_code == 400
    [message] = reponse.context["apercu"].globales
    assert "autre organisation" in message and "Département" in message
    assert etat_base() == avant


def test_edited_keys_or_a_foreign_file_are_refused(dep):
    client = dep["client"]
    wb = openpyxl.load_workbook(io.BytesIO(telecharger(client)))
    wb["_cles"]["D3"] = "E78-2"  # a cell pointed at another indicator
    tampon = io.BytesIO()
    wb.save(tampon)
    reponse = deposer(client, tampon.getvalue())
    assert "« _cles » a été modifiée" in reponse.context["apercu"].globales[0]
    # A plain grid export is not a campaign workbook.
    grille = echange.exporter_xlsx(Indicateur.objects.get(code="E78-2"), 2021)
    reponse = deposer(client, grille)
    assert "n'est pas un classeur de campagne" in reponse.context["apercu"].globales[0]
    reponse = deposer(client, b"a;b", nom="grille.csv")
    assert "Format non reconnu" in reponse.context["apercu"].globales[0]


def test_limits_are_checked_before_the_work(dep, monkeypatch):
    client = dep["client"]
    contenu = telecharger(client)
    monkeypatch.setattr(classeur, "LIGNES_MAX", 10)
    reponse = deposer(client, contenu)
    assert reponse.status_code == 400
    assert "la limite est de 10 lignes" in reponse.context["apercu"].globales[0]


def test_save_and_submit_submits_the_workbooks_drafts(dep):
    client = dep["client"]
    contenu = modifier(telecharger(client), {("valeur", "E82-1", "", ""): 3})
    reponse = deposer(client, contenu)
    reponse = client.post(
        url("classeur_confirmer"), {"jeton": reponse.context["jeton"], "action": "soumettre"}
    )
    assert reponse.status_code == 302
    message = html.unescape(client.get(reponse["Location"]).text)
    assert "1 nouvelle(s) valeur(s)" in message
    assert "3 valeur(s) soumise(s) à validation" in message
    assert set(Valeur.objects.values_list("statut", flat=True)) == {Valeur.Statut.SOUMISE}


def test_a_changed_note_is_previewed_and_saved_on_the_grids_values(dep):
    client, premier = dep["client"], dep["premier"]
    contenu = modifier(telecharger(client), {("note", "E78-1", "", ""): "Source : CAF 2021"})
    reponse = deposer(client, contenu)
    apercu = reponse.context["apercu"]
    assert apercu.comptes["note"] == 1 and apercu.comptes["modifiee"] == 0
    client.post(url("classeur_confirmer"), {"jeton": reponse.context["jeton"]})
    assert set(
        Valeur.objects.filter(indicateur__code="E78-1", quartier__slug=premier).values_list(
            "note", flat=True
        )
    ) == {"Source : CAF 2021"}


def test_a_note_that_looks_like_a_formula_comes_back_unchanged(dep):
    client, premier = dep["client"], dep["premier"]
    grille_enregistrer(
        utilisateur=dep["user"],
        indicateur=Indicateur.objects.get(code="E78-1"),
        annee=2021,
        saisies={(premier, "F"): ("10", 1)},
        note="=1+1 selon la CAF",
    )
    contenu = telecharger(client)
    wb = openpyxl.load_workbook(io.BytesIO(contenu))
    note = wb["Valeurs"][cles_de(wb)[("note", "E78-1", "", "")]]
    assert (note.value, note.data_type) == ("=1+1 selon la CAF", "s")  # text, not a formula
    apercu = deposer(client, contenu).context["apercu"]
    assert apercu.comptes["note"] == 0 and not apercu.changements


def test_exporting_the_workbook_costs_the_same_queries_whatever_its_size(
    dep, django_assert_num_queries
):
    from contrat.models import Organisation
    from engagements.models import Campagne

    organisation = Organisation.objects.get(slug=ORG)
    campagne = Campagne.objects.get(annee=2021)
    # 10 queries: the indicators owed, their yearly targets, the year's values, the
    # quartiers; then the follow-ups: the organisation's perimeter, the fiches in force,
    # their pilots, the commitments, their organisations, the year's records
    with django_assert_num_queries(10):
        classeur.exporter(organisation, campagne)


def test_the_partners_home_links_to_its_workbook(dep):
    page = dep["client"].get(reverse("saisie:mes_indicateurs") + "?annee=2021")
    assert url("classeur") in page.text
    page = dep["client"].get(url("classeur"))
    assert page.status_code == 200
    assert url("classeur_exporter") in page.text


# ---------------------------------------------------------------- the single-grid import


def _grille_csv(client, indicateur):
    contenu = client.get(reverse("saisie:exporter", args=[2021, indicateur.code, "csv"])).content
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))


def _csv(lignes):
    tampon = io.StringIO()
    csv.writer(tampon, delimiter=";").writerows(lignes)
    return tampon.getvalue().encode()


def _importer(client, indicateur, contenu):
    fichier = io.BytesIO(contenu)
    fichier.name = "grille.csv"
    return client.post(
        reverse("saisie:importer", args=[2021, indicateur.code]), {"fichier": fichier}
    )


def test_grid_import_message_counts_what_really_changed(dep):
    client, premier = dep["client"], dep["premier"]
    indicateur = Indicateur.objects.get(code="E78-1")
    lignes = _grille_csv(client, indicateur)
    entete = lignes[0]
    i_valeur, i_quartier, i_sexe = (entete.index(c) for c in ("valeur", "quartier", "sexe"))
    for ligne in lignes[1:]:
        if (ligne[i_quartier], ligne[i_sexe]) == (premier, "F"):
            ligne[i_valeur] = "11"  # changed
        if (ligne[i_quartier], ligne[i_sexe]) == (premier, "H"):
            ligne[i_valeur] = ""  # removed
    lignes[5][i_valeur] = "4"  # new
    reponse = _importer(client, indicateur, _csv(lignes))
    assert reponse.status_code == 302
    message = html.unescape(client.get(reponse["Location"]).text)
    assert (
        "Import réussi : 1 nouvelle(s) valeur(s), 1 valeur(s) modifiée(s), "
        "1 valeur(s) supprimée(s)." in message
    )
    # The same file again: nothing changes, and the message says so.
    lignes = _grille_csv(client, indicateur)
    reponse = _importer(client, indicateur, _csv(lignes))
    message = html.unescape(client.get(reponse["Location"]).text)
    assert "Import réussi : aucune valeur modifiée, 2 inchangée(s)." in message


def test_a_file_for_another_indicator_gives_one_clear_error(dep):
    client = dep["client"]
    autre = Indicateur.objects.get(code="E78-1")  # 24 rows
    lignes = _grille_csv(client, autre)
    cible = Indicateur.objects.get(code="E78-2")
    reponse = _importer(client, cible, _csv(lignes))
    assert reponse.status_code == 400
    erreurs = reponse.context["rapport"].erreurs
    assert len(erreurs) == 1
    assert erreurs[0][0] == 2
    assert "porte sur l'indicateur « E78-1 », pas sur E78-2" in erreurs[0][1]


# ---------------------------------------------------------------- the follow-up of actions


@pytest.fixture
def suivis(dep):
    """The Département's first two actions with a record: a draft (en cours,
    40 %) and a submitted one (locked); its third action without one."""
    from contrat.models import Organisation
    from engagements.services_suivis import suivi_enregistrer

    actions = list(classeur.actions_dues(Organisation.objects.get(slug=ORG), 2021).items())
    assert len(actions) >= 3
    (cle_brouillon, brouillon), (cle_soumis, soumis), (cle_vide, _vide) = actions[:3]
    for action, soumettre in ((brouillon, False), (soumis, True)):
        suivi_enregistrer(
            utilisateur=dep["user"],
            annee=2021,
            version=0,
            fiche=action.fiche,
            engagement=action.engagement,
            organisation=action.organisation if action.fiche else None,
            avancement="en_cours",
            avancement_pct=40,
            realise="Ateliers tenus",
            a_venir="=Bilan en juin",  # looks like a formula: must come back as text
            soumettre=soumettre,
        )
    return {
        "brouillon": cle_brouillon,
        "soumis": cle_soumis,
        "vide": cle_vide,
        "actions": [k for k, _a in actions],
    }


COLONNES_SUIVI = {"avancement": 0, "avancement_pct": 1, "realise": 2, "a_venir": 3}


def modifier_suivis(contenu, changements, valeurs=None):
    """The workbook with ``{action key: {field: new cell value}}`` written in
    « Suivi des actions » (and ``valeurs`` as :func:`modifier` writes them)."""
    from openpyxl.utils.cell import coordinate_to_tuple

    wb = openpyxl.load_workbook(io.BytesIO(contenu))
    cles = cles_de(wb)
    for k, valeur in (valeurs or {}).items():
        wb[classeur.FEUILLE_VALEURS][cles[k]] = valeur
    for action, champs in changements.items():
        ligne, colonne = coordinate_to_tuple(cles[("suivi", action, "", "")])
        for champ, valeur in champs.items():
            wb[classeur.FEUILLE_SUIVIS].cell(
                row=ligne, column=colonne + COLONNES_SUIVI[champ], value=valeur
            )
    tampon = io.BytesIO()
    wb.save(tampon)
    return tampon.getvalue()


def etat_suivis():
    from engagements.models import SuiviAction

    return sorted(
        SuiviAction.objects.values_list(
            "pk", "avancement", "avancement_pct", "realise", "a_venir", "statut", "version"
        )
    )


def suivi_de(cle_):
    from engagements.models import SuiviAction

    nature, *ids = cle_.split(":")
    if nature == "fiche":
        return SuiviAction.objects.filter(annee=2021, fiche_id=ids[0], organisation_id=ids[1])
    return SuiviAction.objects.filter(annee=2021, engagement_id=ids[0])


def test_follow_up_sheet_lists_each_action_owed_with_its_plain_fields(suivis, dep):
    wb = openpyxl.load_workbook(io.BytesIO(telecharger(dep["client"])))
    feuille = wb["Suivi des actions"]
    assert feuille.protection.sheet
    assert "Jalons, lignes de budget et pièces justificatives" in feuille["A2"].value
    assert [c.value for c in feuille[5]] == [
        "Action",
        "Intitulé",
        "Organisation",
        "État",
        "Statut d'avancement",
        "Avancement (%)",
        "Ce qui a été réalisé",
        "Ce qui vient ensuite",
    ]
    cles = cles_de(wb)
    # One keyed row per action the organisation follows, in its page's order.
    assert [k[1] for k in cles if k[0] == "suivi"] == suivis["actions"]
    brouillon = feuille[cles[("suivi", suivis["brouillon"], "", "")]].row
    assert [c.value for c in feuille[brouillon]][3:] == [
        "Brouillon",
        "En cours",
        40,
        "Ateliers tenus",
        "=Bilan en juin",
    ]
    assert feuille.cell(row=brouillon, column=8).data_type == "s"  # text, not a formula
    assert feuille.cell(row=brouillon, column=1).value.startswith(("Fiche ", "Engagement n° "))
    for colonne in range(5, 9):
        cellule = feuille.cell(row=brouillon, column=colonne)
        assert cellule.protection.locked is False
        assert cellule.fill.fgColor.rgb.endswith("FFF2CC")
    soumis = feuille[cles[("suivi", suivis["soumis"], "", "")]].row
    assert feuille.cell(row=soumis, column=4).value == "Soumis, en attente de validation"
    assert feuille.cell(row=soumis, column=5).protection.locked is True
    assert feuille.cell(row=soumis, column=5).fill.fgColor.rgb.endswith("D9D9D9")
    vide = feuille[cles[("suivi", suivis["vide"], "", "")]].row
    assert [c.value for c in feuille[vide]][3:] == ["À saisir", None, None, None, None]
    # The status of progress is offered as a list of its French labels.
    [liste] = [v for v in feuille.data_validations.dataValidation if v.type == "list"]
    assert "En cours" in liste.formula1 and f"E{brouillon}" in str(liste.sqref)
    assert f"E{soumis}" not in str(liste.sqref)


def test_round_trip_changes_one_follow_up_and_one_value_exactly(suivis, dep):
    client = dep["client"]
    contenu = modifier_suivis(
        telecharger(client),
        {
            suivis["brouillon"]: {"avancement": "Réalisé", "avancement_pct": 100},
            suivis["vide"]: {"avancement": "à venir", "a_venir": "Lancement en septembre"},
        },
        valeurs={("valeur", "E82-1", "", ""): 3},
    )
    avant_suivis = etat_suivis()
    reponse = deposer(client, contenu)
    assert reponse.status_code == 200
    apercu = reponse.context["apercu"]
    assert apercu.comptes == {
        "nouvelle": 1,
        "modifiee": 0,
        "supprimee": 0,
        "inchangee": 3,  # the two drafts and the submitted value
        "note": 0,
        "erreur": 0,
    }
    assert apercu.comptes_suivis == {
        "nouvelle": 1,
        "modifiee": 1,
        "supprimee": 0,
        "inchangee": 1,  # the submitted one
        "note": 0,
        "erreur": 0,
    }
    [modifie] = [ligne for ligne in apercu.changements if ligne.etat == "modifiee"]
    assert modifie.cellule.startswith("Suivi des actions!E")
    assert modifie.avant == "Statut d'avancement : En cours ; Avancement (%) : 40"
    assert modifie.apres == "Statut d'avancement : Réalisé ; Avancement (%) : 100"
    page = html.unescape(reponse.text)
    assert "Suivi des actions : 1 nouveau(x), 1 modifié(s), 1 inchangé(s)" in " ".join(
        re.sub(r"<[^>]+>", "", page).split()
    )
    assert etat_suivis() == avant_suivis  # a preview writes nothing
    reponse = client.post(
        url("classeur_confirmer"), {"jeton": reponse.context["jeton"], "action": "brouillon"}
    )
    assert reponse.status_code == 302
    message = html.unescape(client.get(reponse["Location"]).text)
    assert (
        "Classeur enregistré : 1 nouvelle(s) valeur(s), 3 inchangée(s) ; "
        "1 nouveau(x) suivi(s), 1 suivi(s) modifié(s)." in message
    )
    brouillon = suivi_de(suivis["brouillon"]).get()
    assert (brouillon.avancement, brouillon.avancement_pct, brouillon.version) == (
        "realise",
        100,
        2,
    )
    assert (brouillon.realise, brouillon.a_venir) == ("Ateliers tenus", "=Bilan en juin")
    nouveau = suivi_de(suivis["vide"]).get()
    assert (nouveau.avancement, nouveau.a_venir, nouveau.statut) == (
        "a_venir",
        "Lancement en septembre",
        "brouillon",
    )
    assert len(etat_suivis()) == len(avant_suivis) + 1
    assert Valeur.objects.get(indicateur__code="E82-1").valeur == 3


def test_an_invalid_choice_blocks_the_whole_workbook(suivis, dep):
    client = dep["client"]
    contenu = modifier_suivis(
        telecharger(client),
        {
            suivis["brouillon"]: {"avancement": "Terminé"},
            suivis["vide"]: {"avancement": "En cours", "avancement_pct": 150},
        },
        valeurs={("valeur", "E82-1", "", ""): 3},
    )
    avant, avant_suivis = etat_base(), etat_suivis()
    reponse = deposer(client, contenu)
    assert reponse.status_code == 400
    apercu = reponse.context["apercu"]
    assert apercu.comptes["nouvelle"] == 1 and apercu.comptes_suivis["erreur"] == 2
    choix, pourcentage = sorted(apercu.erreurs, key=lambda ligne: ligne.ligne)
    messages = {choix.message, pourcentage.message}
    assert any(
        "Statut d'avancement inconnu : « Terminé »" in m and "En cours" in m for m in messages
    )
    assert "L'avancement est un pourcentage entier de 0 à 100." in messages
    assert all(e.cellule.startswith("Suivi des actions!E") for e in apercu.erreurs)
    page = html.unescape(reponse.text)
    assert "Enregistrer en brouillon" not in page and "Terminé" in page
    assert classeur_session(client) is None
    assert (etat_base(), etat_suivis()) == (avant, avant_suivis)


def test_a_locked_follow_up_change_is_refused(suivis, dep):
    client = dep["client"]
    contenu = modifier_suivis(telecharger(client), {suivis["soumis"]: {"realise": "Autre chose"}})
    avant = etat_suivis()
    reponse = deposer(client, contenu)
    assert reponse.status_code == 400
    [erreur] = reponse.context["apercu"].erreurs
    assert erreur.message == "Suivi soumis : il est verrouillé."
    assert erreur.avant == "Ce qui a été réalisé : Ateliers tenus"
    assert etat_suivis() == avant


def test_another_organisations_follow_up_cannot_be_reached(suivis, dep, partenaire):
    from contrat.models import Organisation

    caf = Organisation.objects.get(slug="caf-herault")
    autres = set(classeur.actions_dues(caf, 2021)) - set(suivis["actions"])
    assert autres
    cible = sorted(autres)[0]
    # The Département's workbook holds none of them...
    wb = openpyxl.load_workbook(io.BytesIO(telecharger(dep["client"])))
    assert not {k[1] for k in cles_de(wb) if k[0] == "suivi"} & autres
    # ...and a key re-pointed at one (even validly signed) is refused at preview.
    cles_ = wb[classeur.FEUILLE_CLES]
    for ligne in cles_.iter_rows(min_row=3):
        if ligne[3].value == suivis["brouillon"]:
            ligne[3].value = cible
            ligne[6].value = 0
    lignes = [
        ["" if c.value is None else str(c.value) for c in ligne[:7]]
        for ligne in cles_.iter_rows(min_row=2)
    ]
    cles_["D1"] = classeur._signature(lignes)
    tampon = io.BytesIO()
    wb.save(tampon)
    contenu = modifier_suivis(tampon.getvalue(), {cible: {"realise": "Intrusion"}})
    avant = etat_suivis()
    reponse = deposer(dep["client"], contenu)
    assert reponse.status_code == 400
    [erreur] = reponse.context["apercu"].erreurs
    assert "n'est pas suivie par votre organisation" in erreur.message
    # The save refuses it too, whatever the session holds.
    from engagements.models import Campagne

    campagne = Campagne.objects.get(annee=2021)
    departement = Organisation.objects.get(slug=ORG)
    with pytest.raises(classeur.ClasseurRefuse):
        classeur.enregistrer(
            utilisateur=dep["user"],
            organisation=departement,
            campagne=campagne,
            grilles={},
            suivis=[
                {
                    "cle": cible,
                    "version": 0,
                    "avancement": "en_cours",
                    "avancement_pct": None,
                    "realise": "Intrusion",
                    "a_venir": "",
                }
            ],
            empreinte=classeur.empreinte_donnees(
                classeur.indicateurs_dus(departement), campagne, departement
            ),
        )
    assert etat_suivis() == avant


def test_a_follow_up_saved_since_the_preview_makes_it_stale(suivis, dep, partenaire):
    from engagements.services_suivis import suivi_soumettre

    client = dep["client"]
    contenu = modifier_suivis(telecharger(client), {suivis["vide"]: {"avancement": "En cours"}})
    jeton = deposer(client, contenu).context["jeton"]
    suivi_soumettre(utilisateur=dep["user"], suivi=suivi_de(suivis["brouillon"]).get(), version=1)
    avant = etat_suivis()
    reponse = client.post(url("classeur_confirmer"), {"jeton": jeton, "action": "brouillon"})
    assert reponse.status_code == 409
    assert etat_suivis() == avant


def test_save_and_submit_submits_the_follow_ups_the_service_accepts(suivis, dep):
    client = dep["client"]
    contenu = modifier_suivis(
        telecharger(client),
        {suivis["vide"]: {"realise": "Sans statut d'avancement"}},
    )
    reponse = deposer(client, contenu)
    assert reponse.context["apercu"].suivis_a_soumettre == 1  # the draft
    reponse = client.post(
        url("classeur_confirmer"), {"jeton": reponse.context["jeton"], "action": "soumettre"}
    )
    assert reponse.status_code == 302
    message = html.unescape(client.get(reponse["Location"]).text)
    assert "1 nouveau(x) suivi(s), 1 suivi(s) soumis à validation" in message
    assert suivi_de(suivis["brouillon"]).get().statut == "soumis"
    assert suivi_de(suivis["vide"]).get().statut == "brouillon"  # no status of progress


def test_a_follow_up_text_too_long_for_a_cell_is_shown_read_only_and_not_read_back(
    suivis, dep, settings
):
    from engagements.services_suivis import suivi_enregistrer

    long = "x" * (settings.IMPORT_CELLULE_MAX + 1)
    brouillon = suivi_de(suivis["brouillon"]).get()
    suivi_enregistrer(
        utilisateur=dep["user"],
        annee=2021,
        version=1,
        fiche=brouillon.fiche,
        engagement=brouillon.engagement,
        organisation=brouillon.organisation if brouillon.fiche else None,
        avancement="en_cours",
        realise=long,
    )
    client = dep["client"]
    contenu = telecharger(client)
    wb = openpyxl.load_workbook(io.BytesIO(contenu))
    feuille = wb["Suivi des actions"]
    ligne = feuille[cles_de(wb)[("suivi", suivis["brouillon"], "lecture", "")]].row
    assert feuille.cell(row=ligne, column=7).value.startswith(
        f"(texte de {len(long)} caractères : à modifier dans l'application"
    )
    assert feuille.cell(row=ligne, column=5).protection.locked is True
    avant = etat_suivis()
    # The workbook stays importable, and the long text is left as it is.
    reponse = deposer(client, contenu)
    assert reponse.status_code == 200
    assert reponse.context["apercu"].comptes_suivis == dict(
        nouvelle=0, modifiee=0, supprimee=0, inchangee=1, note=0, erreur=0
    )
    assert etat_suivis() == avant
