"""Hostile grid files: each is refused fast, with a French message that names
the limit, nothing saved, and the memory of the process bounded while it is
refused (the limits are checked before the parsing, not after).

The files are crafted small, as an attacker would: a few kilobytes that
declare or expand to megabytes or gigabytes.
"""

import contextlib
import html
import io
import struct
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler, StopFutureHandlers
from django.test import Client
from django.test.client import ClientHandler
from django.urls import reverse

from contrat.televersement import FichierTropGros, LimiteTailleHandler
from engagements import echange, xlsx
from engagements.models import Valeur
from fiches.models import Indicateur

CODE = "2019-1.1-1"  # an indicator of the Métropole
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FEUILLE = "xl/worksheets/sheet1.xml"
# What refusing one file may cost, at most (Python allocations, tracemalloc).
MEMOIRE_MAX = 20 * 1024 * 1024
DUREE_MAX = 3.0


def _classeur(remplacements):
    """A real export of the app, with some of its parts replaced:
    {name: bytes, or an iterable of byte chunks written one by one}."""
    base = xlsx.ecrire([echange.COLONNES, [CODE, "libellé", 2021, "", "", "", "", 3, "", 0, ""]])
    sortie = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as cible,
    ):
        for nom in source.namelist():
            if nom not in remplacements:
                cible.writestr(nom, source.read(nom))
        for nom, contenu in remplacements.items():
            if isinstance(contenu, bytes):
                cible.writestr(nom, contenu)
            else:
                with cible.open(nom, "w") as membre:
                    for morceau in contenu:
                        membre.write(morceau)
    return sortie.getvalue()


def _feuille(lignes_xml):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
        f"{lignes_xml}</sheetData></worksheet>"
    ).encode()


def _entete():
    cellules = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{nom}</t></is></c>'
        for i, nom in enumerate(echange.COLONNES)
    )
    return f'<row r="1">{cellules}</row>'


def _falsifier_tailles(contenu, nom, taille):
    """Rewrite the uncompressed size that the zip's central directory declares
    for ``nom`` (what an archive built by hand can say)."""
    donnees = bytearray(contenu)
    position = 0
    while True:
        debut = donnees.find(b"PK\x01\x02", position)
        assert debut >= 0, nom
        longueur_nom = struct.unpack_from("<H", donnees, debut + 28)[0]
        if donnees[debut + 46 : debut + 46 + longueur_nom] == nom.encode():
            struct.pack_into("<I", donnees, debut + 24, taille)
            return bytes(donnees)
        position = debut + 4


def _bombe_honnete():
    # 12 MB of one repeated empty row in about 12 KB: past the 5 MB limit.
    return _classeur({FEUILLE: (b"<row/>" * 100_000 for _ in range(20))})


def _bombe_qui_se_vante():
    # A few KB whose header declares a 3 GB sheet.
    return _falsifier_tailles(_classeur({}), FEUILLE, 3 * 1024**3)


def _bombe_menteuse():
    # Declares 1 KB, inflates to 8 MB: zipfile stops at the declared size.
    contenu = _classeur(
        {FEUILLE: [_feuille(_entete()).replace(b"</sheetData>", b"")] + [b" " * 8_000_000]}
    )
    return _falsifier_tailles(contenu, FEUILLE, 1024)


def _cent_mo_de_lignes_vides():
    # 100 MB of empty rows, compressed to about 100 KB.
    morceau = b'<row r="5"/>' * 87_381  # 1 MB
    return _classeur({FEUILLE: (morceau for _ in range(100))})


def _cellule_lointaine(reference, ligne=2):
    return _classeur(
        {FEUILLE: _feuille(_entete() + f'<row r="{ligne}"><c r="{reference}"><v>1</v></c></row>')}
    )


def _trop_de_lignes():
    lignes = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(2, 1_100))
    return _classeur({FEUILLE: _feuille(_entete() + lignes)})


def _cellule_trop_longue():
    return _classeur(
        {
            FEUILLE: _feuille(
                _entete() + f'<row r="2"><c r="K2" t="inlineStr"><is><t>{"x" * 6000}</t></is></c>'
                "</row>"
            )
        }
    )


def _milliard_de_rires():
    # Ten times ten times... "rire": 10^9 of them once the entities expand.
    entites = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return _classeur(
        {
            FEUILLE: (
                f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "rire">{entites}]>'
                f'<worksheet xmlns="{MAIN}"><sheetData>{_entete()}<row r="2">'
                '<c r="K2" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>'
            ).encode()
        }
    )


HOSTILES = {
    "zip bomb (12 MB in a few KB)": (_bombe_honnete, "limite est de 5 Mo décompressés"),
    "declares 3 GB": (_bombe_qui_se_vante, "limite est de 5 Mo décompressés"),
    "inflates past what it declares": (_bombe_menteuse, "corrompu"),
    "100 MB of empty rows": (_cent_mo_de_lignes_vides, "limite est de 5 Mo décompressés"),
    'cell r="ZZZZZZZZ2"': (lambda: _cellule_lointaine("ZZZZZZZZ2"), "50 colonnes"),
    'cell r="XFD2"': (lambda: _cellule_lointaine("XFD2"), "la limite est de 50 colonnes"),
    'cell r="A1048576"': (
        lambda: _cellule_lointaine("A1048576", 1048576),
        "limite est de 1000 lignes",
    ),
    "1 100 rows": (_trop_de_lignes, "la limite est de 1000 lignes"),
    "a cell of 6 000 characters": (_cellule_trop_longue, "5000 caractères par cellule"),
    "billion laughs": (_milliard_de_rires, "illisible"),
}


@pytest.fixture
def membre_metropole(campagne, partenaire):
    return partenaire("metropole")


@pytest.mark.django_db
@pytest.mark.parametrize("nom", list(HOSTILES))
def test_a_hostile_xlsx_is_refused_fast_in_bounded_memory_and_saves_nothing(nom, membre_metropole):
    fabrique, attendu = HOSTILES[nom]
    contenu = fabrique()
    assert len(contenu) < 256 * 1024, "the attack file itself stays small"
    indicateur = Indicateur.objects.get(code=CODE)

    def importer():
        return echange.importer(
            utilisateur=membre_metropole,
            indicateur=indicateur,
            annee=2021,
            nom="grille.xlsx",
            contenu=contenu,
        )

    # Timed alone (tracemalloc slows Python down several times), then measured.
    debut = time.perf_counter()
    rapport = importer()
    duree = time.perf_counter() - debut
    tracemalloc.start()
    try:
        importer()
        _, pic = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not rapport.ok
    assert attendu in rapport.erreurs[0][1], rapport.erreurs
    assert duree < DUREE_MAX, f"{nom}: {duree:.2f} s"
    assert pic < MEMOIRE_MAX, f"{nom}: {pic / 1024**2:.1f} MB"
    assert not Valeur.objects.exists()


@pytest.mark.django_db
def test_the_web_import_shows_the_limit_in_french_and_saves_nothing(membre_metropole):
    client = Client()
    client.force_login(membre_metropole)
    fichier = io.BytesIO(_bombe_qui_se_vante())
    fichier.name = "grille.xlsx"
    reponse = client.post(reverse("saisie:importer", args=[2021, CODE]), {"fichier": fichier})
    assert reponse.status_code == 400
    page = html.unescape(reponse.content.decode())
    assert "se décompresse en 3 Go : la limite est de 5 Mo décompressés" in page
    assert not Valeur.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        (b"a;" * 60 + b"\n", "la limite est de 50 colonnes"),
        (b"indicateur;note\n" + b"x;" + b"y" * 6000 + b"\n", "5000 caractères par cellule"),
        (b"indicateur\n" + b"x\n" * 1200, "la limite est de 1000 lignes"),
    ],
)
def test_a_csv_past_a_limit_is_refused_with_the_limit_named(contenu, attendu, membre_metropole):
    rapport = echange.importer(
        utilisateur=membre_metropole,
        indicateur=Indicateur.objects.get(code=CODE),
        annee=2021,
        nom="grille.csv",
        contenu=contenu,
    )
    assert attendu in rapport.erreurs[0][1]
    assert not Valeur.objects.exists()


def test_the_limits_are_settings(settings):
    settings.IMPORT_DECOMPRESSE_MAX = 1024
    with pytest.raises(xlsx.LimiteDepassee, match="la limite est de 1 Ko décompressés"):
        xlsx.lire(xlsx.ecrire([["a"] * 11] * 20))
    settings.IMPORT_DECOMPRESSE_MAX = 5 * 1024 * 1024
    settings.IMPORT_LIGNES_MAX = 3
    with pytest.raises(xlsx.LimiteDepassee, match="la limite est de 3 lignes"):
        xlsx.lire(xlsx.ecrire([["a"]] * 4))
    assert len(xlsx.lire(xlsx.ecrire([["a"]] * 3))) == 3


def test_an_exported_workbook_has_a_frozen_header_widths_and_number_formats():
    from openpyxl import load_workbook

    contenu = xlsx.ecrire(
        [["indicateur", "annee", "valeur", "note longue"], ["2019-1.1-1", 2021, 1234.5, "x" * 30]],
        formats={1: "0"},
    )
    feuille = load_workbook(io.BytesIO(contenu)).active
    assert feuille.freeze_panes == "A2"
    assert feuille["A1"].font.bold
    assert feuille["B2"].number_format == "0"
    assert feuille["C2"].number_format == "#,##0.00"
    assert feuille.column_dimensions["D"].width == 32
    assert xlsx.lire(contenu)[1] == ["2019-1.1-1", "2021", "1 234,5", "x" * 30]


def test_text_that_looks_like_a_formula_is_written_as_text():
    from openpyxl import load_workbook

    contenu = xlsx.ecrire([["note"], ["=HYPERLINK(1)"]])
    cellule = load_workbook(io.BytesIO(contenu)).active["A2"]
    assert cellule.data_type == "s"
    assert xlsx.lire(contenu)[1] == ["=HYPERLINK(1)"]


# ------------------------------------------------------------ uploads


class CorpsParesseux:
    """A multipart body of ``taille`` bytes, produced as it is read: the
    client never holds it, so what the server holds is what is measured."""

    def __init__(self, prefixe, taille, suffixe):
        self.prefixe, self.taille, self.suffixe = prefixe, taille, suffixe
        self.position = 0
        self.longueur = len(prefixe) + taille + len(suffixe)

    def read(self, n=-1):
        if n is None or n < 0:
            n = self.longueur - self.position
        morceaux = []
        while n > 0 and self.position < self.longueur:
            if self.position < len(self.prefixe):
                morceau = self.prefixe[self.position : self.position + n]
            elif self.position < len(self.prefixe) + self.taille:
                morceau = b"x" * min(n, len(self.prefixe) + self.taille - self.position)
            else:
                debut = self.position - len(self.prefixe) - self.taille
                morceau = self.suffixe[debut : debut + n]
            morceaux.append(morceau)
            self.position += len(morceau)
            n -= len(morceau)
        return b"".join(morceaux)

    def readline(self, limite=-1):
        return self.read(limite)


@pytest.mark.django_db
def test_a_100_mb_upload_streams_through_bounded_memory_and_is_refused(membre_metropole):
    client = Client()
    client.force_login(membre_metropole)
    borne = "----limite"
    prefixe = (
        f'--{borne}\r\nContent-Disposition: form-data; name="fichier"; '
        f'filename="grille.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    suffixe = (
        f'\r\n--{borne}\r\nContent-Disposition: form-data; name="soumettre"\r\n\r\non\r\n'
        f"--{borne}--\r\n"
    ).encode()
    corps = CorpsParesseux(prefixe, 100 * 1024 * 1024, suffixe)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": reverse("saisie:importer", args=[2021, CODE]),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": corps,
        "CONTENT_TYPE": f"multipart/form-data; boundary={borne}",
        "CONTENT_LENGTH": str(corps.longueur),
        "HTTP_COOKIE": client.cookies.output(header="", sep=";").strip(),
    }
    tracemalloc.start()
    debut = time.perf_counter()
    try:
        reponse = ClientHandler(enforce_csrf_checks=False)(environ)
        duree = time.perf_counter() - debut
        _, pic = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reponse.status_code == 400
    page = html.unescape(reponse.content.decode())
    assert "fait 100 Mo : la taille maximale est de 2 Mo" in page
    assert corps.position == corps.longueur, "the rest of the body is read and dropped"
    assert pic < 10 * 1024 * 1024, f"{pic / 1024**2:.1f} MB held for a 100 MB upload"
    assert duree < 20, f"{duree:.1f} s"
    assert not Valeur.objects.exists()


def test_the_upload_handler_passes_nothing_past_the_limit(rf, settings):
    settings.IMPORT_TAILLE_MAX = 1000
    settings.DOCUMENT_TAILLE_MAX = 1000
    requete = rf.post("/")
    premier, suivant = LimiteTailleHandler(requete), MemoryFileUploadHandler(requete)
    for handler in (premier, suivant):
        handler.handle_raw_input(None, requete.META, 5000, "b")
        with contextlib.suppress(StopFutureHandlers):  # the memory handler says so
            handler.new_file("fichier", "a.csv", "text/csv", None)
    recus = 0
    for debut in range(0, 5000, 300):
        morceau = premier.receive_data_chunk(b"x" * 300, debut)
        if morceau is not None:
            recus += len(suivant.receive_data_chunk(morceau, debut) or morceau)
    assert recus <= 1000
    fichier = premier.file_complete(5000)
    assert isinstance(fichier, FichierTropGros)
    assert fichier.size == 5000
    assert fichier.read() == b""
