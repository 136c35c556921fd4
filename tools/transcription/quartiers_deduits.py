"""Write the fiche–quartier links the text implies without naming the
quartier: ``fixtures/fiches/06_quartiers_deduits.json``.

fiches/liens.py links a fiche to the quartiers its périmètre names. A few
périmètres name a place instead: Saint-Martin, which the text lists among
the QPV (2.2's bullet list, one bullet per QPV, and "Quartiers Politique de
la Ville : Gély, Saint Martin, ..." in 3.2 and 3.3) where Près d'Arènes is the
quartier not otherwise named, and Paul Valéry, which 2.2's list groups with
Pas du Loup and Val de Croze. Each link here is flagged ``deduit`` and keeps
the place as written and, in ``justification``, the source lines it is
deduced from, verbatim (tags removed), one a line; each line is read by its
number and checked against the words expected there, so nothing is retyped.
The reasons are in docs/transcription/indicateurs_quartiers_report.md.

Run from the project root (after fiches.py; idempotent):

    python tools/transcription/quartiers_deduits.py
"""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tools" / "transcription" / "source" / "avenant-n2-2019.txt"
SORTIE = ROOT / "fixtures" / "fiches" / "06_quartiers_deduits.json"

# (fiche, quartier, place as written, [(source line, words expected there)])
LIENS = [
    (
        "2.2",
        "pres-d-arenes",
        "Saint-Martin",
        [
            (2934, "plus particulièrement dans les QPV :"),
            (2940, "Saint-Martin, Tournezy."),
        ],
    ),
    (
        "3.2",
        "pres-d-arenes",
        "Saint Martin",
        [(4337, "Quartiers Politique de la Ville : Gély, Saint Martin,")],
    ),
    (
        "3.3",
        "pres-d-arenes",
        "Saint Martin",
        [(4446, "Quartiers Politique de la Ville : Gély, Saint Martin,")],
    ),
    (
        "9.3",
        "pas-du-loup-val-de-croze",
        "Paul Valéry",
        [
            (7049, "Paul Valéry pour les communautés de trieurs"),
            (2939, "Paul Valéry, Pas du Loup, Val de Croze,"),
        ],
    ),
]


def ligne(lignes, numero, attendu):
    texte = " ".join(re.sub(r"<[^>]*>", " ", lignes[numero - 1]).split())
    if attendu not in texte:
        raise SystemExit(f"ligne {numero} : « {attendu} » attendu, lu « {texte[:80]} »")
    return texte


def construire(lignes):
    return [
        {
            "model": "fiches.fichequartier",
            "fields": {
                "fiche": ["2019", fiche],
                "quartier": [quartier],
                "deduit": True,
                "lieu": lieu,
                "justification": "\n".join(ligne(lignes, n, mots) for n, mots in sources),
            },
        }
        for fiche, quartier, lieu, sources in LIENS
    ]


def main():
    lignes = SOURCE.read_text(encoding="utf-8").split("\n")
    objets = construire(lignes)
    SORTIE.write_text(json.dumps(objets, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
