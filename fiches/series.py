"""Candidates for "the same series": indicators the avenant states twice.

Two sources of pairs:

- **same fiche**: an Annexe 2 "indicateur de suivi" (type *suivi*) and an
  Annexe 3 indicator of the same 2019 fiche (or two follow-up items of the
  fiche that repeat each other);
- **lineage**: a follow-up indicator of a 2019 fiche and an indicator of
  another 2019 fiche that comes from the same 2015 fiche through the
  evolution table (``Evolution``: a fiche split in two, or merged).

Labels are compared once normalised (case, accents folded by
``lecture.textes.sans_accents``, punctuation and French stop words dropped)
by ``difflib.SequenceMatcher`` over the words; the score is the larger of
that ratio and the words' Dice coefficient. Python's difflib was measured
against the seeded data (see README, *One series per fact*): 232 follow-up
indicators against their fiches' ~360 indicators compare in well under a
second, so PostgreSQL's pg_trgm is not needed.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

from lecture.textes import sans_accents

SEUIL = 0.8

MOTS_VIDES = frozenset(
    """
    a au aux avec ce ces d dans de des du en et l la le les leur leurs
    ou par pour qu que qui sa se ses son sur un une y
    """.split()
)


def mots(libelle):
    """The meaningful words of a label: lower case, no accents, no
    punctuation, no stop words."""
    texte = sans_accents(libelle).casefold()
    return [m for m in re.findall(r"[a-z0-9%]+", texte) if m not in MOTS_VIDES]


def similarite(a, b):
    """A score in [0, 1] between two labels (1: the same words in the same order).

    The larger of the characters' ratio over the normalised words (it
    forgives an agreement typo: "proposés" / "proposées") and the words'
    Dice coefficient (it forgives a reordering), or 0.9 when the words of one
    label (three or more) are all in the other; halved when the labels
    carry different numbers ("Phase 1" / "Phase 2" are two facts).
    """
    ma, mb = mots(a), mots(b)
    if not ma or not mb:
        return 0.0
    caracteres = SequenceMatcher(None, " ".join(ma), " ".join(mb), autojunk=False).ratio()
    communs = len(set(ma) & set(mb))
    dice = 2 * communs / (len(set(ma)) + len(set(mb)))
    # One label restating the other with an addition ("... concernés : on note une évolution").
    plus_court = min(len(set(ma)), len(set(mb)))
    inclusion = 0.9 * communs / plus_court if plus_court >= 3 else 0.0
    score = max(caracteres, dice, inclusion)
    if {m for m in ma if m.isdigit()} != {m for m in mb if m.isdigit()}:
        score /= 2
    return score


@dataclass(frozen=True)
class Candidat:
    indicateur: object  # the member, read under the reference
    reference: object  # the indicator partners enter
    origine: str
    score: Decimal
    raison: str


def _raison(origine, membre, reference, score, evolution=None):
    if origine == "meme_fiche":
        lieu = f"même fiche {reference.fiche.numero}"
    else:
        lieu = (
            f"filiation : fiche {membre.fiche.numero} et fiche {reference.fiche.numero}, "
            f"toutes deux issues de la fiche 2015 {evolution}"
        )
    return (
        f"Libellés semblables à {round(score * 100)} % ({lieu}) : « {membre.libelle.strip()} » "
        f"et « {reference.libelle.strip()} »."
    )


def _ordre_paire(a, b):
    """(member, reference): the Annexe 3 indicator is the reference; between
    two follow-up items, the first one."""
    if (a.type == "suivi") != (b.type == "suivi"):
        return (a, b) if a.type == "suivi" else (b, a)
    return (b, a) if (a.ordre, a.code) < (b.ordre, b.code) else (a, b)


def candidats(indicateurs, filiations, seuil=SEUIL):
    """Every candidate pair among ``indicateurs`` (2019 fiche indicators,
    with ``fiche`` loaded), best score first.

    ``filiations`` maps a 2015 fiche number to the ids of the 2019 fiches it
    became. An indicator is proposed as member of one reference only: the
    best-scoring one.
    """
    par_fiche = {}
    for indicateur in indicateurs:
        par_fiche.setdefault(indicateur.fiche_id, []).append(indicateur)

    trouves = {}

    def retenir(a, b, origine, evolution=None):
        if a.type != "suivi" and b.type != "suivi":
            return  # two Annexe 3 lines of a fiche are two indicators, as written
        score = similarite(a.libelle, b.libelle)
        if score < seuil:
            return
        membre, reference = _ordre_paire(a, b)
        score = Decimal(str(round(score, 3)))
        actuel = trouves.get(membre.pk)
        if actuel is None or score > actuel.score:
            trouves[membre.pk] = Candidat(
                membre,
                reference,
                origine,
                score,
                _raison(origine, membre, reference, score, evolution),
            )

    for liste in par_fiche.values():
        for i, a in enumerate(liste):
            for b in liste[i + 1 :]:
                retenir(a, b, "meme_fiche")

    for origine_2015, fiches in sorted(filiations.items()):
        fiches = sorted(fiches)
        for i, fa in enumerate(fiches):
            for fb in fiches[i + 1 :]:
                for a in par_fiche.get(fa, []):
                    for b in par_fiche.get(fb, []):
                        # Lineage pairs: one follow-up item against the other fiche's line.
                        if (a.type == "suivi") != (b.type == "suivi"):
                            retenir(a, b, "filiation", origine_2015)

    # A reference proposed as a member elsewhere would make a chain: keep the
    # stronger of the two links only.
    resultat = sorted(trouves.values(), key=lambda c: (-c.score, c.indicateur.code))
    membres, references, gardes = set(), set(), []
    for candidat in resultat:
        if candidat.reference.pk in membres or candidat.indicateur.pk in references:
            continue
        membres.add(candidat.indicateur.pk)
        references.add(candidat.reference.pk)
        gardes.append(candidat)
    return gardes
