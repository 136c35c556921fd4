"""A minimal XLSX (Office Open XML) writer and reader, with the standard
library only: one sheet of text and numbers, which is all the data-entry
grids need. Cells are written as inline strings or numbers; the reader also
understands shared strings, as spreadsheet programs write them on save.
"""

import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from engagements.nombres import ecrire_nombre

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def _colonne(index):
    lettres = ""
    index += 1
    while index:
        index, reste = divmod(index - 1, 26)
        lettres = chr(65 + reste) + lettres
    return lettres


def ecrire(lignes, titre="Grille"):
    """Bytes of an .xlsx file whose single sheet holds ``lignes`` (lists of
    str / int / float / None)."""
    rows = []
    for r, ligne in enumerate(lignes, start=1):
        cells = []
        for c, valeur in enumerate(ligne):
            ref = f"{_colonne(c)}{r}"
            if valeur is None or valeur == "":
                continue
            if isinstance(valeur, (int, float)) and not isinstance(valeur, bool):
                cells.append(f'<c r="{ref}"><v>{valeur}</v></c>')
            else:
                texte = escape(str(valeur))
                cells.append(
                    f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{texte}</t></is></c>'
                )
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<worksheet xmlns="{NS["m"]}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<workbook xmlns="{NS["m"]}" xmlns:r="{R_NS}"><sheets>'
        f'<sheet name="{escape(titre[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return tampon.getvalue()


class FichierIllisible(ValueError):
    pass


def lire(contenu, max_lignes=10000):
    """Rows (lists of str) of the first sheet of an .xlsx file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
    except zipfile.BadZipFile:
        raise FichierIllisible("Ce fichier n'est pas un classeur XLSX.") from None
    with archive:
        noms = archive.namelist()
        partages = []
        if "xl/sharedStrings.xml" in noms:
            racine = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            for si in racine.findall("m:si", NS):
                partages.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
        feuilles = sorted(n for n in noms if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        if not feuilles:
            raise FichierIllisible("Ce classeur n'a pas de feuille.")
        racine = ElementTree.fromstring(archive.read(feuilles[0]))
    lignes = []
    for row in racine.iter(f"{{{NS['m']}}}row"):
        if len(lignes) >= max_lignes:
            raise FichierIllisible(f"Le fichier dépasse {max_lignes} lignes.")
        valeurs = {}
        for c in row.findall("m:c", NS):
            ref = c.get("r", "")
            lettres = re.match(r"[A-Z]+", ref)
            index = 0
            for lettre in lettres.group() if lettres else "":
                index = index * 26 + ord(lettre) - 64
            index = index - 1 if lettres else len(valeurs)
            type_ = c.get("t")
            if type_ == "inlineStr":
                texte = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
            else:
                v = c.find("m:v", NS)
                texte = v.text if v is not None and v.text is not None else ""
                if type_ == "s" and texte:
                    texte = partages[int(texte)]
                elif type_ in (None, "n") and texte:
                    # A number cell is machine-formatted ("1234.5"): hand it on
                    # the French way, to be read like a typed value.
                    try:
                        nombre = Decimal(texte)
                    except InvalidOperation:
                        pass
                    else:
                        entier = nombre == nombre.to_integral_value()
                        texte = str(int(nombre)) if entier else ecrire_nombre(nombre)
            valeurs[index] = texte
        if valeurs:
            lignes.append([valeurs.get(i, "") for i in range(max(valeurs) + 1)])
        else:
            lignes.append([])
    return lignes
