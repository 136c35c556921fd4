#!/usr/bin/env python3
"""Transcription of Annexe 1 ("Engagements renforcés et réciproques") of the
Contrat de ville de Montpellier Méditerranée Métropole, avenant n° 2 (2019).

Usage (Python 3.11, standard library only):

    python3 tools/transcription/annexe1.py [SOURCE_TXT] [OUTPUT_JSON]

SOURCE_TXT defaults to tools/transcription/source/avenant-n2-2019.txt (relative to
the current directory), OUTPUT_JSON to tools/transcription/data/annexe1.json.

The table
---------
Six columns: the operational objective (with its enjeux) or the transversal
axes, then the commitments of Métropole/Ville, État, Département, Région and
CAF "sur leur droit commun".  The PDF conversion wrote it as runs of
tab-separated lines ("chunks"), each chunk after a repeated header row or a
blank line; each line is one printed row; a cell holds HTML fragments
(<p>, <ul> without <li>, bullets written " - " or "•").

How it works
------------
1. Each line of a chunk is split into its 6 cells.  The first column of the
   chunk (only on its first line) gives the objective or the axes; a chunk
   whose first column is empty continues the previous chunk's objective.
2. Every other non-empty cell is a *fragment* (source line, printed column).
   A fragment opens a new engagement, except:
   - page-break continuations, found generically: on the first line of a
     chunk of the same objective as the previous chunk, a fragment that
     starts in lower case, or whose predecessor in the same column (the last
     fragment of that column in the previous chunk) ends with "," or ";", is
     the rest of that predecessor (the list found is checked against
     ``EXPECTED_PAGE_BREAK_JOINS``);
   - the explicit merges of ``MANUAL_MERGES`` (a cell cut by the PDF where
     the generic test cannot see it), each with its reason.
3. ``MOVES``: fragments printed in a column that is not the partner they are
   about, with the partner they are given to and why.
4. Fragments of one cell are joined with a single space when the first ends
   mid-sentence, with a line break when the next one starts a list item,
   else with a paragraph break.
5. Targets and reported figures ("cibles") are annotated by hand in
   ``CIBLES`` (keyed by the first fragment of the engagement); every phrase
   and value is checked against the text, and every number of every text
   must be either in a cible or in ``NOMBRES_IGNORES`` (dates, ages,
   list numbers...), with a reason.

Cleaning (PDF/HTML debris only, nothing reworded, spelling kept): <p> ->
paragraph break ("\\n\\n"); a <ul> starts a list, whose items (" - ", "•",
"\\uf0b7" or <li>) become lines starting with "- "; other tags and their
attributes are dropped; "**" removed; "^{er}" -> "er"; spaces collapsed; the
words of ``REJOINS`` re-joined.

Checks run at every execution (``verify``): the words of every source cell
are found, in order, in its engagement; every cleaned paragraph of every
cell appears in the JSON exactly as many times as in the source (once); no
non-empty cell is lost or used twice.
"""

from __future__ import annotations

import json
import os
import re
import sys
from decimal import Decimal

DEFAULT_SOURCE = os.path.join("tools", "transcription", "source", "avenant-n2-2019.txt")
DEFAULT_OUTPUT = "tools/transcription/data/annexe1.json"

START_RE = re.compile(r"^Annexe 1\s*:\s*Engagements renforcés et réciproques\s*$")
END_RE = re.compile(r"^ANNEXE 2\s*:")
HEADER_RE = re.compile(r"^objectifs opérationnels\tEngagements des collectivités")
SEPARATOR_RE = re.compile(r"^[-\t]+$")

# Printed columns 1..5 (column 0 is the objective / axes).
PARTENAIRES = ("metropole-ville", "etat", "departement", "region", "caf")

# Objectives numbered in the order of Article 4.1 (l. 346-350).
OBJECTIFS = (
    (1, re.compile(r"^Organiser le développement de l'activité économique")),
    (2, re.compile(r"^Organiser une politique résidentielle")),
    (3, re.compile(r"^Favoriser la réussite éducative")),
    (4, re.compile(r"^Développer une offre de services et d'équipements")),
    (5, re.compile(r"^Offrir un meilleur cadre de vie")),
)
AXES_RE = re.compile(r"^Axes transversaux")

# ---------------------------------------------------------------------------
# Manual tables (line numbers are 1-based lines of the source text; a
# fragment is (line, printed column), columns numbered 0-5)
# ---------------------------------------------------------------------------

# Page-break continuations that the generic test must find (checked at run
# time, so that a change of the rule cannot go unnoticed).  Each value is the
# end of the predecessor / start of the continuation.
EXPECTED_PAGE_BREAK_JOINS = {
    (538, 4): (
        535,
        4,
    ),  # Région: "... droit commun régional : lutte contre" / "l'illettrisme (dispositif LECTIO)"
    (546, 1): (
        543,
        1,
    ),  # Métropole: "parrainage des jeunes créateurs d'entreprise," / "mécénat...) généralement"
    (549, 3): (546, 3),  # Département: "développement de l'offre" / "d'accompagnement intégré ..."
    (565, 3): (
        562,
        3,
    ),  # Département: "Cette structure" / "départementale, installée au cœur du quartier"
    (569, 3): (566, 3),  # Département: "et d'un point" / "écoute parents enfants ..."
    (594, 2): (
        591,
        2,
    ),  # État: 'le théâtre "La chapelle",' / "Musée Fabre, le musée des moulages, ..."
    (597, 2): (594, 2),  # État: "précisant les" / "mentions, les propositions générales"
    (601, 2): (598, 2),  # État: "la GHLV propose" / "d'ici fin 2019 une présentation du dispositif"
    (610, 3): (
        607,
        3,
    ),  # Département: "Hérault Habitat dispose" / "d'un service de médiation sociale"
    (622, 4): (618, 4),  # Région: "sont une des clés de la" / "performance et de la créativité"
    (625, 4): (
        622,
        4,
    ),  # Région: list item ending "respect mutuel ;" / next list item "- Délivrer aux filles ..."
}

# Fragments that continue another fragment although the generic test does not
# see it: (continuation) -> (predecessor, reason).
MANUAL_MERGES = {
    # l. 546, col. 3: the chunk l. 546 holds only the rest of the row l. 543
    # cut by a page break (its Métropole cell, "mécénat...) généralement ...",
    # ends the sentence of l. 543).  Its Département cell, "Les domaines
    # d'intervention sont les suivants : - les actions de mobilisation vers
    # l'emploi, mises en œuvre par 13 associations ...", lists the "plus de 70
    # actions" that l. 543 announces; Article 4.2 (l. 413) gives the two as one
    # text.  Same cell.
    (546, 3): (
        (543, 3),
        "La l. 546 ne porte que la suite de la ligne du tableau commencée l. 543, coupée par "
        "le saut de page (sa cellule Métropole finit la phrase de la l. 543) ; « Les domaines "
        "d'intervention sont les suivants » détaille les « plus de 70 actions » annoncées "
        "l. 543, que l'Article 4.2 (l. 413) présente d'un seul tenant.",
    ),
    # l. 535, col. 4: "Pour ce faire, la Région s'appuiera ..." refers to the
    # Région's statement of l. 534; the Région's column is one text that runs
    # over the printed rows of the objective (it goes on at l. 538 with
    # "l'illettrisme (dispositif LECTIO)"), as a cell spanning several rows.
    (535, 4): (
        (534, 4),
        "« Pour ce faire, la Région s'appuiera ... » renvoie à la déclaration de la l. 534 : "
        "le texte de la Région court sur les lignes imprimées de l'objectif (cellule "
        "fusionnée sur plusieurs lignes), et se poursuit l. 538.",
    ),
    # l. 607, col. 3: "Cette opération de démolition-reconstruction profitera
    # ..." is the operation described at the end of l. 606 ("Le projet de
    # démolition-reconstruction de la résidence des Hauts de la Croix
    # d'Argent ..."); the text goes on at l. 610 (page break).
    (607, 3): (
        (606, 3),
        "« Cette opération de démolition-reconstruction » est l'opération décrite à la fin "
        "de la l. 606 (résidence des Hauts de la Croix d'Argent) : même texte, coupé entre "
        "deux lignes imprimées.",
    ),
    # l. 612, col. 3: "Actuellement, un peu plus de 100 foyers sont concernés par
    # cette mesure" = the "bouclier social" of Hérault Habitat, end of l. 611.
    (612, 3): (
        (611, 3),
        "« cette mesure » est le « bouclier social » d'Hérault Habitat décrit à la fin de la "
        "l. 611 : même texte, coupé entre deux lignes imprimées.",
    ),
}

# Fragments printed in the column of a partner they are not about.
MOVES = {
    # l. 552: "Au sein du Pic, investir près d'1,5 milliard d'euros dans la
    # lutte contre l'illettrisme et l'illectronisme / 1 - Nombre et part des
    # habitants des QPV détectés en situation d'illettrisme 2 - x
    # certifications Clé@venir ... / Données indisponibles" is printed in the
    # Métropole/Ville column, alone on its row.  The PIC (Plan
    # d'investissement dans les compétences) is the State's (l. 539, État
    # column: "Investir plus de 2 milliards d'euros ... 1 - Nombre et part des
    # habitants bénéficiant du Plan d'investissement dans les compétences
    # (PIC)"), the measure is one of the government roadmap's, written like
    # the other État rows of the block (measure, numbered indicators, state
    # of the data), and its amount is a national budget.
    (552, 1): (
        "etat",
        "Mesure de l'État imprimée dans la colonne Métropole/Ville : le PIC (Plan "
        "d'investissement dans les compétences) est un plan de l'État (cf. l. 539, colonne "
        "État) ; la mesure est celle de la feuille de route gouvernementale, rédigée comme les "
        "autres lignes État du bloc (mesure, indicateurs numérotés « 1 - Nombre et part ... », "
        "état des données), et le montant (1,5 milliard d'euros) est un budget national.",
    ),
}

# Words broken in two by the PDF, re-joined (unambiguous: written unbroken a
# few words later in the same cell, l. 565: "une demi-journée d'ateliers").
REJOINS = (("demi- journée", "demi-journée"),)

# ---------------------------------------------------------------------------
# Targets and reported figures ("cibles"), annotated by hand
# ---------------------------------------------------------------------------
#
# Keyed by the first fragment of the engagement (line, printed column).  Each
# entry: the verbatim clause ("phrase"), the value as written ("valeur_texte",
# found inside the phrase) and its reading.  nature "cible" = a quantity to
# reach or a commitment; "constat" = a figure already observed or reported.
# portee: "national" for the government roadmap's national targets,
# "regional" (Occitanie), "departemental" (Hérault), "local" (Montpellier,
# its QPV, the Métropole).  Number words ("trois", "Deux", "une cinquantaine")
# are annotated too when they count resources or results.


def c(
    phrase: str,
    nature: str,
    valeur_texte: str,
    valeur: str,
    unite: str,
    objet: str,
    portee: str,
    comparateur: str = "=",
    annee: int | None = None,
    echeance: str | None = None,
    valeur_max: str | None = None,
) -> dict:
    return {
        "phrase": phrase,
        "nature": nature,
        "valeur": valeur,
        "valeur_texte": valeur_texte,
        "valeur_max": valeur_max,
        "comparateur": comparateur,
        "unite": unite,
        "objet": objet,
        "annee": annee,
        "echeance_texte": echeance,
        "portee": portee,
    }


# fmt: off
CIBLES = {
    # l. 534, État: roadmap measures with local objectives.
    (534, 2): [
        c("Objectif : 50 personnes accompagnées dans le cadre de la Fabrique à entreprendre",
          "cible", "50", "50", "nombre",
          "personnes accompagnées dans le cadre de la Fabrique à entreprendre", "local"),
        c("Objectif : 50 prêts accordés", "cible", "50", "50", "nombre",
          "prêts à taux 0 accordés aux créateurs des quartiers", "local"),
    ],
    # l. 534-538, Région.
    (534, 4): [
        c("La Région Occitanie/Pyrénées-Méditerranée est signataire des 39 contrats de ville "
          "sur son territoire pour la période 2015-2020",
          "constat", "39", "39", "nombre", "contrats de ville signés par la Région", "regional"),
        c("adoptant 3 dispositifs spécifiques venant compléter les interventions de droit commun",
          "constat", "3", "3", "nombre",
          "dispositifs spécifiques adoptés pour les territoires en rénovation urbaine", "regional",
          annee=2018),
    ],
    # l. 535, État.
    (535, 2): [
        c("60 000 € accordés sur la DPV 2017 pour le soutien à la création du centre d'affaires "
          "du quartier de la Mosson",
          "constat", "60 000", "60000", "€",
          "DPV accordée pour la création du centre d'affaires du quartier de la Mosson", "local",
          annee=2017),
    ],
    # l. 538, Métropole: results of the clause sociale in 2018.
    (538, 1): [
        c("Après d'excellents résultats en 2018 avec plus de 240 000 heures d'insertion réalisées",
          "constat", "240 000", "240000", "heures", "heures d'insertion réalisées (clause sociale)",
          "local", comparateur=">", annee=2018),
        c("(+46 % par rapport à 2017)", "constat", "46", "46", "%",
          "hausse des heures d'insertion par rapport à 2017", "local", annee=2018),
        c("par 439 salariés dont 43% issus des Quartiers Politique de la Ville", "constat",
          "439", "439", "nombre", "salariés en insertion (clause sociale)", "local", annee=2018),
        c("par 439 salariés dont 43% issus des Quartiers Politique de la Ville", "constat",
          "43", "43", "%", "part des salariés en insertion issus des QPV", "local", annee=2018),
    ],
    # l. 538, Département.
    (538, 3): [
        c("critère pondéré à hauteur de 10%", "constat", "10", "10", "%",
          "pondération du critère d'insertion professionnelle dans le choix des offres "
          "(Hérault Habitat)", "departemental"),
        c("en 2018, pour Hérault Habitat, ce sont 23 309 heures d'insertion (sur tout le "
          "Département) qui ont pu ainsi être allouées au public concerné par ce dispositif",
          "constat", "23 309", "23309", "heures", "heures d'insertion allouées (Hérault Habitat)",
          "departemental", annee=2018),
        c("158 marchés suivis par le Département ont généré 98 764 heures d'insertion dans "
          "l'Hérault, en 2018", "constat", "158", "158", "nombre",
          "marchés clausés suivis par le Département", "departemental", annee=2018),
        c("158 marchés suivis par le Département ont généré 98 764 heures d'insertion dans "
          "l'Hérault, en 2018", "constat", "98 764", "98764", "heures",
          "heures d'insertion générées par les marchés suivis par le Département",
          "departemental", annee=2018),
    ],
    # l. 539, État: PIC and its indicators (national objectives of the roadmap).
    (539, 2): [
        c("Investir plus de 2 milliards d'euros pour la formation vers l'emploi des jeunes sans "
          "qualification et des chômeurs de longue durée", "cible", "2 milliards", "2000000000",
          "€", "investissement pour la formation vers l'emploi (PIC)", "national",
          comparateur=">"),
        c("Objectif : 15% des habitants QPV bénéficiant du PIC", "cible", "15", "15", "%",
          "part des habitants QPV bénéficiant du PIC", "national"),
        c("Objectif : 25% de jeunes en Garantie Jeunes résidant en QPV", "cible", "25", "25",
          "%", "part des jeunes en Garantie Jeunes résidant en QPV", "national"),
        c("Objectif Parcours d'accompagnement contractualisé vers l'Emploi et l'autonomie "
          "(PACEA) : 25 % de jeunes résidant en QPV", "cible", "25", "25", "%",
          "part des jeunes en PACEA résidant en QPV", "national"),
        c("Objectif : 40% stagiaires en E2C résident en QPV", "cible", "40", "40", "%",
          "part des stagiaires en E2C résidant en QPV", "national"),
    ],
    # l. 542, Métropole.
    (542, 1): [
        c("anime aujourd'hui trois commissions qui se réunissent mensuellement avec 10 à 15 "
          "participants en moyenne", "constat", "trois", "3", "nombre",
          "commissions d'insertion animées par la MLJ3M", "local"),
        c("anime aujourd'hui trois commissions qui se réunissent mensuellement avec 10 à 15 "
          "participants en moyenne", "constat", "10 à 15", "10", "nombre",
          "participants en moyenne par commission d'insertion", "local", valeur_max="15"),
    ],
    # l. 542, État.
    (542, 2): [
        c("Accompagner 100 000 jeunes des quartiers dans leur insertion professionnelle, en "
          "mobilisant les Cordées de la réussite, le parrainage et le tutorat dès 2018",
          "cible", "100 000", "100000", "nombre",
          "jeunes des quartiers accompagnés dans leur insertion professionnelle (Cordées de la "
          "réussite, parrainage, tutorat)", "national", echeance="dès 2018"),
        c("1729 jeunes des QPV bénéficiaires des cordées de la réussite", "constat", "1729",
          "1729", "nombre", "jeunes des QPV bénéficiaires des cordées de la réussite", "local"),
        c("84 jeunes parrainés résident en QPV de Montpellier", "constat", "84", "84", "nombre",
          "jeunes parrainés résidant en QPV de Montpellier", "local"),
        c("Objectif 2019 : 30%", "cible", "30", "30", "%",
          "part des jeunes parrainés résidant en QPV", "local", annee=2019,
          echeance="Objectif 2019"),
    ],
    # l. 543-546, Métropole.
    (543, 1): [
        c("Cela s'est traduit par l'implication d'une cinquantaine d'entreprises dans des "
          "actions concrètes", "constat", "une cinquantaine", "50", "nombre",
          "entreprises impliquées (charte Entreprises & quartiers)", "local", comparateur="~"),
    ],
    # l. 543-549, Département.
    (543, 3): [
        c("Sur le territoire métropolitain, une cinquantaine d'associations et autres structures "
          "sont financées par le Département pour mettre en œuvre plus de 70 actions",
          "constat", "une cinquantaine", "50", "nombre",
          "associations et structures financées par le Département (PDI)", "local",
          comparateur="~"),
        c("Sur le territoire métropolitain, une cinquantaine d'associations et autres structures "
          "sont financées par le Département pour mettre en œuvre plus de 70 actions",
          "constat", "70", "70", "nombre", "actions d'insertion du PDI", "local",
          comparateur=">"),
        c("les actions de mobilisation vers l'emploi, mises en œuvre par 13 associations",
          "constat", "13", "13", "nombre", "associations (actions de mobilisation vers l'emploi)",
          "local"),
        c("au suivi post-crédation et au financement de l'action (7 associations)", "constat",
          "7", "7", "nombre", "associations (accompagnement à la création d'activité)", "local"),
        c("(8 chantiers d'insertion, 2 groupements d'employeurs pour l'insertion et la "
          "qualification, un groupement d'entreprises sociales et solidaires)", "constat", "8",
          "8", "nombre", "chantiers d'insertion", "local"),
        c("(8 chantiers d'insertion, 2 groupements d'employeurs pour l'insertion et la "
          "qualification, un groupement d'entreprises sociales et solidaires)", "constat", "2",
          "2", "nombre", "groupements d'employeurs pour l'insertion et la qualification",
          "local"),
        c("les actions d'accompagnement global vers l'emploi (2 associations)", "constat", "2",
          "2", "nombre", "associations (accompagnement global vers l'emploi)", "local"),
        c("(20 % des bénéficiaires du RSA rencontrent des problèmes de santé)", "constat", "20",
          "20", "%", "part des bénéficiaires du RSA rencontrant des problèmes de santé",
          "departemental"),
        c("mises en œuvre par une vingtaine d'associations", "constat", "une vingtaine", "20",
          "nombre", "associations (actions de mobilité, numérique, santé)", "local",
          comparateur="~"),
        c("Se réunissent 3 groupes de travail", "constat", "3", "3", "nombre",
          "groupes de travail du PTI local", "local"),
    ],
    # l. 550, État.
    (550, 2): [
        c("Doubler le nombre d'apprentis issus des quartiers pour le porter à 35 000 jeunes",
          "cible", "35 000", "35000", "nombre", "apprentis issus des quartiers", "national"),
        c("Objectif : > 7 % apprentis issus des QPV", "cible", "7", "7", "%",
          "part des apprentis issus des QPV", "national", comparateur=">"),
    ],
    # l. 551, État.
    (551, 2): [
        c("128 Permis B financés de janvier à avril 2019 pour des DE QPV de l'Hérault",
          "constat", "128", "128", "nombre", "permis B financés pour des DE QPV de l'Hérault",
          "departemental", annee=2019),
        c("(sur 627 dans le département, soit 20,4%)", "constat", "627", "627", "nombre",
          "permis B financés pour des DE dans le département", "departemental", annee=2019),
        c("(sur 627 dans le département, soit 20,4%)", "constat", "20,4", "20.4", "%",
          "part des permis B financés attribués à des DE QPV", "departemental", annee=2019),
    ],
    # l. 552 (moved to the État), PIC.
    (552, 1): [
        c("Au sein du Pic, investir près d'1,5 milliard d'euros dans la lutte contre "
          "l'illettrisme et l'illectronisme", "cible", "1,5 milliard", "1500000000", "€",
          "investissement du PIC dans la lutte contre l'illettrisme et l'illectronisme",
          "national", comparateur="~"),
    ],
    # l. 555, État (Direccte).
    (555, 2): [
        c("la Direccte soutient sur la période 2019-2021, 3 projets visant pour partie les "
          "jeunes des quartiers", "cible", "3", "3", "nombre",
          "projets soutenus par la Direccte visant pour partie les jeunes des quartiers",
          "departemental", annee=2021, echeance="sur la période 2019-2021"),
        c("consolider les 3 commissions d'insertion déjà existantes", "constat", "3", "3",
          "nombre", "commissions d'insertion existantes", "local"),
        c("en créer une 4ième pour couvrir les quartiers Pompignane, Vert bois et Aiguelongue",
          "cible", "4ième", "4", "nombre",
          "commissions d'insertion (création d'une 4e pour Pompignane, Vert bois et "
          "Aiguelongue)", "local"),
    ],
    # l. 558, État.
    (558, 2): [
        c("(passage de 140 000 à 240 000 bénéficiaires d'ici 2022)", "constat", "140 000",
          "140000", "nombre", "bénéficiaires de l'insertion par l'activité économique (départ)",
          "national"),
        c("(passage de 140 000 à 240 000 bénéficiaires d'ici 2022)", "cible", "240 000",
          "240000", "nombre", "bénéficiaires de l'insertion par l'activité économique",
          "national", annee=2022, echeance="d'ici 2022"),
        c("En 2018 sont recensés 406 salariés en insertion issus des QPV de Montpellier",
          "constat", "406", "406", "nombre", "salariés en insertion issus des QPV de Montpellier",
          "local", annee=2018),
        c("soit 15,3% des salariés en insertion de l'Hérault", "constat", "15,3", "15.3", "%",
          "part des salariés en insertion de l'Hérault issus des QPV de Montpellier", "local",
          annee=2018),
        c("Objectif: 13% de public QPV bénéficiaires d'un PEC", "cible", "13", "13", "%",
          "part du public QPV parmi les bénéficiaires d'un PEC", "national"),
    ],
    # l. 561, État.
    (561, 2): [
        c("Cité éducative labellisée sur le territoire Mosson avec les 3 collèges têtes de "
          "réseau", "constat", "3", "3", "nombre", "collèges têtes de réseau de la cité éducative",
          "local"),
        c("Deux postes adulte-relais attribués.", "constat", "Deux", "2", "nombre",
          "postes adulte-relais attribués (cité éducative)", "local"),
    ],
    # l. 562-565, Département.
    (562, 3): [
        c("Deux centres de planification existent dans les services départementaux de la "
          "solidarité situés dans les quartiers Mosson et Ovalie", "constat", "Deux", "2",
          "nombre", "centres de planification (Mosson, Ovalie)", "local"),
        c("On peut citer \"Le Printemps des collégiens\" qui a permis à des élèves de classes de "
          "4e et 3e de 6 collèges de Montpellier", "constat", "6", "6", "nombre",
          "collèges de Montpellier participant au Printemps des collégiens", "local",
          annee=2019),
        c("de participer en juin 2019 à 2 journées de rencontres", "constat", "2", "2",
          "nombre", "journées de rencontres du Printemps des collégiens", "local", annee=2019),
    ],
    # l. 565, Métropole/Ville.
    (565, 1): [
        c("une expérimentation sur 4 écoles maternelles de la Mosson a été lancée en 2019",
          "constat", "4", "4", "nombre",
          "écoles maternelles de la Mosson dans l'expérimentation « Parler Bambin »", "local",
          annee=2019),
    ],
    # l. 565, État.
    (565, 2): [
        c("Encourager la présence de deux adultes par classe dans les écoles maternelles",
          "cible", "deux", "2", "nombre", "adultes par classe dans les écoles maternelles",
          "national"),
        c("Dispositif expérimental sur 4 écoles de la Mosson", "constat", "4", "4", "nombre",
          "écoles de la Mosson dans le dispositif expérimental", "local"),
        c("il prévoit 9 heures de formation commune enseignant /ATSEM", "cible", "9", "9",
          "heures", "formation commune enseignant / ATSEM", "local"),
    ],
    # l. 566, État.
    (566, 2): [
        c("En 2019, 215 stages de qualité proposés sur Montpellier et enregistrés sur le "
          "portail", "constat", "215", "215", "nombre",
          "stages de 3e de qualité proposés sur Montpellier", "local", annee=2019),
        c("108 dans la fonction publique", "constat", "108", "108", "nombre",
          "stages de 3e proposés dans la fonction publique", "local", annee=2019),
        c("107 dans le secteur privé", "constat", "107", "107", "nombre",
          "stages de 3e proposés dans le secteur privé", "local", annee=2019),
    ],
    # l. 566-569, Département.
    (566, 3): [
        c("la remise à chaque élève concerné d'un \"coupon sport\" de 14€", "constat", "14",
          "14", "€", "coupon sport remis à chaque collégien de 6ème", "departemental"),
        c("ainsi un collégien sur 3 accède à une ou plusieurs activités sportives", "constat",
          "un collégien sur 3", "3", "un sur N",
          "collégiens accédant à une ou plusieurs activités sportives", "departemental"),
    ],
    # l. 569, État.
    (569, 2): [
        c("100 % des classes de CP et de CE1 en éducation prioritaire dédoublées en 2019",
          "constat", "100", "100", "%",
          "classes de CP et de CE1 en éducation prioritaire dédoublées", "local", annee=2019),
        c("soit 76 CP et 72 CE1", "constat", "76", "76", "nombre", "classes de CP dédoublées",
          "local", annee=2019),
        c("soit 76 CP et 72 CE1", "constat", "72", "72", "nombre", "classes de CE1 dédoublées",
          "local", annee=2019),
        c("Effectif moyen : CP : 11,51 et CE1 : 11,39.", "constat", "11,51", "11.51", "nombre",
          "effectif moyen des classes de CP dédoublées", "local", annee=2019),
        c("Effectif moyen : CP : 11,51 et CE1 : 11,39.", "constat", "11,39", "11.39", "nombre",
          "effectif moyen des classes de CE1 dédoublées", "local", annee=2019),
    ],
    # l. 570, État.
    (570, 2): [
        c("Instaurer un bonus de 1 000 € par place de crèche créée dans les quartiers", "cible",
          "1 000", "1000", "€", "bonus par place de crèche créée dans les quartiers",
          "national"),
        c("(objectif national de création de 30 000 places)", "cible", "30 000", "30000",
          "nombre", "places de crèche à créer", "national"),
        c("307 places en Etablissements d'Accueil du Jeune Enfant (EAJE) nettes créées dans les "
          "QPV de Montpellier avant 2018", "constat", "307", "307", "nombre",
          "places nettes en EAJE créées dans les QPV de Montpellier", "local",
          echeance="avant 2018"),
        c("dans 11 établissements à Montpellier", "constat", "11", "11", "nombre",
          "établissements d'accueil du jeune enfant concernés", "local"),
    ],
    # l. 573, État.
    (573, 2): [
        c("100 % conventions intercommunales d'attribution conclues d'ici 2020", "cible", "100",
          "100", "%", "conventions intercommunales d'attribution conclues", "national",
          annee=2020, echeance="d'ici 2020"),
        c("14,40 % des attributions de logements sociaux réalisées de janvier à fin août 2019 "
          "hors QPV en faveur des ménages du 1er quartile", "constat", "14,40", "14.40", "%",
          "attributions de logements sociaux hors QPV en faveur des ménages du 1er quartile",
          "local", annee=2019),
    ],
    # l. 574, État.
    (574, 2): [
        c("Amplifier le nouveau programme national de renouvellement urbain porté à 10 milliards "
          "d'euros de financements ANRU", "cible", "10 milliards", "10000000000", "€",
          "financements ANRU du NPNRU", "national"),
    ],
    # l. 576, Métropole.
    (576, 1): [
        c("6 études opérationnelles ont été engagées par la Métropole sur 8 copropriétés du "
          "quartier Mosson", "constat", "6", "6", "nombre",
          "études opérationnelles engagées (copropriétés Mosson)", "local"),
        c("6 études opérationnelles ont été engagées par la Métropole sur 8 copropriétés du "
          "quartier Mosson", "constat", "8", "8", "nombre", "copropriétés du quartier Mosson étudiées",
          "local"),
        c("représentant 1 300 logements", "constat", "1 300", "1300", "nombre",
          "logements des copropriétés étudiées à la Mosson", "local"),
        c("1 copropriété sur Cévennes (Cévennes 1, Arceaux et Cévennes 2) représentant plus de "
          "900 logements", "constat", "1", "1", "nombre", "copropriété étudiée sur Cévennes",
          "local"),
        c("1 copropriété sur Cévennes (Cévennes 1, Arceaux et Cévennes 2) représentant plus de "
          "900 logements", "constat", "900", "900", "nombre",
          "logements de la copropriété étudiée sur Cévennes", "local", comparateur=">"),
        c("étudier les 6 copropriétés qui ne l'ont pas encore été", "cible", "6", "6", "nombre",
          "copropriétés de la Mosson restant à étudier (OPAH copropriété dégradée)", "local"),
        c("Sur les 10 autres QPV, un dispositif a été engagé par la Métropole", "constat", "10",
          "10", "nombre", "autres QPV couverts par le dispositif de diagnostics ciblés", "local"),
    ],
    # l. 576, État.
    (576, 2): [
        c("3 copropriétés importantes sur Montpellier", "constat", "3", "3", "nombre",
          "copropriétés bénéficiant d'une intervention de l'ANAH dans les QPV", "local"),
        c("Flamands Roses à Mosson 139 logements", "constat", "139", "139", "nombre",
          "logements de la copropriété Flamands Roses (Mosson)", "local"),
        c("Tour Saint-Martin à Prés d'Arènes 76 logements", "constat", "76", "76", "nombre",
          "logements de la copropriété Tour Saint-Martin (Prés d'Arènes)", "local"),
        c("copro Cévennes1 à Cévennes 444 logements", "constat", "444", "444", "nombre",
          "logements de la copropriété Cévennes1 (Cévennes)", "local"),
    ],
    # l. 582, État.
    (582, 2): [
        c("Objectifs : 45 M€ au niveau national pour la création de 300 fabriques dont 50% en "
          "QPV", "cible", "45 M€", "45000000", "€",
          "financement des Fabriques de territoire", "national"),
        c("Objectifs : 45 M€ au niveau national pour la création de 300 fabriques dont 50% en "
          "QPV", "cible", "300", "300", "nombre", "fabriques de territoire créées", "national"),
        c("Objectifs : 45 M€ au niveau national pour la création de 300 fabriques dont 50% en "
          "QPV", "cible", "50", "50", "%", "part des fabriques créées en QPV", "national"),
    ],
    # l. 582, Département.
    (582, 3): [
        c("3 lieux d'accès au multimédia sont positionnés en QPV", "constat", "3", "3",
          "nombre", "lieux d'accès au multimédia en QPV", "local"),
    ],
    # l. 585, État.
    (585, 2): [
        c("Ouvrir 260 centres sociaux ou espaces de vie sociale d'ici 2022", "cible", "260",
          "260", "nombre", "centres sociaux ou espaces de vie sociale ouverts", "national",
          annee=2022, echeance="d'ici 2022"),
        c("4 centres sociaux et 6 espaces de vie sociale ouverts en QPV à Montpellier",
          "constat", "4", "4", "nombre", "centres sociaux ouverts en QPV à Montpellier",
          "local"),
        c("4 centres sociaux et 6 espaces de vie sociale ouverts en QPV à Montpellier",
          "constat", "6", "6", "nombre", "espaces de vie sociale ouverts en QPV à Montpellier",
          "local"),
    ],
    # l. 586, État.
    (586, 2): [
        c("Doubler le nombre de postes de coordonnateurs associatifs dans les quartiers dès 2019 "
          "(1520 postes contre 760)", "cible", "1520", "1520", "nombre",
          "postes de coordonnateurs associatifs dans les quartiers", "national", annee=2019,
          echeance="dès 2019"),
        c("Doubler le nombre de postes de coordonnateurs associatifs dans les quartiers dès 2019 "
          "(1520 postes contre 760)", "constat", "760", "760", "nombre",
          "postes de coordonnateurs associatifs dans les quartiers (avant doublement)",
          "national"),
        c("21 postes FONJEP en cours de création/74 pour l'Occitanie", "constat", "21", "21",
          "nombre", "postes FONJEP en cours de création", "departemental"),
        c("21 postes FONJEP en cours de création/74 pour l'Occitanie", "constat", "74", "74",
          "nombre", "postes FONJEP pour l'Occitanie", "regional"),
    ],
    # l. 587, État.
    (587, 2): [
        c("Développer les équipements sportifs dans les 50 QPV les plus carencés", "cible", "50",
          "50", "nombre", "QPV les plus carencés où développer les équipements sportifs",
          "national"),
        c("(cofinancé dans le cadre de la DPV 2018 à 60 % par l'État : 250 200 €)", "constat",
          "60", "60", "%", "part de l'État dans le financement du plateau sportif de la Mosson",
          "local", annee=2018),
        c("(cofinancé dans le cadre de la DPV 2018 à 60 % par l'État : 250 200 €)", "constat",
          "250 200", "250200", "€", "DPV 2018 pour le plateau sportif partagé de la Mosson",
          "local", annee=2018),
    ],
    # l. 587, Département.
    (587, 3): [
        c("Hérault Sport développe sur 5 QPV de Montpellier un programme d'animation sportive",
          "constat", "5", "5", "nombre", "QPV de Montpellier couverts par « sport pour toi »",
          "local"),
        c("aide aux écoles de sport (2 000€) concernant 4 clubs de sport à Montpellier",
          "constat", "2 000", "2000", "€", "aide aux écoles de sport", "local"),
        c("aide aux écoles de sport (2 000€) concernant 4 clubs de sport à Montpellier",
          "constat", "4", "4", "nombre", "clubs de sport aidés à Montpellier", "local"),
        c("(aide de 50€ pour la 1ere licence)", "constat", "50", "50", "€",
          "aide pour la 1ere licence (« plus de filles dans mon club »)", "departemental"),
    ],
    # l. 590, Métropole/Ville.
    (590, 1): [
        c("pour faire de la Ville de Montpellier, une « Ville 100 % EAC »", "cible", "100",
          "100", "%", "éducation artistique et culturelle (« Ville 100 % EAC »)", "local"),
    ],
    # l. 590, Département.
    (590, 3): [
        c("Le nombre total de publics accueillis à Pierres vives en 2018 est de 104 500 "
          "personnes.", "constat", "104 500", "104500", "nombre",
          "publics accueillis à Pierres vives", "local", annee=2018),
        c("d'accueillir, d'informer et d'accompagner plus de 4 000 jeunes par an", "constat",
          "4 000", "4000", "nombre", "jeunes accueillis par l'Espace Jeune Citoyen, par an",
          "local", comparateur=">"),
    ],
    # l. 591-597, État (DRAC).
    (591, 2): [
        c("20 structures s'impliquant dans cette démarche ont été identifiées à Montpellier.",
          "constat", "20", "20", "nombre",
          "structures culturelles impliquées dans les partenariats avec les QPV", "local"),
        c("5 médiathèques (Jean-Jacques rousseau, médiathèque Emile Zola, William Shakespeare, "
          "Garcia Lorca, Victor Hugo, plus le réseau des médiathèques)", "constat", "5", "5",
          "nombre", "médiathèques identifiées", "local"),
    ],
    # l. 598-601, État.
    (598, 2): [
        c("En cours de déploiement 1 projet en cours de réflexion sur MPT", "constat", "1", "1",
          "nombre", "projet de Micro-Folie en cours de réflexion sur MPT", "local"),
    ],
    # l. 602, État.
    (602, 2): [
        c("Financement des 3 référents sociaux 3 ½ ETP catégorie B", "constat", "3", "3",
          "nombre", "référents sociaux financés (DEMOS)", "local"),
        c("3 ½ ETP catégorie B : 55 000 €/an (pour 10 mois)", "constat", "3 ½", "3.5", "ETP",
          "référents sociaux DEMOS (catégorie B)", "local"),
        c("3 ½ ETP catégorie B : 55 000 €/an (pour 10 mois)", "constat", "55 000", "55000",
          "€/an", "financement des référents sociaux DEMOS (DPV)", "local"),
        c("158 classes impliquées par le dispositif « chœurs d'enfant » piloté par l'EN",
          "constat", "158", "158", "nombre", "classes impliquées dans « chœurs d'enfant »",
          "local"),
    ],
    # l. 605, Métropole.
    (605, 1): [
        c("en articulation avec les 2 projets de renouvellement urbain", "constat", "2", "2",
          "nombre", "projets de renouvellement urbain", "local"),
        c("la Métropole s'engage à mettre en place 2 conventions de GUSP sur les quartiers "
          "Mosson et Cévennes", "cible", "2", "2", "nombre",
          "conventions de GUSP (Mosson, Cévennes)", "local"),
    ],
    # l. 605, Département.
    (605, 3): [
        c("au sein de 9 services départementaux de la solidarité", "constat", "9", "9", "nombre",
          "services départementaux de la solidarité accueillant les publics des QPV", "local"),
        c("un accueil social physique de plus de 17 000 personnes de janvier à juin 2019",
          "constat", "17 000", "17000", "nombre", "personnes accueillies physiquement",
          "local", comparateur=">", annee=2019),
        c("un accueil téléphonique dépassant les 30 000 appels sur la même période", "constat",
          "30 000", "30000", "nombre", "appels (accueil téléphonique)", "local",
          comparateur=">", annee=2019),
        c("le Département finance la prévention spécialisée dans 8 quartiers prioritaires de "
          "Montpellier", "constat", "8", "8", "nombre",
          "quartiers prioritaires couverts par la prévention spécialisée", "local"),
    ],
    # l. 606-610, Département.
    (606, 3): [
        c("concernant 13 bâtiments sur 16", "cible", "13", "13", "nombre",
          "bâtiments à démolir et reconstruire (Hauts de la Croix d'Argent)", "local"),
        c("concernant 13 bâtiments sur 16", "constat", "16", "16", "nombre",
          "bâtiments de la résidence des Hauts de la Croix d'Argent", "local"),
        c("(476 logements démolis et reconstruits à terme)", "cible", "476", "476", "nombre",
          "logements démolis et reconstruits (Hauts de la Croix d'Argent)", "local",
          echeance="à terme"),
    ],
    # l. 607, État.
    (607, 2): [
        c("Créer 1 300 postes de policiers et gendarmes d'ici 2020 dans 60 quartiers de "
          "reconquête républicaine (QRR)", "cible", "1 300", "1300", "nombre",
          "postes de policiers et gendarmes créés", "national", annee=2020,
          echeance="d'ici 2020"),
        c("Créer 1 300 postes de policiers et gendarmes d'ici 2020 dans 60 quartiers de "
          "reconquête républicaine (QRR)", "cible", "60", "60", "nombre",
          "quartiers de reconquête républicaine (QRR)", "national", annee=2020,
          echeance="d'ici 2020"),
        c("1 QRR créé à la Mosson", "constat", "1", "1", "nombre", "QRR créé à la Mosson",
          "local"),
        c("21 postes de police créés dans le QRR en septembre 2018 à la Mosson", "constat", "21",
          "21", "nombre", "postes de police créés dans le QRR de la Mosson", "local",
          annee=2018),
        c("185 délégués à la cohésion police-population (contre 151 aujourd'hui)", "cible",
          "185", "185", "nombre", "délégués à la cohésion police-population", "national"),
        c("185 délégués à la cohésion police-population (contre 151 aujourd'hui)", "constat",
          "151", "151", "nombre", "délégués à la cohésion police-population (aujourd'hui)",
          "national"),
        c("1 délégué à la cohésion police-population (en QRR/QPV) à la Mosson", "constat", "1",
          "1", "nombre", "délégué à la cohésion police-population à la Mosson", "local"),
        c("et 1 en ZSP", "constat", "1", "1", "nombre",
          "délégué à la cohésion police-population en ZSP", "local"),
    ],
    # l. 611, État.
    (611, 2): [
        c("40 centres de loisirs jeunes (contre 31 aujourd'hui)", "cible", "40", "40", "nombre",
          "centres de loisirs jeunes", "national"),
        c("40 centres de loisirs jeunes (contre 31 aujourd'hui)", "constat", "31", "31",
          "nombre", "centres de loisirs jeunes (aujourd'hui)", "national"),
        c("avec un encadrement de 4 policiers", "constat", "4", "4", "nombre",
          "policiers encadrant l'accueil collectif de mineurs du CLJ Mosson", "local"),
    ],
    # l. 611-612, Département (Hérault Habitat).
    (611, 3): [
        c("l'Office s'est engagé à respecter 13 engagements Qualibail", "cible", "13", "13",
          "nombre", "engagements Qualibail respectés par Hérault Habitat", "departemental"),
        c("consacrer au maximum 25% de leur revenu mensuel au paiement du loyer", "cible", "25",
          "25", "%", "part maximale du revenu mensuel consacrée au loyer (bouclier social)",
          "departemental", comparateur="<="),
        c("Actuellement, un peu plus de 100 foyers sont concernés par cette mesure.", "constat",
          "100", "100", "nombre", "foyers bénéficiant du bouclier social", "departemental",
          comparateur=">"),
    ],
    # l. 612, État.
    (612, 2): [
        c("Créer 1 000 postes d'adultes-relais à partir de 2019", "cible", "1 000", "1000",
          "nombre", "postes d'adultes-relais créés", "national", echeance="à partir de 2019"),
        c("23 postes d'adultes-relais supplémentaires alloués au département de l'Hérault en "
          "2019", "constat", "23", "23", "nombre",
          "postes d'adultes-relais supplémentaires alloués à l'Hérault", "departemental",
          annee=2019),
        c("sur les 70 postes alloués à l'Occitanie", "constat", "70", "70", "nombre",
          "postes d'adultes-relais alloués à l'Occitanie", "regional", annee=2019),
        c("9 postes supplémentaires à Montpellier", "constat", "9", "9", "nombre",
          "postes d'adultes-relais supplémentaires à Montpellier", "local", annee=2019),
    ],
    # l. 613, État.
    (613, 2): [
        c("20 % des jeunes des QPV parmi les volontaires en service civique", "cible", "20",
          "20", "%", "part des jeunes des QPV parmi les volontaires en service civique",
          "national"),
    ],
    # l. 616, Métropole/Ville.
    (616, 1): [
        c("Deux nouvelles thématiques sont en cours de réflexion", "constat", "Deux", "2",
          "nombre", "nouvelles thématiques du groupe de recherche-action", "local"),
    ],
    # l. 618, Métropole/Ville.
    (618, 1): [
        c("La mise en place d'ateliers de sensibilisation dédiés aux personnels Ville, Métropole "
          "et CCAS (7000 personnes)", "constat", "7000", "7000", "nombre",
          "personnels Ville, Métropole et CCAS visés par les ateliers de sensibilisation",
          "local"),
    ],
    # l. 618, État.
    (618, 2): [
        c("Au niveau départemental : 50 % des femmes parmi les bénéficiaires des actions de la "
          "politique de la ville", "constat", "50", "50", "%",
          "part des femmes parmi les bénéficiaires des actions de la politique de la ville",
          "departemental"),
        c("17 % des projets soutenus relevant de la thématique « égalité femme/homme",
          "constat", "17", "17", "%",
          "part des projets soutenus relevant de la thématique égalité femme/homme",
          "departemental"),
    ],
    # l. 618-625, Région.
    (618, 4): [
        c("a adopté son 1er Plan d'actions régional transversal pour la période 2017-2021, fort "
          "de 15 actions prioritaires", "constat", "15", "15", "nombre",
          "actions prioritaires du plan d'actions régional égalité femmes-hommes", "regional"),
        c("Il comprend 2 volets", "constat", "2", "2", "nombre",
          "volets de l'appel à projets égalité réelle femmes-hommes", "regional"),
        c("Depuis son lancement, ce sont environ 75 000 jeunes de la Région Occitanie qui ont "
          "été sensibilisé.e.s à l'égalité filles garçons.", "constat", "75 000", "75000",
          "nombre", "jeunes sensibilisés par « Génération Egalité »", "regional",
          comparateur="~"),
    ],
    # l. 627, État.
    (627, 2): [
        c("Former 20 000 acteurs de terrain par an aux \"Valeurs de la République et à la "
          "laïcité\".", "cible", "20 000", "20000", "nombre",
          "acteurs de terrain formés par an aux Valeurs de la République et à la laïcité",
          "national"),
        c("En 2018, 15 sessions ont été organisées dans le département de l'Hérault", "constat",
          "15", "15", "nombre", "sessions de formation VRL organisées dans l'Hérault",
          "departemental", annee=2018),
        c("par 9 structures différentes (7 associations, une municipalité et une MJC)",
          "constat", "9", "9", "nombre", "structures ayant organisé des sessions",
          "departemental", annee=2018),
        c("par 9 structures différentes (7 associations, une municipalité et une MJC)",
          "constat", "7", "7", "nombre", "associations ayant organisé des sessions",
          "departemental", annee=2018),
        c("Un peu plus de 130 acteurs de terrain ont été formés dans le cadre des formations de "
          "niveau 3", "constat", "130", "130", "nombre",
          "acteurs de terrain formés (formations de niveau 3)", "departemental",
          comparateur=">"),
        c("Pour 2019, ce sont environ 40 acteurs qui ont été formés à ce jour.", "constat",
          "40", "40", "nombre", "acteurs formés en 2019 (à ce jour)", "departemental",
          comparateur="~", annee=2019),
    ],
}

# fmt: on

# Numbers of the texts that are neither targets nor reported figures, per
# engagement (first fragment): (a passage holding them, reason).  Years, dates
# ("13 octobre 2017", "05/07/2019") and numbers glued to letters ("E2C",
# "BOP147", "4e", "1er", "CE1") are skipped by the check itself.
NOMBRES_IGNORES = {
    (534, 2): [("prêt à taux 0", "taux du prêt (caractéristique du dispositif)")],
    (534, 4): [("loi 1901", "référence de loi")],
    (538, 1): [("Ligne 5 de tramway", "nom d'une ligne de tramway")],
    (539, 2): [
        ("1 - Nombre et part des habitants", "numérotation d'indicateur"),
        ("1.1 - Nombre et part de jeunes", "numérotation d'indicateur"),
        ("1.2 - Ecoles", "numérotation d'indicateur"),
    ],
    (542, 2): [
        ("1 - 1729", "numérotation d'indicateur"),
        ("2 – 84", "numérotation d'indicateur"),
        ("Université de Montpellier 2", "nom d'établissement"),
    ],
    (552, 1): [
        ("1 - Nombre et part des habitants", "numérotation d'indicateur"),
        ("2 - x certifications", "numérotation d'indicateur (la valeur est laissée « x »)"),
        ("3 - Nombre et part des bénéficiaires", "numérotation d'indicateur"),
    ],
    (555, 2): [
        ("1/ Commissions", "numérotation"),
        ("2/ Plateforme", "numérotation"),
        ("3/ Plateforme", "numérotation"),
        ("(APS 34)", "nom d'association"),
        ("parcours individualisé de 8 semaines", "durée du parcours (caractéristique)"),
    ],
    (558, 2): [
        ("1. Soutenir", "numérotation"),
        ("2. Soutenir", "numérotation"),
    ],
    (562, 1): [("des 10-16 ans", "tranche d'âge du public")],
    (562, 3): [
        ("enfants de moins de 3 ans", "âge du public"),
        ("enfants de moins de 6 ans", "âge du public"),
    ],
    (566, 3): [("jeunes de 18 à 25 ans", "tranche d'âge du public")],
    (576, 1): [
        ("Font Del Rey 2", "nom de copropriété"),
        ("(Cévennes 1, Arceaux et Cévennes 2)", "noms de copropriétés"),
        ("plan de sauvegarde sur 5 ans", "durée du plan (caractéristique)"),
        ("copropriété des Cévennes 1", "nom de copropriété"),
    ],
    (581, 1): [("arrivés depuis moins de 5 ans", "définition du public")],
    (587, 3): [("filles de 11 à 25 ans", "tranche d'âge du public")],
    (590, 1): [("13-18 ans", "tranche d'âge du public")],
    (591, 2): [
        ("Victoire 2", "nom d'une salle"),
        ("des 13 vents", "nom d'un théâtre"),
        ("entre les 20 structures culturelles", "rappel des 20 structures déjà relevées"),
    ],
    (598, 2): [
        ("(en gros plus de 200 M)", "contrainte technique (distance), ni cible ni résultat")
    ],
    (602, 1): [("« DEMOS 1 »", "nom de la première édition")],
    (602, 2): [
        ("(pour 10 mois)", "durée du financement"),
        ("Aide renouvelée sur 3 ans", "durée de l'aide"),
    ],
    (605, 3): [
        ("(convention APS 34)", "nom d'association"),
        ("Profession Sport 34", "nom d'association"),
    ],
    (606, 2): [("pour 3 ans", "durée du cofinancement")],
    (611, 3): [
        ("pour une durée de 1 an", "durée de la mesure"),
        ("plus de 65 ans", "âge du public"),
    ],
    (618, 4): [
        ("- Volet 1 :", "nom de volet"),
        ("- Volet 2 :", "nom de volet"),
        ("le volet 1", "nom de volet"),
        ("le volet 2", "nom de volet"),
    ],
    (627, 2): [("formations de niveau 3", "nom du niveau de formation")],
}

# ---------------------------------------------------------------------------
# Cleaning
# ---------------------------------------------------------------------------

LOG: dict[str, list] = {"rejoins": [], "sup": []}

TOKEN_RE = re.compile(r"(<[^>]*>)")
BULLET_SPLIT_RE = re.compile(r"(?:^|\s)(?:-|•|\uf0b7)(?=\s)")


def clean_inline(text: str) -> str:
    text = text.replace("**", "")
    text = re.sub(r"\s*\^\{([^}]*)\}", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def clean_blocks(raw: str, lineno: int | None = None) -> list[tuple[str, list[str]]]:
    """Cut one cell into blocks: ("p", [text]) or ("ul", [item, ...])."""
    if lineno is not None:
        if "^{" in raw:
            LOG["sup"].append(lineno)
        for broken, whole in REJOINS:
            if broken in raw:
                LOG["rejoins"].append((lineno, broken, whole))
    for broken, whole in REJOINS:
        raw = raw.replace(broken, whole)
    blocks: list[tuple[str, list[str]]] = []
    mode = "p"
    buf: list[str] = []

    def flush() -> None:
        text = " ".join(buf)
        buf.clear()
        if mode == "p":
            t = clean_inline(text)
            if t:
                blocks.append(("p", [t]))
            return
        parts = BULLET_SPLIT_RE.split(" " + text + " ")
        before, items = clean_inline(parts[0]), [clean_inline(p) for p in parts[1:]]
        items = [i for i in items if i]
        if before:
            blocks.append(("p", [before]))
        if items:
            blocks.append(("ul", items))

    for tok in TOKEN_RE.split(raw):
        if not tok:
            continue
        if tok.startswith("<"):
            name = re.match(r"<\s*(/?)\s*(\w*)", tok)
            tag = (name.group(2) or "").lower() if name else ""
            if tag in ("p", "br"):
                flush()
                mode = "p"
            elif tag == "ul" and not name.group(1):
                flush()
                mode = "ul"
            elif tag == "ul":
                flush()
                mode = "p"
            elif tag == "li" and not name.group(1):
                buf.append(" - ")
            # any other tag: dropped
            continue
        buf.append(tok)
    flush()
    return blocks


def render(blocks: list[tuple[str, list[str]]]) -> str:
    out = []
    for kind, items in blocks:
        out.append(items[0] if kind == "p" else "\n".join("- " + i for i in items))
    return "\n\n".join(out)


def clean(raw: str, lineno: int | None = None) -> str:
    return render(clean_blocks(raw, lineno))


def paragraphs(raw: str) -> list[str]:
    """Cleaned paragraphs and list items of a cell (for the checks)."""
    out = []
    for kind, items in clean_blocks(raw):
        out.extend(items if kind == "p" else ["- " + i for i in items])
    return out


MID_SENTENCE_END_RE = re.compile(r"[.!?:»)]$")


def join_text(before: str, after: str) -> tuple[str, str]:
    """Join two fragments of one cell; return (text, kind of join)."""
    if after.startswith("- "):
        return before + "\n" + after, "retour à la ligne (nouvel élément de liste)"
    if not MID_SENTENCE_END_RE.search(before):
        return before + " " + after, "espace (phrase coupée)"
    return before + "\n\n" + after, "saut de paragraphe"


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def read_annex(lines: list[str]) -> tuple[int, int]:
    start = next(i for i, ln in enumerate(lines) if START_RE.match(ln))
    end = next(i for i in range(start + 1, len(lines)) if END_RE.match(lines[i]))
    return start + 1, end  # 1-based: title line, and last line before Annexe 2


def first_column(raw: str) -> dict:
    blocks = clean_blocks(raw)
    paras = [t for _, items in blocks for t in items]
    text = render(blocks)
    if AXES_RE.match(paras[0]):
        return {
            "cle": "axes",
            "objectif": None,
            "objectif_texte": None,
            "axes_transversaux": True,
            "axes_texte": paras[1:],
            "enjeux": [],
            "enjeux_texte": [],
            "premiere_colonne": text,
        }
    number = next((n for n, rx in OBJECTIFS if rx.match(paras[0])), None)
    if number is None:
        raise ValueError(f"unknown objective: {paras[0]!r}")
    enjeux_texte = [p for p in paras[1:] if re.match(r"Enjeu\s+\d+", p)]
    if len(enjeux_texte) != len(paras) - 1:
        raise ValueError(f"unexpected first-column paragraphs: {paras!r}")
    return {
        "cle": number,
        "objectif": number,
        "objectif_texte": paras[0],
        "axes_transversaux": False,
        "axes_texte": [],
        "enjeux": [int(re.match(r"Enjeu\s+(\d+)", p).group(1)) for p in enjeux_texte],
        "enjeux_texte": enjeux_texte,
        "premiere_colonne": text,
    }


def read_chunks(lines: list[str]) -> list[dict]:
    first, last = read_annex(lines)
    chunks: list[dict] = []
    current: dict | None = None
    for no in range(first + 1, last + 1):
        line = lines[no - 1]
        if not line.strip():
            current = None
            continue
        if HEADER_RE.match(line):
            current = None
            continue
        if SEPARATOR_RE.match(line):
            continue
        if "\t" not in line:
            raise ValueError(f"l. {no}: line without tabs inside the table: {line[:60]!r}")
        cells = line.split("\t")
        if len(cells) != 6:
            raise ValueError(f"l. {no}: {len(cells)} cells")
        if current is None:
            current = {"lines": [], "first_column": None, "first_column_line": None}
            chunks.append(current)
        if cells[0].strip():
            if current["lines"]:
                raise ValueError(f"l. {no}: first column filled on a line other than the first")
            current["first_column"] = first_column(cells[0])
            current["first_column_line"] = no
        current["lines"].append((no, cells))
    # chunks without a first column continue the previous objective
    for i, chunk in enumerate(chunks):
        if chunk["first_column"] is None:
            if i == 0:
                raise ValueError("first chunk without objective")
            chunk["first_column"] = chunks[i - 1]["first_column"]
            chunk["first_column_line"] = chunks[i - 1]["first_column_line"]
            chunk["herite"] = True
    return chunks


def build(lines: list[str]) -> tuple[list[dict], dict]:
    chunks = read_chunks(lines)
    engagements: list[dict] = []
    by_fragment: dict[tuple[int, int], dict] = {}
    found_joins: dict[tuple[int, int], tuple[int, int]] = {}
    journal: dict[str, list] = {"fusions": [], "deplacements": [], "blocs": []}
    last_in_column: dict[int, tuple[int, int]] = {}
    prev_chunk_key = None
    for chunk in chunks:
        fc = chunk["first_column"]
        journal["blocs"].append(
            {
                "lignes": [n for n, _ in chunk["lines"]],
                "objectif": fc["objectif"],
                "axes_transversaux": fc["axes_transversaux"],
                "premiere_colonne_ligne": chunk["first_column_line"],
                "premiere_colonne_heritee": bool(chunk.get("herite")),
            }
        )
        prev_last = dict(last_in_column) if fc["cle"] == prev_chunk_key else {}
        last_in_column = {}
        for row_index, (no, cells) in enumerate(chunk["lines"]):
            for col in range(1, 6):
                raw = cells[col]
                if not raw.strip():
                    continue
                key = (no, col)
                text = clean(raw, no)
                if not text:
                    raise ValueError(f"l. {no} col. {col}: cell empty after cleaning")
                target_key = None
                reason = None
                if row_index == 0 and col in prev_last:
                    before = by_fragment[prev_last[col]]["_fragments"][-1]
                    before_text = before["texte"]
                    if text[0].islower() or before_text.endswith((",", ";")):
                        target_key = prev_last[col]
                        found_joins[key] = prev_last[col]
                        reason = (
                            "suite d'une cellule coupée par le saut de page (détection générique)"
                        )
                if key in MANUAL_MERGES:
                    if target_key is not None:
                        raise ValueError(f"l. {no}: manual merge already found generically")
                    target_key, reason = MANUAL_MERGES[key]
                    reason = "fusion manuelle : " + reason
                if target_key is not None:
                    eng = by_fragment[target_key]
                    if eng["_fragments"][-1]["cle"] != target_key:
                        raise ValueError(
                            f"l. {no}: predecessor {target_key} is not the last fragment"
                        )
                    joined, how = join_text(eng["texte"], text)
                    eng["texte"] = joined
                    eng["_fragments"].append({"cle": key, "texte": text})
                    if no not in eng["lignes_source"]:
                        eng["lignes_source"].append(no)
                    journal["fusions"].append(
                        {
                            "ordre": eng["ordre"],
                            "partenaire": eng["partenaire"],
                            "de": {
                                "ligne": target_key[0],
                                "colonne": PARTENAIRES[target_key[1] - 1],
                            },
                            "suite": {"ligne": no, "colonne": PARTENAIRES[col - 1]},
                            "fin_du_premier": before_tail(by_fragment, target_key),
                            "debut_de_la_suite": text[:60],
                            "jonction": how,
                            "motif": reason,
                        }
                    )
                    by_fragment[key] = eng
                    last_in_column[col] = key
                    continue
                printed = PARTENAIRES[col - 1]
                partner = printed
                moved = False
                motif = None
                if key in MOVES:
                    partner, motif = MOVES[key]
                    moved = True
                    journal["deplacements"].append(
                        {
                            "ligne": no,
                            "colonne_imprimee": printed,
                            "partenaire": partner,
                            "debut": text[:80],
                            "motif": motif,
                        }
                    )
                eng = {
                    "ordre": len(engagements) + 1,
                    "objectif_texte": fc["objectif_texte"],
                    "objectif": fc["objectif"],
                    "axes_transversaux": fc["axes_transversaux"],
                    "enjeux": list(fc["enjeux"]),
                    "enjeux_texte": list(fc["enjeux_texte"]),
                    "partenaire": partner,
                    "colonne_imprimee": printed,
                    "deplace": moved,
                    "motif_deplacement": motif,
                    "texte": text,
                    "lignes_source": [no],
                    "cibles": [],
                    "axes_texte": list(fc["axes_texte"]),
                    "premiere_colonne": fc["premiere_colonne"],
                    "premiere_colonne_ligne": chunk["first_column_line"],
                    "_fragments": [{"cle": key, "texte": text}],
                }
                engagements.append(eng)
                by_fragment[key] = eng
                last_in_column[col] = key
        prev_chunk_key = fc["cle"]
    if found_joins != EXPECTED_PAGE_BREAK_JOINS:
        raise ValueError(
            "page-break joins differ from EXPECTED_PAGE_BREAK_JOINS: "
            f"found {sorted(found_joins.items())}"
        )
    for key in list(MANUAL_MERGES) + list(MOVES):
        if key not in by_fragment:
            raise ValueError(f"manual table entry {key} not met")
    journal["chunks"] = chunks
    return engagements, journal


def before_tail(by_fragment: dict, key: tuple[int, int]) -> str:
    eng = by_fragment[key]
    frag = next(f for f in eng["_fragments"] if f["cle"] == key)
    return frag["texte"][-60:]


# ---------------------------------------------------------------------------
# Targets, checks, output
# ---------------------------------------------------------------------------

MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
DATE_RE = re.compile(r"(?<!\d)\d{1,2}(?:er)? (?:" + MONTHS + r")\b|\b\d{2}/\d{2}/\d{4}\b")
YEAR_RE = re.compile(r"(?<!\d)(?:199\d|20[0-3]\d)(?!\d)")
NUMBER_RE = re.compile(r"(?<![\w@])(\d{1,3}(?: \d{3})+|\d+(?:,\d+)?)(?!\w)")
COMPARATEURS = {"=", ">", ">=", "<", "<=", "~"}
NATURES = {"cible", "constat"}
PORTEES = {"national", "regional", "departemental", "local"}


def number_spans(text: str) -> list[tuple[int, int, str]]:
    """Numbers of a text, years and dates masked."""
    masked = DATE_RE.sub(lambda m: "#" * len(m.group(0)), text)
    masked = YEAR_RE.sub(lambda m: "#" * len(m.group(0)), masked)
    return [(m.start(), m.end(), m.group(0)) for m in NUMBER_RE.finditer(masked)]


def value_span(phrase: str, value_text: str) -> tuple[int, int]:
    m = re.search(r"(?<![\w@])" + re.escape(value_text) + r"(?![\d])", phrase)
    if not m:
        raise ValueError(f"value {value_text!r} not in phrase {phrase!r}")
    return m.start(), m.end()


def attach_cibles(engagements: list[dict]) -> None:
    anchors = {eng["_fragments"][0]["cle"]: eng for eng in engagements}
    for key in list(CIBLES) + list(NOMBRES_IGNORES):
        if key not in anchors:
            raise ValueError(
                f"CIBLES/NOMBRES_IGNORES: {key} is not the first fragment of an engagement"
            )
    for key, eng in anchors.items():
        text = eng["texte"]
        covered: list[tuple[int, int]] = []
        for cible in CIBLES.get(key, []):
            cible = dict(cible)
            phrase = cible["phrase"]
            if text.count(phrase) != 1:
                raise ValueError(f"{key}: phrase found {text.count(phrase)} times: {phrase!r}")
            if cible["nature"] not in NATURES or cible["portee"] not in PORTEES:
                raise ValueError(f"{key}: bad nature/portee in {cible}")
            if cible["comparateur"] not in COMPARATEURS:
                raise ValueError(f"{key}: bad comparateur in {cible}")
            Decimal(cible["valeur"])
            if cible["valeur_max"] is not None:
                Decimal(cible["valeur_max"])
            if cible["echeance_texte"] and cible["echeance_texte"] not in phrase:
                raise ValueError(f"{key}: echeance not in phrase: {cible['echeance_texte']!r}")
            start = text.index(phrase)
            vs, ve = value_span(phrase, cible["valeur_texte"])
            if (start + vs, start + ve) in covered:
                raise ValueError(f"{key}: two cibles on the same value: {cible['phrase']!r}")
            covered.append((start + vs, start + ve))
            eng["cibles"].append(cible)
        for context, _reason in NOMBRES_IGNORES.get(key, []):
            if context not in text:
                raise ValueError(f"{key}: ignored passage not in text: {context!r}")
            for m in re.finditer(re.escape(context), text):
                covered.append((m.start(), m.end()))
        # document order: position of the value in the text
        order = sorted(range(len(eng["cibles"])), key=lambda i: covered[i])
        eng["cibles"] = [eng["cibles"][i] for i in order]
        missing = [
            tok
            for s, e, tok in number_spans(text)
            if not any(cs <= s and e <= ce for cs, ce in covered)
        ]
        if missing:
            raise ValueError(f"{key}: numbers neither in CIBLES nor NOMBRES_IGNORES: {missing}")


def words(text: str) -> list[str]:
    """Word tokens of a text (raw cells: tags removed, "^{er}" read as "er")."""
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"\s*\^\{([^}]*)\}", r"\1", text)
    return re.findall(r"\w+", text)


def verify(lines: list[str], engagements: list[dict], journal: dict) -> dict:
    """Checks against the source; returns counts for the report."""
    first, last = read_annex(lines)
    cells: dict[tuple[int, int], str] = {}
    for no in range(first + 1, last + 1):
        line = lines[no - 1]
        if "\t" in line and not HEADER_RE.match(line) and not SEPARATOR_RE.match(line):
            for col, raw in enumerate(line.split("\t")):
                if col and raw.strip():
                    cells[(no, col)] = raw
    # 1. every non-empty cell in exactly one engagement
    used: dict[tuple[int, int], int] = {}
    for eng in engagements:
        for frag in eng["_fragments"]:
            used[frag["cle"]] = used.get(frag["cle"], 0) + 1
    if set(used) != set(cells) or any(v != 1 for v in used.values()):
        raise ValueError("cells lost or used twice")
    # 2. the words of every cell, in order, in its engagement (nothing dropped)
    for eng in engagements:
        expected = [w for frag in eng["_fragments"] for w in words(cells[frag["cle"]])]
        if words(eng["texte"]) != expected:
            raise ValueError(f"engagement {eng['ordre']}: words differ from the source")
    # 3. every cleaned paragraph / list item of every cell appears in the JSON
    #    exactly as many times as in the source
    all_texts = "\n\n".join(eng["texte"] for eng in engagements)
    source_paras = [p for key in sorted(cells) for p in paragraphs(cells[key])]
    source_all = "\n\n".join(source_paras)
    checked = 0
    for key in sorted(cells):
        owner = next(e for e in engagements if any(f["cle"] == key for f in e["_fragments"]))
        for para in paragraphs(cells[key]):
            body = para[2:] if para.startswith("- ") else para
            if body not in owner["texte"]:
                raise ValueError(f"l. {key[0]}: paragraph not in its engagement: {body[:60]!r}")
            n_json = all_texts.count(body)
            n_src = source_all.count(body)
            if n_json != n_src or n_src < 1:
                raise ValueError(
                    f"l. {key[0]}: paragraph found {n_json} times in JSON, {n_src} in source"
                )
            if n_src != 1:
                raise ValueError(f"l. {key[0]}: paragraph not unique in the source: {body[:60]!r}")
            checked += 1
    return {"cellules": len(cells), "paragraphes_verifies": checked}


def output(
    engagements: list[dict], journal: dict, source: str, lines: list[str], checks: dict
) -> dict:
    first, last = read_annex(lines)
    out = []
    for eng in engagements:
        notes = [
            f"l. {f['suite']['ligne']} fusionnée avec l. {f['de']['ligne']} ({f['jonction']}) : {f['motif']}"
            for f in journal["fusions"]
            if f["ordre"] == eng["ordre"]
        ]
        row = {k: v for k, v in eng.items() if not k.startswith("_")}
        row["lignes_source"] = sorted(eng["lignes_source"])
        row["fragments"] = [
            {"ligne": f["cle"][0], "colonne_imprimee": PARTENAIRES[f["cle"][1] - 1]}
            for f in eng["_fragments"]
        ]
        row["notes"] = notes
        out.append(row)
    return {
        "source": {
            "fichier": os.path.basename(source),
            "lignes": [first, last],
            "titre": lines[first - 1].strip(),
        },
        "controles": checks,
        "recollages": [
            {"ligne": no, "source": broken, "texte": whole} for no, broken, whole in LOG["rejoins"]
        ],
        "exposants": [{"ligne": no, "source": "^{er}", "texte": "er"} for no in LOG["sup"]],
        "fusions": journal["fusions"],
        "deplacements": journal["deplacements"],
        "nombres_ignores": [
            {
                "ordre": next(e["ordre"] for e in engagements if e["_fragments"][0]["cle"] == key),
                "ligne": key[0],
                "passage": ctx,
                "motif": reason,
            }
            for key, items in sorted(NOMBRES_IGNORES.items())
            for ctx, reason in items
        ],
        "engagements": out,
    }


def main(argv: list[str]) -> int:
    source = argv[1] if len(argv) > 1 else DEFAULT_SOURCE
    target = argv[2] if len(argv) > 2 else DEFAULT_OUTPUT
    with open(source, encoding="utf-8") as fh:
        lines = fh.read().replace("\r\n", "\n").split("\n")
    engagements, journal = build(lines)
    attach_cibles(engagements)
    checks = verify(lines, engagements, journal)
    data = output(engagements, journal, source, lines, checks)
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    n_cibles = sum(len(e["cibles"]) for e in engagements)
    print(
        f"{target}: {len(engagements)} engagements, {n_cibles} cibles, "
        f"{checks['cellules']} cellules, {checks['paragraphes_verifies']} paragraphes vérifiés"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
