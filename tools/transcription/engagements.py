"""Write fixtures/engagements/01_engagements.json from the transcription of
Annexe 1 (data/annexe1.json, written by annexe1.py from the avenant's text).

Each engagement keeps its text verbatim; each figure in it is a Cible that
quotes its sentence; each *target* (not a figure already reported) gets an
Indicateur (type "engagement") that the partner reports on. Run from the
project root:

    python tools/transcription/engagements.py
"""

import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data" / "annexe1.json"
OUT = ROOT / "fixtures" / "engagements" / "01_engagements.json"

ORGANISATIONS = {
    "metropole-ville": ["metropole", "ville-montpellier"],
    "etat": ["etat"],
    "departement": ["departement-herault"],
    "region": ["region-occitanie"],
    "caf": ["caf-herault"],
}
# The unit of a target as the app checks it (the Cible keeps the words).
UNITES = {
    "nombre": "nombre",
    "%": "pourcentage",
    "€": "euros",
    "€/an": "euros",
    "heures": "heures",
    "ETP": "nombre",
}
# A target the avenant gives no year: the protocol's last year (fiches/0007).
ANNEE_SANS_ECHEANCE = 2022
COMMENTAIRE_SANS_ECHEANCE = "Échéance non précisée par l'avenant : fin du protocole (2022) retenue."
# Axes transversaux, numbered as in Article 4.1, and words that name them.
MOTIFS_AXES = {
    1: r"egalite|femmes?\b|hommes?\b|filles?\b",
    2: r"discrimin",
    3: r"communautar|repli|laicite|valeurs de la republique",
    4: r"jeunes?\b|jeunesse",
}


def sans_accents(texte):
    texte = unicodedata.normalize("NFKD", texte or "")
    return "".join(c for c in texte if not unicodedata.combining(c)).lower()


def axes(engagement):
    if not engagement["axes_transversaux"]:
        return []
    texte = sans_accents(engagement["texte"])
    trouves = [n for n, motif in MOTIFS_AXES.items() if re.search(motif, texte)]
    return trouves or [1, 2, 3, 4]


def sens(comparateur):
    if comparateur in {">", ">="}:
        return "hausse"
    if comparateur in {"<", "<="}:
        return "baisse"
    return ""


def build():
    data = json.loads(DATA.read_text(encoding="utf-8"))
    engagements, indicateurs, cibles_annuelles, cibles = [], [], [], []
    for e in data["engagements"]:
        ordre = e["ordre"]
        engagements.append(
            {
                "model": "engagements.engagement",
                "fields": {
                    "ordre": ordre,
                    "partenaire": e["partenaire"],
                    "organisations": [[slug] for slug in ORGANISATIONS[e["partenaire"]]],
                    "objectif": [e["objectif"]] if e["objectif"] else None,
                    "axes_transversaux": e["axes_transversaux"],
                    "axes": [[n] for n in axes(e)],
                    "enjeux": [[n] for n in e["enjeux"]],
                    "objectif_texte": e["objectif_texte"] or "",
                    "enjeux_texte": "\n".join(e["enjeux_texte"] or e.get("axes_texte") or []),
                    "texte": e["texte"],
                    "colonne_imprimee": e["colonne_imprimee"],
                    "deplace": e["deplace"],
                    "motif_deplacement": e["motif_deplacement"] or "",
                    "lignes_source": "-".join(
                        str(x) for x in (e["lignes_source"][0], e["lignes_source"][-1])
                    )
                    if len(e["lignes_source"]) > 1
                    else str(e["lignes_source"][0]),
                },
            }
        )
        numero_cible = 0
        for n, c in enumerate(e["cibles"], start=1):
            indicateur = None
            if c["nature"] == "cible":
                numero_cible += 1
                code = f"E{ordre}-{numero_cible}"
                unite = UNITES.get(c["unite"], "autre")
                valeur = Decimal(c["valeur"])
                indicateurs.append(
                    {
                        "model": "fiches.indicateur",
                        "fields": {
                            "code": code,
                            "fiche": None,
                            "ordre": numero_cible,
                            "libelle": c["phrase"],
                            "type": "engagement",
                            "organisation": [ORGANISATIONS[e["partenaire"]][0]],
                            "unite": unite,
                            "sens": sens(c["comparateur"]),
                            "desagregation": "aucune",
                            "valeur_reference": None,
                            "annee_reference": None,
                            "actif": True,
                        },
                    }
                )
                # The figure is the target of its year; a target the text
                # gives no year is placed on the protocol's last year, and
                # says so (as migration fiches/0007 does for older databases).
                if unite != "pourcentage" or valeur <= 100:
                    cibles_annuelles.append(
                        {
                            "model": "fiches.cibleannuelle",
                            "fields": {
                                "indicateur": [code],
                                "annee": c["annee"] or ANNEE_SANS_ECHEANCE,
                                "valeur": str(valeur),
                                "commentaire": "" if c["annee"] else COMMENTAIRE_SANS_ECHEANCE,
                            },
                        }
                    )
                indicateur = [code]
            cibles.append(
                {
                    "model": "engagements.cible",
                    "fields": {
                        "engagement": [ordre],
                        "ordre": n,
                        "phrase": c["phrase"],
                        "nature": c["nature"],
                        "valeur": c["valeur"],
                        "valeur_texte": c["valeur_texte"],
                        "valeur_max": c["valeur_max"],
                        "comparateur": c["comparateur"],
                        "unite": c["unite"],
                        "objet": c["objet"],
                        "annee": c["annee"],
                        "echeance_texte": c["echeance_texte"] or "",
                        "portee": c["portee"],
                        "indicateur": indicateur,
                    },
                }
            )
    return engagements + indicateurs + cibles_annuelles + cibles


if __name__ == "__main__":
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    counts = {}
    for row in rows:
        counts[row["model"]] = counts.get(row["model"], 0) + 1
    print(counts)
