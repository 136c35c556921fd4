"""Bring into fixtures/fiches/03_fiches_2019.json the lines of Annexe 3 that
the first transcription (annexe3.py + fiches.py) dropped, as the coverage
check (``python manage.py couverture_texte``) found them.

Each line is read from the avenant's text by its number and checked against
the words expected there, so nothing is retyped; only the label before it
("Maître d'œuvre :") and HTML tags are removed. Also sets the fates of the fiches that
Article 4.1 counts as deleted (see ``sorts_article_4_1``). The README's
order then runs scissions.py (indicators split, headings as rubrique) and
quartiers_deduits.py (deduced quartier links). Idempotent: running
it again changes nothing. Run from the project root, after fiches.py:

    python tools/transcription/complements.py

Reads tools/transcription/source/avenant-n2-2019.txt and the fixture; writes
the fixture.
"""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tools" / "transcription" / "source" / "avenant-n2-2019.txt"
FICHES = ROOT / "fixtures" / "fiches" / "03_fiches_2019.json"

# (fiche, field, line, label printed before the text)
CHAMPS = [
    # Calendrier prévisionnel: a line after "Date de fin", or the only line.
    ("2.6", "calendrier_texte", 3271, ""),
    ("6.11", "calendrier_texte", 5741, ""),
    # The pilot section's "maître d'œuvre" line.
    ("2.7", "maitre_oeuvre_texte", 3342, "Maître d'œuvre :"),
    ("5.6", "maitre_oeuvre_texte", 6363, "MAITRISE D'ŒUVRE :"),
]

# A sub-part printed after the indicators of 10.1: its title line, its text lines.
SOUS_PARTIES = [("10.1", 7153, [7155, 7157])]


def ligne(lignes, numero, libelle=""):
    texte = " ".join(re.sub(r"<[^>]*>", " ", lignes[numero - 1]).split())
    if libelle:
        if not texte.startswith(libelle):
            raise SystemExit(f"ligne {numero} : « {libelle} » attendu, lu « {texte[:60]} »")
        texte = texte[len(libelle) :].strip()
    return texte


def main():
    lignes = SOURCE.read_text(encoding="utf-8").split("\n")
    objets = json.loads(FICHES.read_text(encoding="utf-8"))
    fiches = {o["fields"]["numero"]: o["fields"] for o in objets if o["model"] == "fiches.fiche"}
    for numero, champ, n, libelle in CHAMPS:
        fiches[numero][champ] = ligne(lignes, n, libelle)
    for numero, n_titre, n_texte in SOUS_PARTIES:
        existantes = [
            o
            for o in objets
            if o["model"] == "fiches.souspartie" and o["fields"]["fiche"] == ["2019", numero]
        ]
        ordre = max((o["fields"]["ordre"] for o in existantes), default=0) + 1
        titre = ligne(lignes, n_titre).rstrip(" :")
        if any(o["fields"]["titre"] == titre for o in existantes):
            continue
        rang = max(
            i
            for i, o in enumerate(objets)
            if o["fields"].get("numero") == numero or o["fields"].get("fiche") == ["2019", numero]
        )
        objets.insert(
            rang + 1,
            {
                "model": "fiches.souspartie",
                "fields": {
                    "fiche": ["2019", numero],
                    "ordre": ordre,
                    "numero": "",
                    "titre": titre,
                    "texte": "\n".join(ligne(lignes, n) for n in n_texte),
                },
            },
        )
    FICHES.write_text(json.dumps(objets, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# Article 4.1 counts a fiche merged into another, or absorbed by a "chapeau"
# fiche, as deleted ("22 fiches ont été supprimées"). The evolution table
# records them as "ajustement" (the row of the merged fiche) or "nouvelle"
# (1.6, absorbed by the chapeau fiche 1.5): their fate becomes "suppression",
# read from the text (sort_deduit), and the link to the fiche that absorbed
# them is kept, which tells a merge from a plain deletion.
EVOLUTIONS = ROOT / "fixtures" / "fiches" / "04_evolutions.json"
ABSORBEES = ["1.6", "2.15", "5.2", "5.8", "6.3", "6.12"]
MOTIF_SUPPRESSION = " ; compté comme suppression : fiche reprise par une autre (Article 4.1)"


def sorts_article_4_1():
    objets = json.loads(EVOLUTIONS.read_text(encoding="utf-8"))
    for o in objets:
        f = o["fields"]
        if o["model"] != "fiches.evolution" or f.get("fiche_initiale") is None:
            continue
        if f["fiche_initiale"][1] in ABSORBEES and f["sort"] != "suppression":
            assert f.get("lien_deduit") and f.get("fiches_nouvelles"), f
            f["sort"] = "suppression"
            f["sort_deduit"] = True
            f["sort_deduit_de"] = (f["sort_deduit_de"] + MOTIF_SUPPRESSION)[:500]
    EVOLUTIONS.write_text(json.dumps(objets, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
    sorts_article_4_1()
