"""XLSX files of the data-entry grids, through openpyxl, with the limits of a
hostile upload checked before the work.

An .xlsx is a zip of XML parts: a few kilobytes can expand to gigabytes, and a
single cell can name column "XFD" or row 1 048 576. So, in this order:

1. the archive's central directory is read (no decompression) and the declared
   uncompressed size of every member, and their sum, are checked against
   ``IMPORT_DECOMPRESSE_MAX``. Python's ``zipfile`` never inflates a member past
   its declared size (it stops there and fails the CRC check), so a lying
   header cannot get more than the limit through;
2. openpyxl opens the workbook in read-only mode (the sheet is streamed, never
   built as a tree);
3. the sheet's rows are read with openpyxl's row parser, which yields each
   ``<row>`` with its cells as the file states them, and each row is checked
   (row index, column index, cell length) before anything is built from it.
   ``iter_rows`` is not used: it pads missing rows and columns up to the largest
   index the file names (or its ``<dimension>`` claims), which is the attack.
"""

import io
import math
import warnings
import zipfile
from decimal import Decimal

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import CellCoordinatesException, InvalidFileException
from openpyxl.worksheet._reader import WorkSheetParser

from contrat.nombres import ecrire_nombre
from contrat.televersement import taille_lisible

# An exported grid has 6 parts; LibreOffice and Excel write about 10 to 20.
MEMBRES_MAX = 200


class FichierIllisible(ValueError):
    pass


class LimiteDepassee(FichierIllisible):
    """A file past one of the import limits: refused before it is parsed."""


# ------------------------------------------------------------------ writing


def ecrire(lignes, titre="Grille", formats=None):
    """Bytes of an .xlsx file whose single sheet holds ``lignes`` (lists of
    str / int / float / None), the first being the header: frozen, bold, and
    columns as wide as their content. ``formats`` maps a column index to a
    number format (default: "#,##0" for whole numbers, "#,##0.00" otherwise;
    the spreadsheet program shows them with the reader's separators)."""
    formats = formats or {}
    classeur = Workbook()
    feuille = classeur.active
    # Sheet names: at most 31 characters, none of []:*?/\
    feuille.title = "".join(c for c in titre if c not in "[]:*?/\\")[:31] or "Grille"
    largeurs = {}
    for r, ligne in enumerate(lignes, start=1):
        for c, valeur in enumerate(ligne, start=1):
            if valeur is None or valeur == "":
                continue
            cellule = feuille.cell(row=r, column=c)
            if isinstance(valeur, (int, float)) and not isinstance(valeur, bool):
                cellule.value = valeur
                cellule.number_format = formats.get(
                    c - 1, "#,##0" if float(valeur).is_integer() else "#,##0.00"
                )
            else:
                # Set as text explicitly: openpyxl would store a string that
                # starts with "=" as a formula. Control characters are not
                # allowed in XML 1.0: they are dropped.
                cellule.value = ILLEGAL_CHARACTERS_RE.sub("", str(valeur))
                cellule.data_type = "s"
            if r == 1:
                cellule.font = Font(bold=True)
            largeurs[c] = max(largeurs.get(c, 0), len(str(cellule.value)))
    for c, largeur in largeurs.items():
        feuille.column_dimensions[get_column_letter(c)].width = min(max(largeur + 2, 8), 60)
    feuille.freeze_panes = "A2"
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


# ------------------------------------------------------------------ reading


def verifier_archive(contenu, decompresse_max=None):
    """The zip's declared sizes against the limit, before any member is read."""
    decompresse_max = decompresse_max or settings.IMPORT_DECOMPRESSE_MAX
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise FichierIllisible("Ce fichier n'est pas un classeur XLSX.") from None
    membres = archive.infolist()
    if len(membres) > MEMBRES_MAX:
        raise LimiteDepassee(
            f"Ce classeur contient {len(membres)} parties : la limite est de {MEMBRES_MAX}."
        )
    total = 0
    for membre in membres:
        if membre.file_size > decompresse_max:
            raise LimiteDepassee(
                f"Une partie de ce classeur ({membre.filename[:80]}) se décompresse en "
                f"{taille_lisible(membre.file_size)} : la limite est de "
                f"{taille_lisible(decompresse_max)} décompressés."
            )
        total += membre.file_size
    if total > decompresse_max:
        raise LimiteDepassee(
            f"Ce classeur se décompresse en {taille_lisible(total)} : la limite est de "
            f"{taille_lisible(decompresse_max)} décompressés."
        )
    return archive


def _texte(valeur):
    """A cell's value as the text a partner would have typed."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "1" if valeur else "0"
    if isinstance(valeur, (int, float)):
        if isinstance(valeur, float) and not math.isfinite(valeur):
            return str(valeur)  # "inf" / "nan": refused by the number parser
        # A number cell is machine-formatted: hand it on the French way, to be
        # read like a typed value (repr keeps 0.1 as 0.1, not 0.1000000000000000055).
        nombre = Decimal(repr(valeur)) if isinstance(valeur, float) else Decimal(valeur)
        if nombre == nombre.to_integral_value():
            return str(int(nombre))
        return ecrire_nombre(nombre)
    return str(valeur)


def lire(contenu, *, lignes_max=None, colonnes_max=None, cellule_max=None, decompresse_max=None):
    """Rows (lists of str) of the first sheet of an .xlsx file.

    Raises ``LimiteDepassee`` (a French message naming the limit) or
    ``FichierIllisible``."""
    return _lire(
        contenu,
        None,
        lignes_max=lignes_max,
        colonnes_max=colonnes_max,
        cellule_max=cellule_max,
        decompresse_max=decompresse_max,
    )[None]


def lire_feuilles(
    contenu, noms, *, lignes_max=None, colonnes_max=None, cellule_max=None, decompresse_max=None
):
    """{name: rows} of the sheets named ``noms`` (a sheet absent: no key),
    each read with the same checks as :func:`lire`; ``lignes_max`` is per sheet.
    The other sheets are never parsed."""
    return _lire(
        contenu,
        list(noms),
        lignes_max=lignes_max,
        colonnes_max=colonnes_max,
        cellule_max=cellule_max,
        decompresse_max=decompresse_max,
    )


def _lignes_de(classeur, feuille, lignes_max, colonnes_max, cellule_max):
    if not hasattr(feuille, "_get_source"):
        raise FichierIllisible(
            f"La feuille « {feuille.title[:31]} » de ce classeur n'est pas un tableau."
        )
    lignes = []
    # openpyxl's own row parser (pinned version, see requirements.txt):
    # rows and cells as the file states them, with no padding.
    with feuille._get_source() as source:
        analyseur = WorkSheetParser(
            source,
            feuille._shared_strings,
            data_only=True,
            epoch=classeur.epoch,
            date_formats=classeur._date_formats,
            timedelta_formats=classeur._timedelta_formats,
        )
        for index, cellules in analyseur.parse():
            if index > lignes_max:
                raise LimiteDepassee(
                    f"Le fichier dépasse {lignes_max} lignes (ligne {index} trouvée) : "
                    f"la limite est de {lignes_max} lignes."
                )
            valeurs = {}
            for cellule in cellules:
                if cellule["value"] is None:
                    continue
                if cellule["column"] > colonnes_max:
                    raise LimiteDepassee(
                        f"Le fichier dépasse {colonnes_max} colonnes (colonne "
                        f"{cellule['column']} à la ligne {index}) : la limite est de "
                        f"{colonnes_max} colonnes."
                    )
                texte = _texte(cellule["value"])
                if len(texte) > cellule_max:
                    raise LimiteDepassee(
                        f"Une cellule de la ligne {index} dépasse {cellule_max} caractères : "
                        f"la limite est de {cellule_max} caractères par cellule."
                    )
                valeurs[cellule["column"]] = texte
            # Rows the file leaves out are empty rows (bounded by lignes_max).
            while len(lignes) < index - 1:
                lignes.append([])
            ligne = [valeurs.get(c, "") for c in range(1, max(valeurs, default=0) + 1)]
            if index <= len(lignes):
                # A row index repeated or going backwards: merge, as a
                # spreadsheet program would show it.
                ancienne = lignes[index - 1]
                ligne = [
                    b or a
                    for a, b in zip(
                        ancienne + [""] * (len(ligne) - len(ancienne)),
                        ligne + [""] * (len(ancienne) - len(ligne)),
                        strict=True,
                    )
                ]
                lignes[index - 1] = ligne
            else:
                lignes.append(ligne)
    return lignes


def _lire(contenu, noms, *, lignes_max, colonnes_max, cellule_max, decompresse_max):
    """{name: rows} of the sheets ``noms``, or {None: rows} of the first sheet
    when ``noms`` is None."""
    lignes_max = lignes_max or settings.IMPORT_LIGNES_MAX
    colonnes_max = colonnes_max or settings.IMPORT_COLONNES_MAX
    cellule_max = cellule_max or settings.IMPORT_CELLULE_MAX
    verifier_archive(contenu, decompresse_max).close()
    classeur = None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about what it drops (styles, extensions): not our concern.
            warnings.simplefilter("ignore")
            classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
        if not classeur.worksheets:
            raise FichierIllisible("Ce classeur n'a pas de feuille.")
        if noms is None:
            feuilles = {None: classeur.worksheets[0]}
        else:
            feuilles = {nom: classeur[nom] for nom in noms if nom in classeur.sheetnames}
        return {
            nom: _lignes_de(classeur, feuille, lignes_max, colonnes_max, cellule_max)
            for nom, feuille in feuilles.items()
        }
    except FichierIllisible:
        raise
    except (InvalidFileException, zipfile.BadZipFile, EOFError, OSError):
        # A member inflating past its declared size ends here (bad CRC).
        raise FichierIllisible("Ce classeur XLSX est corrompu.") from None
    except ValueError as exc:
        if "column name" in str(exc) or "row number" in str(exc):
            # openpyxl refuses a coordinate past XFD (its last column) or a row
            # index that is not a number: past our limits anyway.
            raise LimiteDepassee(
                "Ce classeur nomme une cellule hors des limites (référence "
                f"invalide) : la limite est de {lignes_max} lignes et {colonnes_max} colonnes."
            ) from None
        raise FichierIllisible(f"Ce classeur XLSX est illisible ({type(exc).__name__}).") from None
    except (
        CellCoordinatesException,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        SyntaxError,
        ArithmeticError,
    ) as exc:
        # openpyxl's parsers: bad coordinates ("ZZZZZZZZ2"), bad indexes, bad XML
        # (ParseError is a SyntaxError), DTDs and entities refused by defusedxml.
        raise FichierIllisible(f"Ce classeur XLSX est illisible ({type(exc).__name__}).") from None
    finally:
        if classeur is not None:
            classeur.close()
