"""The indicator set-up, read side: the plan's indicators as the workspace
and its spreadsheet show them (one state per row, with the token that
detects a concurrent change), the filters, and the set-up completeness.

Writes go through :func:`fiches.services.indicateurs_parametrer`.

An indicator's objective is its fiche's, or its commitment's for the
targets of Annexe 1; the commitment (``engagements.Cible``) is reached
through the ORM's reverse name ``cible_engagement``, without importing the
floor above.
"""

import hashlib
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce

from contrat.annees import ANNEE_MAX, ANNEE_MIN
from fiches.models import CibleAnnuelle, Indicateur, VersionPlan

# The columns of the table and of its spreadsheet, in order (cible_<year>
# columns follow ``annee_reference``).
CHAMPS = ["organisation", "unite", "sens", "desagregation", "valeur_reference", "annee_reference"]
LIBELLES = {
    "organisation": "organisation",
    "unite": "unité",
    "sens": "sens",
    "desagregation": "ventilation",
    "valeur_reference": "valeur de référence",
    "annee_reference": "année de référence",
}

# What a row may lack; the workspace's "what is missing" filter.
MANQUES = {
    "organisation": "sans organisation",
    "unite": "sans unité",
    "cible": "sans cible",
    "ventilation": "ventilation non décidée",
}


def annees_des_cibles():
    """The years of the target columns: those of the plan in force (2019-2022),
    within the years the data may be about."""
    version = VersionPlan.objects.filter(en_vigueur=True).first()
    debut, fin = (version.annee_debut, version.annee_fin) if version else (2019, 2022)
    return list(range(max(debut, ANNEE_MIN), min(fin, ANNEE_MAX) + 1))


def etat(indicateur):
    """The row's set-up as text-comparable values (``cibles_annuelles``
    prefetched, ``organisation`` selected: no query)."""
    return {
        "organisation": indicateur.organisation.slug if indicateur.organisation_id else "",
        "unite": indicateur.unite,
        "sens": indicateur.sens,
        "desagregation": indicateur.desagregation if indicateur.ventilation_decidee else "",
        "valeur_reference": indicateur.valeur_reference,
        "annee_reference": indicateur.annee_reference,
        "cibles": {c.annee: c.valeur for c in indicateur.cibles_annuelles.all()},
    }


def jeton(indicateur):
    """A short digest of the row's set-up: the page and the file carry it, and
    a save whose token is no longer the row's is a concurrent change."""
    e = etat(indicateur)
    # Decimals normalised: 12 and 12.00 are the same set-up.
    norme = [
        e["organisation"],
        e["unite"],
        e["sens"],
        e["desagregation"],
        None if e["valeur_reference"] is None else str(e["valeur_reference"].normalize()),
        e["annee_reference"],
        sorted((a, str(v.normalize())) for a, v in e["cibles"].items()),
    ]
    # A leading letter: a spreadsheet program never reads "12e45..." as a number.
    return "v" + hashlib.sha256(repr(norme).encode()).hexdigest()[:15]


def indicateurs_du_plan():
    """Every indicator of the plan in force (fiche indicators of the version
    in force, and the commitments' targets), in the plan's order, with what
    the table shows: 4 queries for any number of rows once evaluated (the
    rows, the targets) plus the count when paginated."""
    return (
        Indicateur.objects.filter(Q(fiche__version__en_vigueur=True) | Q(fiche__isnull=True))
        .select_related("fiche", "organisation", "cible_engagement__engagement")
        .prefetch_related("cibles_annuelles")
        .annotate(
            objectif_numero=Coalesce(
                F("fiche__objectif__numero"), F("cible_engagement__engagement__objectif__numero")
            )
        )
        .order_by(
            F("fiche__enjeu_numero").asc(nulls_last=True),
            F("fiche__rang").asc(nulls_last=True),
            "cible_engagement__engagement__ordre",
            "ordre",
            "code",
        )
    )


def filtrer(queryset, *, objectif=None, fiche="", organisation="", type="", manque=""):
    """The workspace's filters (each optional). ``organisation="aucune"``
    keeps the rows without one; ``objectif=0`` the transversal ones."""
    if objectif is not None:
        queryset = (
            queryset.filter(objectif_numero__isnull=True)
            if objectif == 0
            else queryset.filter(objectif_numero=objectif)
        )
    if fiche:
        queryset = queryset.filter(fiche__numero=fiche)
    if organisation == "aucune":
        queryset = queryset.filter(organisation__isnull=True)
    elif organisation:
        queryset = queryset.filter(organisation__slug=organisation)
    if type:
        queryset = queryset.filter(type=type)
    if manque == "organisation":
        queryset = queryset.filter(organisation__isnull=True)
    elif manque == "unite":
        queryset = queryset.filter(unite="")
    elif manque == "cible":
        queryset = queryset.exclude(Exists(CibleAnnuelle.objects.filter(indicateur=OuterRef("pk"))))
    elif manque == "ventilation":
        queryset = queryset.filter(ventilation_decidee=False)
    return queryset


@dataclass
class Completude:
    """Set-up completeness of a group of active indicators."""

    groupe: object
    libelle: str
    total: int
    avec_organisation: int
    avec_unite: int
    ventilation_decidee: int
    avec_cible: int
    complets: int

    @property
    def taux(self):
        return round(100 * self.complets / self.total) if self.total else 0

    def en_dict(self):
        return {
            "groupe": self.groupe,
            "libelle": self.libelle,
            "total": self.total,
            "avec_organisation": self.avec_organisation,
            "avec_unite": self.avec_unite,
            "ventilation_decidee": self.ventilation_decidee,
            "avec_cible": self.avec_cible,
            "complets": self.complets,
            "taux": self.taux,
        }


DEFINITION_COMPLETUDE = (
    "Part des indicateurs actifs du plan qui ont une organisation responsable, une unité, "
    "une ventilation décidée (même « aucune ») et au moins une cible annuelle."
)


def completude_parametrage():
    """``{"objectifs": [...], "organisations": [...], "ensemble": Completude}``
    over the plan's active indicators (:data:`DEFINITION_COMPLETUDE`):
    2 queries, whatever the number of indicators."""
    avec_cible = Exists(CibleAnnuelle.objects.filter(indicateur=OuterRef("pk")))
    base = indicateurs_du_plan().filter(actif=True).annotate(a_cible=avec_cible).order_by()
    complet = Q(organisation__isnull=False, ventilation_decidee=True, a_cible=True) & ~Q(unite="")
    # Aliased "n_<name>": "ventilation_decidee" is also a field, which the
    # filters below must keep reading.
    mesures = {
        "total": Count("pk"),
        "avec_organisation": Count("pk", filter=Q(organisation__isnull=False)),
        "avec_unite": Count("pk", filter=~Q(unite="")),
        "ventilation_decidee": Count("pk", filter=Q(ventilation_decidee=True)),
        "avec_cible": Count("pk", filter=Q(a_cible=True)),
        "complets": Count("pk", filter=complet),
    }
    alias = {f"n_{k}": v for k, v in mesures.items()}
    objectifs = [
        Completude(
            groupe=ligne["objectif_numero"],
            libelle=f"Objectif {ligne['objectif_numero']}"
            if ligne["objectif_numero"]
            else "Axes transversaux (sans objectif)",
            **{k: ligne[f"n_{k}"] for k in mesures},
        )
        for ligne in base.values("objectif_numero").annotate(**alias).order_by("objectif_numero")
    ]
    organisations = [
        Completude(
            groupe=ligne["organisation__slug"],
            libelle=ligne["organisation__nom"] or "Sans organisation",
            **{k: ligne[f"n_{k}"] for k in mesures},
        )
        for ligne in base.values("organisation__slug", "organisation__nom")
        .annotate(**alias)
        .order_by("organisation__nom")
    ]
    ensemble = Completude(
        groupe=None,
        libelle="Ensemble",
        **{k: sum(getattr(o, k) for o in objectifs) for k in mesures},
    )
    return {"objectifs": objectifs, "organisations": organisations, "ensemble": ensemble}
