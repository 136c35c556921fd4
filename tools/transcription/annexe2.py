#!/usr/bin/env python3
"""Transcription of Annexe 2 ("Tableau d'évolution des fiches opérationnelles")
of the Contrat de ville de Montpellier Méditerranée Métropole, avenant n° 2 (2019).

Usage (Python 3.11, standard library only):

    python3 tools/transcription/annexe2.py [SOURCE_TXT] [OUTPUT_JSON]

SOURCE_TXT defaults to tools/transcription/source/avenant-n2-2019.txt (relative to
the current directory), OUTPUT_JSON to tools/transcription/data/annexe2.json.

The table
---------
Twelve logical columns: on the left the initial contract (2015-2018)
    O objectif opérationnel, T intitulé, N n° fiche, J objectifs, P pilote,
then E the comment on the evolution, then the avenant (2019-2022)
    t nouvel intitulé, n nv n° fiche, j objectifs, p pilote,
    a exemples d'actions, i indicateurs de suivi.

The PDF conversion wrote the table as runs of tab-separated lines ("chunks",
one per PDF page or part of page, separated by blank lines).  Each chunk has
its own number of cells: empty columns were dropped and some neighbouring
cells were merged into one (e.g. "<p>1.2</p> <ul>..." = n° + objectifs, or
"<p>titre</p> <p>1.2</p> <ul>..." = titre + n° + objectifs).

How it works
------------
1. Each tab-separated line is given a layout (which cell holds which logical
   column) from its *anchors*: the initial fiche number (one of the first four
   cells) and the new fiche number (the first cell after the comment holding
   a number, alone, at the start of the cell, or as a "<p>n°</p>" paragraph).
   A line with only one anchor borrows the other half of its layout from a
   line of the same chunk; a line with no anchor at all is a *continuation
   fragment* (a cell cut by a page break) and borrows the whole layout of a
   line of its chunk.  Merged cells are split generically.
2. A line with an anchor opens a logical row; a continuation fragment is
   merged into the previous logical row, cell by cell.
3. Two blocks were converted as plain lines, one PDF text line per source
   line (no tabs): they are cut into cells by an explicit table
   (``MANUAL_BLOCKS``).
4. A few lines cannot be handled generically: ``LAYOUT_OVERRIDES`` and
   ``ROW_MOVES`` below, each commented with the line number and the reason.
5. The fate ("sort") of each row is read from the first words of the comment
   (``SORT_RULES``); when the comment is empty or says something else, the
   fate comes from ``INFERRED_SORTS`` (explicit, with the words it is
   inferred from).

Text is cleaned of PDF/HTML debris only (see ``clean``): <p>/<ul> -> line
break, bullets "•" -> lines starting with "- ", other tags dropped, "**"
removed, "^{er}" -> "er", spaces collapsed, and a short list of words broken
by the PDF re-joined (``REJOINS``).  Nothing is reworded; spelling is kept.
"""

from __future__ import annotations

import json
import os
import re
import sys

DEFAULT_SOURCE = os.path.join("tools", "transcription", "source", "avenant-n2-2019.txt")
DEFAULT_OUTPUT = "tools/transcription/data/annexe2.json"

START_RE = re.compile(r"^ANNEXE 2\s*:\s*Tableau d'évolution des fiches opérationnelles\s*$")
END_RE = re.compile(r"^Annexe 3\s*:\s*Fiches opérationnelles ajustées\s*$")

NUM = r"\d{1,2}\.\d{1,2}"
LEFT = ("O", "T", "N", "J", "P")
RIGHT = ("t", "n", "j", "p", "a", "i")
# For a merged cell met on a continuation fragment: the field that receives
# the text (a continuation never carries a title or a number).
CONTENT_FIELD = {
    ("N", "J"): "J",
    ("n", "j"): "j",
    ("t", "n", "j"): "j",
    ("p", "a"): "a",
    ("P", "E"): "E",
    ("E", "t"): "E",
}

# ---------------------------------------------------------------------------
# Manual tables (line numbers are 1-based lines of the source text)
# ---------------------------------------------------------------------------

# Words broken in two by the PDF (narrow columns), re-joined.  Each one is
# unambiguous: the same words are written unbroken elsewhere in the document
# (Métropole, DSDEN, DIRECCTE, SGAR).  "Méto pole" (l. 634, twice) is the same
# break with a typo in the source; the typo is kept.
REJOINS = (
    ("Métro pole", "Métropole"),
    ("Méto pole", "Métopole"),
    ("DSDE N", "DSDEN"),
    ("DIREC CTE/S GAR", "DIRECCTE/SGAR"),
)

# Cell layouts that the generic rules get wrong.  Keys are source lines;
# values map a 0-based cell index to the logical field(s) it holds (None: the
# cell must be empty).  "full" replaces the whole layout, "patch" only the
# cells listed.
LAYOUT_OVERRIDES = {
    # l. 641: the pilot and the comment are merged in one cell without markup
    # ("Métro pole et Etat Nouvelle fiche dédiée ..."), so the right-side
    # anchor (cell 5, "1.3 <ul>...") looks one column too far left.  The cell
    # is split before "Nouvelle fiche" (see SPLIT_PE_RE).
    641: {
        "full": {
            0: ("O",),
            1: ("T",),
            2: ("N", "J"),
            3: ("P", "E"),
            4: ("t",),
            5: ("n", "j"),
            6: ("p",),
            7: ("a",),
            8: ("i",),
        }
    },
    # l. 655 (fiche 1.12): the right-hand cells are shifted: no title, no
    # number, the objectives in cell 7 and the indicators in cell 9 (their
    # content says so: "• Rendre plus lisible ..." / "- Nombre de structures
    # labellisées ...").
    655: {"patch": {6: None, 7: ("j",), 8: None, 9: ("i",), 10: None}},
    # l. 656: only one cell after the pilot; it holds example actions ("Equipe
    # de médiateurs à l'emploi, des permanences ..."), not indicators.
    656: {"patch": {10: ("a",)}},
    # l. 756: continuation of the objectives of new fiche 2.12 (l. 754, whose
    # objectives are in cell 6 and end with "Favoriser l'épanouissement
    # (confiance,"); the chunk it sits in (l. 756-758) has the number there.
    756: {"patch": {6: ("j",)}},
    # l. 779: the comment and the new title are merged in one cell
    # ("<p>Maintien ...</p> <p>Renforcement et développement ...</p>").
    779: {
        "full": {
            0: ("O",),
            1: ("T",),
            2: ("N",),
            3: ("J",),
            4: ("P",),
            5: ("E", "t"),
            6: ("n",),
            7: ("j",),
            8: ("p",),
            9: ("a",),
            10: ("i",),
        }
    },
    # l. 817: continuation of the indicators of new fiche 6.6 (l. 814 ends with
    # "démarches dématérialisées effectuées par les"), not example actions.
    817: {"patch": {9: ("i",)}},
    # l. 866: the last cell continues the objectives of new fiche 9.3 (l. 864
    # ends with "Améliorer le tri et la valorisation des déchets des"), not its
    # indicators.
    866: {"patch": {11: ("j",)}},
    # l. 874 (fiche 10.1): the new number "10.1" is in the cell that follows
    # the comment; there is no new title, and the other cells are empty.
    874: {
        "full": {
            0: ("O",),
            1: ("T",),
            2: ("N",),
            3: ("J",),
            4: ("P",),
            5: ("E",),
            6: ("n",),
            7: None,
            8: None,
            9: None,
            10: None,
            11: None,
        }
    },
}

# Split point of the merged "pilot + comment" cell of l. 641.
SPLIT_PE_RE = re.compile(r"\s(?=Nouvelle fiche)")

# Cells moved between rows after the layout step.
ROW_MOVES = {
    # l. 786 (initial fiche 5.2) has 13 cells: its own comment cell is empty,
    # an extra cell holds "Fusion des fiches 5.3 et 5.8 pour plus de lisibilité
    # (cf. fiche nouvelle 5.2)", and the right-hand cells repeat word for word
    # those of l. 787 (new fiche 5.2).  The comment is about fiche 5.3 (the
    # 5.8 row says the same, and the 5.1 row says "Fusion des fiches 5.1 et
    # 5.2"), so it is moved to the 5.3 row (l. 787), and the duplicated
    # right-hand cells are dropped from the 5.2 row (the script checks that
    # they are identical to those of l. 787).
    786: {"extra_comment_to_line": 787, "drop_duplicate_right_of_line": 787},
}

# Two blocks converted as plain text lines (one PDF text line per source line,
# no tabs).  Each field lists the inclusive source line range it takes.
MANUAL_BLOCKS = {
    # l. 670-728: one row, initial fiche 1.22 -> new fiche 1.16.  The lines
    # follow the columns left to right (title, number, objectives, pilot,
    # comment, new title, number, objectives, pilot, actions, indicators).
    670: {
        "end": 728,
        "fields": {
            "T": (670, 672),
            "N": (674, 674),
            "J": (676, 681),
            "P": (683, 684),
            "E": (686, 688),
            "t": (690, 691),
            "n": (693, 693),
            "j": (695, 701),
            "p": (703, 705),
            "a": (707, 712),
            "i": (714, 728),
        },
        "note": "Bloc converti en lignes de texte sans tabulations (l. 670-728) ; "
        "découpé en cellules par la table MANUAL_BLOCKS du script.",
    },
    # l. 821-850: the row "Proposition de dédoubler la fiche" -> new fiche 6.10.
    # l. 821 and 823 come before the comment, so they sit in a column left of
    # it: they are read as the end of an initial objectives cell whose title
    # and number are not in the source (probably initial fiche 6.14, absent
    # from the table: the left column goes 6.13, 6.15).  "Accompagner les
    # publics vers la culture" (l. 831) is the first line of the objectives
    # cell (as in Annexe 3, fiche 6.10, "OBJECTIFS :").
    821: {
        "end": 850,
        "fields": {
            "J": (821, 823),
            "E": (825, 825),
            "t": (827, 827),
            "n": (829, 829),
            "j": (831, 840),
            "p": (842, 844),
            "i": (846, 850),
        },
        "note": "Bloc converti en lignes de texte sans tabulations (l. 821-850). "
        "Les l. 821 et 823 précèdent le commentaire : lues comme la fin "
        "d'une cellule « Objectifs » de la fiche initiale, dont l'intitulé "
        "et le numéro manquent dans la source (vraisemblablement la fiche "
        "6.14, absente du tableau).",
    },
}

# Fate read from the first words of the comment (first matching rule wins).
SORT_RULES = (
    ("suppression", re.compile(r"^(Suppression de la fiche|Fiche supprimée)")),
    ("nouvelle", re.compile(r"^(Nouvelle [Ff]iche|Fiche nouvelle)|Fiche opérationnelle nouvelle")),
    (
        "maintien",
        re.compile(
            r"^(Maintien de la fiche|Maintien à l'identique|"
            r"Maintenance de la fiche)"
        ),
    ),
    (
        "ajustement",
        re.compile(
            r"^(Ajustement de la fiche|Ajustement|Adaptation de la fiche|"
            r"Modification du public visé|Fusion des fiches \S+ et \S+|"
            r"Fusion avec la fiche \S+|Intégration (de la|du|des) [^,(]*[^,( ]|"
            r"Fiche intégrée à la fiche \S+|"
            r"Proposition de fusionner les fiches|"
            r"Proposition de dédoubler la fiche)"
        ),
    ),
)

# Rows whose comment is empty or matches no rule: fate inferred, keyed by the
# first source line of the row, with the words it is inferred from.
INFERRED_SORTS = {
    645: (
        "nouvelle",
        "commentaire vide ; la ligne 1.5 (l. 644) dit « Nouvelle fiche « chapeau » qui "
        "reprend les fiches 1.5 (qualification des entrepreneurs) et 1.6 (financement "
        "des entrepreneurs) » : la fiche 1.6 est reprise dans la nouvelle fiche 1.5",
    ),
    736: (
        "ajustement",
        "« Poursuivre le travail de repérage et accompagner les élèves de 3 ans non "
        "inscrits » : élargissement de la fiche (nouvel intitulé, nouveaux objectifs, "
        "n° 2.11)",
    ),
    737: (
        "suppression",
        "« Le PAARE n'est plus adapté aux attentes des établissements et aux besoins des "
        "jeunes » et aucune nouvelle fiche sur la ligne",
    ),
    741: (
        "ajustement",
        "« Prise en compte de la plateforme « monstagedetroisème.fr » » (fiche reconduite "
        "sous le n° 2.10 avec ce complément)",
    ),
    749: (
        "maintien",
        "commentaire vide ; même intitulé (« tout-petits » / « tout petits »), mêmes "
        "objectifs, seuls le n° (2.13 -> 2.1) et le pilote (+ DRAC) changent",
    ),
    768: (
        "suppression",
        "commentaire vide et aucune nouvelle fiche sur la ligne (fiche 3.4 « Former les "
        "animateurs ados » absente de l'avenant)",
    ),
    786: (
        "ajustement",
        "commentaire vide ; la ligne 5.1 (l. 785) dit « Fusion des fiches 5.1 et 5.2 pour "
        "créer une nouvelle fiche plus lisible autour de la politique de peuplement »",
    ),
    789: (
        "suppression",
        "« L'adaptation de la politique des loyers n'est pas à ce jour d'actualité » et "
        "aucune nouvelle fiche sur la ligne",
    ),
    814: (
        "ajustement",
        "commentaire vide ; la ligne 6.12 (l. 815) dit « Proposition de fusionner les "
        "fiches » ; nouvel intitulé « Accompagner l'accès aux droits et lutter contre "
        "l'illectronisme » (n° 6.6)",
    ),
    818: (
        "nouvelle",
        "commentaire vide et aucune fiche initiale sur la ligne (nouvelle fiche 6.7 "
        "« Animation de la vie sociale »)",
    ),
    852: ("maintien", "commentaire vide ; même intitulé, objectifs reformulés, n° 6.15 -> 6.11"),
    877: ("maintien", "commentaire vide ; même intitulé, mêmes objectifs, même n° (10.2)"),
}

# ---------------------------------------------------------------------------
# Cleaning
# ---------------------------------------------------------------------------

REJOIN_COUNTS: dict[str, list[int]] = {}


def clean(raw: str | None, lineno: int | None = None) -> str | None:
    """Remove PDF/HTML debris; return None for an empty cell."""
    if raw is None:
        return None
    s = raw.replace("**", "")
    if re.search(r"\s*\^\{er\}", s):
        if lineno is not None:
            REJOIN_COUNTS.setdefault("^{er} -> er", []).append(lineno)
        s = re.sub(r"\s*\^\{er\}", "er", s)
    s = re.sub(r"<li\b[^>]*>", "\n- ", s, flags=re.IGNORECASE)
    s = re.sub(r"</?(p|ul|ol|br)\b[^>]*>", "\n", s, flags=re.IGNORECASE)
    s = re.sub(r"<[^>]+>", "", s)
    s = re.sub("[•\uf0b7]", "\n- ", s)
    s = re.sub(r"[ \t]+", " ", s)
    for broken, whole in REJOINS:
        if broken in s:
            if lineno is not None:
                REJOIN_COUNTS.setdefault(f"{broken} -> {whole}", []).append(lineno)
            s = s.replace(broken, whole)
    lines = [ln.strip() for ln in s.split("\n")]
    lines = [ln for ln in lines if ln and ln != "-"]
    return "\n".join(lines) or None


def join_fragments(parts: list[str]) -> str | None:
    """Join the cleaned fragments of one cell cut by page breaks.

    A fragment that starts a list item ("- ") starts a new line; otherwise a
    fragment that starts in lower case, or follows text without final
    punctuation, continues the sentence (joined with a space)."""
    out = ""
    for part in parts:
        if not part:
            continue
        if not out:
            out = part
        elif part.startswith("- "):
            out += "\n" + part
        elif part[0].islower() or not re.search(r"[.;:!?)»]$", out):
            out += " " + part
        else:
            out += "\n" + part
    return out or None


def join_plain_lines(lines: list[tuple[int, str]]) -> str | None:
    """Join the text lines of a manual block cell: a line starting with "- "
    starts a new line, other lines are the wrapped continuation of the
    previous one (joined with a space, or without one after "/")."""
    out = ""
    for _, text in lines:
        text = text.strip()
        if not text:
            continue
        if not out:
            out = text
        elif text.startswith("- "):
            out += "\n" + text
        elif out.endswith("/"):
            out += text
        else:
            out += " " + text
    return out or None


def split_indicators(text: str | None) -> list[str]:
    """One string per indicator: lines of the cleaned cell, further split on
    the dash separators of inline lists ("..., - Nombre", "... - Nombre")."""
    if not text:
        return []
    items = []
    for line in text.split("\n"):
        for part in re.split(r"(?<=[,;.])\s*-+\s+|\s+-+\s+(?=[^\d\s])", line):
            part = re.sub(r"^(-\s*)+", "", part).strip()
            if part and re.search(r"\w", part):
                items.append(part)
    return items


# ---------------------------------------------------------------------------
# Layout of a tab-separated line
# ---------------------------------------------------------------------------


def text_of(raw: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", raw).split())


def num_kind(raw: str) -> str | None:
    """'exact' (the cell is a fiche number), 'prefix' (number then content),
    'embedded' (a '<p>n°</p>' paragraph after some text) or None."""
    txt = text_of(raw)
    if re.fullmatch(NUM, txt):
        return "exact"
    if re.match(NUM + r"\s+\S", txt):
        return "prefix"
    if re.search(r"<p>\s*" + NUM + r"\s*</p>", raw):
        return "embedded"
    return None


def find_left(cells: list[str]) -> tuple[int, str] | None:
    for idx in range(min(4, len(cells))):
        kind = num_kind(cells[idx])
        if kind in ("exact", "prefix"):
            return idx, kind
    return None


def find_right(cells: list[str], start: int) -> tuple[int, str] | None:
    for idx in range(start, len(cells)):
        kind = num_kind(cells[idx])
        if kind:
            return idx, kind
    return None


def left_part(idx: int, kind: str) -> tuple[dict, int]:
    roles = {}
    if idx - 1 >= 0:
        roles[idx - 1] = ("T",)
    if idx - 2 >= 0:
        roles[idx - 2] = ("O",)
    if kind == "exact":
        roles.update({idx: ("N",), idx + 1: ("J",), idx + 2: ("P",)})
        return roles, idx + 3
    roles.update({idx: ("N", "J"), idx + 1: ("P",)})
    return roles, idx + 2


def right_part(idx: int, kind: str, ncells: int) -> tuple[dict, int]:
    """Roles of the new-fiche cells and the index of the comment cell."""
    if kind == "embedded":
        roles = {idx: ("t", "n", "j")}
        p_idx, e_idx = idx + 1, idx - 1
    else:
        roles = {idx - 1: ("t",), idx: ("n",) if kind == "exact" else ("n", "j")}
        if kind == "exact":
            roles[idx + 1] = ("j",)
            p_idx = idx + 2
        else:
            p_idx = idx + 1
        e_idx = idx - 2
    if p_idx < ncells:
        roles[p_idx] = ("p",)
    rest = list(range(p_idx + 1, ncells))
    if len(rest) >= 2:
        roles[rest[0]] = ("a",)
        roles[rest[1]] = ("i",)
        for extra in rest[2:]:
            roles[extra] = None
    elif len(rest) == 1:
        roles[rest[0]] = ("i",)
    return roles, e_idx


def default_right(e_idx: int, ncells: int) -> dict:
    roles = {}
    for offset, name in enumerate(RIGHT, start=1):
        if e_idx + offset < ncells:
            roles[e_idx + offset] = (name,)
    for extra in range(e_idx + len(RIGHT) + 1, ncells):
        roles[extra] = None
    return roles


def default_left(e_idx: int) -> dict:
    roles = {}
    for offset, name in enumerate(reversed(LEFT), start=1):
        if e_idx - offset >= 0:
            roles[e_idx - offset] = (name,)
    return roles


def anchors(cells: list[str]) -> dict:
    """Layout parts that a line determines by itself."""
    info = {"left": None, "right": None, "e_left": None, "e_right": None}
    left = find_left(cells)
    if left:
        info["left"], info["e_left"] = left_part(*left)
    right = find_right(cells, info["e_left"] + 1 if left else 0)
    if right:
        info["right"], info["e_right"] = right_part(right[0], right[1], len(cells))
    return info


def layout_for(lineno: int, cells: list[str], chunk: list[tuple[int, list[str]]]) -> dict:
    """Map cell index -> tuple of logical fields (None: must be empty)."""
    override = LAYOUT_OVERRIDES.get(lineno, {})
    if "full" in override:
        return dict(override["full"])
    info = anchors(cells)
    ncells = len(cells)

    def chunk_full_layout() -> dict:
        # The layout of the first line of the chunk that has both anchors (or a
        # full override); else the left part of a left-anchored line plus the
        # right part of a right-anchored line (or the default right part).
        left_info = right_info = None
        for other_no, other in chunk:
            if other_no == lineno:
                continue
            if "full" in LAYOUT_OVERRIDES.get(other_no, {}):
                return dict(LAYOUT_OVERRIDES[other_no]["full"])
            oi = anchors(other)
            if oi["left"] and oi["right"]:
                return layout_for(other_no, other, chunk)
            if oi["left"] and not left_info:
                left_info = oi
            if oi["right"] and not right_info:
                right_info = oi
        roles: dict = {}
        if left_info:
            roles.update(left_info["left"])
            e_idx = left_info["e_left"]
        elif right_info:
            e_idx = right_info["e_right"]
            roles.update(default_left(e_idx))
        else:
            raise ValueError(f"l. {lineno}: no anchored line in its chunk")
        roles[e_idx] = ("E",)
        roles.update(right_info["right"] if right_info else default_right(e_idx, ncells))
        return roles

    if info["left"] and info["right"]:
        e_left, e_right = info["e_left"], info["e_right"]
        if e_right < e_left:
            raise ValueError(f"l. {lineno}: comment/new-title cells overlap; add an override")
        roles = dict(info["left"])
        roles[e_left] = ("E",)
        for extra in range(e_left + 1, e_right + 1):
            roles[extra] = ("E2",)
        roles.update(info["right"])
    elif info["left"]:
        roles = dict(info["left"])
        roles[info["e_left"]] = ("E",)
        right_roles = None
        for other_no, other in chunk:
            if other_no == lineno:
                continue
            if "full" in LAYOUT_OVERRIDES.get(other_no, {}):
                full = LAYOUT_OVERRIDES[other_no]["full"]
                right_roles = {k: v for k, v in full.items() if k > info["e_left"]}
                break
            oi = anchors(other)
            if oi["right"] and oi["e_right"] == info["e_left"]:
                right_roles = oi["right"]
                break
        roles.update(right_roles or default_right(info["e_left"], ncells))
    elif info["right"]:
        roles = default_left(info["e_right"])
        roles[info["e_right"]] = ("E",)
        roles.update(info["right"])
    else:
        roles = chunk_full_layout()
    for idx, fields in override.get("patch", {}).items():
        roles[idx] = fields
    # Without an "actions" column, the pilot cell may also hold the actions.
    if not any(f and "a" in f for f in roles.values()):
        for idx, fields in list(roles.items()):
            if fields == ("p",):
                roles[idx] = ("p", "a")
    return roles


def split_cell(raw: str, fields: tuple, continuation: bool, lineno: int) -> dict:
    """Split a (possibly merged) cell into its logical fields (raw HTML)."""
    raw = raw.strip()
    if not raw:
        return {}
    if len(fields) == 1:
        return {fields[0]: raw}
    if continuation:
        return {CONTENT_FIELD[fields]: raw}
    if fields in (("N", "J"), ("n", "j")):
        m = re.match(r"\s*(?:<p>)?\s*(" + NUM + r")\s*(?:</p>)?\s*(.*)$", raw, re.S)
        if not m:
            return {fields[1]: raw}
        return {fields[0]: m.group(1), fields[1]: m.group(2)}
    if fields == ("t", "n", "j"):
        m = re.search(r"<p>\s*(" + NUM + r")\s*</p>", raw)
        if not m:
            return {"j": raw}
        return {"t": raw[: m.start()], "n": m.group(1), "j": raw[m.end() :]}
    if fields == ("p", "a"):
        m = re.match(r"\s*<p>(.*?)</p>\s*(.*)$", raw, re.S)
        if m and m.group(2).strip():
            return {"p": m.group(1), "a": m.group(2)}
        return {"p": raw}
    if fields == ("P", "E"):
        parts = SPLIT_PE_RE.split(raw, maxsplit=1)
        if len(parts) == 2:
            return {"P": parts[0], "E": parts[1]}
        return {"E": raw}
    if fields == ("E", "t"):
        m = re.match(r"\s*<p>(.*?)</p>\s*(.*)$", raw, re.S)
        if m and m.group(2).strip():
            return {"E": m.group(1), "t": m.group(2)}
        return {"E": raw}
    raise ValueError(f"l. {lineno}: no splitter for merged cell {fields}")


# ---------------------------------------------------------------------------
# Reading the annex
# ---------------------------------------------------------------------------


def is_header(cells: list[str]) -> bool:
    joined = " ".join(cells)
    return "CONTRAT DE VILLE INITIAL" in joined or joined.startswith("objectifs opérationnels")


def is_separator(cells: list[str]) -> bool:
    return all(re.fullmatch(r"-*", c.strip()) for c in cells)


def group_texts(cells: list[str]) -> list[str] | None:
    texts = [clean(c) for c in cells if c.strip()]
    if texts and re.match(r"ENJEUX?\b", texts[0]):
        return texts
    return None


def enjeux_of(text: str | None) -> set[int]:
    if not text:
        return set()
    m = re.match(r"ENJEUX?\s*\(?([\d ,et]+)", text)
    return {int(d) for d in re.findall(r"\d+", m.group(1))} if m else set()


def read_annex(lines: list[str]) -> tuple[int, int]:
    start = next(i for i, ln in enumerate(lines) if START_RE.match(ln))
    end = next(i for i in range(start + 1, len(lines)) if END_RE.match(lines[i]))
    # 1-based number of the first line after the title, and of the next title
    return start + 2, end + 1


def new_row(first_line: int) -> dict:
    return {"fields": {}, "lines": [first_line], "notes": [], "first": first_line}


def add_fragment(row: dict, field: str, lineno: int, raw: str | None) -> None:
    text = clean(raw, lineno)
    if text:
        row["fields"].setdefault(field, []).append((lineno, text))


def parse(lines: list[str]) -> tuple[list[dict], list[dict], dict]:
    first, stop = read_annex(lines)
    groups: list[dict] = []
    rows: list[dict] = []
    pending_group_line: tuple[int, str] | None = None
    manual_skip_until = 0
    dropped_right: dict[int, dict] = {}
    moved_comments: dict[int, tuple[int, str]] = {}

    # Chunks of consecutive tab-separated lines.
    chunks: dict[int, list[tuple[int, list[str]]]] = {}
    current: list[tuple[int, list[str]]] = []
    for no in range(first, stop):
        line = lines[no - 1]
        if "\t" in line:
            cells = line.split("\t")
            if not (is_header(cells) or is_separator(cells) or group_texts(cells)):
                current.append((no, cells))
            chunks[no] = current
        elif not line.strip():
            current = []
        else:
            current = []

    def open_group(texts: list[str], line_nos: list[int]) -> None:
        groups.append(
            {
                "texte_initial": texts[0],
                "texte_avenant": texts[1] if len(texts) > 1 else None,
                "ligne": line_nos[0],
                "lignes_source": line_nos,
                "enjeux": sorted(
                    enjeux_of(texts[0]) | enjeux_of(texts[1] if len(texts) > 1 else None)
                ),
                "implicite": False,
            }
        )

    for no in range(first, stop):
        if no <= manual_skip_until:
            continue
        line = lines[no - 1]
        if not line.strip():
            continue
        if "\t" not in line:
            text = line.strip()
            if re.match(r"ENJEUX?\b", text):
                # Group headings written as two plain lines (initial, avenant).
                if pending_group_line:
                    open_group([pending_group_line[1], text], [pending_group_line[0], no])
                    pending_group_line = None
                else:
                    pending_group_line = (no, text)
                continue
            if pending_group_line:
                open_group([pending_group_line[1]], [pending_group_line[0]])
                pending_group_line = None
            if no in MANUAL_BLOCKS:
                block = MANUAL_BLOCKS[no]
                row = new_row(no)
                row["notes"].append(block["note"])
                covered = set()
                for field, (lo, hi) in block["fields"].items():
                    part = [(k, lines[k - 1]) for k in range(lo, hi + 1) if lines[k - 1].strip()]
                    covered.update(k for k, _ in part)
                    text = join_plain_lines(part)
                    if text:
                        for broken, whole in REJOINS:
                            if broken in text:
                                REJOIN_COUNTS.setdefault(f"{broken} -> {whole}", []).extend(
                                    k for k, _ in part
                                )
                                text = text.replace(broken, whole)
                        if any(lines[k - 1].strip().endswith("/") for k, _ in part[:-1]):
                            REJOIN_COUNTS.setdefault(
                                "ligne finissant par « / » recollée sans espace", []
                            ).extend(k for k, _ in part)
                        row["fields"][field] = [(lo, text)]
                expected = {k for k in range(no, block["end"] + 1) if lines[k - 1].strip()}
                if covered != expected:
                    raise ValueError(
                        f"manual block l. {no}: lines {sorted(expected - covered)} not assigned"
                    )
                row["lines"] = sorted(covered)
                rows.append(row)
                manual_skip_until = block["end"]
                continue
            raise ValueError(f"l. {no}: plain line outside a manual block: {text[:60]!r}")
        if pending_group_line:
            open_group([pending_group_line[1]], [pending_group_line[0]])
            pending_group_line = None
        cells = line.split("\t")
        if is_header(cells) or is_separator(cells):
            continue
        texts = group_texts(cells)
        if texts:
            open_group(texts, [no])
            continue
        chunk = chunks[no]
        roles = layout_for(no, cells, chunk)
        info = anchors(cells) if "full" not in LAYOUT_OVERRIDES.get(no, {}) else None
        continuation = info is not None and not info["left"] and not info["right"]
        fields: dict[str, str] = {}
        for idx, cell in enumerate(cells):
            role = roles.get(idx, "missing")
            if role == "missing":
                if cell.strip():
                    raise ValueError(f"l. {no}: cell {idx} has no role: {cell[:60]!r}")
                continue
            if role is None:
                if cell.strip():
                    raise ValueError(f"l. {no}: cell {idx} should be empty: {cell[:60]!r}")
                continue
            for field, raw in split_cell(cell, role, continuation, no).items():
                if raw.strip():
                    fields[field] = (fields[field] + " " + raw) if field in fields else raw
        move = ROW_MOVES.get(no)
        if move:
            if "E2" in fields:
                moved_comments[move["extra_comment_to_line"]] = (no, fields.pop("E2"))
            dropped_right[move["drop_duplicate_right_of_line"]] = {
                "from": no,
                "cells": {f: fields.pop(f) for f in RIGHT if f in fields},
            }
        if continuation:
            # Each cell of a fragment continues the same cell of the nearest
            # previous row where that cell is not empty (a row without
            # right-hand cells may sit between them when the new fiche cell
            # spans two initial fiches, e.g. l. 814-817); the repeated
            # "objectif opérationnel" goes to the previous row.
            if not rows:
                raise ValueError(f"l. {no}: continuation before any row")
            for field in LEFT + ("E",) + RIGHT:
                if field not in fields:
                    continue
                target = rows[-1]
                if field != "O":
                    target = next(
                        (r for r in reversed(rows[-3:]) if field in r["fields"]), rows[-1]
                    )
                add_fragment(target, field, no, fields[field])
                if no not in target["lines"]:
                    target["lines"].append(no)
                    target["notes"].append(
                        f"l. {no} : fragment de suite (coupure de page) fusionné dans cette ligne."
                    )
                    if no in LAYOUT_OVERRIDES:
                        target["notes"].append(
                            f"l. {no} : disposition des cellules corrigée "
                            "à la main (table LAYOUT_OVERRIDES du script)."
                        )
            continue
        row = new_row(no)
        rows.append(row)
        if no in moved_comments:
            src, raw = moved_comments.pop(no)
            add_fragment(row, "E", src, raw)
            row["lines"].insert(0, src)
            row["notes"].append(
                f"Commentaire lu l. {src} (cellule supplémentaire de la ligne de la fiche "
                "initiale 5.2), rattaché à cette ligne : il porte sur la fiche 5.3 "
                "(table ROW_MOVES du script)."
            )
        if no in dropped_right:
            dup = dropped_right.pop(no)
            for f, raw in dup["cells"].items():
                if clean(raw) != clean(fields.get(f)):
                    raise ValueError(f"l. {dup['from']}: right cell {f} differs from l. {no}")
        for field in LEFT + ("E", "E2") + RIGHT:
            if field in fields:
                add_fragment(row, "E" if field == "E2" else field, no, fields[field])
        if move:
            row["notes"].append(
                f"Les cellules de droite de la l. {no} (nouvelle fiche 5.2) répètent mot pour "
                f"mot celles de la l. {move['drop_duplicate_right_of_line']} : non reprises "
                "ici ; la cellule supplémentaire « Fusion des fiches 5.3 et 5.8 ... » est "
                "rattachée à la ligne de la fiche 5.3 (table ROW_MOVES du script)."
            )
        if no in LAYOUT_OVERRIDES:
            row["notes"].append(
                f"l. {no} : disposition des cellules corrigée à la main "
                "(table LAYOUT_OVERRIDES du script)."
            )
    if pending_group_line:
        open_group([pending_group_line[1]], [pending_group_line[0]])
    if moved_comments or dropped_right:
        raise ValueError("ROW_MOVES targets not met")
    return groups, rows, REJOIN_COUNTS


# ---------------------------------------------------------------------------
# Building the JSON rows
# ---------------------------------------------------------------------------


def read_sort(evolution: str | None, first_line: int) -> tuple[str, str, bool]:
    if evolution:
        for sort, rx in SORT_RULES:
            m = rx.search(evolution)
            if m:
                return sort, m.group(0), False
    if first_line in INFERRED_SORTS:
        sort, words = INFERRED_SORTS[first_line]
        return sort, words, True
    raise ValueError(
        f"l. {first_line}: fate not readable from {evolution!r}; add it to INFERRED_SORTS"
    )


def build(groups: list[dict], raw_rows: list[dict]) -> list[dict]:
    # The group headings read from the source are re-emitted in document order,
    # interleaved with the implicit groups opened for rows whose fiche numbers
    # do not belong to the current heading's "enjeux".
    out = []
    group_index = -1
    pending = list(groups)
    groups.clear()
    for row in raw_rows:
        while pending and pending[0]["ligne"] < row["first"]:
            groups.append(pending.pop(0))
            group_index = len(groups) - 1
        f = {k: join_fragments([t for _, t in v]) for k, v in row["fields"].items()}
        ini_num = f.get("N")
        new_nums = re.findall(NUM, f.get("n") or "")
        prefixes = {int(x.split(".")[0]) for x in ([ini_num] if ini_num else []) + new_nums}
        if group_index < 0 or (prefixes and not prefixes & set(groups[group_index]["enjeux"])):
            groups.append(
                {
                    "texte_initial": None,
                    "texte_avenant": None,
                    "ligne": None,
                    "lignes_source": [],
                    "enjeux": sorted(prefixes),
                    "implicite": True,
                    "note": f"Aucune ligne « ENJEU » dans la source avant la l. {row['first']} : "
                    "groupe implicite ouvert par le script (n° de fiches "
                    f"{', '.join(str(p) for p in sorted(prefixes))}.x).",
                }
            )
            group_index = len(groups) - 1
        evolution = f.get("E")
        sort, words, inferred = read_sort(evolution, row["first"])
        notes = list(row["notes"])
        initiale = None
        if any(f.get(k) for k in ("T", "N", "J", "P")):
            initiale = {
                "numero": ini_num,
                "titre": f.get("T"),
                "objectifs": f.get("J"),
                "pilote": f.get("P"),
            }
            if not ini_num:
                notes.append("Fiche initiale sans numéro ni intitulé dans la source.")
        elif sort != "nouvelle" and out and out[-1]["initiale"]:
            prev = out[-1]
            initiale = {
                "numero": prev["initiale"]["numero"],
                "titre": None,
                "objectifs": None,
                "pilote": None,
                "cellule_fusionnee_avec_ligne": prev["lignes_source"][0],
            }
            notes.append(
                f"Cellules de la fiche initiale vides sur cette ligne : la fiche initiale "
                f"{prev['initiale']['numero']} (l. {prev['lignes_source'][0]}) occupe les deux "
                "lignes (cellule fusionnée) et se partage entre deux nouvelles fiches."
            )
        nouvelle = None
        if any(f.get(k) for k in RIGHT):
            nouvelle = {
                "numeros": new_nums,
                "titre": f.get("t"),
                "objectifs": f.get("j"),
                "pilote": f.get("p"),
                "exemples_actions": f.get("a"),
                "indicateurs_suivi": split_indicators(f.get("i")),
            }
            if sort == "suppression":
                notes.append(
                    "Le commentaire annonce une suppression, mais la ligne porte des "
                    "cellules de nouvelle fiche (sans intitulé ni numéro)."
                )
        if inferred:
            notes.append(
                "Sort déduit (commentaire vide ou sans mot-clé) : table INFERRED_SORTS du script."
            )
        out.append(
            {
                "groupe_index": group_index,
                "objectif_operationnel_texte": f.get("O"),
                "initiale": initiale,
                "evolution_texte": evolution,
                "sort": sort,
                "sort_deduit_de": words,
                "sort_infere": inferred,
                "nouvelle": nouvelle,
                "nouveau_numero_texte": f.get("n"),
                "renvois_commentaire": re.findall(NUM, evolution or ""),
                "lignes_source": sorted(row["lines"]),
                "notes": notes,
            }
        )
    groups.extend(pending)
    return out


def main(argv: list[str]) -> int:
    source = argv[1] if len(argv) > 1 else DEFAULT_SOURCE
    output = argv[2] if len(argv) > 2 else DEFAULT_OUTPUT
    with open(source, encoding="utf-8") as fh:
        lines = fh.read().replace("\r\n", "\n").split("\n")
    groups, raw_rows, rejoins = parse(lines)
    rows = build(groups, raw_rows)
    first, stop = read_annex(lines)
    data = {
        "source": {
            "fichier": os.path.basename(source),
            "lignes": [first - 1, stop - 1],
            "titre": lines[first - 2].strip(),
        },
        "recollages": {k: sorted(set(v)) for k, v in rejoins.items()},
        "groupes": groups,
        "lignes": rows,
    }
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["sort"]] = counts.get(r["sort"], 0) + 1
    print(f"{output}: {len(groups)} groupes, {len(rows)} lignes, {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
