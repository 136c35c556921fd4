#!/usr/bin/env python3
"""Transcription of Annexe 1 ("Engagements renforcés et réciproques") of the
Contrat de ville de Montpellier Méditerranée Métropole, avenant n° 2 (2019).

Usage (Python 3.11, standard library only):

    python3 tools/transcription/annexe1.py [SOURCE_TXT] [OUTPUT_JSON]

SOURCE_TXT defaults to ../shared/seed/000_038b51b83e5a6dad.txt (relative to
the current directory), OUTPUT_JSON to /work/staging/annexe1.json.

The table
---------
Six columns: the operational objective (with its enjeux) or the transversal
axes, then the commitments of Métropole/Ville, État, Département, Région and
CAF "sur leur droit commun".  The PDF conversion wrote it as runs of
tab-separated lines ("chunks"), each chunk after a repeated header row or a
blank line; each line is one printed row; a cell holds HTML fragments
(<p>, <ul> without <li>, bullets written " - " or "•").

How it works
------------
1. Each line of a chunk is split into its 6 cells.  The first column of the
   chunk (only on its first line) gives the objective or the axes; a chunk
   whose first column is empty continues the previous chunk's objective.
2. Every other non-empty cell is a *fragment* (source line, printed column).
   A fragment opens a new engagement, except:
   - page-break continuations, found generically: on the first line of a
     chunk of the same objective as the previous chunk, a fragment that
     starts in lower case, or whose predecessor in the same column (the last
     fragment of that column in the previous chunk) ends with "," or ";", is
     the rest of that predecessor (the list found is checked against
     ``EXPECTED_PAGE_BREAK_JOINS``);
   - the explicit merges of ``MANUAL_MERGES`` (a cell cut by the PDF where
     the generic test cannot see it), each with its reason.
3. ``MOVES``: fragments printed in a column that is not the partner they are
   about, with the partner they are given to and why.
4. Fragments of one cell are joined with a single space when the first ends
   mid-sentence, with a line break when the next one starts a list item,
   else with a paragraph break.
5. Targets and reported figures ("cibles") are annotated by hand in
   ``CIBLES`` (keyed by the first fragment of the engagement); every phrase
   and value is checked against the text, and every number of every text
   must be either in a cible or in ``NOMBRES_IGNORES`` (dates, ages,
   list numbers...), with a reason.

Cleaning (PDF/HTML debris only, nothing reworded, spelling kept): <p> ->
paragraph break ("\\n\\n"); a <ul> starts a list, whose items (" - ", "•",
"\\uf0b7" or <li>) become lines starting with "- "; other tags and their
attributes are dropped; "**" removed; "^{er}" -> "er"; spaces collapsed; the
words of ``REJOINS`` re-joined.

Checks run at every execution (``verify``): the words of every source cell
are found, in order, in its engagement; every cleaned paragraph of every
cell appears in the JSON exactly as many times as in the source (once); no
non-empty cell is lost or used twice.
"""

from __future__ import annotations

import json
import os
import re
import sys
from decimal import Decimal

DEFAULT_SOURCE = os.path.join("..", "shared", "seed", "000_038b51b83e5a6dad.txt")
DEFAULT_OUTPUT = "/work/staging/annexe1.json"

START_RE = re.compile(r"^Annexe 1\s*:\s*Engagements renforcés et réciproques\s*$")
END_RE = re.compile(r"^ANNEXE 2\s*:")
HEADER_RE = re.compile(r"^objectifs opérationnels\tEngagements des collectivités")
SEPARATOR_RE = re.compile(r"^[-\t]+$")

# Printed columns 1..5 (column 0 is the objective / axes).
PARTENAIRES = ("metropole-ville", "etat", "departement", "region", "caf")

# Objectives numbered in the order of Article 4.1 (l. 346-350).
OBJECTIFS = (
    (1, re.compile(r"^Organiser le développement de l'activité économique")),
    (2, re.compile(r"^Organiser une politique résidentielle")),
    (3, re.compile(r"^Favoriser la réussite éducative")),
    (4, re.compile(r"^Développer une offre de services et d'équipements")),
    (5, re.compile(r"^Offrir un meilleur cadre de vie")),
)
AXES_RE = re.compile(r"^Axes transversaux")

# ---------------------------------------------------------------------------
# Manual tables (line numbers are 1-based lines of the source text; a
# fragment is (line, printed column), columns numbered 0-5)
# ---------------------------------------------------------------------------

# Page-break continuations that the generic test must find (checked at run
# time, so that a change of the rule cannot go unnoticed).  Each value is the
# end of the predecessor / start of the continuation.
EXPECTED_PAGE_BREAK_JOINS = {
    (538, 4): (535, 4),  # Région: "... droit commun régional : lutte contre" / "l'illettrisme (dispositif LECTIO)"
    (546, 1): (543, 1),  # Métropole: "parrainage des jeunes créateurs d'entreprise," / "mécénat...) généralement"
    (549, 3): (546, 3),  # Département: "développement de l'offre" / "d'accompagnement intégré ..."
    (565, 3): (562, 3),  # Département: "Cette structure" / "départementale, installée au cœur du quartier"
    (569, 3): (566, 3),  # Département: "et d'un point" / "écoute parents enfants ..."
    (594, 2): (591, 2),  # État: 'le théâtre "La chapelle",' / "Musée Fabre, le musée des moulages, ..."
    (597, 2): (594, 2),  # État: "précisant les" / "mentions, les propositions générales"
    (601, 2): (598, 2),  # État: "la GHLV propose" / "d'ici fin 2019 une présentation du dispositif"
    (610, 3): (607, 3),  # Département: "Hérault Habitat dispose" / "d'un service de médiation sociale"
    (622, 4): (618, 4),  # Région: "sont une des clés de la" / "performance et de la créativité"
    (625, 4): (622, 4),  # Région: list item ending "respect mutuel ;" / next list item "- Délivrer aux filles ..."
}

# Fragments that continue another fragment although the generic test does not
# see it: (continuation) -> (predecessor, reason).
MANUAL_MERGES = {
    # l. 546, col. 3: the chunk l. 546 holds only the rest of the row l. 543
    # cut by a page break (its Métropole cell, "mécénat...) généralement ...",
    # ends the sentence of l. 543).  Its Département cell, "Les domaines
    # d'intervention sont les suivants : - les actions de mobilisation vers
    # l'emploi, mises en œuvre par 13 associations ...", lists the "plus de 70
    # actions" that l. 543 announces; Article 4.2 (l. 413) gives the two as one
    # text.  Same cell.
    (546, 3): (
        (543, 3),
        "La l. 546 ne porte que la suite de la ligne du tableau commencée l. 543, coupée par "
        "le saut de page (sa cellule Métropole finit la phrase de la l. 543) ; « Les domaines "
        "d'intervention sont les suivants » détaille les « plus de 70 actions » annoncées "
        "l. 543, que l'Article 4.2 (l. 413) présente d'un seul tenant.",
    ),
    # l. 535, col. 4: "Pour ce faire, la Région s'appuiera ..." refers to the
    # Région's statement of l. 534; the Région's column is one text that runs
    # over the printed rows of the objective (it goes on at l. 538 with
    # "l'illettrisme (dispositif LECTIO)"), as a cell spanning several rows.
    (535, 4): (
        (534, 4),
        "« Pour ce faire, la Région s'appuiera ... » renvoie à la déclaration de la l. 534 : "
        "le texte de la Région court sur les lignes imprimées de l'objectif (cellule "
        "fusionnée sur plusieurs lignes), et se poursuit l. 538.",
    ),
    # l. 607, col. 3: "Cette opération de démolition-reconstruction profitera
    # ..." is the operation described at the end of l. 606 ("Le projet de
    # démolition-reconstruction de la résidence des Hauts de la Croix
    # d'Argent ..."); the text goes on at l. 610 (page break).
    (607, 3): (
        (606, 3),
        "« Cette opération de démolition-reconstruction » est l'opération décrite à la fin "
        "de la l. 606 (résidence des Hauts de la Croix d'Argent) : même texte, coupé entre "
        "deux lignes imprimées.",
    ),
    # l. 612, col. 3: "Actuellement, un peu plus de 100 foyers sont concernés par
    # cette mesure" = the "bouclier social" of Hérault Habitat, end of l. 611.
    (612, 3): (
        (611, 3),
        "« cette mesure » est le « bouclier social » d'Hérault Habitat décrit à la fin de la "
        "l. 611 : même texte, coupé entre deux lignes imprimées.",
    ),
}

# Fragments printed in the column of a partner they are not about.
MOVES = {
    # l. 552: "Au sein du Pic, investir près d'1,5 milliard d'euros dans la
    # lutte contre l'illettrisme et l'illectronisme / 1 - Nombre et part des
    # habitants des QPV détectés en situation d'illettrisme 2 - x
    # certifications Clé@venir ... / Données indisponibles" is printed in the
    # Métropole/Ville column, alone on its row.  The PIC (Plan
    # d'investissement dans les compétences) is the State's (l. 539, État
    # column: "Investir plus de 2 milliards d'euros ... 1 - Nombre et part des
    # habitants bénéficiant du Plan d'investissement dans les compétences
    # (PIC)"), the measure is one of the government roadmap's, written like
    # the other État rows of the block (measure, numbered indicators, state
    # of the data), and its amount is a national budget.
    (552, 1): (
        "etat",
        "Mesure de l'État imprimée dans la colonne Métropole/Ville : le PIC (Plan "
        "d'investissement dans les compétences) est un plan de l'État (cf. l. 539, colonne "
        "État) ; la mesure est celle de la feuille de route gouvernementale, rédigée comme les "
        "autres lignes État du bloc (mesure, indicateurs numérotés « 1 - Nombre et part ... », "
        "état des données), et le montant (1,5 milliard d'euros) est un budget national.",
    ),
}

# Words broken in two by the PDF, re-joined (unambiguous: written unbroken a
# few words later in the same cell, l. 565: "une demi-journée d'ateliers").
REJOINS = (("demi- journée", "demi-journée"),)

# ---------------------------------------------------------------------------
# Cleaning
# ---------------------------------------------------------------------------

LOG: dict[str, list] = {"rejoins": [], "sup": []}

TOKEN_RE = re.compile(r"(<[^>]*>)")
BULLET_SPLIT_RE = re.compile(r"(?:^|\s)(?:-|•|\uf0b7)(?=\s)")


def clean_inline(text: str) -> str:
    text = text.replace("**", "")
    text = re.sub(r"\s*\^\{([^}]*)\}", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def clean_blocks(raw: str, lineno: int | None = None) -> list[tuple[str, list[str]]]:
    """Cut one cell into blocks: ("p", [text]) or ("ul", [item, ...])."""
    if lineno is not None:
        if "^{" in raw:
            LOG["sup"].append(lineno)
        for broken, whole in REJOINS:
            if broken in raw:
                LOG["rejoins"].append((lineno, broken, whole))
    for broken, whole in REJOINS:
        raw = raw.replace(broken, whole)
    blocks: list[tuple[str, list[str]]] = []
    mode = "p"
    buf: list[str] = []

    def flush() -> None:
        text = " ".join(buf)
        buf.clear()
        if mode == "p":
            t = clean_inline(text)
            if t:
                blocks.append(("p", [t]))
            return
        parts = BULLET_SPLIT_RE.split(" " + text + " ")
        before, items = clean_inline(parts[0]), [clean_inline(p) for p in parts[1:]]
        items = [i for i in items if i]
        if before:
            blocks.append(("p", [before]))
        if items:
            blocks.append(("ul", items))

    for tok in TOKEN_RE.split(raw):
        if not tok:
            continue
        if tok.startswith("<"):
            name = re.match(r"<\s*(/?)\s*(\w*)", tok)
            tag = (name.group(2) or "").lower() if name else ""
            if tag in ("p", "br"):
                flush()
                mode = "p"
            elif tag == "ul" and not name.group(1):
                flush()
                mode = "ul"
            elif tag == "ul":
                flush()
                mode = "p"
            elif tag == "li" and not name.group(1):
                buf.append(" - ")
            # any other tag: dropped
            continue
        buf.append(tok)
    flush()
    return blocks


def render(blocks: list[tuple[str, list[str]]]) -> str:
    out = []
    for kind, items in blocks:
        out.append(items[0] if kind == "p" else "\n".join("- " + i for i in items))
    return "\n\n".join(out)


def clean(raw: str, lineno: int | None = None) -> str:
    return render(clean_blocks(raw, lineno))


def paragraphs(raw: str) -> list[str]:
    """Cleaned paragraphs and list items of a cell (for the checks)."""
    out = []
    for kind, items in clean_blocks(raw):
        out.extend(items if kind == "p" else ["- " + i for i in items])
    return out


MID_SENTENCE_END_RE = re.compile(r"[.!?:»)]$")


def join_text(before: str, after: str) -> tuple[str, str]:
    """Join two fragments of one cell; return (text, kind of join)."""
    if after.startswith("- "):
        return before + "\n" + after, "retour à la ligne (nouvel élément de liste)"
    if not MID_SENTENCE_END_RE.search(before):
        return before + " " + after, "espace (phrase coupée)"
    return before + "\n\n" + after, "saut de paragraphe"


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def read_annex(lines: list[str]) -> tuple[int, int]:
    start = next(i for i, ln in enumerate(lines) if START_RE.match(ln))
    end = next(i for i in range(start + 1, len(lines)) if END_RE.match(lines[i]))
    return start + 1, end  # 1-based: title line, and last line before Annexe 2


def first_column(raw: str) -> dict:
    blocks = clean_blocks(raw)
    paras = [t for kind, items in blocks for t in (items if kind == "ul" else items)]
    text = render(blocks)
    if AXES_RE.match(paras[0]):
        return {
            "cle": "axes",
            "objectif": None,
            "objectif_texte": None,
            "axes_transversaux": True,
            "axes_texte": [p for p in paras[1:]],
            "enjeux": [],
            "enjeux_texte": [],
            "premiere_colonne": text,
        }
    number = next((n for n, rx in OBJECTIFS if rx.match(paras[0])), None)
    if number is None:
        raise ValueError(f"unknown objective: {paras[0]!r}")
    enjeux_texte = [p for p in paras[1:] if re.match(r"Enjeu\s+\d+", p)]
    if len(enjeux_texte) != len(paras) - 1:
        raise ValueError(f"unexpected first-column paragraphs: {paras!r}")
    return {
        "cle": number,
        "objectif": number,
        "objectif_texte": paras[0],
        "axes_transversaux": False,
        "axes_texte": [],
        "enjeux": [int(re.match(r"Enjeu\s+(\d+)", p).group(1)) for p in enjeux_texte],
        "enjeux_texte": enjeux_texte,
        "premiere_colonne": text,
    }


def read_chunks(lines: list[str]) -> list[dict]:
    first, last = read_annex(lines)
    chunks: list[dict] = []
    current: dict | None = None
    for no in range(first + 1, last + 1):
        line = lines[no - 1]
        if not line.strip():
            current = None
            continue
        if HEADER_RE.match(line):
            current = None
            continue
        if SEPARATOR_RE.match(line):
            continue
        if "\t" not in line:
            raise ValueError(f"l. {no}: line without tabs inside the table: {line[:60]!r}")
        cells = line.split("\t")
        if len(cells) != 6:
            raise ValueError(f"l. {no}: {len(cells)} cells")
        if current is None:
            current = {"lines": [], "first_column": None, "first_column_line": None}
            chunks.append(current)
        if cells[0].strip():
            if current["lines"]:
                raise ValueError(f"l. {no}: first column filled on a line other than the first")
            current["first_column"] = first_column(cells[0])
            current["first_column_line"] = no
        current["lines"].append((no, cells))
    # chunks without a first column continue the previous objective
    for i, chunk in enumerate(chunks):
        if chunk["first_column"] is None:
            if i == 0:
                raise ValueError("first chunk without objective")
            chunk["first_column"] = chunks[i - 1]["first_column"]
            chunk["first_column_line"] = chunks[i - 1]["first_column_line"]
            chunk["herite"] = True
    return chunks


def build(lines: list[str]) -> tuple[list[dict], dict]:
    chunks = read_chunks(lines)
    engagements: list[dict] = []
    by_fragment: dict[tuple[int, int], dict] = {}
    found_joins: dict[tuple[int, int], tuple[int, int]] = {}
    journal: dict[str, list] = {"fusions": [], "deplacements": [], "blocs": []}
    last_in_column: dict[int, tuple[int, int]] = {}
    prev_chunk_key = None
    for chunk in chunks:
        fc = chunk["first_column"]
        journal["blocs"].append(
            {
                "lignes": [n for n, _ in chunk["lines"]],
                "objectif": fc["objectif"],
                "axes_transversaux": fc["axes_transversaux"],
                "premiere_colonne_ligne": chunk["first_column_line"],
                "premiere_colonne_heritee": bool(chunk.get("herite")),
            }
        )
        prev_last = dict(last_in_column) if fc["cle"] == prev_chunk_key else {}
        last_in_column = {}
        for row_index, (no, cells) in enumerate(chunk["lines"]):
            for col in range(1, 6):
                raw = cells[col]
                if not raw.strip():
                    continue
                key = (no, col)
                text = clean(raw, no)
                if not text:
                    raise ValueError(f"l. {no} col. {col}: cell empty after cleaning")
                target_key = None
                reason = None
                if row_index == 0 and col in prev_last:
                    before = by_fragment[prev_last[col]]["_fragments"][-1]
                    before_text = before["texte"]
                    if text[0].islower() or before_text.endswith((",", ";")):
                        target_key = prev_last[col]
                        found_joins[key] = prev_last[col]
                        reason = "suite d'une cellule coupée par le saut de page (détection générique)"
                if key in MANUAL_MERGES:
                    if target_key is not None:
                        raise ValueError(f"l. {no}: manual merge already found generically")
                    target_key, reason = MANUAL_MERGES[key]
                    reason = "fusion manuelle : " + reason
                if target_key is not None:
                    eng = by_fragment[target_key]
                    if eng["_fragments"][-1]["cle"] != target_key:
                        raise ValueError(f"l. {no}: predecessor {target_key} is not the last fragment")
                    joined, how = join_text(eng["texte"], text)
                    eng["texte"] = joined
                    eng["_fragments"].append({"cle": key, "texte": text})
                    if no not in eng["lignes_source"]:
                        eng["lignes_source"].append(no)
                    journal["fusions"].append(
                        {
                            "ordre": eng["ordre"],
                            "partenaire": eng["partenaire"],
                            "de": {"ligne": target_key[0], "colonne": PARTENAIRES[target_key[1] - 1]},
                            "suite": {"ligne": no, "colonne": PARTENAIRES[col - 1]},
                            "fin_du_premier": before_tail(by_fragment, target_key),
                            "debut_de_la_suite": text[:60],
                            "jonction": how,
                            "motif": reason,
                        }
                    )
                    by_fragment[key] = eng
                    last_in_column[col] = key
                    continue
                printed = PARTENAIRES[col - 1]
                partner = printed
                moved = False
                motif = None
                if key in MOVES:
                    partner, motif = MOVES[key]
                    moved = True
                    journal["deplacements"].append(
                        {
                            "ligne": no,
                            "colonne_imprimee": printed,
                            "partenaire": partner,
                            "debut": text[:80],
                            "motif": motif,
                        }
                    )
                eng = {
                    "ordre": len(engagements) + 1,
                    "objectif_texte": fc["objectif_texte"],
                    "objectif": fc["objectif"],
                    "axes_transversaux": fc["axes_transversaux"],
                    "enjeux": list(fc["enjeux"]),
                    "enjeux_texte": list(fc["enjeux_texte"]),
                    "premiere_colonne": fc["premiere_colonne"],
                    "premiere_colonne_ligne": chunk["first_column_line"],
                    "partenaire": partner,
                    "colonne_imprimee": printed,
                    "deplace": moved,
                    "motif_deplacement": motif,
                    "texte": text,
                    "lignes_source": [no],
                    "cibles": [],
                    "_fragments": [{"cle": key, "texte": text}],
                }
                engagements.append(eng)
                by_fragment[key] = eng
                last_in_column[col] = key
        prev_chunk_key = fc["cle"]
    if found_joins != EXPECTED_PAGE_BREAK_JOINS:
        raise ValueError(
            "page-break joins differ from EXPECTED_PAGE_BREAK_JOINS: "
            f"found {sorted(found_joins.items())}"
        )
    for key in list(MANUAL_MERGES) + list(MOVES):
        if key not in by_fragment:
            raise ValueError(f"manual table entry {key} not met")
    journal["chunks"] = chunks
    return engagements, journal


def before_tail(by_fragment: dict, key: tuple[int, int]) -> str:
    eng = by_fragment[key]
    frag = next(f for f in eng["_fragments"] if f["cle"] == key)
    return frag["texte"][-60:]
