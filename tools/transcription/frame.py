"""Write fixtures/contrat/01_cadre.json: the contract frame of the avenant.

The strings below are copied verbatim from the avenant (the text at
tools/transcription/source/avenant-n2-2019.txt; line numbers in comments), cleaned
of PDF debris only. Run from the project root:

    python tools/transcription/frame.py

Nothing that runs (seed, tests, the app) reads this script: the
fixture it writes is committed.
"""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRAT = "contrat-ville-mmm-2015-2022"


def obj(model, **fields):
    return {"model": model, "fields": fields}


def frame():
    rows = [
        # Title page (lines 2-13) and preamble (line 194).
        obj(
            "contrat.contrat",
            slug=CONTRAT,
            titre="Contrat de ville Montpellier Méditerranée Métropole",
            sous_titre="Une métropole qui intègre, citoyenne et innovante, des quartiers attractifs",
            territoire="Montpellier Méditerranée Métropole",
            annee_debut=2015,
            annee_fin=2022,
            date_signature="2015-07-10",
            date_signature_texte="10 juillet 2015",
            source="Préambule : « Le contrat de ville de Montpellier (contrat cadre) a été signé "
            "le 10 juillet 2015. » ; Article 1 : « La loi de finances pour 2019 du 28 décembre "
            "2018 est par ailleurs venue proroger la durée du contrat de ville jusqu'en 2022. »",
        ),
        # Line 209.
        obj(
            "contrat.avenant",
            contrat=[CONTRAT],
            numero=1,
            titre="Avenant au contrat cadre",
            date_signature="2016-07-08",
            date_signature_texte="8 juillet 2016",
            date_approbation_texte="",
            annee=2016,
            periode_debut=2015,
            periode_fin=2020,
            objet="Un avenant au contrat cadre signé le 8 juillet 2016 est venu préciser le cadre "
            "stratégique général d'intervention pour la période 2015-2020, au travers notamment "
            "de priorités et d'enjeux stratégiques rappelés dans le schéma ci-après.",
            source="Préambule (ligne 209 du texte)",
        ),
        # Title page, lines 98-100 (signature), 324 (approval).
        obj(
            "contrat.avenant",
            contrat=[CONTRAT],
            numero=2,
            titre="Protocole d'engagements renforcés et réciproques 2019 – 2022",
            date_signature=None,
            date_signature_texte="Signé à Montpellier, le 2019",
            date_approbation_texte="approuvé lors du conseil municipal du 18 juillet et du "
            "conseil communautaire de 23 juillet 2019",
            annee=2019,
            periode_debut=2019,
            periode_fin=2022,
            objet="Le présent avenant (Protocole d'engagements renforcés et réciproques) est "
            "établi en 21 exemplaires originaux.",
            source="Page de titre ; signatures (« Signé à Montpellier, le 2019 » : le jour et le "
            "mois sont laissés en blanc) ; Article 2 (approbation).",
        ),
    ]

    # Piliers: numbered as the fiches of Annexe 3 number them ("PILIER N°1 :
    # COHESION SOCIALE"...); names as the preamble's grid writes them (lines 213-215).
    piliers = [
        (1, "Cohésion sociale", "COHESION SOCIALE"),
        (2, "Cadre de vie et renouvellement urbain", "CADRE DE VIE ET RENOUVELLEMENT URBAIN"),
        (
            3,
            "Développement économique et emploi",
            "Développement de l'activité économique et de l'emploi",
        ),
    ]
    for numero, intitule, intitule_fiches in piliers:
        rows.append(
            obj("contrat.pilier", numero=numero, intitule=intitule, intitule_fiches=intitule_fiches)
        )

    # Principes intégrateurs: the grid's columns (line 212).
    principes = ["Une métropole qui intègre", "Une métropole citoyenne", "Des quartiers attractifs"]
    for numero, intitule in enumerate(principes, start=1):
        rows.append(obj("contrat.principeintegrateur", numero=numero, intitule=intitule))

    # Enjeux 1-11: the preamble's grid (lines 213-215), pilier x principe.
    enjeux = [
        (
            1,
            "Mobiliser l'écosystème économique pour redéfinir une politique de l'emploi et de l'insertion performante",
            3,
            1,
        ),
        (
            2,
            "Renforcer la mixité sociale à l'école, au collège et dans tous les lieux éducatifs en développant les coopérations et l'accompagnement des familles",
            1,
            1,
        ),
        (3, "Renforcer le soutien aux adolescents", 1, 1),
        (
            4,
            "Favoriser les parcours d'accès à la maîtrise de la langue française et aux compétences de base",
            3,
            1,
        ),
        (5, "Organiser la mixité dans le logement à l'échelle métropolitaine", 2, 1),
        (6, "Renforcer l'accessibilité et la présence des services et équipements", 1, 2),
        (
            7,
            "Elaborer un projet de renouvellement urbain ambitieux pour la Mosson et retisser la ville",
            2,
            3,
        ),
        (8, "Soutenir le développement économique dans les quartiers", 3, 3),
        (9, "Rénover les démarches de gestion urbaine de proximité", 2, 3),
        (10, "Placer la médiation comme levier de cohésion sociale", 1, 3),
        (11, "Prévention de la délinquance et sécurité", 1, 3),
    ]
    for numero, intitule, pilier, principe in enjeux:
        rows.append(
            obj(
                "contrat.enjeu",
                numero=numero,
                intitule=intitule,
                pilier=[pilier],
                principe=[principe],
                source="Préambule, schéma du cadre stratégique",
            )
        )
    # Enjeu 12: only in Annexe 2 (line 881) and Annexe 3 (line 7339); outside the grid.
    rows.append(
        obj(
            "contrat.enjeu",
            numero=12,
            intitule="Axes transversaux et autres actions innovantes ou expérimentales",
            pilier=None,
            principe=None,
            source="Annexe 2 (« ENJEU 12 : Axes transversaux et autres actions innovantes ou "
            "expérimentales ») et Annexe 3 ; absent du schéma du préambule",
        )
    )

    # Priorités stratégiques (lines 200-206).
    priorites = [
        "Rapprocher les activités économiques des quartiers",
        "Responsabiliser les entreprises pour refonder le dispositif d'insertion",
        "Mobiliser l'ensemble des communes et des quartiers de la Métropole en faveur d'une véritable mixité de l'habitat, afin de contribuer à l'équilibre social du territoire",
        "Renforcer la mixité dans les établissements scolaires de la maternelle au collège",
        "Engager en priorité le réinvestissement urbain du quartier sud Mosson pour renouveler en profondeur son image et son fonctionnement",
        "Promouvoir l'attractivité des quartiers par des actions coordonnées et efficaces pour la tranquillité publique et la gestion des espaces publics et privés",
        "Valoriser les talents en contribuant à faire que chaque jeune, chaque femme et chaque homme trouve sa place dans la société et se sente citoyen de la Métropole",
    ]
    for numero, intitule in enumerate(priorites, start=1):
        rows.append(obj("contrat.priorite", numero=numero, intitule=intitule))

    # Objectifs opérationnels: Article 4.1 (lines 348-352), in that order; the
    # enjeux of each from the group headings of Annexe 3 (lines 887-892).
    objectifs = [
        (
            "Organiser le développement de l'activité économique, de l'emploi et de l'insertion professionnelle en faveur des quartiers",
            [1, 8],
        ),
        (
            "Organiser une politique résidentielle plus équilibrée dans les quartiers, la Métropole et poursuivre le renouvellement urbain",
            [5, 7],
        ),
        (
            "Favoriser la réussite éducative et scolaire pour tous en développant les coopérations et la co-éducation",
            [2, 3],
        ),
        (
            "Développer une offre de services et d'équipements accessible aux habitants dans une logique de parcours",
            [4, 6],
        ),
        (
            "Offrir un meilleur cadre de vie au quotidien pour les habitants des quartiers par une présence renforcée de proximité",
            [9, 10, 11],
        ),
    ]
    for numero, (intitule, enjeux_obj) in enumerate(objectifs, start=1):
        rows.append(
            obj(
                "contrat.objectif",
                numero=numero,
                intitule=intitule,
                enjeux=[[e] for e in enjeux_obj],
            )
        )

    # Axes transversaux (lines 386-389).
    axes = [
        "L'égalité entre les femmes et les hommes",
        "La lutte contre les discriminations",
        "La lutte contre toutes les formes de replis communautaires",
        "Le soutien à la jeunesse",
    ]
    for numero, intitule in enumerate(axes, start=1):
        rows.append(obj("contrat.axetransversal", numero=numero, intitule=intitule))

    # Quartiers: the conseils citoyens table of Article 5.4 (lines 488-500).
    quartiers = [
        ("vert-bois", "Vert Bois", 1000),
        ("pompignane", "Pompignane", 1170),
        ("lemasson", "Lemasson", 1170),
        ("gely", "Gély", 1265),
        ("aiguelongue", "Aiguelongue", 1380),
        ("pres-d-arenes", "Près d'Arènes", 4000),
        ("cevennes", "Cévennes", 5570),
        ("figuerolles", "Figuerolles", 2880),
        ("pas-du-loup-val-de-croze", "Pas du Loup Val de Croze", 3530),
        ("petit-bard-pergola", "Petit Bard Pergola", 5880),
        ("mosson-hauts-de-massane", "Mosson : Hauts de Massane", 8000),
        ("mosson-paillade-celleneuve", "Mosson : Paillade et Celleneuve", 14600),
    ]
    for ordre, (slug, nom, population) in enumerate(quartiers, start=1):
        rows.append(obj("contrat.quartier", slug=slug, nom=nom, ordre=ordre, population=population))
    return rows


def write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(ROOT / "fixtures" / "contrat" / "01_cadre.json", frame())
