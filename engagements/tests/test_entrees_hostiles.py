"""Hostile numbers and NUL characters at every entry point of data entry (the
file import in CSV and XLSX, the web grid, the API): each refused with a
French message naming the rule, fast, and nothing saved."""

import csv
import io
import re
import time
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from engagements import echange, xlsx
from engagements.forms import nom_champ
from engagements.models import Valeur
from engagements.services import cle
from fiches.models import Indicateur

pytestmark = pytest.mark.django_db

CODE = "2019-1.1-1"  # an indicator of the Métropole, one cell (all quartiers, both sexes)
ENTETES = ["indicateur", "annee", "quartier", "sexe", "valeur", "version", "note"]
NON_FINIS = ["NaN", "sNaN", "Infinity", "-inf", "1E5"]


@pytest.fixture
def membre_metropole(campagne, partenaire):
    return partenaire("metropole")


@pytest.fixture
def indicateur():
    return Indicateur.objects.get(code=CODE)


def _csv(valeur="3", version="0", note=""):
    tampon = io.StringIO()
    csv.writer(tampon, delimiter=";", lineterminator="\n").writerows(
        [ENTETES, [CODE, "2021", "", "", valeur, version, note]]
    )
    return tampon.getvalue().encode("utf-8")


def _xlsx(valeur="3", version="0", note=""):
    return xlsx.ecrire([ENTETES, [CODE, 2021, "", "", valeur, version, note]])


def _importer(utilisateur, indicateur, nom, contenu):
    return echange.importer(
        utilisateur=utilisateur, indicateur=indicateur, annee=2021, nom=nom, contenu=contenu
    )


def test_a_170_byte_csv_with_a_huge_exponent_version_is_refused_at_once(
    membre_metropole, indicateur
):
    contenu = _csv(version="1e1000000")
    assert len(contenu) < 170
    avant = Valeur.objects.count()
    debut = time.perf_counter()
    rapport = _importer(membre_metropole, indicateur, "grille.csv", contenu)
    duree = time.perf_counter() - debut
    assert not rapport.ok
    assert rapport.erreurs[0][0] == 2
    assert "notation scientifique" in rapport.erreurs[0][1]
    assert duree < 0.5, f"{duree:.2f} s"  # it froze a worker for 30 s
    assert Valeur.objects.count() == avant


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
@pytest.mark.parametrize("colonne", ["valeur", "version"])
@pytest.mark.parametrize("texte", [*NON_FINIS, "9" * 4301])
def test_a_non_finite_or_huge_number_in_an_import_is_a_line_error(
    membre_metropole, indicateur, format_, colonne, texte
):
    fabrique = _csv if format_ == "csv" else _xlsx
    contenu = fabrique(**{colonne: texte})
    avant = Valeur.objects.count()
    debut = time.perf_counter()
    rapport = _importer(membre_metropole, indicateur, f"grille.{format_}", contenu)
    assert time.perf_counter() - debut < 1.0
    assert not rapport.ok
    ligne, message = rapport.erreurs[0]
    assert ligne == 2, rapport.erreurs
    assert any(
        regle in message for regle in ("NaN et l'infini", "notation scientifique", "trop long")
    ), message
    assert Valeur.objects.count() == avant


def _xlsx_cellule_nombre(brut):
    """A workbook whose version cell is a *number* cell holding ``brut``
    as written in the XML (``<v>1e1000000</v>``), not a text."""
    base = _xlsx(version="ZZZ")
    sortie = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as cible,
    ):
        for nom in source.namelist():
            contenu = source.read(nom)
            if b"ZZZ" in contenu:
                contenu = re.sub(
                    rb't="inlineStr"><is><t>ZZZ</t></is>', b"><v>" + brut + b"</v>", contenu
                )
                assert b"ZZZ" not in contenu
            cible.writestr(nom, contenu)
    return sortie.getvalue()


@pytest.mark.parametrize(
    "brut", [b"NaN", b"INF", b"-inf", b"1e1000000", b"9" * 4301], ids=lambda b: b[:12]
)
def test_a_hostile_number_cell_in_an_xlsx_is_refused_fast(membre_metropole, indicateur, brut):
    avant = Valeur.objects.count()
    debut = time.perf_counter()
    rapport = _importer(membre_metropole, indicateur, "grille.xlsx", _xlsx_cellule_nombre(brut))
    assert time.perf_counter() - debut < 1.0
    # (A number cell "1E5" is how XML writes 100 000: a plain number there.)
    assert not rapport.ok
    message = rapport.erreurs[0][1]
    assert any(regle in message for regle in ("NaN et l'infini", "illisible")), message
    assert Valeur.objects.count() == avant


LIGNE_NUL = (2, "Cette ligne contient un caractère nul : il n'est pas accepté.")


def test_a_nul_character_in_an_imported_csv_note_is_a_line_error(membre_metropole, indicateur):
    avant = Valeur.objects.count()
    rapport = _importer(membre_metropole, indicateur, "grille.csv", _csv(note="avant\x00après"))
    assert rapport.erreurs == [LIGNE_NUL]
    assert Valeur.objects.count() == avant


def test_a_nul_character_from_the_xlsx_reader_is_a_line_error(
    membre_metropole, indicateur, monkeypatch
):
    # XML cannot hold a NUL and openpyxl leaves the escape "_x0000_" as it is
    # (below); were a reader ever to hand one on, the import still refuses it.
    monkeypatch.setattr(
        xlsx, "lire", lambda contenu: [ENTETES, [CODE, "2021", "", "", "3", "0", "a\x00b"]]
    )
    avant = Valeur.objects.count()
    rapport = _importer(membre_metropole, indicateur, "grille.xlsx", b"PK")
    assert rapport.erreurs == [LIGNE_NUL]
    assert Valeur.objects.count() == avant


def test_the_xlsx_nul_escape_is_kept_as_text(membre_metropole, indicateur):
    rapport = _importer(membre_metropole, indicateur, "grille.xlsx", _xlsx(note="a_x0000_b"))
    assert rapport.ok, rapport.erreurs
    assert Valeur.objects.get(indicateur=indicateur, annee=2021).note == "a_x0000_b"


def test_a_plain_import_still_saves(membre_metropole, indicateur):
    rapport = _importer(membre_metropole, indicateur, "grille.csv", _csv(valeur="1 234"))
    assert rapport.ok, rapport.erreurs
    assert Valeur.objects.get(indicateur=indicateur, annee=2021).valeur == 1234


# ------------------------------------------------------------ the web grid


def _poster_grille(client, indicateur, valeur="3", version="0", note=""):
    nom = nom_champ(cle(None, ""))
    return client.post(
        reverse("saisie:grille", args=[2021, indicateur.code]),
        {"action": "brouillon", "note": note, nom: valeur, f"ver_{nom}": version},
    )


@pytest.mark.parametrize("texte", [*NON_FINIS, "9" * 4301, "1e1000000"])
def test_the_grid_form_refuses_hostile_numbers_and_versions(
    client, membre_metropole, indicateur, texte
):
    client.force_login(membre_metropole)
    avant = Valeur.objects.count()
    for champs in ({"valeur": texte}, {"version": texte}):
        reponse = _poster_grille(client, indicateur, **champs)
        assert reponse.status_code == 400, champs
        page = reponse.content.decode()
        assert any(
            regle in page
            for regle in ("NaN et l&#x27;infini", "notation scientifique", "trop long")
        ), champs
    assert Valeur.objects.count() == avant


def test_a_nul_character_in_the_grid_note_is_a_form_error(client, membre_metropole, indicateur):
    client.force_login(membre_metropole)
    avant = Valeur.objects.count()
    reponse = _poster_grille(client, indicateur, note="avant\x00après")
    assert reponse.status_code == 400
    assert "Le caractère nul n’est pas autorisé." in reponse.content.decode()
    assert Valeur.objects.count() == avant


def test_staff_validation_refuses_a_hostile_version(client, equipe, membre_metropole, indicateur):
    from engagements.services import grille_enregistrer

    grille_enregistrer(
        utilisateur=membre_metropole,
        indicateur=indicateur,
        annee=2021,
        saisies={cle(None, ""): ("3", 0)},
        soumettre=True,
    )
    valeur = Valeur.objects.get(indicateur=indicateur, annee=2021)
    client.force_login(equipe)
    for version, regle in [
        ("NaN", "NaN et l&#x27;infini"),
        ("9" * 4301, "trop long"),
        ("abc", "pas un nombre entier"),
    ]:
        reponse = client.post(
            reverse("saisie:valider_grille", args=[2021, indicateur.code]),
            {"action": "valider", "commentaire": "", f"ver_{valeur.pk}": version},
        )
        # The page again, with the error (it was a server error).
        assert reponse.status_code == 400, version
        assert regle in reponse.content.decode()
        valeur.refresh_from_db()
        assert valeur.statut == Valeur.Statut.SOUMISE


def test_the_campaign_page_with_a_hostile_year_answers_the_default(client, membre_metropole):
    client.force_login(membre_metropole)
    for annee in ["²", "9" * 4301, "NaN"]:
        assert client.get(reverse("saisie:mes_indicateurs"), {"annee": annee}).status_code == 200


# ------------------------------------------------------------ the API


@pytest.mark.parametrize(
    "corps",
    [
        *({"valeur": t} for t in NON_FINIS),
        {"valeur": "9" * 4301},
        *({"version": t} for t in NON_FINIS),
        {"version": "9" * 4301},
        {"version": 2**40},
        {"annee": "9" * 4301},
        {"annee": 1990},
        {"note": "avant\x00après"},
    ],
    ids=repr,
)
def test_the_api_refuses_hostile_numbers_and_nul_with_a_400(membre_metropole, indicateur, corps):
    client = Client()
    client.force_login(membre_metropole)
    donnees = {"indicateur": CODE, "annee": 2021, "valeur": "3", "version": 0, **corps}
    avant = Valeur.objects.count()
    reponse = client.post("/api/valeurs/", donnees, content_type="application/json")
    assert reponse.status_code == 400, reponse.content[:300]
    assert reponse.json()["erreur"]["statut"] == 400
    assert Valeur.objects.count() == avant


def test_the_api_refuses_a_non_finite_json_number(membre_metropole):
    client = Client()
    client.force_login(membre_metropole)
    for brut in ["NaN", "Infinity", "-Infinity", "1e1000000"]:
        corps = f'{{"indicateur": "{CODE}", "annee": 2021, "valeur": {brut}, "version": 0}}'
        reponse = client.post("/api/valeurs/", corps, content_type="application/json")
        assert reponse.status_code == 400, (brut, reponse.content[:300])
    assert not Valeur.objects.exists()
