"""What staff read to validate: the queue of grids, filtered and counted,
and the context of one grid (unit, target, baseline, earlier years, totals,
the partner's note once, who submitted when). Reads only: decisions go
through :func:`engagements.services.valeurs_statuer`.

Counting reads the synthesis a trigger keeps (``SyntheseValeurs``: a few
thousand rows, whatever the number of values); only the submitted values of
the page's grids are read one by one (their ids and versions, for the
checkboxes)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Min, Q

from engagements.models import SyntheseValeurs, Valeur
from fiches.models import Indicateur

# The queue's status filter: a grid is listed under a status when it holds
# at least one value in that status ("" lists every grid with a value).
STATUTS_FILE = [
    ("soumise", "À valider (soumises)"),
    ("rejetee", "Rejetées"),
    ("validee", "Validées"),
    ("brouillon", "Brouillons"),
    ("", "Toutes"),
]


@dataclass
class LigneFile:
    indicateur_id: int
    annee: int
    comptes: dict = field(default_factory=dict)  # statut -> number of values
    depuis: object = None  # oldest submission still waiting
    derniere: object = None  # latest submission
    indicateur: Indicateur = None
    jeton: str = ""  # "id:version id:version ..." of its submitted values

    @property
    def soumises(self):
        return self.comptes.get(Valeur.Statut.SOUMISE, 0)

    @property
    def validees(self):
        return self.comptes.get(Valeur.Statut.VALIDEE, 0)

    @property
    def rejetees(self):
        return self.comptes.get(Valeur.Statut.REJETEE, 0)

    @property
    def brouillons(self):
        return self.comptes.get(Valeur.Statut.BROUILLON, 0)


def filtre_indicateur(prefixe="", *, organisation=None, objectif=None, fiche=None):
    """The queue's filters on an indicator, as a Q over ``prefixe`` + field."""
    condition = Q()
    if organisation:
        condition &= Q(**{f"{prefixe}organisation__slug": organisation})
    if objectif:
        # A fiche's objective, or the objective of the commitment a target comes from.
        condition &= Q(**{f"{prefixe}fiche__objectif__numero": objectif}) | Q(
            **{f"{prefixe}cible_engagement__engagement__objectif__numero": objectif}
        )
    if fiche:
        condition &= Q(**{f"{prefixe}fiche__numero": fiche})
    return condition


def file_de_validation(*, annee=None, organisation=None, objectif=None, fiche=None, statut=""):
    """``(lines, counts)``: every grid (indicator × year) matching the
    filters, those waiting first (oldest submission first), then the latest
    years; ``counts`` gives, per status of :data:`STATUTS_FILE`, the grids and
    values under the other filters. Two queries."""
    condition = filtre_indicateur(
        "indicateur__", organisation=organisation, objectif=objectif, fiche=fiche
    )
    if annee:
        condition &= Q(annee=annee)
    lignes = {}
    for indicateur_id, an, st, nb in SyntheseValeurs.objects.filter(
        condition, nb__gt=0
    ).values_list("indicateur_id", "annee", "statut", "nb"):
        ligne = lignes.setdefault((indicateur_id, an), LigneFile(indicateur_id, an))
        ligne.comptes[st] = nb
    comptes = {code: {"grilles": 0, "valeurs": 0} for code, _ in STATUTS_FILE}
    for ligne in lignes.values():
        for st, nb in ligne.comptes.items():
            comptes[st]["grilles"] += 1
            comptes[st]["valeurs"] += nb
        comptes[""]["grilles"] += 1
        comptes[""]["valeurs"] += sum(ligne.comptes.values())
    # Waiting since when: the submitted values only (few, on the (annee, statut) index).
    for row in (
        Valeur.objects.filter(condition, statut=Valeur.Statut.SOUMISE)
        .values("indicateur_id", "annee")
        .annotate(depuis=Min("soumise_le"), derniere=Max("soumise_le"))
        .order_by()
    ):
        ligne = lignes.get((row["indicateur_id"], row["annee"]))
        if ligne is not None:
            ligne.depuis, ligne.derniere = row["depuis"], row["derniere"]
    choisies = [ligne for ligne in lignes.values() if not statut or ligne.comptes.get(statut)]
    # Waiting grids first, oldest first; then by year (latest first).
    choisies.sort(
        key=lambda ligne: (
            ligne.depuis is None,
            ligne.depuis.timestamp() if ligne.depuis else 0,
            -ligne.annee,
            ligne.indicateur_id,
        )
    )
    return choisies, comptes


def completer_page(lignes):
    """Load the page's indicators and the ids and versions of their submitted
    values (the selection's checkboxes). Two queries, whatever the page's size."""
    if not lignes:
        return lignes
    indicateurs = Indicateur.objects.select_related(
        "fiche", "organisation", "fiche__objectif"
    ).in_bulk({ligne.indicateur_id for ligne in lignes})
    paires = Q()
    for ligne in lignes:
        paires |= Q(indicateur_id=ligne.indicateur_id, annee=ligne.annee)
    jetons = {}
    for pk, version, indicateur_id, annee in (
        Valeur.objects.filter(paires, statut=Valeur.Statut.SOUMISE)
        .order_by("pk")
        .values_list("pk", "version", "indicateur_id", "annee")
    ):
        jetons.setdefault((indicateur_id, annee), []).append(f"{pk}:{version}")
    for ligne in lignes:
        ligne.indicateur = indicateurs.get(ligne.indicateur_id)
        ligne.jeton = " ".join(jetons.get((ligne.indicateur_id, ligne.annee), []))
    return lignes


def lire_jetons(jetons, maximum):
    """``[(id, version)]`` from the queue's ticked grids ("id:version ...").

    Bounded before any parsing: at most ``maximum`` pairs in all; the service
    parses each number (``contrat.nombres``) and refuses what is not a number."""
    paires = []
    for jeton in jetons:
        for morceau in jeton.split(None, maximum + 1):
            pk, _, version = morceau.partition(":")
            paires.append((pk, version))
            if len(paires) > maximum:
                # One past the limit: the service refuses it with its message.
                return paires
    return paires


# ---------------------------------------------------------------- one grid


@dataclass
class Annee:
    annee: int
    nb: int
    total: Decimal = None
    cible: object = None


def total_de(indicateur, valeurs_par_cellule):
    """The grid's total: its single value, or the sum of its cells where the
    unit adds up; None when it does not (a percentage) or nothing is there."""
    if not valeurs_par_cellule:
        return None
    if (None, "") in valeurs_par_cellule:
        return valeurs_par_cellule[(None, "")]
    if indicateur.additive:
        return sum(valeurs_par_cellule.values(), Decimal(0))
    return None


def contexte_grille(indicateur, annee, valeurs):
    """What the validation page shows besides the cells. ``valeurs``: the
    grid's values by cell key, their ``saisie_par`` loaded. One query (the
    earlier years, from the synthesis) plus the targets if not prefetched."""
    cibles = {c.annee: c for c in indicateur.cibles_annuelles.all()}
    precedentes = [
        Annee(
            annee=an,
            nb=nb,
            # The "all quartiers, both sexes" cell when there is one, else the sum if it adds up.
            total=somme_global if nb_global else (somme if indicateur.additive else None),
            cible=cibles.get(an),
        )
        for an, nb, somme, nb_global, somme_global in SyntheseValeurs.objects.filter(
            indicateur=indicateur, statut=Valeur.Statut.VALIDEE, annee__lt=annee, nb__gt=0
        )
        .order_by("annee")
        .values_list("annee", "nb", "somme", "nb_global", "somme_global")
    ]
    par_cellule = {(v.quartier, v.sexe): v.valeur for v in valeurs.values()}
    par_sexe = []
    if indicateur.par_quartier and indicateur.par_sexe and indicateur.additive:
        for sexe in Valeur.Sexe:
            cellules = [v.valeur for v in valeurs.values() if v.sexe == sexe]
            if cellules:
                par_sexe.append((sexe.label, sum(cellules, Decimal(0))))
    notes = []
    for v in sorted(valeurs.values(), key=lambda v: v.saisie_le):
        if v.note.strip() and v.note not in notes:
            notes.append(v.note)
    soumissions = {}
    for v in valeurs.values():
        if v.soumise_le is not None:
            quand = v.soumise_le.replace(second=0, microsecond=0)
            soumissions.setdefault((v.saisie_par, quand), 0)
            soumissions[(v.saisie_par, quand)] += 1
    return {
        "cible": cibles.get(annee),
        "precedentes": precedentes,
        "total": total_de(indicateur, par_cellule),
        "total_statuts": sorted({v.get_statut_display() for v in valeurs.values()}),
        "par_sexe": par_sexe,
        "notes": notes,
        "note_publique": any(v.note_publique for v in valeurs.values() if v.note.strip()),
        "soumissions": sorted(
            ((par, quand, nb) for (par, quand), nb in soumissions.items()),
            key=lambda s: s[1],
        ),
    }
