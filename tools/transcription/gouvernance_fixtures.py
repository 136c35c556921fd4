"""Write fixtures/gouvernance/01_gouvernance.json from data/gouvernance.json
(written from the avenant's text by gouvernance.py). Run from the project root:

    python tools/transcription/gouvernance_fixtures.py
"""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data" / "gouvernance.json"
OUT = ROOT / "fixtures" / "gouvernance" / "01_gouvernance.json"
V2019 = "2019"
QUARTIERS = {
    "Vert Bois": "vert-bois",
    "Pompignane": "pompignane",
    "Lemasson": "lemasson",
    "Gély": "gely",
    "Aiguelongue": "aiguelongue",
    "Près d'Arènes": "pres-d-arenes",
    "Cévennes": "cevennes",
    "Figuerolles": "figuerolles",
    "Pas du Loup Val de Croze": "pas-du-loup-val-de-croze",
    "Petit Bard Pergola": "petit-bard-pergola",
    "Mosson : Hauts de Massane": "mosson-hauts-de-massane",
    "Mosson : Paillade et Celleneuve": "mosson-paillade-celleneuve",
}


def textes(items):
    return "\n".join(i["texte"] for i in items or [])


def lignes(valeurs):
    valeurs = sorted(set(valeurs or []))
    return ", ".join(str(v) for v in valeurs)[:200]


def numeros_fiches(items):
    sortie = []
    for item in items or []:
        numero = item["numero"] if isinstance(item, dict) else item
        if numero not in sortie:
            sortie.append(numero)
    return [[V2019, n] for n in sortie]


def notes(valeur):
    if isinstance(valeur, list):
        return "\n".join(str(v) for v in valeur)
    return valeur or ""


def build():
    data = json.loads(DATA.read_text(encoding="utf-8"))
    rows = []
    # The 5 programmes of the national mobilisation (first transcribed as the
    # world café's "ateliers"): before the events that link to them.
    for t in data["themes"]:
        rows.append(
            {
                "model": "gouvernance.theme",
                "fields": {
                    "slug": t["slug"],
                    "ordre": t["ordre"],
                    "nom": t["nom"],
                    "lignes_source": lignes(t["lignes"]),
                },
            }
        )
    slugs = {i["slug"] for i in data["instances"]}
    # Parents before children.
    instances = sorted(data["instances"], key=lambda i: i["parent"] is not None)
    for i in instances:
        rows.append(
            {
                "model": "gouvernance.instance",
                "fields": {
                    "slug": i["slug"],
                    "nom": i["nom"],
                    "type": i["type"],
                    "parent": [i["parent"]] if i["parent"] in slugs else None,
                    "portee": i["portee"],
                    "statut_texte": i["statut"] or "",
                    "role": textes(i["role"]),
                    "composition": textes(i["composition"]),
                    "moyens_texte": textes(i.get("moyens_texte")),
                    "fiches": numeros_fiches(i.get("fiches")),
                    "lignes_source": lignes(i.get("lignes")),
                    "notes": notes(i.get("notes")),
                },
            }
        )
    for i in instances:
        for ordre, m in enumerate(i.get("moyens") or [], start=1):
            rows.append(
                {
                    "model": "gouvernance.moyenconseilcitoyen",
                    "fields": {
                        "instance": [i["slug"]],
                        "ordre": ordre,
                        "nature": m["nature"],
                        "texte": m["texte"],
                        "montant_min": m["montant_min"],
                        "montant_max": m["montant_max"],
                        "organisation": [m["organisation"]] if m["organisation"] else None,
                        "ligne_source": m["ligne"],
                    },
                }
            )
    for e in data["evenements"]:
        annee = e["annee_deduite"] or (int(e["date_debut"][:4]) if e.get("date_debut") else None)
        rows.append(
            {
                "model": "gouvernance.evenement",
                "fields": {
                    "slug": e["slug"],
                    "titre": e["titre"],
                    "type": e["type"],
                    "instance": [e["instance"]] if e.get("instance") in slugs else None,
                    "portee": e["portee"],
                    "statut": e["statut"],
                    "date_texte": e["date_texte"] or "",
                    "precision": e["precision"],
                    # A day without a year keeps no date: the year is only deduced.
                    "date_debut": e["date_debut"] if e["precision"] == "jour" else None,
                    "date_fin": e["date_fin"] if e["precision"] == "jour" else None,
                    "annee": annee,
                    "annee_deduite": bool(e["annee_deduite"]),
                    "annee_deduite_raison": e["annee_deduite_raison"] or "",
                    "description": e["description"] or "",
                    # "plus de 100" is a lower bound: participants_min.
                    "participants_texte": (e.get("participants") or {}).get("texte", ""),
                    "participants_min": (e.get("participants") or {}).get("participants_min"),
                    "conseillers_citoyens": (e.get("participants") or {}).get(
                        "conseillers_citoyens"
                    ),
                    "themes": [[t] for t in e.get("themes") or []],
                    "fiches": numeros_fiches(e.get("fiches")),
                    "temps_fort_podem": bool(e.get("temps_fort_podem")),
                    "lignes_source": lignes(e.get("lignes")),
                    "notes": "\n".join(
                        x
                        for x in [
                            notes(e.get("notes")),
                            (e.get("ateliers") or {}).get("ecart") or "",
                        ]
                        if x
                    ),
                },
            }
        )
        for ordre, question in enumerate(e.get("questions") or [], start=1):
            rows.append(
                {
                    "model": "gouvernance.pointevenement",
                    "fields": {
                        "evenement": [e["slug"]],
                        "type": "question",
                        "ordre": ordre,
                        "texte": question["texte"],
                    },
                }
            )
    cc = data["conseils_citoyens"]
    for ordre, ligne in enumerate([*cc["lignes"], cc["total_ecrit"]], start=1):
        total = not ligne["quartier"]
        rows.append(
            {
                "model": "gouvernance.conseilcitoyen",
                "fields": {
                    "slug": "total" if total else ligne["slug"],
                    "quartier": None if total else [QUARTIERS[ligne["quartier"]]],
                    "est_total": total,
                    "ordre": ordre,
                    "quartier_texte": ligne["quartier"],
                    "population": ligne["population"],
                    "tires_au_sort": ligne["habitants_tires_au_sort"],
                    "jeunes": ligne["jeunes_moins_25_ans"],
                    "volontaires": ligne["habitants_volontaires"],
                    "associations": ligne["associations_socio_professionnels_usagers"],
                    "total": ligne["total"],
                },
            }
        )
    for p in data["preconisations"]:
        rows.append(
            {
                "model": "gouvernance.preconisation",
                "fields": {
                    "ordre": p["ordre"],
                    "volet": p["volet"],
                    "sous_titre": p.get("sous_titre") or "",
                    "texte": p["texte"],
                    "suivi": "",
                    "commentaire_suivi": "",
                    "ligne_source": p.get("ligne"),
                },
            }
        )
        for f in p["fiches"]:
            justification = f["justification"]
            if isinstance(justification, list):
                justification = "\n".join(f"l. {j['ligne']} : {j['texte']}" for j in justification)
            rows.append(
                {
                    "model": "gouvernance.reponsepreconisation",
                    "fields": {
                        "preconisation": [p["ordre"]],
                        "fiche": [V2019, f["numero"]],
                        "force": f["force"],
                        "justification": justification,
                    },
                }
            )
    return rows


if __name__ == "__main__":
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    comptes = {}
    for row in rows:
        comptes[row["model"]] = comptes.get(row["model"], 0) + 1
    print(comptes)
