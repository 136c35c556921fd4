"""Write fixtures/contrat/04_sections.json: the avenant's body, verbatim.

The preamble and Articles 1 to 5 (lines 192-528 of the avenant's text) are
mostly prose that no structured table holds (the method, the evaluation's
frame, the engineering team, the conseils citoyens' means...). Each section
(preamble, article, sub-article) becomes one ``contrat.SectionTexte`` row
with its text, paragraph by paragraph, cleaned of PDF debris only (bold marks
``**`` removed). Rows printed as tables (tab-separated: the preamble's
strategic grid, the conseils citoyens' composition) are left out: they are
held as data (enjeux, piliers, principes, conseils citoyens).

Reads ``tools/transcription/source/avenant-n2-2019.txt``; run from the
project root:

    python tools/transcription/articles.py
"""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tools" / "transcription" / "source" / "avenant-n2-2019.txt"
SORTIE = ROOT / "fixtures" / "contrat" / "04_sections.json"
AVENANT = ["contrat-ville-mmm-2015-2022", 2]
DEBUT, FIN = 192, 528  # lines of the body, 1-based, inclusive

TITRE = re.compile(r"^(?:Préambule :|Article (?P<article>\d+) :|(?P<sous>\d\.\d)\. )")


def sections(lignes):
    courant = None
    for numero in range(DEBUT, FIN + 1):
        ligne = lignes[numero - 1].rstrip()
        titre = TITRE.match(ligne)
        if titre:
            if courant:
                yield courant
            courant = {
                "numero": titre["sous"] or titre["article"] or "preambule",
                "titre": ligne,
                "texte": [],
                "debut": numero,
                "fin": numero,
            }
            continue
        if not ligne.strip() or "\t" in ligne:
            continue
        courant["texte"].append(" ".join(ligne.replace("**", "").split()))
        courant["fin"] = numero
    yield courant


def main():
    lignes = SOURCE.read_text(encoding="utf-8").split("\n")
    rows = [
        {
            "model": "contrat.sectiontexte",
            "fields": {
                "avenant": AVENANT,
                "numero": s["numero"],
                "ordre": ordre,
                "titre": s["titre"],
                "texte": "\n".join(s["texte"]),
                "lignes_source": f"{s['debut']}-{s['fin']}",
            },
        }
        for ordre, s in enumerate(sections(lignes), start=1)
    ]
    SORTIE.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(rows)} sections -> {SORTIE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
