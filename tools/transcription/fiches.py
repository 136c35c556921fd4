"""Write fixtures/fiches/*.json from the transcriptions of Annexes 2 and 3.

Inputs (committed in tools/transcription/data/, written from the avenant's
text by annexe2.py and annexe3.py):

- annexe3.json: the 2019 fiches, every section as written;
- annexe2.json: the evolution table (initial 2015 fiches and their fate).

The links (pilots, partners, quartiers, axes) are read from the text with
fiches.liens, against the organisations and aliases of fixtures/contrat/, so
the script runs under Django with a seeded database:

    scripts/with-db .venv/bin/python tools/transcription/fiches.py

It writes the fixtures, then loads them in a transaction that it rolls back,
runs the integrity report, and writes every discrepancy found (plus the ones
only a reader sees, listed below) as fixtures/fiches/05_anomalies.json.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from contrat.models import Objectif  # noqa: E402
from contrat.seeding import seed  # noqa: E402
from fiches.integrite import rapport_integrite  # noqa: E402
from fiches.liens import ResolveurOrganisations, axes_du_texte, quartiers_du_texte  # noqa: E402
from fiches.services import AXE_DES_FICHES_TRANSVERSALES  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
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
        "pilotes": [[o.slug] for o in resolveur.organisations(pilote_texte)],
        "partenaires_texte": partenaires_texte,
        "partenaires": [[o.slug] for o in resolveur.organisations(partenaires_texte)],
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


def build():
    annexe3 = json.loads((DATA / "annexe3.json").read_text(encoding="utf-8"))
    annexe2 = json.loads((DATA / "annexe2.json").read_text(encoding="utf-8"))
    resolveur = ResolveurOrganisations()
    objectif_par_enjeu = {
        e.numero: o.numero
        for o in Objectif.objects.prefetch_related("enjeux")
        for e in o.enjeux.all()
    }
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
    numeros_2019 = set()
    for f in annexe3:
        numeros_2019.add(f["numero"])
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

    indicateurs = {numero: [] for numero in numeros_2019}
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
                        "valeur_cible": None,
                        "annee_cible": None,
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

# What the transcription learnt about a discrepancy, for staff (annotation).
NOTES = {
    "compte-fiches-2019": "Note de transcription : l'annexe 3 compte 69 fiches, le tableau "
    "d'évolution en nomme 68 ; la fiche 6.9 « Elaborer des parcours sportifs » n'y figure pas "
    "(sa ligne est perdue dans la mise en page, annexe 2 lignes 821-850).",
    "compte-fiches-initiales-2019": "Note de transcription : 78 fiches initiales numérotées, "
    "plus une ligne dont le numéro et le titre manquent (annexe 2, lignes 821-850, "
    "probablement la fiche 6.14 — non écrit dans les données) : 79.",
    "compte-sort-suppression-2019": "Note de transcription : 16 lignes disent « suppression » ; "
    "6 autres fiches initiales sont fusionnées dans une autre (1.6, 2.15, 5.2, 5.8, 6.3, 6.12) : "
    "16 + 6 = 22, le nombre annoncé.",
    "compte-sort-maintien-2019": "Note de transcription : les commentaires donnent 36 maintiens ; "
    "le texte ne permet pas de dire quelles fiches l'article 4.1 compte comme modifiées.",
    "compte-sort-ajustement-2019": "Note de transcription : les commentaires donnent 26 "
    "ajustements, dont les fusions ; voir aussi les maintiens.",
    "compte-sort-nouvelle-2019": "Note de transcription : 10 lignes sans fiche initiale + la "
    "nouvelle 1.3 issue de 1.4 = 11 créations ; les lignes 1.5, 1.6 et 1.10 portent aussi les "
    "mots « nouvelle fiche » (fiches « chapeau » qui reprennent des fiches initiales).",
    "doublon-initiale-1.4-2019": "Note de transcription : scission, la fiche initiale 1.4 donne "
    "la nouvelle fiche 1.3 et la fiche ajustée 1.4.",
    "doublon-initiale-1.14-2019": "Note de transcription : deux lignes contradictoires, "
    "« Ajustement de la fiche qui bascule dans l'enjeu 4 » (enjeu 1, sans nouvelle fiche) et "
    "« Maintien de la fiche qui est réactualisée et change de numéro » (enjeu 4, fiche 4.1).",
    "doublon-initiale-1.15-2019": "Note de transcription : deux lignes contradictoires, "
    "« Ajustement de la fiche qui bascule dans l'enjeu 4 » (enjeu 1, sans nouvelle fiche) et "
    "« Maintien de la fiche qui est réactualisée et change de numéro » (enjeu 4, fiche 4.2).",
}

# Discrepancies only a reader sees: recorded with their place in the text.
ANOMALIES_LUES = [
    {
        "code": "renvois-fiches-obsoletes",
        "categorie": "numero",
        "description": "Des fiches renvoient à des numéros qui ne désignent plus la fiche visée : "
        "1.2 renvoie aux « fiches 1.8 et 1.9 » pour le repérage (devenu 1.10), 1.11 cite une "
        "« fiche 1.17 » qui n'existe pas, 1.16 cite la « fiche 1.12 » pour la plateforme clause "
        "sociale (devenue 1.13), 5.6 se cite elle-même.",
        "localisation": "Annexe 3, fiches 1.2, 1.11, 1.16 et 5.6",
        "fiches": ["1.2", "1.11", "1.16", "5.6"],
    },
    {
        "code": "approches-12-1-copie-6-8",
        "categorie": "doublon",
        "description": "Le texte « approches transversales » de la fiche 12.1 reprend mot pour mot "
        "celui de la fiche 6.8.",
        "localisation": "Annexe 3, fiches 12.1 et 6.8",
        "fiches": ["12.1", "6.8"],
    },
    {
        "code": "tableau-5-5-valeurs-fusionnees",
        "categorie": "autre",
        "description": "Dans le tableau de la fiche 5.5, « Hérault Habitat 127 390 » réunit deux "
        "valeurs (127 et 390) ; le total de 2 713 le confirme.",
        "localisation": "Annexe 3, fiche 5.5",
        "fiches": ["5.5"],
    },
    {
        "code": "calendrier-7-1-fin-2017",
        "categorie": "autre",
        "description": "La fiche 7.1 (NPNRU 2 Mosson) indique « Date de fin : fin 2017 », avant "
        "même la période de l'avenant (2019-2022).",
        "localisation": "Annexe 3, fiche 7.1, calendrier prévisionnel",
        "fiches": ["7.1"],
    },
    {
        "code": "intitules-enjeux-annexe1",
        "categorie": "libelle",
        "description": "L'annexe 1 intitule l'enjeu 1 « Soutenir le développement de l'activité "
        "économique pour et dans les quartiers » et l'enjeu 8 « Fluidifier les parcours "
        "d'insertion vers l'emploi en développant une approche globale, territoriale et intégrée "
        "des politiques de l'emploi », alors que le préambule les intitule « Mobiliser "
        "l'écosystème économique pour redéfinir une politique de l'emploi et de l'insertion "
        "performante » et « Soutenir le développement économique dans les quartiers ».",
        "localisation": "Préambule (schéma) ; annexe 1, première colonne",
        "fiches": [],
    },
    {
        "code": "intitule-objectif-2-peuplement",
        "categorie": "libelle",
        "description": "L'article 4.1 intitule l'objectif 2 « Organiser une politique "
        "résidentielle plus équilibrée... », l'annexe 3 « ORGANISER UNE POLITIQUE DE PEUPEMENT "
        "PLUS EQUILIBREE... ».",
        "localisation": "Article 4.1 ; annexe 3, sommaire et titre du groupe « ENJEUX 5 ET 7 »",
        "fiches": [],
    },
    {
        "code": "date-signature-avenant-2",
        "categorie": "autre",
        "description": "La mention de signature de l'avenant n° 2 laisse le jour et le mois en "
        "blanc : « Signé à Montpellier, le 2019 ».",
        "localisation": "Signataires, page de signature",
        "fiches": [],
    },
]


def anomalies(rapport):
    rows, codes = [], set()
    for ecart in rapport.ecarts:
        codes.add(ecart.code)
        rows.append(
            {
                "model": "fiches.anomalie",
                "fields": {
                    "code": ecart.code,
                    "categorie": ecart.categorie,
                    "description": ecart.description,
                    "localisation": ecart.localisation[:500],
                    "fiches": [[V2019, n] for n in ecart.fiches],
                    "statut": "ouverte",
                    "annotation": NOTES.get(ecart.code, ""),
                },
            }
        )
    for lue in ANOMALIES_LUES:
        assert lue["code"] not in codes, lue["code"]
        rows.append(
            {
                "model": "fiches.anomalie",
                "fields": {
                    **{k: v for k, v in lue.items() if k != "fiches"},
                    "fiches": [[V2019, n] for n in lue["fiches"]],
                    "statut": "ouverte",
                    "annotation": "",
                },
            }
        )
    return rows


def write(name, rows):
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / name).write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


class Rollback(Exception):
    pass


def main():
    v, f2015, f2019, evol = build()
    write("01_versions.json", v)
    write("02_fiches_2015.json", f2015)
    write("03_fiches_2019.json", f2019)
    write("04_evolutions.json", evol)
    anomaly_path = OUT / "05_anomalies.json"
    if anomaly_path.exists():
        anomaly_path.unlink()
    try:
        with transaction.atomic():
            seed()
            rows = anomalies(rapport_integrite(version_code=V2019))
            raise Rollback
    except Rollback:
        pass
    write("05_anomalies.json", rows)
    print(
        f"{len(f2015)} fiches 2015, {sum(1 for r in f2019 if r['model'] == 'fiches.fiche')} fiches 2019, "
        f"{len(evol)} lignes d'évolution, {len(rows)} anomalies"
    )


if __name__ == "__main__":
    main()
