#!/usr/bin/env python3
"""Transcription of Annexe 3 ("Fiches opérationnelles ajustées") of the
Contrat de ville de Montpellier Méditerranée Métropole, avenant n° 2 (2019).

Usage (Python 3.11, standard library only):

    python3 tools/transcription/annexe3.py [SOURCE_TXT] [OUTPUT_JSON]

SOURCE_TXT defaults to tools/transcription/source/avenant-n2-2019.txt (relative to
the current directory), OUTPUT_JSON to tools/transcription/data/annexe3.json.

How it works
------------
1. Every source line of Annexe 3 is cleaned (PDF/HTML debris only, see
   ``clean_inline``) and turned into one or more *logical lines*: a paragraph
   line or a list item ("- ..." with a nesting depth).  Lines holding HTML
   fragments (``<p>``, ``<ul>``) are expanded into several logical lines; tab
   separated rows become "cell | cell" lines.  Every logical line keeps the
   1-based number of the source line it comes from.
2. The annex is cut into groups ("ENJEUX 1 et 8 : ...") and fiches
   ("FICHE N° 1.1" alone on a line).  Each group starts with a summary list
   ("FICHE N° 1.1 <titre>").
3. Inside a fiche, the lines are dispatched to sections by recognising the
   form's headings (all the spelling/case variants met in the text are listed
   in ``SECTION_PATTERNS``); then each section is parsed (sub-headings
   OBJECTIFS / RESULTATS ATTENDUS, PILOTE / PARTENAIRES, dates, indicators).
4. A small table of per-fiche manual overrides handles what cannot be parsed
   generically; each override is commented with the source line(s) and why.

Nothing is reworded: text is kept verbatim (casing, accents, typos); only
debris is removed and form hints ("(Préciser ...)", "(A compléter ...)") are
dropped.
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field

DEFAULT_SOURCE = os.path.join("tools", "transcription", "source", "avenant-n2-2019.txt")
DEFAULT_OUTPUT = "tools/transcription/data/annexe3.json"

ANNEX_TITLE = "Annexe 3 : Fiches opérationnelles ajustées"

# ---------------------------------------------------------------------------
# Manual overrides (line numbers are 1-based lines of the source text)
# ---------------------------------------------------------------------------

# Paragraphs (or list items) cut in two by a PDF page break: the source has a
# blank line in the middle of a sentence, and the next part starts with a
# lower-case letter.  These continuation lines are re-joined to the previous
# logical line with a single space.  (Found by listing every non-blank line
# that follows a blank line, starts in lower case and whose previous line has
# no final punctuation; 3714/3716 and 7114/7116 matched that test too but are
# separate items, so they are not listed.)
PAGE_BREAK_JOINS = {
    1508,  # fiche 1.5: "...pourrait prendre des formes diverses et" / "innovantes (entretiens ...) :"
    1710,  # fiche 1.7: "...couplé à un accompagnement vers" / "l'entrepreneuriat) concourt ..."
    2329,  # fiche 1.13: "...à l'échelle du territoire," / "entre tous les acteurs locaux ..."
    2363,  # fiche 1.13: "...services, chargés de" / "mission... des donneurs d'ordre ..."
    3431,  # fiche 2.8: list of examples ending with ";" / "ambassadeurs de lycée au collège ..."
    4744,  # fiche 4.2: "...capitaliser les outils," / "les techniques, les pratiques ..."
    6516,  # fiche 5.8: list item "...suivre les impayés" / "sur l'ensemble des copropriétés ..."
    6770,  # fiche 7.2: "...Lorsqu'elle sera" / "aboutie, l'opération de rénovation ..."
}

# Page header left in the flow of the text by the PDF conversion (line 3130,
# between fiches 2.4 and 2.5): dropped.
DEBRIS_LINES = {
    3130: "CONTRAT DE VILLE DE MONTPELLIER MEDITERRANEE METROPOLE",
}

# Fiche 10.1, lines 7077-7079: the principles line is glued to the start of
# the enjeu line, and the enjeu line itself is broken in two:
#   "Des quartiers attractifs ENJEU" / "N°10 : Placer la médiation ..."
# Generic parsing would see a principles line and an orphan "N°10 : ...".
HEADER_OVERRIDES = {
    "10.1": {
        "lines": (7077, 7079),
        "principes_texte": "Des quartiers attractifs",
        # "ENJEU" (end of line 7077) + " " + line 7079, words kept as written
        "enjeux_texte_from": ("ENJEU", 7079),
    },
}

# Fiches 12.1 and 12.2 have no "ENJEU N° ..." line: their header carries
# "AXES TRANSVERSAUX" (line 7349) / "ENJEUX TRANSVERSAUX" (line 7438), which
# is the name of enjeu 12 in the group heading "ENJEUX 12 : Axes transversaux
# et autres actions innovantes ou expérimentales" (line 7339).  The enjeux
# list is therefore set to [12] by hand (no digit to parse in the line).
ENJEUX_OVERRIDES = {
    "12.1": [12],
    "12.2": [12],
}

# Evaluation sections holding text that is not an indicator.
# Fiche 10.1, lines 7153-7157: after the result indicators, a paragraph
# "Mise en place d'une formation :" + 2 paragraphs on the mediators'
# training; kept as ``evaluation_texte_complementaire``, not as indicators.
EVALUATION_TEXT_LINES = {
    "10.1": (7153, 7157),
}

# Named sub-parts of descriptifs ("sous_parties").  Fiche 11.1 is parsed
# generically ("Fiche action N : ..." items, see parse_fiches_action).  For the
# "EXEMPLES DE DECLINAISON OPERATIONNELLE" of 6.9, 6.10 and 6.12 the titles of
# the sub-parts are not marked in a regular way (bold list items in 6.9, bare
# short lines in 6.10 and 6.12), so their lines are listed here; the text of a
# sub-part runs until the next title or the end of the section.  The expected
# beginning of each title line is checked at run time.
SOUS_PARTIES_TITRES = {
    # 6.9: the three "types d'activités à vocation d'inclusion" (bold items)
    "6.9": [
        (5522, "L'activité sportive révélatrice de talents"),
        (5526, "L'activité sportive porteuse de valeurs"),
        (5528, "L'activité sportive comme projet de territoire"),
    ],
    # 6.10: five short title lines, each followed by its paragraph(s)
    "6.10": [
        (5627, "« Ville 100% EAC »"),
        (5631, "Ville apprenante"),
        (5635, "DEMOS"),
        (5639, "De la sensibilisation à la professionnalisation"),
        (5643, "Parcours d'insertion socioprofessionnels des jeunes"),
    ],
    # 6.12: a single titled list
    "6.12": [(5787, "Les conditions de réussite des projets participatifs")],
}

# ---------------------------------------------------------------------------
# Cleaning
# ---------------------------------------------------------------------------

STRUCK_RE = re.compile(r"~~(.*?)~~")
SUP_RE = re.compile(r"\^\{([^}]*)\}")
BOLD_RE = re.compile(r"\*\*")
TAG_RE = re.compile(r"<[^>]+>")

# Records of every cleaning decision worth reporting (filled while parsing).
LOG: dict[str, list] = {
    "struck": [],  # (line, struck text)
    "empty_bullets": [],  # line numbers of "-" bullets without text
    "page_break_joins": [],
    "debris": [],
    "glued_bullets": [],  # "-Word" normalised to "- Word"
    "tables": [],  # line numbers of tab-separated rows
    "html_lines": [],
    "sub_glyphs": [],  # (line, glyph) secondary bullet glyphs
}


def clean_inline(text: str, lineno: int) -> str:
    """Remove inline debris from one piece of text (no HTML handling here)."""
    for m in STRUCK_RE.finditer(text):
        LOG["struck"].append((lineno, m.group(1)))
    text = STRUCK_RE.sub("", text)  # ~~x~~: struck-out text in the PDF
    text = SUP_RE.sub(r"\1", text)  # ^{er} -> er
    text = BOLD_RE.sub("", text)  # **bold**
    text = text.replace("\u00a0", " ")  # (no NBSP in the annex, kept for safety)
    text = re.sub(r"[ \t]+", " ", text)
    return text.strip()


def norm(text: str) -> str:
    """Normalised form used only to *recognise* headings."""
    t = unicodedata.normalize("NFD", text)
    t = "".join(c for c in t if unicodedata.category(c) != "Mn")
    t = t.replace("’", "'").replace("Œ", "OE").replace("œ", "oe")
    return re.sub(r"\s+", " ", t).strip().upper()


@dataclass
class LLine:
    """A logical line: a paragraph line or a list item."""

    no: int  # source line number (1-based)
    text: str  # cleaned text (list items without the "- ")
    raw: str  # raw source line
    item: bool = False  # list item?
    depth: int = 0  # list depth (1 = top level)
    blank_before: bool = False  # paragraph break before this line?
    html: bool = False

    def render(self) -> str:
        if self.item:
            return "  " * (self.depth - 1) + "- " + self.text
        return self.text


SUB_GLYPHS = ("o", "✓", "▪", "↳", "•")


def bullet_line(raw: str, no: int):
    """Parse a plain (non-HTML) bullet line.  Returns (depth, text) or None."""
    m = re.match(r"^(\s*)-(\s*)(.*)$", raw)
    if not m:
        return None
    indent, space, rest = m.groups()
    if not space and rest and not re.match(r"[A-Za-zÀ-ÿ]", rest):
        return None  # e.g. "-6 mois": not a bullet
    if not space and rest:
        LOG["glued_bullets"].append(no)
    depth = 2 if indent else 1
    rest = rest.strip()
    # secondary glyph right after the dash ("- o ...", "- ✓ ...", "- ↳ ..."):
    # it marks a sub-item; the glyph is dropped and the item is nested.
    for g in SUB_GLYPHS:
        if rest.startswith(g + " "):
            LOG["sub_glyphs"].append((no, g))
            rest = rest[len(g) + 1 :]
            depth = 2
            break
    return depth, rest


HTML_TOKEN_RE = re.compile(r"(<p>|</p>|<ul[^>]*>|</ul>|<li>|</li>|<br\s*/?>|<[^>]+>)")


def expand_html(raw: str, no: int) -> list[LLine]:
    """Expand a source line holding HTML fragments into logical lines.

    <p>...</p> -> paragraph; <ul ...> opens a list whose items are separated
    by bullet glyphs ("•", "▪", " - ", and "o" in nested lists) since the
    converter left no <li>; a nested <ul> increases the depth; other tags are
    dropped.  Lists are never closed in the source: a <p> or the end of the
    line ends them.
    """
    LOG["html_lines"].append(no)
    out: list[LLine] = []
    depth = 0
    marker_depth: dict[str, int] = {}
    pending_break = True
    new_ul = False
    para: list[str] = []

    def flush_para():
        nonlocal pending_break
        txt = clean_inline(" ".join(para), no)
        para.clear()
        if txt:
            out.append(LLine(no, txt, raw, blank_before=pending_break, html=True))
            pending_break = True

    def add_items(chunk: str):
        nonlocal pending_break, new_ul
        chunk = " " + chunk + " "
        parts = re.split(r"\s(•|▪|-|o)(?=\s)", chunk)
        # parts = [before, marker, text, marker, text, ...]
        before = parts[0].strip()
        if before:
            # text inside a list before any marker: continuation of last item
            if out and out[-1].item:
                out[-1].text = clean_inline(out[-1].text + " " + before, no)
            else:
                para.append(before)
                flush_para()
        for i in range(1, len(parts), 2):
            mk, txt = parts[i], parts[i + 1]
            if mk == "o" and depth < 2:
                # not a marker at top level: glue back
                if out and out[-1].item:
                    out[-1].text = clean_inline(out[-1].text + " o " + txt, no)
                continue
            if new_ul:
                marker_depth[mk] = depth
                new_ul = False
            d = marker_depth.get(mk, depth)
            t = clean_inline(txt, no)
            if not t:
                LOG["empty_bullets"].append(no)
                continue
            out.append(LLine(no, t, raw, item=True, depth=d, blank_before=pending_break, html=True))
            pending_break = False

    for tok in HTML_TOKEN_RE.split(raw):
        if not tok:
            continue
        if tok in ("<p>", "</p>"):
            if depth == 0:
                flush_para()
            depth = 0  # a paragraph ends any open list
            marker_depth.clear()
            pending_break = True
        elif tok.startswith("<ul"):
            flush_para()
            depth += 1
            new_ul = True
        elif tok == "</ul>":
            depth = max(0, depth - 1)
        elif HTML_TOKEN_RE.fullmatch(tok):
            continue  # <li>, <br>, <i>, any other tag: dropped
        else:
            if depth == 0:
                para.append(tok)
            else:
                add_items(tok)
    flush_para()
    return out


def logical_lines(src: list[str], start: int, end: int) -> list[LLine]:
    """Logical lines for source lines start..end (1-based, inclusive)."""
    out: list[LLine] = []
    blank = True
    for no in range(start, end + 1):
        raw = src[no - 1]
        if not raw.strip():
            blank = True
            continue
        if no in DEBRIS_LINES:
            assert raw.strip() == DEBRIS_LINES[no], (no, raw)
            LOG["debris"].append((no, raw.strip()))
            continue
        if "<p>" in raw or "<ul" in raw:
            lines = expand_html(raw, no)
            if lines and blank:
                lines[0].blank_before = True
            out.extend(lines)
            blank = False
            continue
        if "\t" in raw:  # table row
            LOG["tables"].append(no)
            cells = [clean_inline(c, no) for c in raw.rstrip("\n").split("\t")]
            text = " | ".join(cells).strip()
            out.append(LLine(no, text, raw, blank_before=blank))
            blank = False
            continue
        b = bullet_line(raw, no)
        if b is not None:
            depth, rest = b
            text = clean_inline(rest, no)
            if not text:
                LOG["empty_bullets"].append(no)
                blank = False
                continue
            ll = LLine(no, text, raw, item=True, depth=depth, blank_before=blank)
        else:
            text = clean_inline(TAG_RE.sub("", raw), no)
            if not text:
                blank = True
                continue
            ll = LLine(no, text, raw, blank_before=blank)
        if no in PAGE_BREAK_JOINS and out:
            LOG["page_break_joins"].append((out[-1].no, no))
            out[-1].text = out[-1].text + " " + ll.text
        else:
            out.append(ll)
        blank = False
    return out


def render(lines: list[LLine]) -> str | None:
    """Join logical lines: "\n" between list items and inside a paragraph,
    "\n\n" between paragraphs (source blank line)."""
    parts: list[str] = []
    prev: LLine | None = None
    for ll in lines:
        if prev is not None:
            if prev.item and ll.item:
                parts.append("\n")
            elif ll.blank_before:
                parts.append("\n\n")
            else:
                parts.append("\n")
        parts.append(ll.render())
        prev = ll
    text = "".join(parts).strip()
    return text or None


# ---------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------

GROUP_RE = re.compile(r"^ENJEUX\s+\d+(?:\s*(?:,|et|ET)\s*\d+)*\s*:\s*\S")
SUMMARY_RE = re.compile(r"^FICHE\s+N\s*°\s*(\d+\.\d+)\s+(\S.*)$", re.I)
FICHE_RE = re.compile(r"^FICHE\s+(?:N\s*°\s*)?(\d+\.\d+)\s*$", re.I)

# Major headings of the form, matched on norm(text) (full match).
SECTION_PATTERNS = [
    ("diagnostic", r"RAPPEL DES ELEMENTS CLES DU DIAGNOSTIC.*"),
    (
        "contexte",
        r"ELEMENTS (?:DE CONTEXTE ACTUALISES AUXQUELS L'ACTION REPOND|ACTUALISES DU DIAGNOSTIC)",
    ),
    ("objectifs_resultats", r"OBJECTIFS (?:DE L'ACTION )?ET RESULTATS ATTENDUS"),
    (
        "descriptif",
        r"(?:DESCRIPTIF|DESCRIPTION) DE L'ACTION|EXEMPLES DE DECLINAISON OPERATIONNELLE",
    ),
    ("pilote", r"(?:PILOTES?|MAITRES? D'OUVRAGE) ET PARTENAIRES ASSOCIES"),
    ("perimetre", r"PERIMETRE DE L'ACTION|TERRITOIRE"),
    ("publics", r"PUBLICS VISES"),
    ("calendrier", r"CALENDRIER PREVISIONNEL"),
    ("plan_financement", r"PLAN DE FINANCEMENT"),
    ("evaluation", r"EVALUATION|INDICATEURS D'EVALUATION"),
    ("approches", r"PRISE EN COMPTE DES APPROCHES TRANSVERSALES.*"),
]
# second line of the diagnostic heading when it is broken in two (1.3, l.1194)
DIAG_CONT = r"IDENTIFIES? DANS LE CONTRAT CADRE AUXQUELS L'ACTION REPOND"

# Form hints (boilerplate of the blank form): dropped, counted in "hints".
HINT_PERIMETRE = re.compile(
    r"^\(Préciser si 1 QPV, plusieurs QPV, ensemble des QPV, (?:échelle ville|Ville)\)\s*:?\s*"
)
HINT_RESULTATS = re.compile(
    r"^\(Préciser les résultats attendus pour les QPV et ses habitants\)\s*"
)
HINT_APPROCHES = re.compile(r"^\(Préciser quelle approche transversale prise en compte\)\s*:?\s*")
HINT_EVAL = re.compile(
    r"^\(A compléter au début - prévisionnel- et à la fin de l'action - réel\)\s*$"
)

YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def section_of(ll: LLine) -> str | None:
    if ll.item:
        return None
    n = norm(ll.text)
    for name, pat in SECTION_PATTERNS:
        if re.fullmatch(pat, n):
            return name
    return None


@dataclass
class Fiche:
    numero: str
    heading_line: int
    groupe: str
    lines: list[LLine] = field(default_factory=list)


def split_structure(src: list[str], start: int):
    """Return (groups, fiches) for the annex starting at line ``start``."""
    n = len(src)
    groups = []  # dicts: heading, line, summary {numero: [(titre, line)]}
    fiches: list[Fiche] = []
    cur_group = None
    cur_fiche: Fiche | None = None
    fiche_starts = []
    for no in range(start, n + 1):
        raw = src[no - 1].strip()
        if not raw or "\t" in raw:
            continue
        if GROUP_RE.match(raw):
            cur_group = {
                "heading": clean_inline(raw, no),
                "line": no,
                "summary": {},
                "summary_order": [],
            }
            groups.append(cur_group)
            fiche_starts.append(no)
            cur_fiche = None
            continue
        m = FICHE_RE.match(raw)
        if m:
            cur_fiche = Fiche(m.group(1), no, cur_group["heading"])
            fiches.append(cur_fiche)
            fiche_starts.append(no)
            continue
        m = SUMMARY_RE.match(raw)
        if m and cur_group is not None and cur_fiche is None:
            num = m.group(1)
            cur_group["summary"].setdefault(num, []).append((clean_inline(m.group(2), no), no))
            cur_group["summary_order"].append(num)
    # fiche boundaries
    bounds = sorted(fiche_starts) + [n + 1]
    for f in fiches:
        nxt = min(b for b in bounds if b > f.heading_line)
        f.lines = logical_lines(src, f.heading_line + 1, nxt - 1)
        f.end_line = max(ll.no for ll in f.lines)
    return groups, fiches


# ---------------------------------------------------------------------------
# Section parsers
# ---------------------------------------------------------------------------


def years(text: str | None) -> list[int]:
    return [int(y) for y in YEAR_RE.findall(text or "")]


def parse_header(f: Fiche, header: list[LLine], out: dict):
    out["pilier_texte"] = None
    out["pilier_numero"] = None
    out["principes_texte"] = None
    out["enjeux_texte"] = None
    out["thematique_texte"] = None
    thematique = []
    ov = HEADER_OVERRIDES.get(f.numero)
    for ll in header:
        if ov and ov["lines"][0] <= ll.no <= ov["lines"][1]:
            if ll.no == ov["lines"][0]:
                assert ll.text.endswith(ov["enjeux_texte_from"][0]), ll.text
                out["principes_texte"] = ov["principes_texte"]
            elif ll.no == ov["enjeux_texte_from"][1]:
                out["enjeux_texte"] = ov["enjeux_texte_from"][0] + " " + ll.text
            continue
        n = norm(ll.text)
        if n.startswith("PILIER"):
            if "**" in ll.raw:
                # pilier line with the principles glued in bold (1.3-1.16):
                # "PILIER N°3 : ... **UNE METROPOLE QUI INTEGRE**"
                head, _, tail = ll.raw.partition("**")
                out["pilier_texte"] = clean_inline(head, ll.no)
                out["principes_texte"] = clean_inline(tail, ll.no)
            else:
                out["pilier_texte"] = ll.text
            m = re.search(r"PILIER\s*N\s*°\s*(\d+)", n)
            out["pilier_numero"] = int(m.group(1)) if m else None
        elif n.startswith("ENJEU") or n in ("AXES TRANSVERSAUX",):
            out["enjeux_texte"] = ll.text
        elif n.startswith("UNE METROPOLE") or n.startswith("DES QUARTIERS"):
            out["principes_texte"] = ll.text
        else:
            thematique.append(ll)
    out["thematique_texte"] = render(thematique)
    # enjeux numbers: digits before the first ":" of the enjeux line
    if f.numero in ENJEUX_OVERRIDES:
        out["enjeux"] = ENJEUX_OVERRIDES[f.numero]
    elif out["enjeux_texte"]:
        head = out["enjeux_texte"].split(":", 1)[0]
        out["enjeux"] = [int(x) for x in re.findall(r"\d+", head)]
    else:
        out["enjeux"] = []


OBJ_RE = re.compile(r"^(OBJECTIFS?(?: DE L'ACTION)?)\s*:?\s*(.*)$")
RES_RE = re.compile(r"^(RESULTATS? ATTENDUS?)\s*:?\s*(.*)$")


def parse_objectifs(lines: list[LLine], out: dict, notes: dict):
    intro, obj, res = [], [], []
    target = intro
    seen_obj = seen_res = False
    for ll in lines:
        if not ll.item:
            m = OBJ_RE.match(ll.text)
            if m:
                seen_obj = True
                heading = ll.text[: len(ll.text) - len(m.group(2))].strip()
                notes["intitules"].setdefault("objectifs", heading)
                target = obj
                if m.group(2):
                    obj.append(LLine(ll.no, m.group(2), ll.raw, blank_before=True))
                continue
            m = RES_RE.match(ll.text)
            if m:
                seen_res = True
                notes["intitules"].setdefault("resultats_attendus", ll.text)
                target = res
                rest = m.group(2)
                if HINT_RESULTATS.match(rest):
                    notes["hints"].append(("resultats", ll.no))
                    rest = HINT_RESULTATS.sub("", rest)
                if rest:
                    res.append(LLine(ll.no, rest, ll.raw, blank_before=True))
                continue
        target.append(ll)
    if intro:
        notes["notes"].append(
            "texte placé sous « OBJECTIFS ... ET RESULTATS ATTENDUS » avant le sous-titre"
            " « OBJECTIFS » (lignes %d-%d) : mis en tête de `objectifs`"
            % (intro[0].no, intro[-1].no)
            if seen_obj
            else "pas de sous-titre « OBJECTIFS » : le texte sous « OBJECTIFS ... ET RESULTATS"
            " ATTENDUS » (lignes %d-%d) est mis dans `objectifs`" % (intro[0].no, intro[-1].no)
        )
    out["objectifs"] = render(intro + obj)
    out["resultats_attendus"] = render(res)
    if not seen_res:
        notes["notes"].append("pas de sous-titre « RESULTATS ATTENDUS »")


PILOTE_RE = re.compile(r"^(PILOTES?|MAITRES? D['’]OUVRAGE)\s*:\s*(.*)$")
PART_RE = re.compile(r"^(PARTENAIRES ASSOCIES)\s*:\s*(.*)$")
MOE_RE = re.compile(r"^(Maître d'œuvre|MAITRISE D['’]ŒUVRE)\s*:\s*(.*)$")


def parse_pilote(lines: list[LLine], out: dict, notes: dict):
    buckets = {"pilote": [], "partenaires": [], "moe": []}
    target = None
    out["pilote_libelle"] = None
    out["maitre_oeuvre_libelle"] = None
    for ll in lines:
        for key, rx in (("pilote", PILOTE_RE), ("partenaires", PART_RE), ("moe", MOE_RE)):
            m = rx.match(ll.text) if not ll.item else None
            if m:
                if key == "pilote":
                    out["pilote_libelle"] = m.group(1)
                elif key == "moe":
                    out["maitre_oeuvre_libelle"] = m.group(1)
                target = buckets[key]
                if m.group(2):
                    target.append(LLine(ll.no, m.group(2), ll.raw))
                break
        else:
            if target is None:
                notes["notes"].append("ligne %d hors PILOTE/PARTENAIRES : %r" % (ll.no, ll.text))
                target = buckets["pilote"]
            target.append(ll)
    out["pilote_texte"] = render(buckets["pilote"])
    out["partenaires_texte"] = render(buckets["partenaires"])
    out["maitre_oeuvre_texte"] = render(buckets["moe"])


DATE_RE = re.compile(r"^Date de (début|fin)\s*:\s*(.*)$")


def parse_calendrier(lines: list[LLine], out: dict):
    out["calendrier_texte"] = render(lines)
    deb, fin = None, None
    deb_lines, fin_lines = [], []
    current = None
    for ll in lines:
        m = DATE_RE.match(ll.text)
        if m:
            which, rest = m.groups()
            if which == "début":
                deb = rest
                current = deb_lines if not rest else None
            else:
                fin = rest
                current = fin_lines if not rest else None
            continue
        if current is not None:
            current.append(ll)
    if deb is not None and not deb:
        deb = render(deb_lines)
    if fin is not None and not fin:
        fin = render(fin_lines)
    out["date_debut_texte"] = deb or None
    out["date_fin_texte"] = fin or None
    yd, yf = years(out["date_debut_texte"]), years(out["date_fin_texte"])
    out["annee_debut"] = min(yd) if yd else None
    out["annee_fin"] = max(yf) if yf else None


IND_HEAD_RE = re.compile(
    r"^(INDICATEURS(?: D['’]EVALUATION| DE (?:REALISATION / RESULTATS|REALISATION|RESULTATS?))?)\s*:?\s*(.*)$"
)
IND_TYPES = {
    "INDICATEURS DE REALISATION": "realisation",
    "INDICATEURS DE RESULTATS": "resultat",
    "INDICATEURS DE RESULTAT": "resultat",
}


def strip_ind(text: str) -> str:
    return re.sub(r"\s*[,;]$", "", text.strip())


def parse_evaluation(f: Fiche, lines: list[LLine], out: dict, notes: dict):
    inds = []
    extra = []
    rubrique, typ, groupe = None, "non_qualifie", None
    rubriques_vues = []
    ov = EVALUATION_TEXT_LINES.get(f.numero)
    for ll in lines:
        if ov and ov[0] <= ll.no <= ov[1]:
            extra.append(ll)
            continue
        if not ll.item:
            if HINT_EVAL.match(ll.text):
                notes["hints"].append(("evaluation", ll.no))
                continue
            m = IND_HEAD_RE.match(ll.text)
            if m:
                rubrique = m.group(1)
                typ = IND_TYPES.get(rubrique, "non_qualifie")
                groupe = None
                rubriques_vues.append(rubrique)
                rest = m.group(2)
                if re.fullmatch(r"Phase \d+", rest or ""):
                    groupe = rest  # 6.1: "INDICATEURS DE REALISATION :**Phase 1**"
                elif rest:
                    inds.append(
                        {
                            "libelle": strip_ind(rest),
                            "type": typ,
                            "rubrique": rubrique,
                            "groupe": groupe,
                            "ligne": ll.no,
                        }
                    )
                continue
            if re.fullmatch(r"Phase \d+", ll.text):
                groupe = ll.text  # 6.1 line 4905: "Phase 2"
                continue
            if inds and not ll.blank_before and inds[-1]["libelle"].endswith(":"):
                # lines under an indicator ending with ":" (1.10, 1.15):
                # "nombre de sorties positives ... :" / "Emploi : ..." / ...
                inds[-1]["libelle"] += "\n" + ll.text
                continue
            if inds and not ll.blank_before and "\n" in inds[-1]["libelle"]:
                inds[-1]["libelle"] += "\n" + ll.text  # further sub-lines
                continue
        inds.append(
            {
                "libelle": strip_ind(ll.text),
                "type": typ,
                "rubrique": rubrique,
                "groupe": groupe,
                "ligne": ll.no,
            }
        )
    for ind in inds:
        ind["libelle"] = strip_ind(ind["libelle"])
    out["indicateurs"] = inds
    out["indicateurs_rubriques"] = rubriques_vues
    out["evaluation_texte_complementaire"] = render(extra)


def parse_approches(lines: list[LLine], out: dict, notes: dict):
    keep = []
    for ll in lines:
        if not ll.item and HINT_APPROCHES.match(ll.text):
            notes["hints"].append(("approches", ll.no))
            rest = HINT_APPROCHES.sub("", ll.text)
            if rest:
                keep.append(LLine(ll.no, rest, ll.raw, blank_before=ll.blank_before))
            continue
        keep.append(ll)
    out["approches_transversales_texte"] = render(keep)


def parse_perimetre(lines: list[LLine], out: dict, notes: dict):
    keep = []
    for ll in lines:
        if not ll.item and HINT_PERIMETRE.match(ll.text):
            notes["hints"].append(("perimetre", ll.no))
            rest = HINT_PERIMETRE.sub("", ll.text)
            if rest:
                keep.append(LLine(ll.no, rest, ll.raw, blank_before=ll.blank_before))
            continue
        keep.append(ll)
    out["perimetre_texte"] = render(keep)


FA_RE = re.compile(r"^Fiche action (\d+) : (.*)$")


def parse_fiches_action(lines: list[LLine]) -> list[dict]:
    """Fiche 11.1: 30 "Fiche action N : titre" items, under "AXE ..." headings
    and numbered sub-axes ("1. ...", sometimes written as a list item)."""
    out = []
    axe, sous_axe = None, None
    for ll in lines:
        t = ll.text
        if not ll.item and re.match(r"^AXE", t):
            axe, sous_axe = t, None
            continue
        if re.match(r"^\d+\. ", t):
            sous_axe = t
            continue
        m = FA_RE.match(t)
        if m:
            out.append(
                {
                    "numero": m.group(1),
                    "titre": m.group(2),
                    "texte": None,
                    "rattachement": [x for x in (axe, sous_axe) if x],
                    "ligne": ll.no,
                }
            )
    return out


def parse_sous_parties(numero: str, lines: list[LLine]) -> list[dict]:
    if numero == "11.1":
        return parse_fiches_action(lines)
    spec = SOUS_PARTIES_TITRES.get(numero)
    if not spec:
        return []
    title_lines = {no: start for no, start in spec}
    out = []
    cur = None
    for ll in lines:
        if ll.no in title_lines:
            assert ll.text.startswith(title_lines[ll.no]), (numero, ll.no, ll.text)
            cur = {"numero": str(len(out) + 1), "titre": ll.text, "_lines": [], "ligne": ll.no}
            out.append(cur)
            continue
        if cur is not None:
            cur["_lines"].append(ll)
    assert len(out) == len(spec), numero
    for sp in out:
        sp["texte"] = render(sp.pop("_lines"))
        sp["rattachement"] = []
    return [{k: sp[k] for k in ("numero", "titre", "texte", "rattachement", "ligne")} for sp in out]


# ---------------------------------------------------------------------------
# Fiche assembly
# ---------------------------------------------------------------------------


def parse_fiche(f: Fiche, summary: dict) -> dict:
    out: dict = {"numero": f.numero, "groupe": f.groupe}
    titres = summary.get(f.numero)
    out["titre_sommaire"] = titres[0][0] if titres else None
    lines = f.lines
    out["titre"] = lines[0].text
    notes = {"hints": [], "notes": [], "intitules": {}}

    # dispatch to sections
    sections: dict[str, list[LLine]] = {}
    order: list[str] = []
    header: list[LLine] = []
    current = None
    skip_next_diag_cont = False
    for ll in lines[1:]:
        if skip_next_diag_cont:
            skip_next_diag_cont = False
            if re.fullmatch(DIAG_CONT, norm(ll.text)):
                notes["intitules"]["diagnostic"] += " / " + ll.text
                continue
        name = section_of(ll)
        if name:
            if name in sections:
                notes["notes"].append("rubrique %s répétée ligne %d" % (name, ll.no))
            current = name
            sections.setdefault(name, [])
            order.append(name)
            notes["intitules"][name] = ll.text
            if name == "diagnostic":
                skip_next_diag_cont = True
            continue
        if current is None:
            header.append(ll)
        else:
            sections[current].append(ll)

    parse_header(f, header, out)
    out["diagnostic"] = render(sections.get("diagnostic", []))
    out["elements_contexte_actualises"] = render(sections.get("contexte", []))
    parse_objectifs(sections.get("objectifs_resultats", []), out, notes)
    out["descriptif"] = render(sections.get("descriptif", []))
    out["sous_parties"] = parse_sous_parties(f.numero, sections.get("descriptif", []))
    parse_pilote(sections.get("pilote", []), out, notes)
    parse_perimetre(sections.get("perimetre", []), out, notes)
    out["publics_vises"] = render(sections.get("publics", []))
    parse_calendrier(sections.get("calendrier", []), out)
    parse_evaluation(f, sections.get("evaluation", []), out, notes)
    parse_approches(sections.get("approches", []), out, notes)
    out["autres_rubriques"] = []
    if "plan_financement" in sections:
        out["autres_rubriques"].append(
            {
                "intitule": notes["intitules"]["plan_financement"],
                "texte": render(sections["plan_financement"]),
            }
        )
    out["rubriques_absentes"] = [
        n
        for n, _ in SECTION_PATTERNS
        if n not in sections and n not in ("contexte", "plan_financement")
    ]
    out["intitules_rubriques"] = notes["intitules"]
    out["consignes_supprimees"] = [{"rubrique": r, "ligne": no} for r, no in notes["hints"]]
    out["remarques"] = notes["notes"]
    out["lignes"] = [f.heading_line, f.end_line]
    return out


FIELD_ORDER = [
    "numero",
    "groupe",
    "titre_sommaire",
    "titre",
    "pilier_texte",
    "pilier_numero",
    "principes_texte",
    "enjeux_texte",
    "enjeux",
    "thematique_texte",
    "diagnostic",
    "elements_contexte_actualises",
    "objectifs",
    "resultats_attendus",
    "descriptif",
    "sous_parties",
    "pilote_libelle",
    "pilote_texte",
    "maitre_oeuvre_libelle",
    "maitre_oeuvre_texte",
    "partenaires_texte",
    "perimetre_texte",
    "publics_vises",
    "calendrier_texte",
    "date_debut_texte",
    "date_fin_texte",
    "annee_debut",
    "annee_fin",
    "indicateurs",
    "indicateurs_rubriques",
    "evaluation_texte_complementaire",
    "approches_transversales_texte",
    "autres_rubriques",
    "rubriques_absentes",
    "intitules_rubriques",
    "consignes_supprimees",
    "remarques",
    "lignes",
]


def main(argv: list[str]) -> int:
    source = argv[1] if len(argv) > 1 else DEFAULT_SOURCE
    output = argv[2] if len(argv) > 2 else DEFAULT_OUTPUT
    with open(source, encoding="utf-8") as fh:
        src = fh.read().split("\n")
    starts = [i + 1 for i, l in enumerate(src) if l.strip() == ANNEX_TITLE]
    if not starts:
        print("Annexe 3 title not found", file=sys.stderr)
        return 1
    start = starts[-1]
    groups, fiches = split_structure(src, start)
    summary = {}
    for g in groups:
        for num, titles in g["summary"].items():
            summary.setdefault(num, []).extend(titles)
    result = []
    for f in fiches:
        d = parse_fiche(f, summary)
        result.append({k: d[k] for k in FIELD_ORDER})
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    counts = {}
    for d in result:
        counts[d["groupe"]] = counts.get(d["groupe"], 0) + 1
    print("%d fiches written to %s" % (len(result), output), file=sys.stderr)
    for g, c in counts.items():
        print("  %2d  %s" % (c, g[:80]), file=sys.stderr)
    # cleaning log, for the report
    print("cleaning log:", file=sys.stderr)
    for key, vals in LOG.items():
        print(
            "  %-17s %3d  %s" % (key, len(vals), vals if len(vals) <= 40 else vals[:40] + ["..."]),
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
