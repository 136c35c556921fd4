"""The indicator set-up workspace (/saisie/parametrage/): permissions, the
page's batch save, concurrency, the spreadsheet round trip with its
preview, errors, limits, query counts and the set-up completeness."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from contrat.models import Organisation
from engagements.views_parametrage import SESSION_APERCU
from fiches import parametrage
from fiches.models import CibleAnnuelle, Indicateur
from fiches.services import (
    LigneParametrage,
    ParametrageConflit,
    ParametrageInvalide,
    indicateurs_parametrer,
)

pytestmark = pytest.mark.django_db

PAGE = "/saisie/parametrage/"


@pytest.fixture
def equipe_client(client, equipe):
    client.force_login(equipe)
    return client


def ligne_de(code, **valeurs):
    indicateur = parametrage.indicateurs_du_plan().get(code=code)
    return LigneParametrage(
        ligne=code, code=code, jeton=parametrage.jeton(indicateur), valeurs=valeurs
    )


def lire_csv(contenu):
    texte = contenu.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(texte, newline=""), delimiter=";"))


def ecrire_csv(lignes):
    tampon = io.StringIO()
    csv.writer(tampon, delimiter=";", lineterminator="\r\n").writerows(lignes)
    return ("\ufeff" + tampon.getvalue()).encode("utf-8")


def televerser(client, contenu, nom="parametrage.csv"):
    return client.post(
        reverse("saisie:parametrage_importer"),
        {"fichier": SimpleUploadedFile(nom, contenu)},
    )


def etat_de_la_base():
    """Everything the set-up writes, to compare before and after a refusal."""
    return (
        list(
            Indicateur.objects.order_by("pk").values_list(
                "organisation_id",
                "unite",
                "sens",
                "desagregation",
                "ventilation_decidee",
                "valeur_reference",
                "annee_reference",
            )
        ),
        list(CibleAnnuelle.objects.order_by("pk").values_list("indicateur_id", "annee", "valeur")),
    )


# ---------------------------------------------------------------- access


@pytest.mark.parametrize(
    ("methode", "nom", "args"),
    [
        ("get", "saisie:parametrage", []),
        ("post", "saisie:parametrage", []),
        ("get", "saisie:parametrage_exporter", ["csv"]),
        ("post", "saisie:parametrage_importer", []),
        ("post", "saisie:parametrage_confirmer", []),
    ],
)
def test_partner_and_anonymous_are_refused(client, partenaire, methode, nom, args):
    avant = etat_de_la_base()
    url = reverse(nom, args=args)
    reponse = getattr(client, methode)(url)
    assert reponse.status_code == 302 and "/connexion/" in reponse["Location"]
    client.force_login(partenaire("metropole"))
    reponse = getattr(client, methode)(url)
    assert reponse.status_code == 403
    assert etat_de_la_base() == avant


def test_the_service_refuses_a_partner(partenaire):
    with pytest.raises(Exception) as excinfo:
        indicateurs_parametrer(
            utilisateur=partenaire("metropole"),
            lignes=[ligne_de("2019-1.1-1", unite="pourcentage")],
        )
    assert excinfo.value.statut == 403


# ---------------------------------------------------------------- the page


def test_the_page_lists_the_plan_with_its_set_up_and_completeness(equipe_client):
    reponse = equipe_client.get(PAGE)
    assert reponse.status_code == 200
    texte = reponse.content.decode()
    assert "Paramétrage des indicateurs" in texte
    assert "Complétude du paramétrage" in texte
    assert "Cible 2019" in texte and "Cible 2022" in texte
    assert "2019-1.1-1" in texte
    assert len(reponse.context["lignes"]) == 50
    # Every indicator of the plan: the fiche indicators of 2019 and the 42 targets.
    total = Indicateur.objects.filter(fiche__version__en_vigueur=True).count() + 42
    assert reponse.context["page"].paginator.count == total


def test_the_page_query_count_does_not_grow_with_its_rows(
    equipe_client, django_assert_max_num_queries
):
    # session, user, count, the page's rows (+fiche, organisation, engagement),
    # their targets, completeness by objective and by organisation,
    # objectives, fiches and organisations for the filters, and the messages'
    # session read: 12 at most, whether the page has 50 rows or 2.
    with django_assert_max_num_queries(12):
        assert len(equipe_client.get(PAGE).context["lignes"]) == 50
    with django_assert_max_num_queries(12):
        assert len(equipe_client.get(PAGE, {"fiche": "1.1"}).context["lignes"]) > 1
    with django_assert_max_num_queries(12):
        equipe_client.get(PAGE, {"page": 13})


def test_filters_by_what_is_missing_objective_and_organisation(equipe_client):
    sans_unite = equipe_client.get(PAGE, {"manque": "unite"}).context["page"].paginator
    assert sans_unite.count == parametrage.indicateurs_du_plan().filter(unite="").count() > 0
    assert all(ligne.unite == "" for ligne in sans_unite.page(1).object_list)
    objectif = equipe_client.get(PAGE, {"objectif": 1}).context["page"]
    assert all(i.objectif_numero == 1 for i in objectif.object_list)
    caf = equipe_client.get(PAGE, {"organisation": "caf-herault"}).context["page"]
    assert {i.organisation.slug for i in caf.object_list} == {"caf-herault"}
    engagements = equipe_client.get(PAGE, {"type": "engagement"}).context["page"].paginator
    assert engagements.count == 42
    sans_org = equipe_client.get(PAGE, {"manque": "organisation"}).context["page"].paginator
    assert all(i.organisation_id is None for i in sans_org.page(1).object_list)


def formulaire_de_la_page(reponse):
    """The POST body the page's form sends as it is (every row, unchanged)."""
    donnees = {"codes": [], "selection": []}
    for ligne in reponse.context["lignes"]:
        code = ligne["indicateur"].code
        donnees["codes"].append(code)
        donnees[f"jeton-{code}"] = ligne["jeton"]
        for nom, valeur in ligne["valeurs"].items():
            donnees[f"{nom}-{code}"] = valeur
        for annee, valeur in ligne["cibles"]:
            donnees[f"cible_{annee}-{code}"] = valeur
    return donnees


def test_saving_a_page_writes_the_edited_cells_only(equipe_client):
    reponse = equipe_client.get(PAGE, {"fiche": "1.1"})
    donnees = formulaire_de_la_page(reponse)
    donnees["unite-2019-1.1-2"] = "pourcentage"
    donnees["cible_2021-2019-1.1-2"] = "45,5"
    donnees["valeur_reference-2019-1.1-2"] = "30"
    donnees["annee_reference-2019-1.1-2"] = "2018"
    donnees["desagregation-2019-1.1-2"] = "sexe"
    reponse = equipe_client.post(PAGE + "?fiche=1.1", donnees)
    assert reponse.status_code == 302
    indicateur = Indicateur.objects.get(code="2019-1.1-2")
    assert indicateur.unite == "pourcentage"
    assert indicateur.desagregation == "sexe" and indicateur.ventilation_decidee
    assert (indicateur.valeur_reference, indicateur.annee_reference) == (Decimal(30), 2018)
    assert list(indicateur.cibles_annuelles.values_list("annee", "valeur")) == [
        (2021, Decimal("45.5"))
    ]
    # The other rows of the page are unchanged.
    assert not Indicateur.objects.get(code="2019-1.1-1").ventilation_decidee


def test_a_batch_sets_organisation_unit_and_breakdown_on_the_selected_rows(equipe_client):
    reponse = equipe_client.get(PAGE, {"fiche": "1.1"})
    donnees = formulaire_de_la_page(reponse)
    choisis = donnees["codes"][:3]
    donnees["selection"] = choisis
    donnees["lot-organisation"] = "caf-herault"
    donnees["lot-unite"] = "nombre"
    donnees["lot-desagregation"] = "quartier"
    assert equipe_client.post(PAGE + "?fiche=1.1", donnees).status_code == 302
    for code in donnees["codes"]:
        indicateur = Indicateur.objects.select_related("organisation").get(code=code)
        if code in choisis:
            assert indicateur.organisation.slug == "caf-herault"
            assert indicateur.unite == "nombre"
            assert indicateur.desagregation == "quartier" and indicateur.ventilation_decidee
        else:
            assert not indicateur.ventilation_decidee


def test_a_page_with_one_error_saves_nothing_and_keeps_what_was_typed(equipe_client):
    avant = etat_de_la_base()
    donnees = formulaire_de_la_page(equipe_client.get(PAGE, {"fiche": "1.1"}))
    donnees["unite-2019-1.1-1"] = "nombre"
    donnees["unite-2019-1.1-2"] = "pourcentage"
    donnees["cible_2021-2019-1.1-2"] = "150"
    reponse = equipe_client.post(PAGE + "?fiche=1.1", donnees)
    assert reponse.status_code == 400
    assert etat_de_la_base() == avant
    ligne = next(x for x in reponse.context["lignes"] if x["indicateur"].code == "2019-1.1-2")
    assert any("entre 0 et 100" in e for e in ligne["erreurs"])
    assert dict(ligne["cibles"])[2021] == "150"


def test_a_row_changed_since_the_page_was_loaded_is_reported_not_overwritten(equipe_client, equipe):
    donnees = formulaire_de_la_page(equipe_client.get(PAGE, {"fiche": "1.1"}))
    # Someone else sets the unit meanwhile.
    indicateurs_parametrer(utilisateur=equipe, lignes=[ligne_de("2019-1.1-2", unite="euros")])
    donnees["unite-2019-1.1-2"] = "heures"
    donnees["unite-2019-1.1-3"] = "heures"
    reponse = equipe_client.post(PAGE + "?fiche=1.1", donnees)
    assert reponse.status_code == 409
    assert "modifié par quelqu" in reponse.content.decode()
    assert Indicateur.objects.get(code="2019-1.1-2").unite == "euros"
    # All or nothing: the row without a conflict was not saved either.
    assert Indicateur.objects.get(code="2019-1.1-3").unite != "heures"


def test_the_service_refuses_a_stale_token(equipe):
    ancienne = ligne_de("2019-1.1-1", unite="euros")
    indicateurs_parametrer(utilisateur=equipe, lignes=[ligne_de("2019-1.1-1", unite="jours")])
    with pytest.raises(ParametrageConflit) as excinfo:
        indicateurs_parametrer(utilisateur=equipe, lignes=[ancienne])
    assert excinfo.value.codes == ["2019-1.1-1"]
    assert Indicateur.objects.get(code="2019-1.1-1").unite == "jours"


def test_unit_and_breakdown_do_not_change_under_existing_values(equipe, campagne, partenaire):
    from engagements.services import grille_enregistrer

    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    grille_enregistrer(
        utilisateur=partenaire("metropole"),
        indicateur=indicateur,
        annee=2021,
        saisies={("", ""): ("3", 0)},
    )
    with pytest.raises(ParametrageInvalide) as excinfo:
        indicateurs_parametrer(
            utilisateur=equipe, lignes=[ligne_de("2019-1.1-1", desagregation="quartier")]
        )
    assert "valeur(s) déjà saisie(s)" in excinfo.value.erreurs[0][1]
    # Deciding "aucune" (what the values were entered under) is allowed.
    indicateurs_parametrer(
        utilisateur=equipe, lignes=[ligne_de("2019-1.1-1", desagregation="aucune")]
    )
    assert Indicateur.objects.get(code="2019-1.1-1").ventilation_decidee


# ------------------------------------------------------------ spreadsheet


def test_acceptance_50_indicators_set_up_in_one_import_after_a_preview(equipe_client):
    """Staff set unit, breakdown and targets for 50 indicators in one
    spreadsheet import, after a preview; the completeness figures move."""
    api = "/api/indicateurs/completude-parametrage/"
    avant = equipe_client.get(api).json()
    export = equipe_client.get(
        reverse("saisie:parametrage_exporter", args=["csv"]), {"objectif": 1}
    )
    assert export.status_code == 200
    lignes = lire_csv(export.content)
    entete = lignes[0]
    assert entete[:2] == ["code", "libelle"] and entete[-1] == "jeton"
    colonne = {nom: entete.index(nom) for nom in entete}
    # 50 active indicators of objective 1 that have an organisation.
    choisies = [
        ligne
        for ligne in lignes[1:]
        if ligne[colonne["organisation"]]
        and Indicateur.objects.get(code=ligne[colonne["code"]]).actif
    ][:50]
    assert len(choisies) == 50
    codes = [ligne[colonne["code"]] for ligne in choisies]
    deja_complets = sum(
        1
        for ligne in choisies
        if ligne[colonne["unite"]]
        and ligne[colonne["desagregation"]]
        and any(ligne[colonne[f"cible_{a}"]] for a in range(2019, 2023))
    )
    for n, ligne in enumerate(choisies):
        ligne[colonne["unite"]] = "nombre"
        ligne[colonne["desagregation"]] = "quartier" if n % 2 else "aucune"
        ligne[colonne["cible_2021"]] = str(10 + n)
        ligne[colonne["cible_2022"]] = f"{20 + n} "
    # The rows not edited go back unchanged, and are counted as such.
    reponse = televerser(equipe_client, ecrire_csv(lignes))
    assert reponse.status_code == 200, reponse.content.decode()
    resultat = reponse.context["resultat"]
    assert resultat.modifies == 50
    assert resultat.inchanges == len(lignes) - 1 - 50
    champs = {(c.code, c.champ) for c in resultat.changements}
    assert (codes[1], "ventilation") in champs
    assert (codes[0], "cible 2021") in champs
    premier = next(
        c for c in resultat.changements if c.code == codes[0] and c.champ == "cible 2021"
    )
    assert (premier.avant, premier.apres) == ("—", "10")
    texte = reponse.content.decode()
    assert "Aperçu : 50 indicateur(s) modifié(s)" in texte
    # Nothing saved by the preview.
    assert not CibleAnnuelle.objects.filter(indicateur__code__in=codes, annee=2021).exists()
    assert equipe_client.get(api).json() == avant

    confirme = equipe_client.post(
        reverse("saisie:parametrage_confirmer"), {"jeton": reponse.context["jeton"]}
    )
    assert confirme.status_code == 302
    assert CibleAnnuelle.objects.filter(indicateur__code__in=codes, annee=2021).count() == 50
    assert CibleAnnuelle.objects.get(indicateur__code=codes[3], annee=2022).valeur == 23
    assert Indicateur.objects.filter(code__in=codes, ventilation_decidee=True).count() == 50
    apres = equipe_client.get(api).json()
    objectif_1_avant = next(o for o in avant["objectifs"] if o["groupe"] == 1)
    objectif_1_apres = next(o for o in apres["objectifs"] if o["groupe"] == 1)
    assert objectif_1_apres["complets"] == objectif_1_avant["complets"] + 50 - deja_complets
    assert objectif_1_apres["taux"] > objectif_1_avant["taux"]
    assert apres["ensemble"]["complets"] == avant["ensemble"]["complets"] + 50 - deja_complets
    # The preview is used once.
    assert SESSION_APERCU not in equipe_client.session
    deuxieme = equipe_client.post(
        reverse("saisie:parametrage_confirmer"), {"jeton": reponse.context["jeton"]}
    )
    assert deuxieme.status_code == 302


def test_confirmation_reads_the_preview_from_the_server_not_the_client(equipe_client):
    lignes = lire_csv(
        equipe_client.get(
            reverse("saisie:parametrage_exporter", args=["csv"]), {"fiche": "1.1"}
        ).content
    )
    colonne = lignes[0].index("unite")
    lignes[1][colonne] = "euros"
    reponse = televerser(equipe_client, ecrire_csv(lignes))
    assert reponse.status_code == 200
    code = lignes[1][0]
    # A forged token confirms nothing.
    equipe_client.post(reverse("saisie:parametrage_confirmer"), {"jeton": "contrefait"})
    assert Indicateur.objects.get(code=code).unite != "euros"
    # Posting changes along with the right token does not add them either.
    equipe_client.post(
        reverse("saisie:parametrage_confirmer"),
        {"jeton": reponse.context["jeton"], "unite": "jours", "lignes": "[]"},
    )
    assert Indicateur.objects.get(code=code).unite == "euros"


def test_a_row_changed_between_preview_and_confirmation_is_a_conflict(equipe_client, equipe):
    lignes = lire_csv(
        equipe_client.get(
            reverse("saisie:parametrage_exporter", args=["csv"]), {"fiche": "1.1"}
        ).content
    )
    colonne = lignes[0].index("unite")
    lignes[1][colonne] = "euros"
    code = lignes[1][0]
    reponse = televerser(equipe_client, ecrire_csv(lignes))
    indicateurs_parametrer(utilisateur=equipe, lignes=[ligne_de(code, unite="jours")])
    confirme = equipe_client.post(
        reverse("saisie:parametrage_confirmer"), {"jeton": reponse.context["jeton"]}
    )
    assert confirme.status_code == 409
    assert Indicateur.objects.get(code=code).unite == "jours"


def test_import_errors_are_listed_by_line_in_french_and_nothing_is_saved(equipe_client):
    lignes = lire_csv(
        equipe_client.get(
            reverse("saisie:parametrage_exporter", args=["csv"]), {"fiche": "1.1"}
        ).content
    )
    entete = lignes[0]
    col = {nom: entete.index(nom) for nom in entete}
    lignes[1][col["unite"]] = "kilos"  # line 2: bad unit
    lignes[2][col["unite"]] = "pourcentage"  # line 3: target out of 0-100
    lignes[2][col["cible_2021"]] = "150"
    lignes[3][col["code"]] = "2019-99.9-1"  # line 4: unknown code
    lignes[4][col["cible_2022"]] = "1e1000000"  # line 5: hostile number
    lignes[5][col["valeur_reference"]] = "NaN"  # line 6
    lignes[5][col["annee_reference"]] = "2040"
    lignes[6][col["organisation"]] = "inconnue"  # line 7
    lignes[8][col["cible_2019"]] = "1,234"  # line 9: three decimals
    # Unchanged rows in between are fine and counted for nothing: any error, no save.
    lignes[7][col["unite"]] = "euros"
    avant = etat_de_la_base()
    reponse = televerser(equipe_client, ecrire_csv(lignes))
    assert reponse.status_code == 400
    erreurs = reponse.context["erreurs"]
    par_ligne = {}
    for ligne, message in erreurs:
        par_ligne.setdefault(ligne, []).append(message)
    assert any("unité « kilos » inconnue" in m for m in par_ligne[2])
    assert any("entre 0 et 100" in m for m in par_ligne[3])
    assert any("inconnu" in m for m in par_ligne[4])
    assert any("cible 2022" in m for m in par_ligne[5])
    assert any("valeur de référence" in m for m in par_ligne[6])
    assert any("année de référence" in m for m in par_ligne[6])
    assert any("organisation « inconnue » inconnue" in m for m in par_ligne[7])
    assert any("deux décimales au plus" in m.lower() for m in par_ligne[9])
    assert "rien n'a été enregistré" in reponse.content.decode()
    assert etat_de_la_base() == avant
    assert SESSION_APERCU not in equipe_client.session


def test_a_target_year_outside_the_contract_is_refused(equipe_client):
    lignes = lire_csv(
        equipe_client.get(
            reverse("saisie:parametrage_exporter", args=["csv"]), {"fiche": "1.1"}
        ).content
    )
    lignes[0].append("cible_2040")
    for ligne in lignes[1:]:
        ligne.append("")
    lignes[1][-1] = "12"
    avant = etat_de_la_base()
    reponse = televerser(equipe_client, ecrire_csv(lignes))
    assert reponse.status_code == 400
    assert any("année hors du contrat" in m for _, m in reponse.context["erreurs"])
    assert etat_de_la_base() == avant


def test_the_xlsx_export_imports_back_unchanged(equipe_client):
    reponse = equipe_client.get(
        reverse("saisie:parametrage_exporter", args=["xlsx"]), {"type": "engagement"}
    )
    assert reponse.status_code == 200
    feuille = load_workbook(io.BytesIO(reponse.content)).active
    assert feuille.freeze_panes == "A2"
    entete = [c.value for c in feuille[1]]
    assert entete[0] == "code" and "cible_2022" in entete
    assert feuille.max_row == 43
    apercu = televerser(equipe_client, reponse.content, nom="parametrage.xlsx")
    assert apercu.status_code == 200, apercu.content.decode()
    assert apercu.context["resultat"].modifies == 0
    assert apercu.context["resultat"].inchanges == 42


def test_a_file_past_the_upload_limit_is_refused_before_parsing(equipe_client, settings):
    settings.IMPORT_TAILLE_MAX = 1000
    reponse = televerser(equipe_client, b"code;jeton\r\n" + b"x" * 5000)
    assert reponse.status_code == 400
    assert "la taille maximale est de" in reponse.content.decode()


def test_an_xlsx_past_the_row_limit_is_refused(equipe_client, settings):
    settings.IMPORT_LIGNES_MAX = 10
    reponse = equipe_client.get(
        reverse("saisie:parametrage_exporter", args=["xlsx"]), {"type": "engagement"}
    )
    apercu = televerser(equipe_client, reponse.content, nom="parametrage.xlsx")
    assert apercu.status_code == 400
    assert "10 lignes" in apercu.content.decode()


# ------------------------------------------------------------ completeness


def test_completeness_counts_each_criterion_and_moves_with_a_save(equipe):
    avant = parametrage.completude_parametrage()
    caf = next(o for o in avant["organisations"] if o.groupe == "caf-herault")
    assert (
        caf.total
        == Indicateur.objects.filter(organisation__slug="caf-herault", actif=True)
        .filter(fiche__version__en_vigueur=True)
        .count()
        + Indicateur.objects.filter(
            organisation__slug="caf-herault", actif=True, fiche__isnull=True
        ).count()
    )
    code = (
        parametrage.indicateurs_du_plan()
        .filter(organisation__isnull=False, actif=True, fiche__objectif__numero=2)
        .exclude(unite="")
        .first()
        .code
    )
    indicateurs_parametrer(
        utilisateur=equipe,
        lignes=[ligne_de(code, desagregation="aucune", cible_2022="5")],
    )
    apres = parametrage.completude_parametrage()
    o2_avant = next(o for o in avant["objectifs"] if o.groupe == 2)
    o2_apres = next(o for o in apres["objectifs"] if o.groupe == 2)
    assert o2_apres.complets == o2_avant.complets + 1
    assert o2_apres.ventilation_decidee == o2_avant.ventilation_decidee + 1
    assert apres["ensemble"].complets == avant["ensemble"].complets + 1


def test_completeness_api_shape(client, django_assert_max_num_queries):
    # generation, completeness by objective, by organisation
    with django_assert_max_num_queries(3):
        data = client.get("/api/indicateurs/completude-parametrage/").json()
    assert set(data) == {"definition", "ensemble", "objectifs", "organisations"}
    assert set(data["ensemble"]) == {
        "groupe",
        "libelle",
        "total",
        "avec_organisation",
        "avec_unite",
        "ventilation_decidee",
        "avec_cible",
        "complets",
        "taux",
    }
    assert [o["groupe"] for o in data["objectifs"]] == [1, 2, 3, 4, 5, None]
    assert data["ensemble"]["total"] == sum(o["total"] for o in data["organisations"])
    assert Organisation.objects.filter(
        slug__in=[o["groupe"] for o in data["organisations"] if o["groupe"]]
    ).exists()
