"""Split the evolution table's "indicateurs de suivi" cells that the PDF
printed without separators, and turn the cells' headings into a qualifier.

Annexe 2 prints some cells as one run of text ("Nombre d'actions réalisées
Nombre de participants Nombre de professionnels formés/sensibilisés"):
annexe2.py could not cut them, and fiches.py stored each as one indicator. A
cell may also open with a heading ("Objectifs chiffrés :"), stored as an
indicator of its own. This step, run by complements.py after fiches.py:

- cuts each merged label listed in ``CELLULES`` before the words given there:
  the items are the label's own words (their concatenation, spaces between,
  is checked to be the label, and each item is checked against its source
  line), the first keeps the indicator's code, the next ones take the code
  with a letter (``2019-12.2-4b``, ``2019-12.2-4c``);
- removes each heading of ``RUBRIQUES`` from the indicators and writes it,
  verbatim, in the ``rubrique`` of the items it heads;
- renumbers the fiche's indicators (``ordre``) in the text's order; codes do
  not change;
- writes the cell as read (``Evolution.indicateurs_suivi_texte``, one element
  per line) on every evolution row, so the text stays whole somewhere;
- writes ``fixtures/fiches/reprises/01_scissions_indicateurs.json``: each
  affected fiche's indicators before and after, which ``manage.py seed`` reads
  to bring a database seeded before the split up to date
  (``fiches/reprises.py``).

Idempotent: on a fixture already split it changes nothing (and leaves the
take-over file as it is). Run from the project root:

    python tools/transcription/scissions.py
"""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tools" / "transcription" / "source" / "avenant-n2-2019.txt"
ANNEXE2 = ROOT / "tools" / "transcription" / "data" / "annexe2.json"
FICHES = ROOT / "fixtures" / "fiches" / "03_fiches_2019.json"
EVOLUTIONS = ROOT / "fixtures" / "fiches" / "04_evolutions.json"
REPRISES = ROOT / "fixtures" / "fiches" / "reprises" / "01_scissions_indicateurs.json"

# (fiche, source line of the cell, the merged label's first words, the words
# each further item starts with). Each cut was checked by eye against the
# cell's line and, where the fiche has them, against Annexe 3's bullets.
CELLULES = [
    (
        "1.14",
        665,
        "Nombre de nouvelles structures IAE",
        [
            "Nombre de structures existantes consolidées",
            "Nombre d'action en lien avec les SIAE",
            "Evolution de la part des habitants",
            "Nombre de sorties positives.",
            "Nombre d'habitants bénéficiant de l'IAE",
        ],
    ),
    (
        "2.7",
        732,
        "% d'enfants qui ont participé",
        [
            "% de profs, d'animateurs",
            "Taux d'évitement des écoles",
            "Résultats des évaluations par les participants",
        ],
    ),
    (
        "5.1",
        785,
        "25 % des baux signés",
        ["50 % des attributions prononcées", "Les réservataires et les bailleurs"],
    ),
    (
        "5.2",
        786,
        "Indicateurs de suivi des lieux d'accueil",
        ["Indicateurs de suivi qualité", "Nombre de dossiers étudiés"],
    ),
    ("5.7", 798, "Détection de copropriétés en QPV", ["Nombre de copropriétés en QPV traitées"]),
    ("5.8", 799, "Nombre de parties communes", ["Nombre de logements en copropriété traités"]),
    (
        "5.9",
        800,
        "Nombre de copropriétés suivies en QPV",
        ["Nombre de copropriétés ayant bénéficié"],
    ),
    (
        "12.2",
        883,
        "Nombre d'actions réalisées Nombre",
        ["Nombre de participants", "Nombre de prof"],
    ),
]

# (fiche, source line, heading as printed, how many of the next indicators it heads)
RUBRIQUES = [
    ("5.1", 785, "Objectifs chiffrés :", 3),
    ("1.15", 667, "nombre de sorties positives des personnes accompagnées :", 4),
]


def _plat(texte):
    return " ".join(re.sub(r"<[^>]*>", " ", texte).split())


def unite_du_libelle(libelle):
    """The unit when the indicator's own words state it: the rule of
    fiches.py's function of the same name."""
    debut = _plat(libelle).lower()
    if debut.startswith("nombre"):
        return "nombre"
    if debut.startswith(("taux", "pourcentage")):
        return "pourcentage"
    return ""


def couper(libelle, debuts):
    """The items of a merged label, cut before each of ``debuts`` (in order)."""
    items, reste = [], libelle
    for debut in debuts:
        rang = reste.find(" " + debut)
        if rang < 0:
            raise SystemExit(f"« {debut} » introuvable dans « {reste[:80]} »")
        items.append(reste[:rang])
        reste = reste[rang + 1 :]
    items.append(reste)
    assert " ".join(items) == libelle
    return items


def _suffixe(code, rang):
    return code if rang == 0 else f"{code}{'abcdefghij'[rang]}"


def scinder(objets, lignes):
    """Split and qualify in ``objets`` (the fiche fixture, changed in place).
    Returns {fiche: (indicators before, indicators after)} for the fiches it
    changed, each indicator as {code, ordre, libelle, rubrique}."""
    par_fiche = {}
    for o in objets:
        if o["model"] == "fiches.indicateur":
            par_fiche.setdefault(o["fields"]["fiche"][1], []).append(o)
    resume = lambda o: {  # noqa: E731
        k: o["fields"].get(k, "") for k in ("code", "ordre", "libelle", "rubrique")
    }
    changees = {}
    for numero in sorted({c[0] for c in CELLULES} | {r[0] for r in RUBRIQUES}):
        liste = sorted(par_fiche[numero], key=lambda o: o["fields"]["ordre"])
        avant = [resume(o) for o in liste]
        nouvelle = []
        for o in liste:
            f = o["fields"]
            cellule = next(
                (
                    c
                    for c in CELLULES
                    if c[0] == numero
                    and f["libelle"].startswith(c[2])
                    and all(" " + debut in f["libelle"] for debut in c[3])
                ),
                None,
            )
            if cellule is None or f["type"] != "suivi":
                nouvelle.append(o)
                continue
            texte_source = _plat(lignes[cellule[1] - 1])
            for rang, item in enumerate(couper(f["libelle"], cellule[3])):
                if item not in texte_source:
                    raise SystemExit(f"{numero} : « {item} » absent de la ligne {cellule[1]}")
                copie = json.loads(json.dumps(o))
                copie["fields"].update(
                    code=_suffixe(f["code"], rang), libelle=item, unite=unite_du_libelle(item)
                )
                nouvelle.append(copie)
        for fiche, n, titre, combien in RUBRIQUES:
            if fiche != numero:
                continue
            if titre not in _plat(lignes[n - 1]):
                raise SystemExit(f"{numero} : « {titre} » absent de la ligne {n}")
            rangs = [i for i, o in enumerate(nouvelle) if o["fields"]["libelle"] == titre]
            for i in reversed(rangs):
                for suivant in nouvelle[i + 1 : i + 1 + combien]:
                    suivant["fields"]["rubrique"] = titre
                del nouvelle[i]
        for ordre, o in enumerate(nouvelle, start=1):
            o["fields"]["ordre"] = ordre
        apres = [resume(o) for o in nouvelle]
        if apres != avant:
            changees[numero] = (avant, apres)
            premier = objets.index(liste[0])
            for o in liste:
                objets.remove(o)
            objets[premier:premier] = nouvelle
    return changees


def cellules_ecrites(evolutions, annexe2):
    """Each evolution row's "indicateurs de suivi" cell as read, one element a line."""
    lignes = annexe2["lignes"]
    for o in evolutions:
        if o["model"] != "fiches.evolution":
            continue
        ligne = lignes[o["fields"]["ordre"] - 1]
        elements = (ligne.get("nouvelle") or {}).get("indicateurs_suivi") or []
        o["fields"]["indicateurs_suivi_texte"] = "\n".join(elements)


def main():
    lignes = SOURCE.read_text(encoding="utf-8").split("\n")
    objets = json.loads(FICHES.read_text(encoding="utf-8"))
    changees = scinder(objets, lignes)
    FICHES.write_text(json.dumps(objets, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if changees:
        REPRISES.parent.mkdir(exist_ok=True)
        reprises = [
            {"fiche": ["2019", numero], "avant": avant, "apres": apres}
            for numero, (avant, apres) in sorted(changees.items())
        ]
        REPRISES.write_text(
            json.dumps(reprises, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    evolutions = json.loads(EVOLUTIONS.read_text(encoding="utf-8"))
    cellules_ecrites(evolutions, json.loads(ANNEXE2.read_text(encoding="utf-8")))
    EVOLUTIONS.write_text(
        json.dumps(evolutions, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
