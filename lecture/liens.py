"""Read links out of the fiches' free text: organisations (through their
aliases), quartiers, and axes transversaux (standard library only).

The text stays as written; these functions only propose the links stored
beside it. ``fiches.liens`` feeds them the database's aliases (the admin's
"relire les liens" action); ``tools/transcription/fiches.py`` feeds them the
aliases of ``fixtures/contrat/`` to write the fixtures.
"""

import re

from lecture.textes import normaliser_libelle, sans_accents

# List items of a pilot or partner text: split on punctuation, then on "et"/"ou".
FRAGMENT = re.compile(r"[^,;/()\n:+]+")
SEPARATEUR = re.compile(r"(?:(?!\s+(?:et|ou)\s+).)+", re.IGNORECASE)


def motif_alias(libelle):
    """A regex for an alias inside running text.

    Multi-word aliases match whatever the case. A single word ("Ville",
    "Etat", "Région") must start with a capital, as a name does: "la
    politique de la ville" or "l'état de santé" name no organisation.
    """
    libelle = re.sub(r"\s+", " ", sans_accents(libelle).strip())
    mots = [re.escape(m) for m in libelle.split(" ")]
    corps = r"\s+".join(mots)
    if len(mots) == 1 and len(libelle) > 1 and not libelle.isupper():
        corps = re.escape(libelle[0].upper()) + "(?i:" + re.escape(libelle[1:]) + ")"
    elif len(mots) == 1 and libelle.isupper():
        # Acronyms ("CAF", "EN") match as written, never inside another word.
        corps = re.escape(libelle)
    else:
        corps = "(?i:" + corps + ")"
    return re.compile(r"(?<![\w])" + corps + r"(?![\w])")


class ResolveurAlias:
    """Finds the organisations named in a free text, longest alias first, so
    "CCAS de la Ville de Montpellier" is one organisation, not two.

    ``aliases`` are ``(libelle, organisation)`` pairs; ``organisation`` is
    whatever the caller wants back (a model instance, a slug), compared by
    equality to list each one once.
    """

    def __init__(self, aliases):
        aliases = list(aliases)
        self.par_cle = {normaliser_libelle(libelle): org for libelle, org in aliases}
        # Ties of length in alphabetical order, so the result never depends on
        # the order the aliases were read in.
        self.motifs = [
            (motif_alias(libelle), org)
            for libelle, org in sorted(aliases, key=lambda a: (-len(a[0]), a[0]))
        ]

    def organisations(self, texte):
        texte = sans_accents(texte)
        pris = [False] * len(texte)
        trouvees = []
        # A list item that is exactly an alias names that organisation whatever
        # its case ("DSDEN, MLDS, Métropole, ville").
        for morceau in FRAGMENT.finditer(texte):
            for partie in SEPARATEUR.finditer(morceau.group()):
                cle = normaliser_libelle(partie.group())
                organisation = self.par_cle.get(cle)
                if organisation is not None and cle:
                    debut = morceau.start() + partie.start()
                    fin = morceau.start() + partie.end()
                    for i in range(debut, fin):
                        pris[i] = True
                    trouvees.append((debut, organisation))
        for motif, organisation in self.motifs:
            for m in motif.finditer(texte):
                if any(pris[m.start() : m.end()]):
                    continue
                for i in range(m.start(), m.end()):
                    pris[i] = True
                trouvees.append((m.start(), organisation))
        resultat = []
        for _, organisation in sorted(trouvees, key=lambda t: t[0]):
            if organisation not in resultat:
                resultat.append(organisation)
        return resultat


# Names of each quartier as the fiches write them (accents ignored).
MOTIFS_QUARTIERS = {
    "vert-bois": [r"vert[- ]bois"],
    "pompignane": [r"pompignane"],
    "lemasson": [r"lemasson"],
    "gely": [r"gely"],
    "aiguelongue": [r"aiguelongue"],
    "pres-d-arenes": [r"pres d'? ?arenes"],
    "cevennes": [r"cevennes"],
    "figuerolles": [r"figuerolles"],
    "pas-du-loup-val-de-croze": [r"pas du loup", r"val de croze"],
    "petit-bard-pergola": [r"petit[- ]bard", r"pergola"],
    "mosson-hauts-de-massane": [r"hauts? de massane", r"mosson nord"],
    "mosson-paillade-celleneuve": [r"paillade", r"celleneuve"],
}
# "Mosson" alone covers both Mosson QPV ("Mosson Nord" is Hauts de Massane).
MOTIF_MOSSON = re.compile(r"\bmosson\b(?!\s+nord)", re.IGNORECASE)
MOTIF_TOUS_QPV = re.compile(
    r"(?:\b(?:12|douze) (?:quartiers|qpv)\b|ensemble des (?:qpv|quartiers)|tous les (?:qpv|quartiers)"
    r"|toutes? les? qpv|\bles qpv de (?:la ville de )?montpellier|quartiers prioritaires de "
    r"(?:la ville de )?montpellier|l'ensemble des quartiers prioritaires|tous qpv)",
    re.IGNORECASE,
)


def quartiers_du_texte(texte):
    """(all_qpv, [quartier slugs]) named in a périmètre text."""
    texte = sans_accents(texte or "").lower()
    tous = bool(MOTIF_TOUS_QPV.search(texte))
    slugs = [
        slug
        for slug, motifs in MOTIFS_QUARTIERS.items()
        if any(re.search(r"\b" + m + r"\b", texte) for m in motifs)
    ]
    if MOTIF_MOSSON.search(texte):
        for slug in ("mosson-hauts-de-massane", "mosson-paillade-celleneuve"):
            if slug not in slugs:
                slugs.append(slug)
    return tous, slugs


# Words by which an "approches transversales" text names each axe (numbered as in Article 4.1).
MOTIFS_AXES = {
    1: r"egalite|femmes?\b|hommes?\b|\bgenre|genres?\b|filles?\b|parite|sexe",
    2: r"discrimin",
    3: r"communautar|repli",
    4: r"jeunes?\b|jeunesse",
}

# The transversal fiches are about one axe each (Article 4.1), whatever their text says.
AXE_DES_FICHES_TRANSVERSALES = {"12.1": 1, "12.2": 2}


def axes_du_texte(texte):
    texte = sans_accents(texte or "").lower()
    return [numero for numero, motif in MOTIFS_AXES.items() if re.search(motif, texte)]
