"""Write fixtures/fiches/01-04 from the transcriptions of Annexes 2 and 3.

A plain script: it reads files and writes files, with no Django and no
database. Run from anywhere:

    python tools/transcription/fiches.py

Reads:

- data/annexe3.json: the 2019 fiches, every section as written (annexe3.py);
- data/annexe2.json: the evolution table, initial 2015 fiches and their fate
  (annexe2.py);
- fixtures/contrat/01_cadre.json: which objective each enjeu belongs to;
- fixtures/contrat/02_organisations.json: the organisations' aliases, to read
  the pilots and partners out of the text.

Writes fixtures/fiches/01_versions.json, 02_fiches_2015.json,
03_fiches_2019.json and 04_evolutions.json; complements.py then completes 03
and 04 (see the README's order).

The links (pilots, partners, quartiers, axes) are read with the app's own
rules, :mod:`lecture.liens`, a package of plain Python below the apps: one
copy of the rules, so the links the fixtures carry are the links the admin's
"relire les liens" action reads again. This script imports that package and
nothing of Django or the apps (tests/test_transcription.py checks it).

fixtures/fiches/05_anomalies.json is not written here any more: the
discrepancies are the app's integrity report (``manage.py integrite``, which
``--enregistrer`` records), and the recorded anomalies carry staff's statuses
and notes, so the fixture is kept as data.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# lecture/ sits at the repository's root, beside the apps (not inside them).
sys.path.insert(0, str(ROOT))

from lecture.liens import (  # noqa: E402
    AXE_DES_FICHES_TRANSVERSALES,
    ResolveurAlias,
    axes_du_texte,
    quartiers_du_texte,
)

DATA = Path(__file__).resolve().parent / "data"
CADRE = ROOT / "fixtures" / "contrat" / "01_cadre.json"
ORGANISATIONS = ROOT / "fixtures" / "contrat" / "02_organisations.json"
OUT = ROOT / "fixtures" / "fiches"
V2015, V2019 = "2015", "2019"
CONTRAT = "contrat-ville-mmm-2015-2022"

TYPES_INDICATEUR = {
    "realisation": "realisation",
    "resultat": "resultat",
    "non_qualifie": "non_qualifie",
}


def texte(value):
    return (value or "").strip()


def lignes(pair):
    if not pair:
        return ""
    first, last = pair[0], pair[-1]
    return f"{first}-{last}" if first != last else str(first)


def versions():
    return [
        {
            "model": "fiches.versionplan",
            "fields": {
                "code": V2015,
                "libelle": "Contrat de ville initial 2015 - 2018",
                "avenant": None,
                "annee_debut": 2015,
                "annee_fin": 2018,
                "precedente": None,
                "en_vigueur": False,
                "nb_fiches_annonce": 79,
                "sorts_annonces": {},
                "source_annonce": "Article 2 et article 4.1 : « toilettage des 79 fiches "
                "opérationnelles initiales du contrat de ville »",
            },
        },
        {
            "model": "fiches.versionplan",
            "fields": {
                "code": V2019,
                "libelle": "Avenant/PERR 2019-2022",
                "avenant": [CONTRAT, 2],
                "annee_debut": 2019,
                "annee_fin": 2022,
                "precedente": [V2015],
                "en_vigueur": True,
                "nb_fiches_annonce": 68,
                "sorts_annonces": {
                    "suppression": 22,
                    "ajustement": 25,
                    "nouvelle": 11,
                    "maintien": 32,
                },
                "source_annonce": "Article 4.1 : « Au final, 22 fiches ont été supprimées, 25 "
                "modifiées, 11 créées et 32 reconduites. L'avenant est donc construit autour de "
                "68 fiches opérationnelles. »",
            },
        },
    ]


def fiche_fields(version, *, numero, resolveur, objectif_par_enjeu, **sections):
    enjeu = int(numero.split(".")[0])
    pilote_texte = texte(sections.get("pilote_texte"))
    partenaires_texte = texte(sections.get("partenaires_texte"))
    tous_qpv, quartiers = quartiers_du_texte(sections.get("perimetre_texte"))
    axes = axes_du_texte(sections.get("approches_transversales_texte"))
    if numero in AXE_DES_FICHES_TRANSVERSALES and version == V2019:
        axes = sorted({*axes, AXE_DES_FICHES_TRANSVERSALES[numero]})
    objectif = objectif_par_enjeu.get(enjeu)
    return {
        "version": [version],
        "numero": numero,
        "titre": texte(sections.get("titre")),
        "titre_sommaire": texte(sections.get("titre_sommaire")),
        "objectif": [objectif] if objectif else None,
        "enjeux": [[e] for e in sections.get("enjeux") or [enjeu]],
        "groupe_texte": texte(sections.get("groupe")),
        "pilier": [sections["pilier_numero"]] if sections.get("pilier_numero") else None,
        "pilier_texte": texte(sections.get("pilier_texte")),
        "principes_texte": texte(sections.get("principes_texte")),
        "enjeux_texte": texte(sections.get("enjeux_texte")),
        "thematique_texte": texte(sections.get("thematique_texte")),
        "diagnostic": texte(sections.get("diagnostic")),
        "elements_contexte_actualises": texte(sections.get("elements_contexte_actualises")),
        "objectifs": texte(sections.get("objectifs")),
        "resultats_attendus": texte(sections.get("resultats_attendus")),
        "descriptif": texte(sections.get("descriptif")),
        "pilote_libelle": texte(sections.get("pilote_libelle")),
        "pilote_texte": pilote_texte,
        "pilotes": [[slug] for slug in resolveur.organisations(pilote_texte)],
        "partenaires_texte": partenaires_texte,
        "partenaires": [[slug] for slug in resolveur.organisations(partenaires_texte)],
        "perimetre_texte": texte(sections.get("perimetre_texte")),
        "tous_qpv": tous_qpv,
        "quartiers": [[slug] for slug in quartiers],
        "publics_vises": texte(sections.get("publics_vises")),
        "date_debut_texte": texte(sections.get("date_debut_texte")),
        "date_fin_texte": texte(sections.get("date_fin_texte")),
        "annee_debut": sections.get("annee_debut"),
        "annee_fin": sections.get("annee_fin"),
        "approches_transversales_texte": texte(sections.get("approches_transversales_texte")),
        "axes": [[a] for a in axes],
        "lignes_source": lignes(sections.get("lignes")),
    }


def unite_du_libelle(libelle):
    """The unit when the indicator's own words state it ("Nombre de...",
    "Taux de...", "Pourcentage..."); empty otherwise (staff will set it)."""
    debut = texte(libelle).lower()
    if debut.startswith("nombre"):
        return "nombre"
    if debut.startswith(("taux", "pourcentage")):
        return "pourcentage"
    return ""


def lire_fixture(chemin, modele):
    rows = json.loads(chemin.read_text(encoding="utf-8"))
    return [row["fields"] for row in rows if row["model"] == modele]


def resolveur_des_fixtures():
    """The organisations' aliases as fixtures/contrat/ seeds them; an
    organisation is its slug, the fixtures' natural key."""
    return ResolveurAlias(
        (alias["libelle"], alias["organisation"][0])
        for alias in lire_fixture(ORGANISATIONS, "contrat.aliasorganisation")
    )


def objectifs_des_enjeux():
    """Enjeu number -> the number of the objective that groups it."""
    objectifs = sorted(lire_fixture(CADRE, "contrat.objectif"), key=lambda o: o["numero"])
    return {enjeu: o["numero"] for o in objectifs for [enjeu] in o["enjeux"]}


def ordre_des_indicateurs(numeros):
    """The fiches in the order their indicators are written: ORDRE_INDICATEURS,
    then any other fiche in Annexe 3's order."""
    connus = [n for n in ORDRE_INDICATEURS if n in numeros]
    return connus + [n for n in numeros if n not in connus]


# The first transcription wrote the indicators fiche by fiche in the order of
# a Python set of fiche numbers, which changes from run to run (string
# hashing is seeded per process). The committed fixture kept the order of one
# run; it is written here so that a regeneration gives the same bytes and the
# same seeded primary keys, without a churn of thousands of lines.
ORDRE_INDICATEURS = [
    *["6.10", "6.2", "5.9", "3.3", "7.1", "2.7", "2.6", "2.2", "2.15", "1.10", "1.7"],
    *["5.2", "4.2", "9.2", "2.11", "5.3", "2.8", "6.5", "2.3", "1.11", "1.9", "2.16"],
    *["1.6", "6.4", "5.1", "1.8", "1.15", "7.2", "1.5", "9.1", "5.8", "1.12", "6.6"],
    *["2.5", "5.6", "6.12", "5.7", "4.1", "6.8", "2.14", "1.14", "2.9", "9.3", "1.3"],
    *["2.1", "3.1", "3.2", "6.11", "1.4", "6.1", "12.1", "1.13", "2.13", "5.4", "5.5"],
    *["6.3", "10.1", "1.2", "12.2", "2.10", "1.1", "6.9", "6.7", "2.4", "1.16", "3.4"],
    "2.12",
]


def build():
    annexe3 = json.loads((DATA / "annexe3.json").read_text(encoding="utf-8"))
    annexe2 = json.loads((DATA / "annexe2.json").read_text(encoding="utf-8"))
    resolveur = resolveur_des_fixtures()
    objectif_par_enjeu = objectifs_des_enjeux()
    groupes = annexe2["groupes"]

    # 2015: the initial fiches, as the left half of Annexe 2 gives them.
    fiches_2015, vues = [], set()
    for ligne in annexe2["lignes"]:
        initiale = ligne["initiale"]
        if not initiale or not initiale.get("numero") or initiale["numero"] in vues:
            continue
        vues.add(initiale["numero"])
        groupe = groupes[ligne["groupe_index"]]
        fiches_2015.append(
            {
                "model": "fiches.fiche",
                "fields": fiche_fields(
                    V2015,
                    numero=initiale["numero"],
                    resolveur=resolveur,
                    objectif_par_enjeu=objectif_par_enjeu,
                    titre=initiale["titre"],
                    objectifs=initiale["objectifs"],
                    pilote_texte=initiale["pilote"],
                    pilote_libelle="Pilote",
                    groupe=groupe.get("texte_initial"),
                    lignes=ligne["lignes_source"],
                ),
            }
        )

    # 2019: the fiches of Annexe 3, every section.
    fiches_2019, extras = [], []
    numeros_2019 = []
    for f in annexe3:
        numeros_2019.append(f["numero"])
        fiches_2019.append(
            {
                "model": "fiches.fiche",
                "fields": fiche_fields(
                    V2019, resolveur=resolveur, objectif_par_enjeu=objectif_par_enjeu, **f
                ),
            }
        )
        for ordre, partie in enumerate(f.get("sous_parties") or [], start=1):
            extras.append(
                {
                    "model": "fiches.souspartie",
                    "fields": {
                        "fiche": [V2019, f["numero"]],
                        "ordre": ordre,
                        "numero": texte(partie.get("numero")),
                        "titre": texte(partie.get("titre")),
                        "texte": texte(partie.get("texte")),
                    },
                }
            )

    indicateurs = {numero: [] for numero in ordre_des_indicateurs(numeros_2019)}
    for f in annexe3:
        for ind in f.get("indicateurs") or []:
            indicateurs[f["numero"]].append((ind["libelle"], TYPES_INDICATEUR[ind["type"]]))
    # The evolution table's "indicateurs de suivi" attach to the new fiche(s).
    for ligne in annexe2["lignes"]:
        nouvelle = ligne.get("nouvelle") or {}
        for numero in nouvelle.get("numeros") or []:
            if numero in indicateurs:
                for libelle in nouvelle.get("indicateurs_suivi") or []:
                    indicateurs[numero].append((libelle, "suivi"))
    premier_pilote = {
        row["fields"]["numero"]: (row["fields"]["pilotes"] or [None])[0] for row in fiches_2019
    }
    for numero, rows in indicateurs.items():
        for ordre, (libelle, type_) in enumerate(rows, start=1):
            extras.append(
                {
                    "model": "fiches.indicateur",
                    "fields": {
                        "code": f"{V2019}-{numero}-{ordre}",
                        "fiche": [V2019, numero],
                        "ordre": ordre,
                        "libelle": texte(libelle),
                        "type": type_,
                        # Who reports: by default the fiche's first pilot (issue rule).
                        "organisation": premier_pilote[numero],
                        "unite": unite_du_libelle(libelle),
                        "sens": "",
                        "desagregation": "aucune",
                        "valeur_reference": None,
                        "annee_reference": None,
                        "actif": True,
                    },
                }
            )

    evolutions = []
    for ordre, ligne in enumerate(annexe2["lignes"], start=1):
        groupe = groupes[ligne["groupe_index"]]
        nouvelle = ligne.get("nouvelle") or {}
        initiale = ligne.get("initiale")
        fragment = ""
        if initiale and not initiale.get("numero"):
            # A row the page layout cut: only part of the initial fiche survives.
            fragment = "\n\n".join(
                texte(initiale.get(k)) for k in ("titre", "objectifs", "pilote") if initiale.get(k)
            )
            initiale = None
        nouveaux = nouvelle.get("numeros") or []
        if ordre in FUSIONS:
            assert not nouveaux, f"row {ordre} names its new fiche: no need to deduce it"
            nouveaux = FUSIONS[ordre][0]
        evolutions.append(
            {
                "model": "fiches.evolution",
                "fields": {
                    "version": [V2019],
                    "ordre": ordre,
                    "groupe_texte": texte(
                        groupe.get("texte_avenant") or groupe.get("texte_initial")
                    ),
                    "fiche_initiale": [V2015, initiale["numero"]] if initiale else None,
                    "sort": ligne["sort"],
                    "sort_deduit": bool(ligne.get("sort_infere")),
                    "sort_deduit_de": texte(ligne.get("sort_deduit_de"))[:500],
                    "fragment_initial": fragment,
                    "commentaire": texte(ligne.get("evolution_texte")),
                    "fiches_nouvelles": [[V2019, n] for n in nouveaux if n in numeros_2019],
                    "lien_deduit": ordre in FUSIONS,
                    "lien_deduit_de": FUSIONS[ordre][1] if ordre in FUSIONS else "",
                    "nouveau_numero_texte": texte(ligne.get("nouveau_numero_texte")),
                    "nouvel_intitule": texte(nouvelle.get("titre")),
                    "nouveaux_objectifs": texte(nouvelle.get("objectifs")),
                    "nouveau_pilote": texte(nouvelle.get("pilote")),
                    "exemples_actions": texte(nouvelle.get("exemples_actions")),
                    "lignes_source": lignes(ligne.get("lignes_source")),
                },
            }
        )
    return versions(), fiches_2015, fiches_2019 + extras, evolutions


# Rows of Annexe 2 that give no new number for a fiche merged into another:
# the comments say where it went (row order -> new fiches, the words read).
FUSIONS = {
    7: (
        ["1.5"],
        "Ligne 1.5 : « Nouvelle fiche « chapeau » qui reprend les fiches 1.5 "
        "(qualification des entrepreneurs) et 1.6 (financement des entrepreneurs) »",
    ),
    38: (
        ["2.14"],
        "« Fusion avec la fiche 2.7 » ; la ligne 2.7 : « Fusion avec la fiche "
        "2.15 », nouvelle fiche 2.14",
    ),
    51: (["5.1"], "Ligne 5.1 : « Fusion des fiches 5.1 et 5.2 pour créer une nouvelle fiche »"),
    58: (["5.2"], "« Fusion des fiches 5.3 et 5.8 pour plus de lisibilité (cf. fiche 5.2) »"),
    64: (
        ["6.1"],
        "« Fiche intégrée à la fiche 6.2 » ; la ligne 6.2 : « Intégration de la "
        "fiche 6.3 », nouvelle fiche 6.1",
    ),
    73: (
        ["6.6"],
        "« Proposition de fusionner les fiches » ; la ligne précédente (6.11) "
        "devient la nouvelle fiche 6.6",
    ),
}


def write(name, rows):
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / name).write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main():
    v, f2015, f2019, evol = build()
    write("01_versions.json", v)
    write("02_fiches_2015.json", f2015)
    write("03_fiches_2019.json", f2019)
    write("04_evolutions.json", evol)
    print(
        f"{len(f2015)} fiches 2015, {sum(1 for r in f2019 if r['model'] == 'fiches.fiche')} fiches 2019, "
        f"{len(evol)} lignes d'évolution"
    )


if __name__ == "__main__":
    main()
