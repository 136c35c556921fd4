#!/usr/bin/env python3
"""Transcription of the governance data of the Contrat de ville de Montpellier
Méditerranée Métropole, avenant n° 2 (2019): governance bodies (instances),
dated events (evenements), the conseils citoyens table and the mid-term
evaluation's préconisations, with the fiches of Annexe 3 that answer them.

Usage (Python 3.11, standard library only):

    python3 tools/transcription/gouvernance.py [SOURCE_TXT] [OUTPUT_JSON] [REPORT_MD]

SOURCE_TXT defaults to tools/transcription/source/avenant-n2-2019.txt (relative to
the current directory), OUTPUT_JSON to tools/transcription/data/gouvernance.json and
REPORT_MD to docs/transcription/gouvernance_report.md.

How it works
------------
Almost everything is hand-curated below (lists of dicts with 1-based source
line numbers), because the governance data is scattered in prose all over the
text (Articles 1-5, Annexe 1's partner columns, Annexe 2's comments, the
fiches of Annexe 3).  Texts are never typed in: they are *read from the
source* by ``q()`` (a sentence, or the words between two anchors, of one
cleaned line, or of several lines joined when a page break cut a sentence),
and short names / dates typed in the tables are checked by ``w()`` to be an
exact substring of their line.  At the end every quoted text is checked again
against the source.

Cleaning (PDF/HTML debris only, as in annexe2.py / annexe3.py): HTML tags
dropped (<p>, <ul>, <li> become line breaks), "**" removed, single "*...*"
italics markers removed, "^{er}" -> "er" (any "^{x}" -> "x"), "~~x~~" (struck
text) dropped, tabs become line breaks (cell boundaries), spaces collapsed.
Nothing is reworded; typos are kept ("quatre collègues", "conseil
communautaire de 23 juillet").

Checks (assertions): every quote is found; every line said to belong to a
fiche lies inside that fiche in Annexe 3; every line of the text holding a
month name (or a dd/mm/yy date) is either used by an event or listed in
``MONTH_LINES_NOT_EVENTS`` with the reason; the conseils citoyens table is
re-added (discrepancies are reported, never fixed).
"""

from __future__ import annotations

import calendar
import json
import os
import re
import sys
import unicodedata

DEFAULT_SOURCE = os.path.join("tools", "transcription", "source", "avenant-n2-2019.txt")
DEFAULT_OUTPUT = "tools/transcription/data/gouvernance.json"
DEFAULT_REPORT = "docs/transcription/gouvernance_report.md"

LINES: list[str] = []  # raw source lines; LINES[n - 1] is line n
QUOTES: list[tuple[tuple[int, ...], int | None, str]] = []  # (lines, cell, text)

# ---------------------------------------------------------------------------
# Cleaning and quoting
# ---------------------------------------------------------------------------

STRUCK_RE = re.compile(r"~~(.*?)~~")
SUP_RE = re.compile(r"\s*\^\{([^}]*)\}")
ITALIC_RE = re.compile(r"(?<![*\w])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![*\w])")
SENTENCE_END_RE = re.compile(r"(?:\.\.\.|…|[.!?])(?=\s|$)|\n")

# Annexe 1 (l. 531-628): one column per partner (header at l. 531).
ANNEXE1 = (531, 628)
ANNEXE1_COLUMNS = {
    1: "Métropole/Ville de Montpellier",
    2: "Etat",
    3: "Département",
    4: "Région",
    5: "CAF",
}
ANNEXE2 = (629, 884)
ANNEXE3_START = 885


def clean(raw: str) -> str:
    s = STRUCK_RE.sub("", raw)
    s = s.replace("**", "")
    s = ITALIC_RE.sub(r"\1", s)
    s = SUP_RE.sub(r"\1", s)
    s = re.sub(r"<li\b[^>]*>", "\n- ", s, flags=re.IGNORECASE)
    s = re.sub(r"</?(p|ul|ol|br|li)\b[^>]*>", "\n", s, flags=re.IGNORECASE)
    s = re.sub(r"<[^>]+>", "", s)
    s = s.replace("\t", "\n").replace("\u00a0", " ")
    s = re.sub(r"[ ]+", " ", s)
    return "\n".join(x.strip() for x in s.split("\n") if x.strip())


def line_text(n: int, cell: int | None = None) -> str:
    raw = LINES[n - 1]
    if cell is not None:
        raw = raw.split("\t")[cell]
    return clean(raw)


def joined(lines: tuple[int, ...], cell: int | None = None) -> str:
    return " ".join(line_text(n, cell) for n in lines)


def _extract(text: str, debut: str, fin: str | None, where: str) -> str:
    start = text.find(debut)
    assert start >= 0, f"{where}: {debut!r} not found"
    if fin is not None:
        end = text.find(fin, start)
        assert end >= 0, f"{where}: end {fin!r} not found after {debut!r}"
        end += len(fin)
    else:
        # (from the last character of debut: debut may end a sentence itself)
        m = SENTENCE_END_RE.search(text, start + len(debut) - 1)
        end = len(text) if m is None else (m.end() if m.group() != "\n" else m.start())
    out = text[start:end].strip()
    assert out, where
    return out


def q(
    n: int | tuple[int, ...], debut: str, fin: str | None = None, cell: int | None = None
) -> dict:
    """A verbatim quote: the sentence of line(s) ``n`` that starts with ``debut``
    (or the text from ``debut`` to ``fin`` included)."""
    lines = (n,) if isinstance(n, int) else tuple(n)
    texte = _extract(joined(lines, cell), debut, fin, f"l. {lines}")
    QUOTES.append((lines, cell, texte))
    out: dict = {"ligne": lines[0] if len(lines) == 1 else list(lines), "texte": texte}
    if ANNEXE1[0] <= lines[0] <= ANNEXE1[1]:
        c = cell if cell is not None else _cell_of(lines[0], debut)
        out["colonne_annexe1"] = ANNEXE1_COLUMNS.get(c)
    return out


def w(n: int, texte: str, cell: int | None = None) -> str:
    """A short text typed in this script: check it is written so at line n."""
    assert texte in line_text(n, cell), f"l. {n}: {texte!r} not in the line"
    QUOTES.append(((n,), cell, texte))
    return texte


def _cell_of(n: int, anchor: str) -> int | None:
    for i, c in enumerate(LINES[n - 1].split("\t")):
        if anchor in clean(c):
            return i
    return None


# ---------------------------------------------------------------------------
# Fiches of Annexe 3 (for the préconisations and the "fiche" of bodies/events)
# ---------------------------------------------------------------------------

FICHE_HEAD_RE = re.compile(r"^FICHE\s+(?:N\s*°\s*)?(\d+\.\d+)\s*$", re.IGNORECASE)
GROUP_RE = re.compile(r"^ENJEUX\s+\d+", re.IGNORECASE)
FICHES: dict[str, dict] = {}


def index_fiches() -> None:
    heads: list[tuple[int, str]] = []
    breaks: list[int] = []
    for n in range(ANNEXE3_START, len(LINES) + 1):
        s = LINES[n - 1].strip()
        m = FICHE_HEAD_RE.match(s)
        if m:
            heads.append((n, m.group(1)))
        elif GROUP_RE.match(s) or s.startswith("FICHE N°"):
            breaks.append(n)  # group titles and summary lists end a fiche
    for i, (n, num) in enumerate(heads):
        nxt = heads[i + 1][0] if i + 1 < len(heads) else len(LINES) + 1
        end = min([b for b in breaks if n < b < nxt] or [nxt]) - 1
        k = n + 1
        while not LINES[k - 1].strip():
            k += 1
        FICHES[num] = {"debut": n, "fin": end, "titre": clean(LINES[k - 1]), "ligne_titre": k}


def fiche_of_line(n: int) -> str | None:
    for num, f in FICHES.items():
        if f["debut"] <= n <= f["fin"]:
            return num
    return None


def check_fiches(fiches: list[str], lines: list[int], where: str) -> None:
    """Each listed fiche holds at least one of the lines; each line of Annexe 3
    lies in one of the listed fiches."""
    for f in fiches:
        assert f in FICHES, f"{where}: unknown fiche {f}"
        # (a row of Annexe 2, the evolution table, also names its fiche)
        assert any(
            FICHES[f]["debut"] <= n <= FICHES[f]["fin"] or ANNEXE2[0] <= n <= ANNEXE2[1]
            for n in lines
        ), f"{where}: no line in fiche {f}"
    for n in lines:
        if n >= ANNEXE3_START:
            assert fiche_of_line(n) in fiches, (
                f"{where}: l. {n} is in fiche {fiche_of_line(n)}, not in {fiches}"
            )


def check_fiche(num: str, lines: list[int]) -> None:
    for n in lines:
        if n >= ANNEXE3_START:
            assert fiche_of_line(n) == num, f"l. {n} is in fiche {fiche_of_line(n)}, not {num}"


# ---------------------------------------------------------------------------
# Instances
# ---------------------------------------------------------------------------


def _collect_lines(obj, acc: set[int]) -> set[int]:
    """All "ligne" values of the dicts nested in obj."""
    if isinstance(obj, dict):
        ln = obj.get("ligne")
        if isinstance(ln, int):
            acc.add(ln)
        elif isinstance(ln, list):
            acc.update(x for x in ln if isinstance(x, int))
        for v in obj.values():
            _collect_lines(v, acc)
    elif isinstance(obj, list | tuple):
        for v in obj:
            _collect_lines(v, acc)
    return acc


def inst(
    slug,
    nom,
    type_,
    *,
    parent=None,
    portee="contrat",
    statut=None,
    role=(),
    composition=(),
    mentions=(),
    fiches=(),
    notes=(),
    **extra,
) -> dict:
    lignes = set()
    for part in (nom[1:] if isinstance(nom, tuple) else (), role, composition, mentions):
        for item in part:
            ln = item["ligne"] if isinstance(item, dict) else item
            lignes.update(ln if isinstance(ln, list) else [ln])
    if isinstance(nom, tuple):
        nom_text, nom_line = nom
        nom = w(nom_line, nom_text)
        lignes.add(nom_line)
    out = {
        "slug": slug,
        "nom": nom,
        "type": type_,
        "parent": parent,
        "portee": portee,
        "statut": statut,
        "role": list(role),
        "composition": list(composition),
        "autres_mentions": list(mentions),
        "fiches": list(fiches),
        "lignes": sorted(lignes),
        "notes": list(notes),
    }
    out.update(extra)
    out["lignes"] = sorted(_collect_lines(extra, set(out["lignes"])))
    check_fiches(out["fiches"], out["lignes"], slug)
    return out


def instances() -> list[dict]:
    I = []
    # --- The contract's own governance (Articles 2-5; the COPIL's composition
    # is only written in fiche 1.1, which says it is common to the whole contract).
    I.append(
        inst(
            "comite-pilotage",
            ("comité de pilotage du contrat de ville", 243),
            "comite_pilotage",
            role=[
                q(1015, "Comité de pilotage qui est commun", "du contrat de ville."),
                q(1016, "Il a vocation à favoriser le débat"),
                q(1016, "Il valide le projet"),
                q(1016, "Il arbitre les choix politiques"),
                q(401, "Ces ajustements, dans la mesure"),
                q(525, "Dans la mesure du possible et afin de préparer"),
            ],
            composition=[
                q(1015, "Il est coprésidé par"),
                q(525, "Comme indiqué dans le schéma de gouvernance"),
            ],
            mentions=[
                q(243, "Les modalités et le planning"),
                q(303, "Les préconisations présentées au comité de pilotage"),
                q(265, "Un comité de pilotage a été organisé le 16 juillet 2019"),
            ],
            fiches=["1.1"],
            notes=[
                "Le rôle et la composition ne sont écrits que dans la fiche 1.1 (gouvernance du PODEM, l. 1015-1016), "
                "qui précise que ce comité de pilotage « est commun à l'ensemble des autres thématiques du contrat de ville » ; "
                "le rôle de la l. 1016 vise « plus globalement » le PODEM.",
                "« quatre collègues » (l. 1015) est écrit ainsi : il faut sans doute lire « quatre collèges » ; gardé tel quel.",
                "L'organigramme de l'Article 5.1 (l. 430) est une image absente du texte converti : aucune autre composition n'est écrite.",
            ],
        )
    )
    I.append(
        inst(
            "comite-pilotage-financeurs",
            ("comité de pilotage des financeurs du contrat de ville", 279),
            "comite_pilotage",
            parent="comite-pilotage",
            role=[
                q(
                    279,
                    "Lors du comité de pilotage des financeurs",
                    "sur trois enjeux forts du contrat de ville :",
                )
            ],
            notes=[
                "Formation « des financeurs » du comité de pilotage ; le texte n'en dit pas la composition "
                "(les partenaires financiers sont énumérés l. 263 : Etat, Ville, Métropole, CAF, Département et Région)."
            ],
            financeurs_cites=q(263, "Conformément à la demande de déclinaison du Pacte de Dijon"),
        )
    )
    I.append(
        inst(
            "comite-technique",
            ("comité technique", 299),
            "comite_technique",
            role=[q(299, "L'évaluation a fait l'objet de deux restitutions")],
            notes=[
                "Au niveau du contrat, le texte ne nomme le comité technique qu'une fois (l. 299) et n'en décrit ni le rôle "
                "ni la composition (organigramme l. 430 non converti). La distinction « restreint et élargi » n'est écrite "
                "que pour le PODEM (fiche 1.1, l. 1017) : voir podem-comite-technique-restreint / -elargi."
            ],
        )
    )
    gtp_sentence = q(257, "La réunion des 5 Groupes de Travail Projet")
    I.append(
        inst(
            "groupes-travail-projet",
            ("Groupes de Travail Projet (GTP) interinstitutionnel", 257),
            "groupe_travail",
            role=[gtp_sentence],
            nombre_annonce=5,
            themes_texte=w(
                257,
                "PODEM, éducation, parentalité et jeunesse, habitat et renouvellement urbain, accès aux droits - sports et culture, gestion urbaine de proximité – prévention de la délinquance",
            ),
            notes=[
                "Le texte annonce 5 GTP « sur les 5 objectifs opérationnels » ; la liste qui suit, coupée aux virgules, "
                "donne 6 éléments (« éducation » et « parentalité et jeunesse » séparés). Rapprochée des 5 objectifs "
                "(l. 348-352), elle se lit comme 5 thèmes, « éducation, parentalité et jeunesse » formant un seul groupe : "
                "c'est la lecture retenue pour les 5 GTP ci-dessous (choix d'interprétation)."
            ],
        )
    )
    gtp_themes = [
        ("gtp-podem", "PODEM", 348),
        ("gtp-education-parentalite-jeunesse", "éducation, parentalité et jeunesse", 350),
        ("gtp-habitat-renouvellement-urbain", "habitat et renouvellement urbain", 349),
        ("gtp-acces-droits-sports-culture", "accès aux droits - sports et culture", 351),
        (
            "gtp-gup-prevention-delinquance",
            "gestion urbaine de proximité – prévention de la délinquance",
            352,
        ),
    ]
    for i, (slug, theme, obj_line) in enumerate(gtp_themes, 1):
        I.append(
            inst(
                slug,
                f"GTP {w(257, theme)}",
                "groupe_travail",
                parent="groupes-travail-projet",
                role=[],
                ordre_dans_le_texte=i,
                theme={"ligne": 257, "texte": theme},
                objectif_operationnel=q(obj_line, clean(LINES[obj_line - 1]).lstrip("- ")[:30]),
                notes=[
                    "Nom construit (« GTP » + thème tel qu'écrit l. 257) ; l'objectif opérationnel associé est un "
                    "rapprochement (l. 348-352), le texte ne fait pas la correspondance."
                ],
            )
        )
    I.append(
        inst(
            "equipe-projet",
            ("équipe projet", 442),
            "equipe",
            role=[q(440, "Pour réaliser ces missions"), q(442, "Cette équipe projet est chargée")],
            composition=[q(440, "Elle s'appuie sur les compétences repérées")],
            statut="mise en place par la Métropole en 2016",
            notes=[
                "Appelée « équipe pluridisciplinaire » (l. 440) puis « équipe projet » (l. 442), Article 5.2 Ingénierie."
            ],
        )
    )
    I.append(
        inst(
            "mission-coordination-pilotage-operationnel",
            ("MISSION DE COORDINATION ET DE PILOTAGE OPERATIONNEL", 446),
            "coordination",
            role=[],
            notes=[
                "Seul l'intitulé est dans le texte (l. 446, Article 5.2) : le schéma qu'il titre n'a pas été converti. "
                "Rattachement à l'équipe projet plausible mais non écrit : parent laissé vide."
            ],
        )
    )
    I.append(
        inst(
            "coordination-territoriale",
            ("coordination territoriale", 428),
            "coordination",
            role=[
                q(428, "Le schéma de gouvernance, approuvé"),
                q(
                    380,
                    "La mise en place de coordinations territoriales et thématiques",
                    "lisibilité de l'action publique",
                ),
            ],
            notes=[
                "Seul ajout au schéma de gouvernance de 2014 / avenant n° 1 (l. 428). Déclinaisons dans les fiches : "
                "voir coordination-territoriale-jeunesse (3.1), instances-coordination-educatives (2.16), "
                "instances-coordination-culture-sport (6.8)."
            ],
        )
    )
    I.append(
        inst(
            "conseils-citoyens",
            ("conseils citoyens", 484),
            "conseil_citoyen",
            role=[
                q(484, "Les conseils citoyens sont des instances de démocratie participative"),
                q(484, "Les conseils citoyens doivent permettre"),
                q(484, "Ils doivent être des espaces de propositions"),
                q(470, "Les conseils citoyens sont consultés en amont."),
                q(511, "La loi prévoit également"),
            ],
            composition=[
                q(484, "Les 12 conseils citoyens montpelliérains"),
                q(484, "Le collège des habitants, majoritaire"),
                q(484, "Le collège des associations et acteurs locaux"),
                q(486, "Le renouvellement complet des 12 conseils citoyens"),
            ],
            mentions=[q(525, "Comme indiqué dans le schéma de gouvernance")],
            # Article 5.4, "Des moyens dédiés": the paragraph, and each means.
            moyens_texte=[
                q(505, "La Métropole a mis en place les moyens nécessaires"),
                q(505, "Cette subvention métropolitaine de fonctionnement"),
            ],
            moyens=moyens(),
            nombre=12,
            notes=[
                "Un conseil par ligne du tableau (conseils_citoyens.lignes, chacune avec son slug) ; pas d'instance "
                "séparée par quartier ici.",
                "Les conseils citoyens sont aussi cités comme partenaires associés des fiches 7.1, 7.2, 9.1, 9.2, 9.3 "
                "(l. 6697, 6782, 6886, 6975, 7045) et à associer dans les fiches 2.3 (l. 3011) et 2.7 (l. 3336).",
            ],
        )
    )
    I.append(
        inst(
            "ateliers-participatifs",
            ("ateliers participatifs", 527),
            "atelier",
            parent="conseils-citoyens",
            role=[
                q(527, "Des ateliers participatifs ont été"),
                q(527, "Ces ateliers sont soit organisés"),
                q(527, "Ils sont l'occasion"),
            ],
            notes=[
                "Le world café du 9 mai 2019 est présenté comme l'une de leurs formes (l. 527)."
            ],
        )
    )
    I.append(
        inst(
            "service-politique-ville",
            ("service politique de la ville", 470),
            "autre",
            role=[
                q(462, "Toutes les actions financées au titre de l'appel à projets"),
                q(470, "A l'appui de ces éléments, et conformément au décret"),
            ],
            notes=[
                "Service administratif, retenu parce qu'il reçoit les bilans et rédige le rapport annuel (l. 462, 470) ; "
                "la Ville et la Métropole y mobilisent « des moyens humains » (l. 406)."
            ],
        )
    )
    I.append(
        inst(
            "conseil-municipal",
            ("conseil municipal", 265),
            "autre",
            role=[q(470, "A l'appui de ces éléments, et conformément au décret")],
            mentions=[q(265, "Un comité de pilotage a été organisé le 16 juillet 2019")],
            notes=[
                "Assemblée délibérante de la Ville de Montpellier (approbation de l'avenant, débat du rapport annuel)."
            ],
        )
    )
    I.append(
        inst(
            "conseil-metropolitain",
            ("Conseil métropolitain", 470),
            "autre",
            role=[q(470, "A l'appui de ces éléments, et conformément au décret")],
            mentions=[q(265, "Un comité de pilotage a été organisé le 16 juillet 2019")],
            nom_variantes=[
                {"texte": w(265, "conseil communautaire"), "ligne": 265},
                {"texte": w(6042, "Conseil Métropolitain"), "ligne": 6042},
            ],
            fiches=["5.2"],
            notes=[
                "« conseil communautaire » (l. 265) et « Conseil métropolitain » (l. 470) désignent la même assemblée "
                "(Montpellier Méditerranée Métropole) : rapprochement non écrit."
            ],
        )
    )
    I.append(
        inst(
            "comites-pilotage-projets-structurants",
            ("comités de pilotage annuels", 464),
            "comite_pilotage",
            role=[q((462, 464), "Certains projets structurants")],
            notes=["Phrase coupée par un saut de page (l. 462 / 464), rejointe par une espace."],
        )
    )

    # --- PODEM (fiche 1.1, l. 971-1031) and the bodies of its fiches (1.x)
    I.append(
        inst(
            "podem",
            ("Projet pour le Développement de l'Emploi Métropolitain - PODEM", 973),
            "autre",
            portee="podem",
            role=[
                q(973, "Le Projet pour le Développement de l'Emploi Métropolitain - PODEM"),
                q(979, "Le PODEM se caractérise"),
                q(1031, "Le plan d'actions du Podem"),
            ],
            composition=[q(977, "Ce projet commun est piloté")],
            mentions=[q(1013, "Le système de gouvernance se compose")],
            fiches=["1.1"],
            notes=[
                "Projet (dispositif) et non instance : retenu comme parent des instances PODEM.",
                "Les 16 « programmes » du plan d'actions (l. 1031) correspondent aux fiches 1.1 à 1.16 : les instances "
                "nommées dans ces fiches ont le PODEM pour parent.",
            ],
        )
    )
    I.append(
        inst(
            "podem-comite-pilotage",
            ("Comité de pilotage", 1015),
            "comite_pilotage",
            parent="podem",
            portee="podem",
            role=[
                q(1016, "Il a vocation à favoriser le débat"),
                q(1016, "Il valide le projet"),
                q(1016, "Il arbitre les choix politiques"),
            ],
            composition=[q(1015, "Il est coprésidé par")],
            fiches=["1.1"],
            meme_instance_que="comite-pilotage",
            notes=[
                "Le texte dit que ce comité « est commun à l'ensemble des autres thématiques du contrat de ville » (l. 1015) : "
                "c'est le comité de pilotage du contrat (slug comite-pilotage), repris ici pour l'arbre du PODEM."
            ],
        )
    )
    I.append(
        inst(
            "podem-comite-technique-restreint",
            ("Comité technique restreint", 1017),
            "comite_technique",
            parent="podem",
            portee="podem",
            role=[
                q(1017, "Le Comité technique restreint est l'instance de pilotage du projet."),
                q(1017, "Il assure le suivi technique"),
                q(1017, "Il prépare les ordres du jour"),
                q(1017, "Il mobilise les partenaires"),
            ],
            composition=[q(1017, "Animé par la Métropole et l'Etat")],
            fiches=["1.1"],
        )
    )
    I.append(
        inst(
            "podem-comite-technique-elargi",
            "Comité technique élargi",
            "comite_technique",
            parent="podem",
            portee="podem",
            mentions=[q(1017, "Comité technique restreint et élargi.")],
            fiches=["1.1"],
            notes=[
                "Nom construit : le texte écrit seulement « Comité technique restreint et élargi. » (l. 1017) et ne décrit "
                "que le comité restreint. Les référents PODEM siègent « en particulier pour les comités techniques » (l. 1022)."
            ],
        )
    )
    I.append(
        inst(
            "podem-ateliers",
            ("Ateliers", 1018),
            "atelier",
            parent="podem",
            portee="podem",
            role=[
                q(1018, "Ce sont des groupes de travail partenarial"),
                q(
                    1018,
                    "Ils constituent des espaces d'échanges, de réflexion, de concertation et de coopération entre partenaires élargis",
                ),
                q(
                    1018,
                    "Ils constituent des espaces d'échanges, de réflexion, de concertation et de coopération entre partenaires quels",
                ),
                q(1018, "Ils peuvent traiter"),
            ],
            fiches=["1.1"],
            notes=[
                "La l. 1018 répète presque la même phrase (« Ils constituent des espaces d'échanges ... ») : les deux "
                "versions sont gardées telles quelles."
            ],
        )
    )
    I.append(
        inst(
            "podem-referents",
            ("personnes référentes « PODEM » et leurs suppléants", 1022),
            "autre",
            parent="podem",
            portee="podem",
            role=[q(1022, "Des personnes référentes")],
            fiches=["1.1"],
        )
    )
    I.append(
        inst(
            "podem-equipe-projet-elargie",
            ("équipe projet élargie", 1027),
            "equipe",
            parent="podem",
            portee="podem",
            composition=[q(1027, "La gouvernance PODEM s'appuie")],
            role=[q(1027, "Cette dernière a vocation")],
            fiches=["1.1"],
        )
    )
    I.append(
        inst(
            "commissions-insertion",
            ("commissions d'insertion", 2022),
            "coordination",
            parent="podem",
            portee="podem",
            role=[
                q(2029, "L'objectif de ces instances"),
                q(2031, "Ces commissions d'insertion favoriseront"),
                q(542, "Dans le cadre du Podem - contrat de ville", cell=1),
            ],
            composition=[
                q(2022, "Il s'agit de déployer"),
                q(2024, "Mosson"),
                q(2025, "Cévennes"),
                q(2026, "Centre"),
                q(2027, "Croix d'argent"),
                q(2033, "Les médiateurs emploi pourront"),
                q(542, "La Mission Locale des Jeunes", "Paillade et Hauts de Massanne).", cell=1),
            ],
            mentions=[q(542, "Montpellier Méditerranée Métropole s'engage à consolider", cell=1)],
            fiches=["1.10"],
            notes=[
                "Fiche 1.10 : 4 commissions à déployer (Mosson, Cévennes, Centre, Croix d'argent) ; Annexe 1 (l. 542, "
                "colonne Métropole/Ville) : la MLJ3M « anime aujourd'hui trois commissions » (pas de commission Centre)."
            ],
        )
    )
    I.append(
        inst(
            "cellule-clause-sociale",
            ("cellule clause sociale", 2037),
            "groupe_travail",
            parent="commissions-insertion",
            portee="podem",
            statut="possible (« pourront ... se décliner »)",
            role=[q(2037, "Ces commissions pourront par ailleurs")],
            fiches=["1.10"],
        )
    )
    I.append(
        inst(
            "comite-coordination-fabrique",
            ("comité de coordination", 1270),
            "coordination",
            parent="podem",
            portee="podem",
            mentions=[
                q(1270, "Outiller la fonction"),
                q(1298, "Nombre de personnes dont les profils"),
            ],
            fiches=["1.3"],
            notes=["Fabrique à entreprendre (fiche 1.3) ; nommé sans description."],
        )
    )
    I.append(
        inst(
            "comite-technique-locaux",
            ("comité technique trimestriel", 1618),
            "comite_technique",
            parent="podem",
            portee="podem",
            statut="proposé",
            role=[
                q(1616, "En matière de pilotage de cette action"),
                q(1618, "un comité technique trimestriel"),
            ],
            fiches=["1.6"],
        )
    )
    I.append(
        inst(
            "commission-suivi-operationnel-clause",
            ("Commission de Suivi Opérationnel", 2402),
            "comite_technique",
            parent="podem",
            portee="podem",
            mentions=[q(2402, "Nombre de réunions de la Commission de Suivi Opérationnel.")],
            fiches=["1.13"],
            notes=[
                "Nommée seulement dans un indicateur de réalisation de la fiche 1.13 (clause sociale) ; type supposé."
            ],
        )
    )
    I.append(
        inst(
            "comite-pilotage-ecole-numerique",
            ("comité de pilotage", 2549),
            "comite_pilotage",
            parent="podem",
            portee="podem",
            statut="à créer",
            composition=[q(2549, "Créer un comité de pilotage intégrant")],
            fiches=["1.15"],
        )
    )
    I.append(
        inst(
            "groupe-travail-lieux-accueil",
            ("Un groupe de travail animé par la Métropole et la Région", 1902),
            "groupe_travail",
            parent="podem",
            portee="podem",
            statut="possible (« pourra être constitué »)",
            role=[q(1902, "Un groupe de travail animé")],
            fiches=["1.9"],
        )
    )
    I.append(
        inst(
            "groupe-travail-spro",
            ("Un groupe de travail spécifique co animé par la métropole", 1910),
            "groupe_travail",
            parent="podem",
            portee="podem",
            statut="possible (« pourra être constitué »)",
            role=[q(1910, "Un groupe de travail spécifique")],
            composition=[q(1910, "Ce groupe de travail sera notamment composé")],
            fiches=["1.9"],
        )
    )
    I.append(
        inst(
            "equipe-projet-charte",
            ("L'équipe projet Charte", 2666),
            "equipe",
            parent="podem",
            portee="podem",
            composition=[q(2666, "L'équipe projet Charte")],
            mentions=[q(2665, "L'animateur de la démarche Charte")],
            fiches=["1.16"],
            notes=["Charte Entreprises et Quartiers (fiche 1.16)."],
        )
    )

    # --- Other named steering bodies (partners, fiches of Annexe 3)
    I.append(
        inst(
            "clspd",
            ("conseil local de sécurité et prévention de la délinquance (CLSPD)", 606),
            "autre",
            portee="partenaire",
            role=[
                q(606, "Faisant suite à la précédente stratégie", cell=1),
                q(606, "Cette politique constituera", cell=1),
            ],
            mentions=[
                q(5119, "PILOTE : Ville de Montpellier (CLSPD"),
                {"ligne": 808, "texte": w(808, "CLSPD")},
            ],
            fiches=["6.4"],
            fiches_liees_par_objet=["11.1"],
            notes=[
                "Annexe 1 (l. 606, colonne Métropole/Ville) ; pilote de la fiche 6.4 (l. 5119 ; déjà pilote de la fiche "
                "initiale, Annexe 2 l. 808). La fiche 11.1 (stratégie territoriale de sécurité et de prévention de la "
                "délinquance) est rattachée par son objet, le sigle CLSPD n'y figure pas."
            ],
        )
    )
    I.append(
        inst(
            "cil",
            ("Conférence Intercommunale du Logement", 5908),
            "autre",
            portee="partenaire",
            role=[
                q(785, "Disposer d'un cadre de gouvernance pour concerter"),
                q(
                    5908,
                    "En lien avec le Programme Local de l'Habitat",
                    "politique d'attribution des logements sociaux :",
                ),
                q(5931, "La mise en œuvre des trois orientations de la CIL"),
            ],
            composition=[q(5939, "Co-présidence Montpellier Méditerranée Métropole et Etat")],
            mentions=[
                q(5957, "2019 : Adoption du Document Cadre"),
                q(5961, "2019-2024 : réunion annuelle de la CIL"),
                q(5968, "Organisation d’au moins une séance plénière"),
                q(6042, "2019-2024 : bilan annuel"),
            ],
            fiches=["5.1", "5.2"],
            sigle="CIL",
            notes=[
                "Rôle l. 785 = objectif de la fiche initiale 5.1 « Mettre en place la Conférence Intercommunale du "
                "Logement/conventions de mixité sociale » (Annexe 2)."
            ],
        )
    )
    for slug, nom in (
        ("commission-coordination-cia", "commission de coordination"),
        ("commission-situations-complexes", "commission des situations complexes"),
        ("commission-residences-enjeu", "commission des résidences à enjeu"),
    ):
        extra_m = []
        fiches = ["5.1"]
        if slug == "commission-situations-complexes":
            extra_m = [q(6016, "Traiter les demandes"), q(6058, "Nombre de dossiers étudiés")]
            fiches = ["5.1", "5.2"]
        I.append(
            inst(
                slug,
                (nom, 5969),
                "autre",
                parent="cil",
                portee="partenaire",
                statut="à mettre en place",
                mentions=[q(5969, "Mise en place des instances d’animation de la CIA"), *extra_m],
                fiches=fiches,
                notes=[
                    "Instance d'animation de la Convention Intercommunale d'Attribution (CIA), rattachée ici à la CIL."
                ],
            )
        )
    I.append(
        inst(
            "coordination-territoriale-jeunesse",
            ("Coordination territoriale de la politique jeunesse (11-25 ans)", 4164),
            "coordination",
            parent="coordination-territoriale",
            portee="fiche",
            statut="expérimentale (Hauts de Massane)",
            role=[
                q(4198, "La présence de coordonnateurs jeunesse"),
                q(4204, "L'agrément des Maisons Pour Tous"),
            ],
            mentions=[
                q(4215, "Une première coordination territoriale"),
                q(4217, "Dans le cadre des demandes d'agrément"),
            ],
            fiches=["3.1"],
        )
    )
    I.append(
        inst(
            "instances-coordination-educatives",
            (
                "instances de coordination des acteurs éducatifs à l'échelle de chaque territoire",
                4099,
            ),
            "coordination",
            parent="coordination-territoriale",
            portee="fiche",
            statut="à formaliser",
            role=[q(4099, "Formaliser des instances de coordination")],
            fiches=["2.16"],
        )
    )
    I.append(
        inst(
            "comite-pilotage-interinstitutionnel-educatif",
            ("Comité de pilotage interinstitutionnel", 4105),
            "comite_pilotage",
            portee="fiche",
            role=[q(4105, "L'action de ces coordonnateurs")],
            fiches=["2.16"],
            notes=["Nommé sans autre description (fiche 2.16, coordination éducative)."],
        )
    )
    I.append(
        inst(
            "comite-pilotage-pedt",
            ("comité de pilotage partenarial", 4079),
            "comite_pilotage",
            portee="fiche",
            role=[q(4079, "La concertation locale menée en 2013")],
            mentions=[
                q(3342, "Maître d'œuvre : chef de file identifié parmi les membres du COPIL PEDT"),
                q(3334, "Dans chaque QPV, s'appuyer sur l'instance"),
            ],
            fiches=["2.16", "2.7"],
            nom_variantes=[
                {"texte": w(3342, "COPIL PEDT"), "ligne": 3342},
                {"texte": w(3334, "groupe de pilotage PEdT dans les quartiers"), "ligne": 3334},
            ],
            notes=[
                "Le comité de pilotage du PEdT (Ville) est écrit l. 4079 ; « COPIL PEDT dans le QPV » (l. 3342) et "
                "« groupe de pilotage PEdT dans les quartiers » (l. 3334) semblent en être les déclinaisons par quartier "
                "(rapprochement non écrit)."
            ],
        )
    )
    I.append(
        inst(
            "comite-pilotage-rep",
            ("comité de pilotage REP", 3334),
            "comite_pilotage",
            portee="fiche",
            mentions=[q(3334, "Dans chaque QPV, s'appuyer sur l'instance")],
            fiches=["2.7"],
        )
    )
    I.append(
        inst(
            "equipes-pluridisciplinaires-pre",
            ("équipes pluridisciplinaires de soutien", 4079),
            "equipe",
            portee="fiche",
            role=[
                q(
                    4049,
                    "Etude de la situation par l'équipe pluridisciplinaire",
                    "parcours individualisé.",
                )
            ],
            mentions=[
                q(4079, "Le Programme de Réussite Educative, volet éducatif"),
                q(3334, "Dans chaque QPV, s'appuyer sur l'instance"),
            ],
            fiches=["2.15", "2.16", "2.7"],
            nom_variantes=[
                {"texte": w(3334, "Equipe pluridisciplinaire de suivi du PRE"), "ligne": 3334}
            ],
        )
    )
    I.append(
        inst(
            "conseil-consultatif-pre",
            ("conseil consultatif", 4049),
            "autre",
            portee="fiche",
            role=[q(4049, "Ce programme d'action est validé par le conseil consultatif.")],
            fiches=["2.15"],
            notes=[
                "Programme de Réussite Educative ; l. 4049 est une cellule HTML de la fiche 2.15."
            ],
        )
    )
    I.append(
        inst(
            "cdsp",
            ("Comité Départemental de Soutien à la Parentalité (C.D.S.P.)", 3844),
            "autre",
            portee="partenaire",
            mentions=[
                q(3844, "MAITRE D'OUVRAGE : Comité Départemental"),
                q(3846, "PARTENAIRES ASSOCIES : Membres du C.D.S.P."),
            ],
            fiches=["2.13"],
        )
    )
    I.append(
        inst(
            "comite-financeurs-plateforme-linguistique",
            ("comité des financeurs et/ou comité de pilotage dédiés", 4622),
            "comite_pilotage",
            portee="fiche",
            mentions=[
                q(4622, "Pour les « commanditaires »"),
                q(4608, "Enfin, pour passer d'une situation de simple financeur"),
            ],
            fiches=["4.1"],
        )
    )
    I.append(
        inst(
            "conseil-local-sante",
            ("Conseil Local de Santé", 4827),
            "autre",
            portee="fiche",
            statut="opportunité à évaluer",
            role=[q(4827, "Evaluer l'opportunité d'un Conseil Local de Santé")],
            mentions=[
                q(804, "Evaluer l'opportunité de la création d'un conseil local en santé mentale.")
            ],
            fiches=["6.1"],
            nom_variantes=[{"texte": w(4827, "Conseil Local en Santé Mentale"), "ligne": 4827}],
            notes=[
                "N'existe pas : la fiche 6.1 prévoit d'en évaluer l'opportunité (il « pourrait faire office de Conseil "
                "Local en Santé Mentale »)."
            ],
        )
    )
    I.append(
        inst(
            "comite-pilotage-prevention-sante-ecole",
            ("comité de pilotage", 5033),
            "comite_pilotage",
            portee="fiche",
            statut="à mettre en place",
            composition=[q(5033, "Mise en place d'un comité de pilotage réunissant")],
            fiches=["6.3"],
        )
    )
    I.append(
        inst(
            "instances-coordination-culture-sport",
            ("instance de coordination", 5409),
            "coordination",
            parent="coordination-territoriale",
            portee="fiche",
            statut="à mettre en place",
            role=[
                q(5409, "Mettre en place de façon pérenne"),
                q(5418, "Ces instances pourront être intégrées"),
            ],
            fiches=["6.8"],
        )
    )
    I.append(
        inst(
            "dispositif-pilotage-gusp",
            ("dispositif de pilotage et de veille / suivi", 6967),
            "autre",
            portee="fiche",
            statut="à constituer",
            role=[q(6967, "Un dispositif de pilotage et de veille")],
            fiches=["9.2"],
        )
    )
    I.append(
        inst(
            "groupe-recherche-action-lcd",
            ("groupe de recherche-action au service de la lutte contre les discriminations", 7448),
            "groupe_travail",
            portee="fiche",
            role=[
                q(7463, "Le groupe de recherche action mène"),
                q(883, "Ce groupe mène des études"),
            ],
            composition=[q(883, "Piloté par la Direction de la Cohésion Sociale")],
            mentions=[q(7448, "Ces engagements ont conduit en 2017")],
            fiches=["12.2"],
            notes=[
                "Date de création discordante : « en 2018 » (fiche 12.2, l. 7448) / « en janvier 2019 » (Annexe 2, l. 883)."
            ],
        )
    )
    I.append(
        inst(
            "comite-pilotage-groupe-recherche-action",
            ("comité de pilotage du groupe", 7467),
            "comite_pilotage",
            parent="groupe-recherche-action-lcd",
            portee="fiche",
            role=[q(7467, "1 / Conduite d'une ou deux études")],
            fiches=["12.2"],
        )
    )
    I.append(
        inst(
            "commission-egalite-region",
            ("Commission spécifique dédiée à l'égalité femmes-hommes", 618),
            "autre",
            portee="partenaire",
            composition=[q(618, "Cet engagement s'est notamment concrétisé", cell=4)],
            notes=["Instance de la Région (Annexe 1, colonne Région)."],
        )
    )
    I.append(
        inst(
            "pti-groupes-travail",
            ("groupes de travail du Pacte Territorial pour l'Insertion (PTI)", 546),
            "groupe_travail",
            portee="partenaire",
            role=[
                q(
                    546,
                    "Le développement de l'insertion professionnelle dans les quartiers est évoqué",
                    cell=3,
                ),
                q(546, "Se réunissent 3 groupes de travail", cell=3),
            ],
            notes=[
                "Instance du Département (Annexe 1, colonne Département). « illettrisme / illettrisme » est écrit ainsi."
            ],
        )
    )
    I.append(
        inst(
            "comites-consultatifs-rsa",
            ("comités consultatifs du RSA", 546),
            "autre",
            portee="partenaire",
            role=[q(546, "Cette politique a été bâtie avec les usagers", cell=3)],
            notes=["Instance du Département (Annexe 1, colonne Département)."],
        )
    )
    slugs = [i["slug"] for i in I]
    assert len(slugs) == len(set(slugs)), "duplicate instance slug"
    for i in I:
        assert i["parent"] is None or i["parent"] in slugs, i["slug"]
        assert i["portee"] in ("contrat", "podem", "partenaire", "fiche")
        assert i["type"] in (
            "comite_pilotage",
            "comite_technique",
            "groupe_travail",
            "atelier",
            "equipe",
            "coordination",
            "conseil_citoyen",
            "autre",
        ), i["slug"]
    return I


# ---------------------------------------------------------------------------
# Evenements
# ---------------------------------------------------------------------------


def dates(
    precision: str,
    y: int,
    m: int | None = None,
    d: int | None = None,
    y2: int | None = None,
    m2: int | None = None,
    d2: int | None = None,
) -> tuple[str, str]:
    """ISO bounds.  'mois' -> whole month(s); 'annee' -> whole year(s)."""
    y2 = y2 or y
    if precision == "annee":
        return f"{y:04d}-01-01", f"{y2:04d}-12-31"
    if precision == "mois":
        m2 = m2 or m
        return f"{y:04d}-{m:02d}-01", f"{y2:04d}-{m2:02d}-{calendar.monthrange(y2, m2)[1]:02d}"
    m2, d2 = m2 or m, d2 or d
    return f"{y:04d}-{m:02d}-{d:02d}", f"{y2:04d}-{m2:02d}-{d2:02d}"


def ev(
    slug,
    titre,
    type_,
    date_texte,
    precision,
    dt,
    mentions,
    *,
    instance=None,
    portee="contrat",
    annee_deduite=None,
    annee_deduite_raison=None,
    statut="realise",
    fiches=(),
    notes=(),
    temps_fort_podem=False,
    **extra,
) -> dict:
    titre_text, titre_line = titre if isinstance(titre, tuple) else (titre, None)
    if titre_line is not None:
        w(titre_line, titre_text)
    dt_text, dt_line = date_texte
    w(dt_line, dt_text)
    debut, fin = dt
    lignes = set()
    for m in mentions:
        ln = m["ligne"]
        lignes.update(ln if isinstance(ln, list) else [ln])
    lignes.add(dt_line)
    if titre_line is not None:
        lignes.add(titre_line)
    out = {
        "slug": slug,
        "titre": titre_text,
        "titre_verbatim": titre_line is not None,
        "type": type_,
        "instance": instance,
        "portee": portee,
        "statut": statut,
        "date_texte": dt_text,
        "date_texte_ligne": dt_line,
        "date_debut": debut,
        "date_fin": fin,
        "precision": precision,
        "annee_deduite": annee_deduite,
        "annee_deduite_raison": annee_deduite_raison,
        "description": mentions[0]["texte"],
        "mentions": list(mentions),
        "fiches": list(fiches),
        "temps_fort_podem": temps_fort_podem,
        "lignes": sorted(lignes),
        "notes": list(notes),
    }
    cols = sorted({m["colonne_annexe1"] for m in mentions if m.get("colonne_annexe1")})
    if cols:
        out["organisation_colonne_annexe1"] = cols[0] if len(cols) == 1 else cols
    out.update(extra)
    out["lignes"] = sorted(_collect_lines(extra, set(out["lignes"])))
    check_fiches(out["fiches"], out["lignes"], slug)
    return out


def participants(n: int, texte: str, minimum: int, conseillers: int) -> dict:
    """An attendance as written, and the numbers it gives. "plus de 100" is a
    lower bound: ``participants_min`` is 100, the words say "more than"."""
    texte = w(n, texte)
    assert f"plus de {minimum} personnes" in texte, texte
    assert f"dont {conseillers} conseillers citoyens" in texte, texte
    return {"texte": texte, "participants_min": minimum, "conseillers_citoyens": conseillers}


# The 5 programmes of the national mobilisation for the quartiers'
# inhabitants (the government's roadmap of July 2018). The world café's
# workshops were held on them: they were first transcribed as its "ateliers".
PROGRAMMES = "les 5 programmes issus de la mobilisation nationale pour les habitants des quartiers : Education, Emploi, Sécurité, Logement et Lien social"
THEMES = ("Education", "Emploi", "Sécurité", "Logement", "Lien social")


def themes() -> list[dict]:
    """The five themes, named and ordered as l. 247 (and l. 405) write them;
    Article 1 (l. 221) lists the same five in lower case, in another order."""
    w(247, PROGRAMMES)
    w(405, PROGRAMMES)
    article_1 = w(221, "5 programmes (sécurité ; éducation ; emploi ; logement ; lien social)")
    enumeres = article_1.split("(")[1].rstrip(")").split(";")
    assert {slugify(t) for t in THEMES} == {slugify(x) for x in enumeres}, article_1
    return [
        {"slug": slugify(nom), "ordre": i, "nom": w(247, nom), "lignes": [221, 247, 405]}
        for i, nom in enumerate(THEMES, start=1)
    ]


def evenements() -> list[dict]:
    E = []
    # --- Contract process (Articles 1-5, preamble, title page)
    E.append(
        ev(
            "copil-2014-12-17",
            "Comité de pilotage du 17 décembre 2014 (schéma de gouvernance approuvé)",
            "comite_pilotage",
            ("17 décembre 2014", 428),
            "jour",
            dates("jour", 2014, 12, 17),
            [q(428, "Le schéma de gouvernance, approuvé")],
            instance="comite-pilotage",
        )
    )
    E.append(
        ev(
            "signature-contrat-ville",
            ("Signature du contrat de ville de Montpellier", 987),
            "evenement",
            ("10 juillet 2015", 194),
            "jour",
            dates("jour", 2015, 7, 10),
            [
                q(194, "Le contrat de ville de Montpellier (contrat cadre) a été signé"),
                q(987, "10 juillet 2015 : Signature"),
            ],
            temps_fort_podem=True,
            fiches=["1.1"],
        )
    )
    E.append(
        ev(
            "lancement-charte-entreprises-quartiers",
            ("lancement de la charte Entreprises & Quartiers", 987),
            "evenement",
            ("10 juillet 2015", 987),
            "jour",
            dates("jour", 2015, 7, 10),
            [q(987, "10 juillet 2015 : Signature")],
            portee="podem",
            temps_fort_podem=True,
            fiches=["1.1"],
        )
    )
    E.append(
        ev(
            "rencontres-elaboration-2015",
            "Rencontres d'élaboration du Contrat de ville",
            "consultation",
            ("au printemps 2015", 4081),
            "annee",
            dates("annee", 2015),
            [q(4081, "Lors des rencontres d'élaboration")],
            fiches=["2.16"],
            notes=["« printemps 2015 » : saison, bornes ISO données pour l'année entière."],
        )
    )
    E.append(
        ev(
            "groupes-travail-dev-eco-2015",
            "Groupes de travail sur le développement économique (élaboration du contrat de ville)",
            "groupe_travail",
            ("en 2015", 1363),
            "annee",
            dates("annee", 2015),
            [
                q(
                    1363,
                    "Dans le prolongement des éléments de diagnostic",
                    "ont mis exergue des spécificités des créateurs issus des quartiers populaires nécessitant une intervention adaptée en amont du parcours :",
                )
            ],
            fiches=["1.4"],
        )
    )
    E.append(
        ev(
            "decret-2015-1118",
            ("décret n° 2015-1118 du 3 septembre 2015", 470),
            "texte_officiel",
            ("3 septembre 2015", 470),
            "jour",
            dates("jour", 2015, 9, 3),
            [q(470, "A l'appui de ces éléments, et conformément au décret")],
            portee="national",
            notes=[
                "Fonde le rapport annuel débattu au Conseil municipal et au Conseil métropolitain."
            ],
        )
    )
    E.append(
        ev(
            "signature-avenant-1",
            "Signature de l'avenant n° 1 au contrat cadre",
            "evenement",
            ("8 juillet 2016", 209),
            "jour",
            dates("jour", 2016, 7, 8),
            [
                q(209, "Un avenant au contrat cadre signé le 8 juillet 2016"),
                q(988, "8 juillet 2016 : Signature"),
            ],
            temps_fort_podem=True,
            fiches=["1.1"],
            notes=[
                "Appelé « avenant opérationnel et financier » dans les temps forts du PODEM (l. 988)."
            ],
        )
    )
    E.append(
        ev(
            "mise-en-place-equipe-projet",
            "Mise en place de l'équipe pluridisciplinaire par la Métropole",
            "evenement",
            ("en 2016", 440),
            "annee",
            dates("annee", 2016),
            [q(440, "Pour réaliser ces missions")],
            instance="equipe-projet",
        )
    )
    E.append(
        ev(
            "creation-conseils-citoyens",
            "Création des 12 conseils citoyens",
            "evenement",
            ("en début d'année 2016", 484),
            "annee",
            dates("annee", 2016),
            [q(484, "Les 12 conseils citoyens montpelliérains")],
            instance="conseils-citoyens",
            notes=["« début d'année 2016 » : bornes ISO données pour l'année entière."],
        )
    )
    E.append(
        ev(
            "formation-tresoriers-conseils-citoyens",
            "Formation pour tous les trésoriers des conseils citoyens",
            "formation",
            ("25 novembre 2016", 507),
            "jour",
            dates("jour", 2016, 11, 25),
            [
                q(507, "La Ville a organisé le 25 novembre 2016"),
                q(507, "Tous n'y ont pas participé."),
            ],
            instance="conseils-citoyens",
        )
    )
    E.append(
        ev(
            "copil-financeurs-2018-04-13",
            ("comité de pilotage des financeurs du contrat de ville", 279),
            "comite_pilotage",
            ("13 avril 2018", 279),
            "jour",
            dates("jour", 2018, 4, 13),
            [
                q(
                    279,
                    "Lors du comité de pilotage des financeurs",
                    "sur trois enjeux forts du contrat de ville :",
                )
            ],
            instance="comite-pilotage-financeurs",
            enjeux_retenus=[
                q(281, "Le développement économique"),
                q(282, "La jeunesse"),
                q(283, "L'accès aux droits"),
            ],
        )
    )
    E.append(
        ev(
            "renouvellement-conseils-citoyens-2018",
            "Renouvellement complet des 12 conseils citoyens",
            "evenement",
            ("en juin 2018", 486),
            "mois",
            dates("mois", 2018, 6),
            [
                q(486, "Le renouvellement complet des 12 conseils citoyens"),
                q(511, "Néanmoins, à l'occasion du renouvellement", "au second semestre 2018"),
            ],
            instance="conseils-citoyens",
            notes=[
                "« engagé en juin 2018 » (l. 486) / « organisé au second semestre 2018 » (l. 511) : légère discordance "
                "(juin est au premier semestre), lisible comme engagement en juin puis déroulement au second semestre."
            ],
        )
    )
    E.append(
        ev(
            "installation-conseils-citoyens-2018",
            "Réunion d'installation spécifique à chaque conseil citoyen",
            "evenement",
            ("en octobre 2018", 486),
            "mois",
            dates("mois", 2018, 10),
            [q(486, "Une réunion d'installation")],
            instance="conseils-citoyens",
        )
    )
    E.append(
        ev(
            "evaluation-mi-parcours",
            "Évaluation à mi-parcours du contrat de ville",
            "autre",
            ("en 2018", 4081),
            "annee",
            dates("annee", 2018),
            [
                q(476, "Une évaluation à mi-parcours avec l'appui"),
                q(4081, "Ce besoin a été réaffirmé"),
            ],
            fiches=["2.16"],
            notes=[
                "L. 476 : « réalisée et présentée début 2019 au comité de pilotage » ; son bilan couvre 2016-2018 (l. 295)."
            ],
        )
    )
    E.append(
        ev(
            "ateliers-evaluation-2018-11",
            "Ateliers thématiques de l'évaluation à mi-parcours",
            "atelier",
            ("du 19 et 20 novembre 2018", 297),
            "jour",
            dates("jour", 2018, 11, 19, m2=11, d2=20),
            [q(297, "L'animation de 4 ateliers thématiques")],
            ateliers={
                "nombre_annonce": 4,
                "repartition_texte": w(
                    297,
                    "2 sur le volet emploi-développement économique, 1 sur le volet accès aux droits, 1 sur le volet jeunesse",
                ),
                "repartition": [
                    {"volet": "emploi-développement économique", "nombre": 2},
                    {"volet": "accès aux droits", "nombre": 1},
                    {"volet": "jeunesse", "nombre": 1},
                ],
                "controle": "2 + 1 + 1 = 4 : conforme au nombre annoncé",
            },
        )
    )
    E.append(
        ev(
            "cotech-2019-01-25",
            "Comité technique (restitution de l'évaluation)",
            "comite_technique",
            ("25 janvier 2019", 299),
            "jour",
            dates("jour", 2019, 1, 25),
            [q(299, "L'évaluation a fait l'objet de deux restitutions")],
            instance="comite-technique",
        )
    )
    E.append(
        ev(
            "copil-2019-03-26",
            "Comité de pilotage (élargi) du contrat de ville",
            "comite_pilotage",
            ("26 mars 2019", 243),
            "jour",
            dates("jour", 2019, 3, 26),
            [
                q(243, "Les modalités et le planning"),
                q(259, "Une prise en compte des conclusions"),
                q(299, "L'évaluation a fait l'objet de deux restitutions"),
                q(303, "Les préconisations présentées au comité de pilotage"),
                q(476, "Une évaluation à mi-parcours avec l'appui"),
            ],
            instance="comite-pilotage",
            notes=[
                "« comité de pilotage élargi » seulement l. 299.",
                "L. 476 (« présentée début 2019 au comité de pilotage ») renvoie à cette réunion (cf. articles 2 et 3).",
                "Même jour que le « Forum PODEM (2ème bilan) » (l. 993) ; le texte ne dit pas s'il s'agit de la même réunion.",
            ],
        )
    )
    wc_atel = w(247, "Education, Emploi, Sécurité, Logement et Lien social")
    E.append(
        ev(
            "world-cafe-2019-05-09",
            ("world café", 247),
            "consultation",
            ("9 mai 2019", 247),
            "jour",
            dates("jour", 2019, 5, 9),
            [
                q(247, "La consultation des conseillers citoyens"),
                q(247, "Dans ce cadre, 7 ateliers participatifs"),
                q(248, "Huit questions ont été débattues"),
                q(527, "Ces ateliers sont soit organisés"),
            ],
            instance="ateliers-participatifs",
            # The whole of what Article 2 says of it (l. 247-248), not only its
            # first sentence: the workshops and the attendance are part of it.
            description="\n".join(
                [
                    q(247, "La consultation des conseillers citoyens")["texte"],
                    q(247, "Dans ce cadre, 7 ateliers participatifs")["texte"],
                    q(248, "Huit questions ont été débattues")["texte"],
                ]
            ),
            participants=participants(
                248, "plus de 100 personnes, dont 35 conseillers citoyens", 100, 35
            ),
            # The five themes named are the national programmes (see themes()).
            themes=[t["slug"] for t in themes()],
            ateliers={
                "nombre_annonce": 7,
                "themes_texte": wc_atel,
                "ecart": "7 ateliers annoncés, 5 thèmes nommés (ceux des 5 programmes de la mobilisation "
                "nationale, l. 221/405) ; le texte ne nomme pas les 7 ateliers.",
            },
            questions=[q(n, clean(LINES[n - 1]).lstrip("- ")) for n in range(249, 257)],
            questions_nombre_annonce=w(248, "Huit questions"),
            notes=["8 questions listées (l. 249-256) pour « Huit questions » : conforme."],
        )
    )
    E.append(
        ev(
            "gtp-2019-05",
            ("La réunion des 5 Groupes de Travail Projet (GTP) interinstitutionnel", 257),
            "groupe_travail",
            ("du 20 au 28 mai", 257),
            "jour_sans_annee",
            dates("jour", 2019, 5, 20, m2=5, d2=28),
            [q(257, "La réunion des 5 Groupes de Travail Projet")],
            instance="groupes-travail-projet",
            annee_deduite=2019,
            annee_deduite_raison="Le texte n'écrit pas l'année. Article 2 : démarche actée au COPIL du 26 mars 2019, "
            "énumérée entre le world café du 9 mai 2019 et le COPIL du 16 juillet 2019 ; le PERR est "
            "de 2019.",
            notes=["Dates ISO calculées avec l'année déduite."],
        )
    )
    E.append(
        ev(
            "copil-2019-07-16",
            "Comité de pilotage (principes d'actions et engagements de l'avenant)",
            "comite_pilotage",
            ("16 juillet 2019", 265),
            "jour",
            dates("jour", 2019, 7, 16),
            [q(265, "Un comité de pilotage a été organisé le 16 juillet 2019")],
            instance="comite-pilotage",
        )
    )
    E.append(
        ev(
            "conseil-municipal-2019-07-18",
            ("conseil municipal", 265),
            "deliberation",
            ("conseil municipal du 18 juillet", 265),
            "jour_sans_annee",
            dates("jour", 2019, 7, 18),
            [q(265, "Un comité de pilotage a été organisé le 16 juillet 2019")],
            instance="conseil-municipal",
            annee_deduite=2019,
            annee_deduite_raison="« 2019 » n'est écrit qu'après « conseil communautaire de 23 juillet » dans la même "
            "parenthèse ; le COPIL qui précède est du 16 juillet 2019.",
            notes=["Approbation de l'avenant."],
        )
    )
    E.append(
        ev(
            "conseil-communautaire-2019-07-23",
            ("conseil communautaire", 265),
            "deliberation",
            ("conseil communautaire de 23 juillet 2019", 265),
            "jour",
            dates("jour", 2019, 7, 23),
            [q(265, "Un comité de pilotage a été organisé le 16 juillet 2019")],
            instance="conseil-metropolitain",
            notes=["Approbation de l'avenant. « de 23 juillet » est écrit ainsi."],
        )
    )
    E.append(
        ev(
            "reunion-conseillers-citoyens-2019-09-25",
            "Réunion de tous les conseillers citoyens sur le PERR",
            "consultation",
            ("25 septembre 2019", 267),
            "jour",
            dates("jour", 2019, 9, 25),
            [q(267, "Une nouvelle réunion a été organisée")],
            instance="conseils-citoyens",
            notes=["La phrase source n'a pas de point final."],
        )
    )
    E.append(
        ev(
            "accompagnement-conseils-citoyens-2019",
            "Accompagnement global des 12 conseils citoyens par un prestataire",
            "autre",
            ("(année 2019)", 513),
            "annee",
            dates("annee", 2019),
            [q((511, 513), "Néanmoins, à l'occasion du renouvellement")],
            instance="conseils-citoyens",
            notes=["Phrase coupée par un saut de page (l. 511 / 513), rejointe par une espace."],
        )
    )
    E.append(
        ev(
            "signature-avenant-2",
            "Signature de l'avenant n° 2 (PERR)",
            "evenement",
            ("le 2019", 82),
            "annee",
            dates("annee", 2019),
            [q(82, "Signé à Montpellier")],
            statut="inconnu",
            notes=[
                "Jour et mois laissés en blanc dans le texte : date de signature inconnue (statut « inconnu »)."
            ],
        )
    )
    E.append(
        ev(
            "ajustements-engagements-2020",
            "Ajustements des engagements, validation possible en comité de pilotage",
            "autre",
            ("courant 2020", 401),
            "annee",
            dates("annee", 2020),
            [q(401, "Au vu des délais contraints"), q(401, "Ces ajustements, dans la mesure")],
            instance="comite-pilotage",
            statut="prevu",
        )
    )
    E.append(
        ev(
            "evaluation-finale",
            "Évaluation finale du contrat de ville",
            "autre",
            ("avant l'échéance de la fin du contrat de ville en 2022", 478),
            "annee",
            dates("annee", 2022),
            [q(478, "Une évaluation finale sera conduite")],
            statut="prevu",
            notes=[
                "« avant » 2022 : seule la borne de fin est sûre ; date_debut donnée au 1er janvier 2022 par convention."
            ],
        )
    )

    # --- National context (Article 1 and fiches)
    E.append(
        ev(
            "mobilisation-nationale-2017-11-14",
            "Mobilisation nationale pour les habitants des quartiers (Tourcoing)",
            "evenement",
            ("14 novembre 2017", 221),
            "jour",
            dates("jour", 2017, 11, 14),
            [q(221, "Dans le cadre de la mobilisation nationale")],
            portee="national",
        )
    )
    E.append(
        ev(
            "feuille-de-route-2018-07",
            "Nouvelle feuille de route du Gouvernement (5 programmes, 40 mesures)",
            "texte_officiel",
            ("en juillet 2018", 221),
            "mois",
            dates("mois", 2018, 7),
            [q(221, "Dans le cadre de la mobilisation nationale")],
            portee="national",
        )
    )
    E.append(
        ev(
            "loi-finances-2019",
            ("La loi de finances pour 2019 du 28 décembre 2018", 223),
            "texte_officiel",
            ("28 décembre 2018", 223),
            "jour",
            dates("jour", 2018, 12, 28),
            [q(223, "La loi de finances pour 2019")],
            portee="national",
        )
    )
    E.append(
        ev(
            "circulaire-2019-01-22",
            ("La circulaire du 22 janvier 2019", 225),
            "texte_officiel",
            ("22 janvier 2019", 225),
            "jour",
            dates("jour", 2019, 1, 22),
            [
                q(
                    225,
                    "La circulaire du 22 janvier 2019",
                    "au travers d'un Protocole d'Engagements Renforcés et Réciproques (PERR) qui doit :",
                )
            ],
            portee="national",
        )
    )
    E.append(
        ev(
            "npnru-2014-12-15",
            "Liste des projets du Nouveau Programme National de Renouvellement Urbain (NPNRU 2) dévoilée",
            "evenement",
            ("15 décembre 2014", 6640),
            "jour",
            dates("jour", 2014, 12, 15),
            [
                q(6640, "C'est pour poursuivre cette transformation"),
                q(6745, "C'est pour poursuivre cette transformation"),
            ],
            portee="national",
            fiches=["7.1", "7.2"],
        )
    )
    E.append(
        ev(
            "plan-cohesion-sociale-2004",
            "Plan de cohésion sociale présenté",
            "texte_officiel",
            ("en juin 2004", 4017),
            "mois",
            dates("mois", 2004, 6),
            [q(4017, "Le Programme Réussite éducative (PRE) regroupe")],
            portee="national",
            fiches=["2.15"],
        )
    )
    E.append(
        ev(
            "loi-cohesion-sociale-2005-01-18",
            ("loi de programmation pour la cohésion sociale du 18 janvier 2005", 4017),
            "texte_officiel",
            ("18 janvier 2005", 4017),
            "jour",
            dates("jour", 2005, 1, 18),
            [q(4017, "Le Programme Réussite éducative (PRE) regroupe")],
            portee="national",
            fiches=["2.15"],
        )
    )
    E.append(
        ev(
            "loi-notre-2015-08-07",
            ("La loi NOTRe du 7 août 2015", 618),
            "texte_officiel",
            ("7 août 2015", 618),
            "jour",
            dates("jour", 2015, 8, 7),
            [q(618, "La loi NOTRe du 7 août 2015", cell=4)],
            portee="national",
        )
    )
    E.append(
        ev(
            "parcours-emploi-competences-2018-01-01",
            "Mise en place du Parcours Emploi compétences",
            "evenement",
            ("au 1er janvier 2018", 1139),
            "jour",
            dates("jour", 2018, 1, 1),
            [q(1139, "La mise en place du Parcours Emploi compétences")],
            portee="national",
            fiches=["1.2"],
        )
    )
    E.append(
        ev(
            "ami-fabriques-territoire-2019-07-15",
            "Lancement de l'AMI « Fabriques de territoire & Fabriques numériques de territoire » (CGET)",
            "evenement",
            ("15 juillet 2019", 582),
            "jour",
            dates("jour", 2019, 7, 15),
            [q(582, "Lancement de l'appel à manifestation d'intérêt", cell=2)],
            portee="national",
        )
    )
    E.append(
        ev(
            "fabrique-entreprendre-salon-2014",
            "Lancement du concept « La Fabrique à Entreprendre » (Caisse des Dépôts)",
            "evenement",
            ("fin 2014", 1246),
            "annee",
            dates("annee", 2014),
            [q(1246, "Cette réflexion locale convergeait")],
            portee="national",
            fiches=["1.3"],
        )
    )
    E.append(
        ev(
            "premiere-fabrique-2015-07",
            "Première Fabrique à Entreprendre, à Saint-Etienne",
            "evenement",
            ("en juillet 2015", 1246),
            "mois",
            dates("mois", 2015, 7),
            [q(1246, "Cette réflexion locale convergeait")],
            portee="national",
            fiches=["1.3"],
        )
    )

    # --- PODEM (temps forts, fiche 1.1 l. 985-993, and fiches 1.x)
    E.append(
        ev(
            "signature-charte-entreprises-quartiers",
            "Signature de la Charte Entreprises et Quartiers",
            "evenement",
            ("8 juillet 2016", 2631),
            "jour",
            dates("jour", 2016, 7, 8),
            [q(2631, "Signée le 8 juillet 2016")],
            portee="podem",
            fiches=["1.16"],
            notes=[
                "Charte « lancée » le 10 juillet 2015 (l. 987), « signée » le 8 juillet 2016 (l. 2631), « déployée ... "
                "depuis 2016 » (l. 2631)."
            ],
        )
    )
    E.append(
        ev(
            "lancement-podem-2016-11-04",
            ("Lancement du Projet pour le Développement de l'Emploi Métropolitain (PODEM)", 989),
            "evenement",
            ("4 novembre 2016", 989),
            "jour",
            dates("jour", 2016, 11, 4),
            [q(989, "4 novembre 2016 :")],
            portee="podem",
            instance="podem",
            temps_fort_podem=True,
            fiches=["1.1"],
        )
    )
    E.append(
        ev(
            "evenementiel-charte-2017-03-21",
            ("Evènementiel « Charte Entreprises et Quartiers »", 990),
            "evenement",
            ("21 mars 2017", 990),
            "jour",
            dates("jour", 2017, 3, 21),
            [q(990, "21 mars 2017 :", "à destination des entreprises.")],
            portee="podem",
            temps_fort_podem=True,
            fiches=["1.1"],
            notes=[
                "Guillemets déséquilibrés dans le texte (« ... » : comment s'impliquer ? »), gardés."
            ],
        )
    )
    E.append(
        ev(
            "forum-podem-2018-03-14",
            ("Forum PODEM (1er bilan)", 991),
            "evenement",
            ("14 mars 2018", 991),
            "jour",
            dates("jour", 2018, 3, 14),
            [q(991, "14 mars 2018 :")],
            portee="podem",
            instance="podem",
            temps_fort_podem=True,
            fiches=["1.1"],
        )
    )
    E.append(
        ev(
            "fabrique-entreprendre-mosson-2018-11-29",
            ("Lancement de la « Fabrique à entreprendre Mosson »", 992),
            "evenement",
            ("29 novembre 2018", 992),
            "jour",
            dates("jour", 2018, 11, 29),
            [q(992, "29 novembre 2018 :")],
            portee="podem",
            temps_fort_podem=True,
            fiches=["1.1"],
        )
    )
    E.append(
        ev(
            "forum-podem-2019-03-26",
            ("Forum PODEM (2ème bilan)", 993),
            "evenement",
            ("26 mars 2019", 993),
            "jour",
            dates("jour", 2019, 3, 26),
            [q(993, "26 mars 2019 :")],
            portee="podem",
            instance="podem",
            temps_fort_podem=True,
            fiches=["1.1"],
            notes=[
                "Même jour que le comité de pilotage (élargi) du contrat de ville (l. 243, 299, 303)."
            ],
        )
    )
    E.append(
        ev(
            "citeslab-renforcement-2018-07",
            "Renforcement du dispositif Citéslab",
            "evenement",
            ("depuis juillet 2018", 1380),
            "mois",
            dates("mois", 2018, 7),
            [q(1380, "Ce volet se traduira par la consolidation")],
            portee="podem",
            fiches=["1.4"],
        )
    )
    E.append(
        ev(
            "fin-experimentation-fabrique-2020-06-30",
            "Fin de l'expérimentation de la Fabrique à entreprendre",
            "autre",
            ("au 30 juin 2020", 1264),
            "jour",
            dates("jour", 2020, 6, 30),
            [q(1264, "Compte tenu des premiers résultats")],
            portee="podem",
            statut="prevu",
            fiches=["1.3"],
        )
    )
    E.append(
        ev(
            "cellule-emploi-tramway-2009",
            ("« cellule emploi tramway »", 2371),
            "autre",
            ("en 2009", 2371),
            "annee",
            dates("annee", 2009),
            [q(2371, "Par ailleurs, il pourrait tout à fait être envisagé")],
            portee="fiche",
            fiches=["1.13"],
            notes=["Exemple passé cité par la fiche 1.13."],
        )
    )
    E.append(
        ev(
            "cellule-emploi-grands-travaux-2013",
            ("« cellule emploi grand travaux »", 2371),
            "autre",
            ("en 2013", 2371),
            "annee",
            dates("annee", 2013),
            [q(2371, "Par ailleurs, il pourrait tout à fait être envisagé")],
            portee="fiche",
            fiches=["1.13"],
            notes=["Exemple passé cité par la fiche 1.13."],
        )
    )

    # --- Partners (Annexe 1 columns)
    E.append(
        ev(
            "region-cp-2017-10-13",
            "Commission permanente de la Région : dispositif régional de soutien aux associations",
            "deliberation",
            ("13 octobre 2017", 535),
            "jour",
            dates("jour", 2017, 10, 13),
            [q(535, "Dans le cadre du nouveau dispositif régional", cell=4)],
            portee="partenaire",
        )
    )
    E.append(
        ev(
            "region-ap-2018-06-22",
            "Assemblée plénière de la Région (engagement rénovation urbaine / NPNRU)",
            "deliberation",
            ("22 juin 2018", 538),
            "jour",
            dates("jour", 2018, 6, 22),
            [q(538, "Cet engagement a été approuvé", cell=4)],
            portee="partenaire",
        )
    )
    E.append(
        ev(
            "region-cp-2018-07-20",
            "Commission permanente de la Région (3 dispositifs spécifiques rénovation urbaine)",
            "deliberation",
            ("20 juillet 2018", 538),
            "jour",
            dates("jour", 2018, 7, 20),
            [q(538, "Cet engagement a été approuvé", cell=4)],
            portee="partenaire",
        )
    )
    E.append(
        ev(
            "region-cp-2018-12-07",
            "Commission permanente de la Région (formation des adultes relais)",
            "deliberation",
            ("7 décembre 2018", 538),
            "jour",
            dates("jour", 2018, 12, 7),
            [q(538, "La Région accompagnera également la formation", cell=4)],
            portee="partenaire",
        )
    )
    E.append(
        ev(
            "region-generation-egalite-2017-03",
            "Lancement du dispositif « Génération Egalité » par la Région",
            "evenement",
            ("en mars 2017", 622),
            "mois",
            dates("mois", 2017, 3),
            [q(622, "Parallèlement, devant la persistance", cell=4)],
            portee="partenaire",
        )
    )
    E.append(
        ev(
            "departement-plan-college-2019-09-14",
            "Adoption du plan collège",
            "deliberation",
            ("14 septembre 2019", 561),
            "jour",
            dates("jour", 2019, 9, 14),
            [q(561, "Un plan collège a été adopté", cell=3)],
            portee="partenaire",
            notes=[
                "Le plan collège est annoncé l. 417 (« Il s'engage à déployer un plan collège ») sans date."
            ],
        )
    )
    E.append(
        ev(
            "departement-plan-pauvrete-2019-07-05",
            "Signature du plan pauvreté",
            "texte_officiel",
            ("05/07/2019", 546),
            "jour",
            dates("jour", 2019, 7, 5),
            [q(546, "Dans le cadre du plan pauvreté", cell=3)],
            portee="partenaire",
            notes=["La phrase est tronquée dans le texte (cellule coupée, sans suite)."],
        )
    )
    E.append(
        ev(
            "etat-formation-parler-bambin-2019-11-27",
            "1ère journée de formation commune enseignants / ATSEM",
            "formation",
            ("le 27 novembre 2019", 565),
            "jour",
            dates("jour", 2019, 11, 27),
            [q(565, "Date de la 1ère journée de formation", cell=2)],
            portee="partenaire",
            statut="prevu",
            notes=[
                "Dispositif « deux adultes par classe » (4 écoles de la Mosson), colonne Etat ; statut « prevu » : "
                "date postérieure à l'approbation de juillet 2019 (déduction)."
            ],
        )
    )
    E.append(
        ev(
            "printemps-collegiens-2019-06",
            ("Le Printemps des collégiens", 565),
            "evenement",
            ("en juin 2019", 565),
            "mois",
            dates("mois", 2019, 6),
            [q(565, "On peut citer", cell=3)],
            portee="partenaire",
        )
    )
    E.append(
        ev(
            "plateforme-linguistique-experimentation-2019",
            ("Lancement de l'expérimentation de la plateforme linguistique", 581),
            "evenement",
            ("sur la période de septembre à décembre 2019", 581),
            "mois",
            dates("mois", 2019, 9, m2=12),
            [q(581, "Lancement de l'expérimentation", cell=2)],
            portee="partenaire",
            fiches=[],
            notes=[
                "Se rapporte à la fiche 4.1 (plateforme linguistique) par son objet ; ligne d'Annexe 1."
            ],
        )
    )
    E.append(
        ev(
            "postes-police-qrr-2018-09",
            "21 postes de police créés dans le QRR à la Mosson",
            "evenement",
            ("en septembre 2018", 607),
            "mois",
            dates("mois", 2018, 9),
            [q(607, "21 postes de police créés", "à la Mosson", cell=2)],
            portee="partenaire",
        )
    )
    E.append(
        ev(
            "qualibail-2015-12",
            "Engagement de l'Office sur 13 engagements Qualibail",
            "evenement",
            ("En décembre 2015", 611),
            "mois",
            dates("mois", 2015, 12),
            [q(611, "En décembre 2015, l'Office", cell=3)],
            portee="partenaire",
        )
    )

    # --- Fiches (Annexe 3) and Annexe 2
    E.append(
        ev(
            "evaluation-cucs-2009",
            "Évaluation intermédiaire du CUCS",
            "autre",
            ("en 2009", 4079),
            "annee",
            dates("annee", 2009),
            [q(4079, "Déjà explicitée lors de l'évaluation intermédiaire")],
            portee="fiche",
            fiches=["2.16"],
        )
    )
    E.append(
        ev(
            "concertation-pedt-2013",
            "Concertation locale pour la mise en œuvre du PEdT (création d'un comité de pilotage partenarial)",
            "consultation",
            ("en 2013", 4079),
            "annee",
            dates("annee", 2013),
            [q(4079, "La concertation locale menée en 2013")],
            instance="comite-pilotage-pedt",
            portee="fiche",
            fiches=["2.16"],
        )
    )
    E.append(
        ev(
            "laep-figuerolles-ouverture-2018-09",
            "Ouverture du LAEP de Figuerolles Cité Gély",
            "evenement",
            ("en septembre 2018", 2895),
            "mois",
            dates("mois", 2018, 9),
            [q(2895, "Le LAEP situé dans le quartier Figuerolles")],
            portee="fiche",
            fiches=["2.2"],
        )
    )
    E.append(
        ev(
            "laep-pause-gouter-demenagement-2019-09",
            "Déménagement du LAEP Pause-Goûter à Celleneuve",
            "evenement",
            ("A partir de septembre 2019", 2894),
            "mois",
            dates("mois", 2019, 9),
            [
                q(2894, "A partir de septembre 2019"),
                q(
                    2894,
                    "1 géré et animé par l'association",
                    "quartier Cévennes, et donc à la limite d'un quartier QPV.",
                ),
            ],
            portee="fiche",
            statut="prevu",
            fiches=["2.2"],
            notes=[
                "« devrait déménager » : prévu. La même phrase donne la période d'hébergement « de septembre 2018 à août 2019 »."
            ],
        )
    )
    E.append(
        ev(
            "faj3m-competence-metropole-2018-01",
            "Fonds métropolitain d'Aide aux Jeunes devenu compétence de la Métropole",
            "evenement",
            ("depuis janvier 2018", 4518),
            "mois",
            dates("mois", 2018, 1),
            [q(4518, "Le fonds métropolitain d'Aide aux Jeunes")],
            portee="fiche",
            fiches=["3.4"],
        )
    )
    E.append(
        ev(
            "renov-energie-2018-06-05",
            "Mise en place de la plateforme Rénov'Énergie",
            "evenement",
            ("5 juin 2018", 6198),
            "jour",
            dates("jour", 2018, 6, 5),
            [q(6198, "Dans le cadre d'un appel à manifestation d'intérêt porté par l'ADEME")],
            portee="fiche",
            fiches=["5.4"],
        )
    )
    E.append(
        ev(
            "initiatives-coproprietes-2018-10",
            "Métropole retenue pour le plan « Initiatives copropriétés »",
            "evenement",
            ("en Octobre 2018", 6501),
            "mois",
            dates("mois", 2018, 10),
            [q(6501, "Ces interventions s'opéreront")],
            portee="fiche",
            fiches=["5.8"],
        )
    )
    E.append(
        ev(
            "cil-2019-01-29",
            "Réunion de la Conférence Intercommunale du Logement (adoption du document cadre)",
            "deliberation",
            ("réunie le 29 janvier 2019", 5908),
            "jour",
            dates("jour", 2019, 1, 29),
            [
                q(
                    5908,
                    "En lien avec le Programme Local de l'Habitat",
                    "politique d'attribution des logements sociaux :",
                ),
                q(5957, "2019 : Adoption du Document Cadre"),
            ],
            instance="cil",
            portee="fiche",
            fiches=["5.1"],
            notes=[
                "Type « deliberation » retenu pour l'adoption d'un document par la CIL (choix)."
            ],
        )
    )
    E.append(
        ev(
            "cil-reunions-annuelles-2019-2024",
            "Réunion annuelle de la CIL",
            "autre",
            ("2019-2024", 5961),
            "annee",
            dates("annee", 2019, y2=2024),
            [q(5961, "2019-2024 : réunion annuelle de la CIL")],
            instance="cil",
            portee="fiche",
            statut="prevu",
            fiches=["5.1"],
            recurrence="annuelle",
        )
    )
    E.append(
        ev(
            "eccar-adhesion-2016-05-10",
            "Adhésion de la Ville à la Coalition européenne des villes contre le racisme (ECCAR)",
            "evenement",
            ("depuis le 10/05/16", 7444),
            "jour",
            dates("jour", 2016, 5, 10),
            [q(7444, "-L'adhésion de la Ville de Montpellier")],
            portee="fiche",
            fiches=["12.2"],
        )
    )
    E.append(
        ev(
            "charte-egalite-racisme-2016",
            "Signature de la Charte « Egalité contre le racisme »",
            "evenement",
            ("(2016)", 7446),
            "annee",
            dates("annee", 2016),
            [q(7446, "-La signature par la Ville de Montpellier")],
            portee="fiche",
            fiches=["12.2"],
        )
    )
    E.append(
        ev(
            "etat-des-lieux-discriminations-2017",
            "Commande d'un premier état des lieux des discriminations",
            "autre",
            ("en 2017", 7448),
            "annee",
            dates("annee", 2017),
            [q(7448, "Ces engagements ont conduit en 2017")],
            portee="fiche",
            fiches=["12.2"],
        )
    )
    E.append(
        ev(
            "groupe-recherche-action-creation-2018",
            "Création du groupe de recherche-action (selon la fiche 12.2)",
            "evenement",
            ("en 2018", 7448),
            "annee",
            dates("annee", 2018),
            [q(7448, "Ces engagements ont conduit en 2017")],
            instance="groupe-recherche-action-lcd",
            portee="fiche",
            fiches=["12.2"],
            notes=[
                "Discordance : l'Annexe 2 (l. 883) date la création de « janvier 2019 » (voir "
                "groupe-recherche-action-creation-2019-01)."
            ],
        )
    )
    E.append(
        ev(
            "groupe-recherche-action-creation-2019-01",
            "Création d'un groupe de recherche-action (selon l'Annexe 2)",
            "evenement",
            ("Création en janvier 2019", 883),
            "mois",
            dates("mois", 2019, 1),
            [q(883, "Création en janvier 2019")],
            instance="groupe-recherche-action-lcd",
            portee="fiche",
            fiches=["12.2"],
            notes=["Discordance : la fiche 12.2 (l. 7448) date la création de 2018."],
        )
    )
    slugs = [e["slug"] for e in E]
    assert len(slugs) == len(set(slugs)), "duplicate event slug"
    for e in E:
        assert e["type"] in (
            "comite_pilotage",
            "comite_technique",
            "groupe_travail",
            "atelier",
            "consultation",
            "deliberation",
            "evenement",
            "texte_officiel",
            "formation",
            "autre",
        ), e["slug"]
        assert e["precision"] in ("jour", "mois", "annee", "jour_sans_annee"), e["slug"]
        assert (e["precision"] == "jour_sans_annee") == (e["annee_deduite"] is not None), e["slug"]
        assert e["date_debut"] <= e["date_fin"], e["slug"]
    return E


# Lines of the text holding a month name (or a dd/mm/yy date) that are NOT
# the date of an event above, with the reason.  The script checks that every
# such line is either used by an event or listed here.
MONTH_LINES_NOT_EVENTS = {
    551: "période de statistique (« 128 Permis B financés de janvier à avril 2019 »)",
    573: "période de statistique (« de janvier à fin août 2019 »)",
    602: "période de financement (« Aide renouvelée sur 3 ans (2017,2018 et 2019) de septembre 2018 à juin 2020 »)",
    605: "période de statistique (« de janvier à juin 2019 »)",
    4662: "« MAI » est un sigle, pas le mois",
    5355: "« Date de début : 01/01/2019 » : calendrier d'une fiche (transcrit par annexe3.py)",
    5989: "date de statistique (« au 01/01/2019 »)",
}
MONTH_RE = re.compile(
    r"\b(janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|"
    r"décembre|decembre)\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    re.IGNORECASE,
)


def month_lines() -> list[int]:
    out = []
    for n, raw in enumerate(LINES, 1):
        text = clean(raw)
        kept = [ln for ln in text.split("\n") if not re.match(r"^Date de (début|fin)\s*:", ln)]
        # « Révolutionne ton 8 mars ! » (l. 618) is the title of a contest
        if any(MONTH_RE.search(ln.replace("Révolutionne ton 8 mars", "")) for ln in kept):
            out.append(n)
    return out


# ---------------------------------------------------------------------------
# Conseils citoyens (Article 5.4)
# ---------------------------------------------------------------------------

TABLE_HEADER = 488
TABLE_ROWS = range(489, 501)
TABLE_TOTAL = 501
COLS = (
    "population",
    "habitants_tires_au_sort",
    "jeunes_moins_25_ans",
    "habitants_volontaires",
    "associations_socio_professionnels_usagers",
    "total",
)


def slugify(s: str) -> str:
    t = unicodedata.normalize("NFD", s.lower())
    t = "".join(c for c in t if unicodedata.category(c) != "Mn")
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def parse_row(n: int) -> dict:
    cells = LINES[n - 1].split("\t")
    assert len(cells) == 7, f"l. {n}: {len(cells)} cells"
    row = {"ligne": n, "quartier": cells[0].strip()}
    for key, cell in zip(COLS, cells[1:], strict=True):
        row[key + "_texte"] = cell.strip()
        row[key] = int(re.sub(r"[\s\u00a0\u202f]", "", cell))
    return row


def moyen(nature: str, n: int, texte: str, montants: tuple = (None, None)) -> dict:
    """A means of the conseils citoyens: its words as written at line n, and
    the amounts they state (each checked to be written so: "3 000 €")."""
    texte = w(n, texte)
    for montant in montants:
        if montant is not None:
            ecrit = f"{montant:,} €".replace(",", " ")
            assert ecrit in texte, (ecrit, texte)
    return {
        "nature": nature,
        "ligne": n,
        "texte": texte,
        "montant_min": montants[0],
        "montant_max": montants[1],
        # "La Métropole a mis en place les moyens...", "prises en charge par la
        # Métropole", "subvention métropolitaine" (l. 505).
        "organisation": "metropole",
    }


def moyens() -> list[dict]:
    """Article 5.4, "Des moyens dédiés" (l. 505): every means the text gives,
    in its order. The grant's range is per conseil ("fonction de la taille du
    conseil citoyen"); the annual budget is the total the text gives."""
    return [
        moyen(
            "locaux",
            505,
            "local entièrement équipé et indépendant dont la location et les charges "
            "(dont fluides, assurance) sont prises en charge par la Métropole",
        ),
        moyen("equipement", 505, "ordinateur, téléphone"),
        moyen(
            "subvention_fonctionnement",
            505,
            "une subvention annuelle permettant la prise en charge des dépenses inhérentes au "
            "fonctionnement courant (organisation de réunions publiques, éventuels frais de "
            "déplacement, outils de communication pour mobiliser les habitants...). Cette "
            "subvention métropolitaine de fonctionnement est fonction de la taille du conseil "
            "citoyen et d'un montant compris entre 3 000 € et 4 000 €",
            (3000, 4000),
        ),
        moyen("budget_annuel", 505, "soit un budget annuel de 40 000 €", (40000, 40000)),
    ]


def conseils_citoyens() -> dict:
    header = LINES[TABLE_HEADER - 1].split("\t")
    assert header[0] == "QUARTIER" and header[-1] == "TOTAL", header
    lignes = []
    for n in TABLE_ROWS:
        row = parse_row(n)
        row["slug"] = "conseil-citoyen-" + slugify(row["quartier"])
        lignes.append(row)
    total = parse_row(TABLE_TOTAL)
    assert total["quartier"] == ""
    controles = []
    for r in lignes:
        s = (
            r["habitants_tires_au_sort"]
            + r["jeunes_moins_25_ans"]
            + r["habitants_volontaires"]
            + r["associations_socio_professionnels_usagers"]
        )
        controles.append(
            {
                "controle": "total de ligne = somme des collèges",
                "ligne": r["ligne"],
                "quartier": r["quartier"],
                "attendu": s,
                "ecrit": r["total"],
                "ok": s == r["total"],
            }
        )
    for key in COLS:
        s = sum(r[key] for r in lignes)
        controles.append(
            {
                "controle": f"ligne des totaux = somme de la colonne « {header[COLS.index(key) + 1]} »",
                "ligne": TABLE_TOTAL,
                "colonne": key,
                "attendu": s,
                "ecrit": total[key],
                "ok": s == total[key],
            }
        )
    controles.append(
        {
            "controle": "nombre de conseils (lignes du tableau) = 12 (l. 484, 486)",
            "attendu": 12,
            "ecrit": len(lignes),
            "ok": len(lignes) == 12,
        }
    )
    controles.append(
        {
            "controle": "total des membres > 300 (« plus de 300 conseillers citoyens », l. 486)",
            "attendu": "> 300",
            "ecrit": total["total"],
            "ok": total["total"] > 300,
        }
    )
    # 2/3 of the collège des habitants drawn by lot (incl. the young), 1/3 volunteers (l. 484)
    for r in lignes:
        hab = r["habitants_tires_au_sort"] + r["jeunes_moins_25_ans"] + r["habitants_volontaires"]
        tires = r["habitants_tires_au_sort"] + r["jeunes_moins_25_ans"]
        controles.append(
            {
                "controle": "collège des habitants : 2/3 tirés au sort (jeunes compris) et 1/3 volontaires (l. 484)",
                "ligne": r["ligne"],
                "quartier": r["quartier"],
                "attendu": f"{tires} = 2/3 de {hab}",
                "ecrit": f"{tires} tirés au sort (dont {r['jeunes_moins_25_ans']} jeunes), "
                f"{r['habitants_volontaires']} volontaires",
                "ok": 3 * tires == 2 * hab,
                "interpretation": "vrai seulement si la colonne « Jeunes -25 ans » compte parmi les tirés au sort ; sans elle "
                f"la part serait {r['habitants_tires_au_sort']}/{hab}",
            }
        )
        controles.append(
            {
                "controle": "collège des habitants majoritaire (l. 484)",
                "ligne": r["ligne"],
                "quartier": r["quartier"],
                "attendu": f"{hab} > {r['associations_socio_professionnels_usagers']}",
                "ecrit": hab,
                "ok": hab > r["associations_socio_professionnels_usagers"],
            }
        )
    controles.append(
        {
            "controle": "budget annuel dans la fourchette 12 × 3 000 € à 12 × 4 000 € (l. 505)",
            "attendu": "36 000 – 48 000",
            "ecrit": 40000,
            "ok": 36000 <= 40000 <= 48000,
            "interpretation": "la répartition par taille de conseil n'est pas écrite : contrôle de vraisemblance seulement",
        }
    )
    faits = [
        {"cle": "statut_associatif_creation", **q(484, "Les 12 conseils citoyens montpelliérains")},
        {"cle": "college_habitants", **q(484, "Le collège des habitants, majoritaire")},
        {"cle": "college_associations", **q(484, "Le collège des associations et acteurs locaux")},
        {"cle": "renouvellement", **q(486, "Le renouvellement complet des 12 conseils citoyens")},
        {"cle": "installation", **q(486, "Une réunion d'installation")},
        {"cle": "moyens", **q(505, "La Métropole a mis en place les moyens nécessaires")},
        {"cle": "subvention", **q(505, "Cette subvention métropolitaine de fonctionnement")},
        {"cle": "formation_tresoriers", **q(507, "La Ville a organisé le 25 novembre 2016")},
        {"cle": "formation_tresoriers_participation", **q(507, "Tous n'y ont pas participé.")},
        {
            "cle": "formation_centre_ressources",
            **q(507, "Le centre de ressources Villes et territoires"),
        },
        {"cle": "autonomie", **q(511, "La loi prévoit également")},
        {"cle": "accompagnement", **q((511, 513), "Néanmoins, à l'occasion du renouvellement")},
        {
            "cle": "accompagnement_missions_intro",
            **q(513, "Les missions confiées sont les suivantes :"),
        },
        *(
            {"cle": "accompagnement_mission", "ordre": i, **q(n, clean(LINES[n - 1]).lstrip("- "))}
            for i, n in enumerate(range(515, 520), 1)
        ),
        {"cle": "accompagnement_suite", **q(521, "Pour les années suivantes")},
        {"cle": "participation_copil", **q(525, "Comme indiqué dans le schéma de gouvernance")},
        {"cle": "temps_preparatoire_copil", **q(525, "Dans la mesure du possible")},
        {"cle": "ateliers_participatifs", **q(527, "Des ateliers participatifs ont été")},
        {
            "cle": "consultation_rapport_annuel",
            **q(470, "Les conseils citoyens sont consultés en amont."),
        },
    ]
    return {
        "entetes": {
            "texte": [c.strip() for c in header],
            "ligne": TABLE_HEADER,
            "colonnes": ["quartier", *COLS],
        },
        "lignes": lignes,
        "total_ecrit": total,
        "controles": controles,
        "faits": faits,
        "montants": {
            "subvention_min_eur": 3000,
            "subvention_max_eur": 4000,
            "budget_annuel_eur": 40000,
            "source": w(
                505,
                "d'un montant compris entre 3 000 € et 4 000 € (soit un budget annuel de 40 000 €)",
            ),
        },
    }


# ---------------------------------------------------------------------------
# Préconisations (Article 3.2) and the 2019 fiches that answer them
# ---------------------------------------------------------------------------

VOLETS = {
    305: "Emploi – Développement économique",
    316: "Accès aux droits",
    322: "Jeunesse",
    329: "Fonctionnement et pilotage du contrat de ville",
}
SOUS_TITRE_LINE = 307  # "Poursuivre la dynamique du PODEM :"


def lien(numero: str, force: str, justification: list[dict], note: str | None = None) -> dict:
    assert force in ("evident", "probable")
    f = FICHES[numero]
    for j in justification:
        ln = j["ligne"] if isinstance(j["ligne"], int) else j["ligne"][0]
        if ln >= ANNEXE3_START:
            check_fiche(numero, [ln])
            j["source"] = "fiche"
        elif ANNEXE2[0] <= ln <= ANNEXE2[1]:
            j["source"] = "annexe2"
    out = {
        "numero": numero,
        "titre": f["titre"],
        "titre_ligne": f["ligne_titre"],
        "force": force,
        "justification": justification,
    }
    if note:
        out["note"] = note
    return out


def titre_de(numero: str) -> dict:
    f = FICHES[numero]
    return {"ligne": f["ligne_titre"], "texte": f["titre"]}


def preconisation_links() -> dict[int, tuple[list[dict], str | None]]:
    return {
        309: (
            [
                lien(
                    "1.1",
                    "probable",
                    [
                        q(
                            634,
                            "Intégration de la « fiche 1.2 - Observatoire économique de l'emploi et des discriminations »",
                            "partage de l'information",
                        ),
                        q(966, "Outiller le partage d'information et de données utiles"),
                        q(967, "développer la connaissance partagée du territoire"),
                    ],
                    "Aucune fiche 2019 n'a l'observatoire de l'emploi dans son titre : l'Annexe 2 (l. 634) dit que l'ancienne "
                    "fiche 1.2 « Observatoire économique de l'emploi et des discriminations » est intégrée à la nouvelle fiche 1.1.",
                )
            ],
            "Faux amis écartés : fiche 5.7 (« observatoire des copropriétés ») et fiche 11.1 (« observatoire local de la "
            "tranquillité publique », l. 7250).",
        ),
        310: (
            [
                lien(
                    "1.7", "evident", [titre_de("1.7"), q(1708, "Livrée en 2018, l'étude conclue")]
                ),
                lien(
                    "1.6",
                    "probable",
                    [
                        titre_de("1.6"),
                        q(
                            1603,
                            "Une étude de potentiel économique et de programmation de l'offre économique et commerciale",
                            "sera d'abord menée",
                        ),
                    ],
                ),
            ],
            None,
        ),
        311: (
            [
                lien(
                    "1.10",
                    "evident",
                    [titre_de("1.10"), q(1994, "Repérer et remobiliser les publics")],
                )
            ],
            None,
        ),
        312: (
            [
                lien(
                    "1.2",
                    "probable",
                    [
                        q(1120, "Pour garantir aux résidents de ces quartiers"),
                        q(1108, 'Développer une "gestion par objectif"'),
                    ],
                ),
                lien(
                    "1.9",
                    "probable",
                    [
                        q(
                            1878,
                            "Faciliter l'accès des habitants des quartiers de la politique de la ville à l'offre de service en matière d'accueil, d'information et d'orientation",
                        )
                    ],
                ),
            ],
            "Le texte ne dit pas quelle fiche répond ; rapprochements par le vocabulaire (orientation, formation).",
        ),
        313: (
            [lien("1.13", "evident", [titre_de("1.13")])],
            "La fiche 1.16 (l. 2628) renvoie à la plateforme clause sociale comme « (Fiche 1.12) » : numéro discordant.",
        ),
        314: (
            [
                lien(
                    "1.16",
                    "evident",
                    [q(2629, "La Charte Entreprises et Quartiers, objet de la présente fiche.")],
                    "Le titre (« Mobiliser les entreprises en faveur des quartiers ») ne nomme pas la charte, mais la fiche "
                    "se dit elle-même consacrée à la charte : classé « evident » pour cette raison.",
                )
            ],
            None,
        ),
        318: (
            [
                lien(
                    "6.6",
                    "probable",
                    [
                        titre_de("6.6"),
                        q(5257, "Structuration d'une offre homogène d'accès aux droits"),
                        q(5263, "L'action visera également"),
                    ],
                )
            ],
            None,
        ),
        319: (
            [
                lien(
                    "6.6",
                    "evident",
                    [titre_de("6.6"), q(5250, "Favoriser l'autonomisation des publics")],
                )
            ],
            "« outil numérique » (préconisation) / « illectronisme » (titre de la fiche).",
        ),
        320: (
            [lien("4.1", "evident", [titre_de("4.1")])],
            "La fiche 4.2 (formations linguistiques) est voisine mais ne porte pas la plateforme : non liée.",
        ),
        324: (
            [
                lien(
                    "3.1",
                    "probable",
                    [
                        titre_de("3.1"),
                        q(4204, "L'agrément des Maisons Pour Tous"),
                        q(4215, "Une première coordination territoriale"),
                    ],
                    "La fiche 3.1 est limitée aux 11-25 ans, la préconisation vise « toutes les tranches d'âge ».",
                )
            ],
            None,
        ),
        325: (
            [
                lien(
                    "3.4",
                    "probable",
                    [
                        titre_de("3.4"),
                        q(4491, "Développer une offre à destination des jeunes les plus éloignés"),
                    ],
                    "Aucune fiche ne parle de « sas » ; rapprochement par le public visé (jeunes éloignés / « invisibles »).",
                )
            ],
            None,
        ),
        326: (
            [
                lien(
                    "2.16",
                    "probable",
                    [
                        titre_de("2.16"),
                        q(4116, "Afin d'intensifier les prises en charges éducatives"),
                    ],
                    "Aucun titre de fiche 2019 ne nomme la cité éducative ; la fiche 2.16 l'annonce dans son descriptif "
                    "et son titre reprend l'« alliance des acteurs éducatifs » qui la définit.",
                )
            ],
            None,
        ),
        327: (
            [
                lien("2.12", "evident", [titre_de("2.12")]),
                lien(
                    "2.11",
                    "probable",
                    [titre_de("2.11"), q(3622, "La lutte contre le décrochage est une priorité")],
                ),
                lien(
                    "2.8",
                    "probable",
                    [titre_de("2.8"), q(3395, "La persévérance scolaire est un élément clé")],
                ),
            ],
            None,
        ),
        331: (
            [],
            "Aucune fiche : c'est l'objet du présent avenant (toilettage des 79 fiches, Article 4).",
        ),
        332: (
            [
                lien(
                    "1.2",
                    "probable",
                    [titre_de("1.2"), q(1108, 'Développer une "gestion par objectif"')],
                    "La fiche 1.2 ne couvre que le droit commun de l'emploi et du développement économique ; la "
                    "préconisation vise tout le contrat.",
                )
            ],
            None,
        ),
        333: (
            [],
            "Aucune fiche identifiable (le groupe « ENJEUX 12 : AXES TRANSVERSAUX ET AUTRES ACTIONS INNOVANTES OU "
            "EXPERIMENTALES » n'est pas une fiche).",
        ),
        334: ([], "Aucune fiche identifiable."),
        335: (
            [],
            "Aucune fiche identifiable ; la fiche 6.12 « Développer des projets participatifs » porte sur des projets "
            "culturels, pas sur l'association des habitants au contrat : non liée.",
        ),
        336: ([], "Aucune fiche identifiable."),
    }


def preconisations() -> list[dict]:
    links = preconisation_links()
    out = []
    volet = None
    ordre = 0
    for n in range(305, 337):
        if n in VOLETS:
            volet = (VOLETS[n], q(n, "Recommandations relatives au volet"))
            assert f"« {VOLETS[n]} »" in volet[1]["texte"]
            continue
        s = clean(LINES[n - 1])
        if not s.startswith("- "):
            assert n == SOUS_TITRE_LINE or not s, (n, s)
            continue
        ordre += 1
        fiches, note = links.pop(n)
        item = {
            "volet": volet[0],
            "volet_intitule": volet[1]["texte"],
            "volet_ligne": volet[1]["ligne"],
            "sous_titre": None,
            "ordre": ordre,
            "texte": q(n, s[2:])["texte"],
            "fiches": fiches,
            "ligne": n,
        }
        if volet[0] == VOLETS[305]:
            item["sous_titre"] = q(SOUS_TITRE_LINE, "Poursuivre la dynamique du PODEM")["texte"]
            item["sous_titre_ligne"] = SOUS_TITRE_LINE
            item["sous_titre_fiche"] = {
                "numero": "1.1",
                "force": "probable",
                "justification": [
                    q(971, "PRESENTATION GENERALE DU PODEM"),
                    q(1031, "Le plan d'actions du Podem"),
                ],
            }
        if note:
            item["note"] = note
        out.append(item)
    assert not links, f"unused links: {sorted(links)}"
    assert [p["ordre"] for p in out] == list(range(1, len(out) + 1))
    return out


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def report(data: dict, month_used: dict[int, list[str]]) -> str:
    I, E, CC, P = (
        data["instances"],
        data["evenements"],
        data["conseils_citoyens"],
        data["preconisations"],
    )
    L = [
        "# Transcription de la gouvernance (avenant n° 2, 2019)",
        "",
        "Écrit par `tools/transcription/gouvernance.py` (déterministe, stdlib). Numéros de ligne = lignes (1-based) "
        "de `seed/000_038b51b83e5a6dad.txt`.",
        "",
        "## Comptes",
        "",
    ]

    def count(items, key):
        c: dict[str, int] = {}
        for it in items:
            c[it[key]] = c.get(it[key], 0) + 1
        return ", ".join(f"{k} {v}" for k, v in sorted(c.items()))

    L += [
        f"- instances : {len(I)} (par type : {count(I, 'type')} ; par portée : {count(I, 'portee')})",
        f"- événements : {len(E)} (par type : {count(E, 'type')} ; par précision : {count(E, 'precision')} ; "
        f"par portée : {count(E, 'portee')} ; prévus : {sum(e['statut'] == 'prevu' for e in E)})",
        f"- temps forts du PODEM (7 lignes, l. 987-993) : {sum(1 for e in E if e['temps_fort_podem'])} événements "
        "(la l. 987 en porte deux : signature du contrat, lancement de la charte)",
        f"- conseils citoyens : {len(CC['lignes'])} lignes + ligne des totaux ; {len(CC['controles'])} contrôles "
        f"({sum(not c['ok'] for c in CC['controles'])} en échec) ; {len(CC['faits'])} faits",
        f"- préconisations : {len(P)} ("
        + ", ".join(f"{v} {sum(p['volet'] == v for p in P)}" for v in VOLETS.values())
        + ")",
        f"- liens préconisation → fiche : {sum(len(p['fiches']) for p in P)} "
        f"(evident {sum(f['force'] == 'evident' for p in P for f in p['fiches'])}, "
        f"probable {sum(f['force'] == 'probable' for p in P for f in p['fiches'])}) ; "
        f"préconisations sans fiche : {sum(not p['fiches'] for p in P)}",
        f"- fiches indexées dans l'Annexe 3 : {len(FICHES)}",
        f"- citations vérifiées contre le texte : {len(QUOTES)}",
        "",
    ]

    L += ["## Dates sans année", ""]
    for e in E:
        if e["precision"] == "jour_sans_annee":
            L.append(
                f"- `{e['slug']}` (l. {e['date_texte_ligne']}) : « {e['date_texte']} » → année déduite "
                f"{e['annee_deduite']} : {e['annee_deduite_raison']}"
            )
    L += [
        "- (titre) « Signé à Montpellier, le 2019 » (l. 82) : jour et mois laissés en blanc (`signature-avenant-2`, "
        "précision « annee »).",
        "",
    ]

    L += [
        "## Discordances relevées (transcrites telles quelles, non corrigées)",
        "",
        "- **GTP** (l. 257) : « 5 Groupes de Travail Projet ... sur les 5 objectifs opérationnels » ; la liste des thèmes "
        "coupée aux virgules compte 6 éléments (PODEM / éducation / parentalité et jeunesse / habitat et renouvellement "
        "urbain / accès aux droits - sports et culture / gestion urbaine de proximité – prévention de la délinquance). "
        "Rapprochée des 5 objectifs (l. 348-352), elle fait 5 thèmes si « éducation, parentalité et jeunesse » est un "
        "seul groupe : lecture retenue (5 instances `gtp-*`). L'ordre de la liste n'est pas celui des objectifs "
        "(habitat avant éducation dans l'Article 4).",
        "- **World café** (l. 247) : « 7 ateliers participatifs » mais 5 thèmes nommés (Education, Emploi, Sécurité, "
        "Logement et Lien social = les 5 programmes de la mobilisation nationale) ; 8 questions listées pour « Huit "
        "questions » (conforme) ; « plus de 100 personnes, dont 35 conseillers citoyens ».",
        "- **Comité de pilotage** (l. 1015) : « composé de quatre collègues » — sans doute « collèges » ; gardé.",
        "- **Groupe de recherche-action (LCD)** : créé « en 2018 » (fiche 12.2, l. 7448) / « Création en janvier 2019 » "
        "(Annexe 2, l. 883) : deux événements gardés, chacun tel qu'écrit.",
        "- **Renouvellement des conseils citoyens** : « engagé en juin 2018 » (l. 486) / « organisé au second semestre "
        "2018 » (l. 511).",
        "- **Commissions d'insertion** : 4 à déployer dans la fiche 1.10 (l. 2022-2027 : Mosson, Cévennes, Centre, Croix "
        "d'argent) / 3 animées « aujourd'hui » par la MLJ3M selon l'Annexe 1 (l. 542 : pas de Centre). Pas forcément "
        "contradictoire (existant / cible).",
        "- **Numéro de fiche** : la fiche 1.16 (l. 2628) cite « La plateforme collaborative métropolitaine clause sociale "
        "(Fiche 1.12) » ; c'est la fiche 1.13 dans l'Annexe 3.",
        "- **26 mars 2019** : comité de pilotage (élargi) du contrat (l. 243, 299, 303) et « Forum PODEM (2ème bilan) » "
        "(l. 993) le même jour ; le texte ne dit pas si c'est la même réunion : deux événements.",
        "- **8 juillet 2016** : signature de l'avenant n° 1 (l. 209, appelé « avenant opérationnel et financier » l. 988) "
        "et de la Charte Entreprises et Quartiers (l. 2631) ; la charte est aussi dite « lancée » le 10 juillet 2015 "
        "(l. 987).",
        "- **« conseil communautaire de 23 juillet 2019 »** (l. 265) : « de » gardé ; « conseil communautaire » (l. 265) "
        "et « Conseil métropolitain » (l. 470) rattachés à la même instance `conseil-metropolitain`.",
        "",
    ]
    L += ["### Tableau des conseils citoyens (l. 488-501)", ""]
    bad = [c for c in CC["controles"] if not c["ok"]]
    L.append(f"- {len(CC['controles'])} contrôles, {len(bad)} en échec.")
    for c in bad:
        L.append(
            f"  - ÉCHEC : {c['controle']} (l. {c.get('ligne')}) attendu {c['attendu']}, écrit {c['ecrit']}"
        )
    L += [
        "- Chaque total de ligne = somme des 4 collèges ; la ligne des totaux (50 445 habitants, 104, 24, 64, 128, 320) "
        "= somme de chaque colonne."
        if not bad
        else "",
        "- Règle des 2/3 – 1/3 du collège des habitants (l. 484) : vérifiée sur chaque ligne **si** les « Jeunes -25 ans » "
        "sont comptés parmi les tirés au sort (interprétation ; le tableau les met dans une colonne à part).",
        '- La ligne des totaux n\'a pas de libellé (première cellule vide) : `total_ecrit.quartier` = "".',
        "- Budget : 40 000 € pour 12 conseils à 3 000-4 000 € chacun : vraisemblable (36 000-48 000 €), la répartition "
        "n'est pas écrite.",
        "",
    ]
    conseils = next(i for i in I if i["slug"] == "conseils-citoyens")
    L += ["### Moyens des conseils citoyens (l. 505)", ""]
    for m in conseils["moyens"]:
        montants = (
            ""
            if m["montant_min"] is None
            else f" ; montants : {m['montant_min']} – {m['montant_max']} €"
        )
        L.append(f"- {m['nature']} : « {m['texte']} »{montants}")
    L += [
        "- Les montants sont lus dans le texte (« 3 000 € », « 4 000 € », « 40 000 € ») et vérifiés contre lui.",
        "",
        "### Thèmes : les 5 programmes de la mobilisation nationale (l. 221, 247, 405)",
        "",
        "- "
        + ", ".join(t["nom"] for t in data["themes"])
        + " : nommés comme aux l. 247 et 405 ; l'Article 1 "
        "(l. 221) donne les mêmes en minuscules, dans un autre ordre. Le world café y est rattaché (ses ateliers "
        "portaient sur ces thèmes) ; ils ne sont pas ses ateliers, que le texte ne nomme pas.",
        "- Participants du world café (l. 248) : « plus de 100 personnes, dont 35 conseillers citoyens » : "
        "`participants_min` = 100 (borne inférieure), `conseillers_citoyens` = 35.",
        "",
    ]

    L += [
        "## Choix discutables",
        "",
        "- **Organigrammes non convertis** : l'organigramme de la gouvernance (l. 430) et le schéma « MISSION DE "
        "COORDINATION ET DE PILOTAGE OPERATIONNEL » (l. 446) sont des images absentes du texte. La composition du comité "
        "de pilotage (« coprésidé par le Maire-Président ... et le Préfet », « quatre collègues ») vient donc de la fiche "
        "1.1 (gouvernance du PODEM), qui dit ce comité commun à tout le contrat ; `podem-comite-pilotage` porte "
        "`meme_instance_que: comite-pilotage`.",
        "- **Comité technique restreint / élargi** : décrits seulement pour le PODEM (l. 1017) ; placés sous `podem`. "
        "Le comité technique du contrat (`comite-technique`) n'a qu'une mention (l. 299). « Comité technique élargi » "
        "est un nom construit (le texte dit « restreint et élargi »).",
        "- **Portée** des instances : `contrat` (Articles 2-5), `podem` (fiche 1.1 et instances des fiches 1.x, le plan "
        "d'actions du PODEM = 16 programmes = fiches 1.1-1.16, l. 1031), `partenaire` (instances propres à un "
        "partenaire : CLSPD, CIL, CDSP, Région, Département), `fiche` (instances nommées dans une fiche). Les instances "
        "seulement nommées en passant dans une liste d'indicateurs génériques (« Nombre de comités techniques – comités "
        "de pilotage », l. 3802, 4059 ; conseils d'école, l. 3949 ; etc.) ne sont pas retenues ; la « Commission de Suivi "
        "Opérationnel » (l. 2402, indicateur de la fiche 1.13) l'est parce qu'elle est nommée.",
        "- **Statut** des instances : texte libre quand le texte dit qu'elles sont à créer, proposées, possibles ou à "
        "évaluer (ex. Conseil Local de Santé) ; `null` quand elles existent ou que le texte ne dit rien.",
        "- **Service politique de la ville, Conseil municipal, Conseil métropolitain** : retenus comme instances « autre » "
        "parce que des événements (délibérations) et le rapport annuel s'y rattachent.",
        "- **Événements retenus** : toutes les dates au jour ou au mois du texte (chaque ligne contenant un nom de mois ou "
        "une date jj/mm/aa est soit utilisée, soit listée ci-dessous avec sa raison — vérifié par le script), plus les "
        "dates à l'année seule qui datent une étape de gouvernance ou de la démarche (création d'instance, réunion, "
        "concertation, évaluation, signature) ; les autres années seules (« depuis 2016 », « appel à projets en 2018 et "
        "2019 », périodes de programmes...) ne sont pas des événements.",
        "- **Bornes ISO** : précision « mois » → du 1er au dernier jour du mois ; « annee » → 1er janvier-31 décembre "
        "(aussi pour « début d'année 2016 », « printemps 2015 », « fin 2014 », « avant ... 2022 ») ; « jour_sans_annee » "
        "→ dates calculées avec `annee_deduite`.",
        "- **Types** : l'adoption du document cadre par la CIL (29 janvier 2019) est typée `deliberation` ; le plan "
        "pauvreté « signé le 05/07/2019 » `texte_officiel` ; la formation du 27 novembre 2019 (Annexe 1, colonne Etat) "
        "est marquée `prevu` par déduction (date postérieure à l'approbation de juillet 2019).",
        "- **Colonne de l'Annexe 1** : pour les citations de l'Annexe 1, `colonne_annexe1` donne le partenaire de la "
        "colonne (Métropole/Ville, Etat, Département, Région, CAF) d'après l'en-tête l. 531.",
        "- **Préconisations** : « evident » = le titre de la fiche nomme la même chose ; exception assumée : fiche 1.16 "
        "pour la charte Entreprises et Quartiers (« objet de la présente fiche », l. 2629). Observatoire de l'emploi → "
        "fiche 1.1 « probable » via l'Annexe 2 (l. 634), aucun titre 2019 ne le nomme ; cité éducative → 2.16 "
        "« probable » (nommée dans le descriptif, pas dans le titre). "
        f"{sum(not p['fiches'] for p in P)} préconisations restent sans fiche plutôt "
        "qu'avec un lien douteux. Le sous-titre « Poursuivre la dynamique du PODEM » est porté par les 6 préconisations "
        "du volet emploi, avec un lien « probable » vers la fiche 1.1 (`sous_titre_fiche`).",
        "- **Nettoyage** : en plus des règles d'annexe2.py / annexe3.py, les marques d'italique `*...*` sont retirées "
        "(l. 4079, citation de l'évaluation du CUCS).",
        "",
    ]

    L += ["## Lignes datées non retenues comme événements", ""]
    for n, why in sorted(MONTH_LINES_NOT_EVENTS.items()):
        L.append(f"- l. {n} : {why}")
    L += [
        "- les lignes « Date de début / Date de fin » des fiches (calendriers, transcrits par annexe3.py) ne sont pas "
        "comptées.",
        "",
        "## Lignes datées utilisées",
        "",
    ]
    for n in sorted(month_used):
        L.append(f"- l. {n} : {', '.join(month_used[n])}")
    L.append("")
    return "\n".join(L)


# ---------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    source = argv[1] if len(argv) > 1 else DEFAULT_SOURCE
    output = argv[2] if len(argv) > 2 else DEFAULT_OUTPUT
    report_path = argv[3] if len(argv) > 3 else DEFAULT_REPORT
    with open(source, encoding="utf-8") as fh:
        LINES[:] = fh.read().split("\n")
    if LINES and LINES[-1] == "":
        LINES.pop()
    index_fiches()
    data = {
        "source": os.path.basename(source),
        "instances": instances(),
        "themes": themes(),
        "evenements": evenements(),
        "conseils_citoyens": conseils_citoyens(),
        "preconisations": preconisations(),
    }
    # instance references
    slugs = {i["slug"] for i in data["instances"]}
    for e in data["evenements"]:
        assert e["instance"] is None or e["instance"] in slugs, e["slug"]
    # every month-name line is used by an event or explained
    used: dict[int, list[str]] = {}
    for e in data["evenements"]:
        for n in e["lignes"]:
            used.setdefault(n, []).append(e["slug"])
    month_used = {}
    for n in month_lines():
        if n in used:
            month_used[n] = used[n]
        else:
            assert n in MONTH_LINES_NOT_EVENTS, (
                f"l. {n} has a month name but no event: {clean(LINES[n - 1])[:120]}"
            )
    for n in MONTH_LINES_NOT_EVENTS:
        assert n not in used, f"l. {n} is both used and excluded"
    # every quote appears in the source
    for lines, cell, texte in QUOTES:
        assert texte in joined(lines, cell), (lines, texte)
    with open(output, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    with open(report_path, "w", encoding="utf-8") as fh:
        fh.write(report(data, month_used))
    print(
        f"{len(data['instances'])} instances, {len(data['evenements'])} evenements, "
        f"{len(data['conseils_citoyens']['lignes'])} conseils citoyens, {len(data['preconisations'])} preconisations "
        f"-> {output}, {report_path}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
