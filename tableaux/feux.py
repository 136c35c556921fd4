"""Status lights ("feux") of the plan for a year: is each indicator, fiche,
objective and partner on track?

The rule, in the words the pages print (``REGLE``):

- an **indicator** is judged only against its target of that year
  (``fiches.CibleAnnuelle``) and its validated value of that year, read as
  the aggregates read it (``tableaux.agregats``: the "all quartiers / both
  sexes" cell, else the sum of the cells for units that add up, else their
  mean; a member of a confirmed series reads its reference's values).
  Progress = value ÷ target (target ÷ value when lower is better), in %.
  At least ``FEUX_SEUILS["bonne_voie"]`` % → *En bonne voie*; at least
  ``FEUX_SEUILS["a_surveiller"]`` % → *À surveiller*; below → *Hors
  trajectoire*; no target or no validated value that year → *Pas de donnée*.
- a **follow-up** (``engagements.SuiviAction``, validated only: the rest is
  not public) counts by its progress status: réalisé, en cours, à venir →
  *En bonne voie*; en retard, suspendu → *À surveiller*; abandonné → *Hors
  trajectoire*; not given → *Pas de donnée*.
- a **fiche** rolls up its indicators and its follow-ups; an **objective**,
  those of its fiches plus its commitments' targets and follow-ups; a
  **partner**, the indicators it answers for and the follow-ups filed under
  it, its attached services' included. A group takes the **least favourable
  light among its elements that have data**; *Pas de donnée* when none has.
  The counts per light (``Feu.comptes``) say how many of each.

Every function reads the whole year in a fixed number of queries
(``calculer``: 8), whatever the number of indicators. Keys are primary keys.

API (stable, also read by the annual report):

- ``feu_indicateur(indicateur, annee) -> Feu``
- ``feux_indicateurs(annee) -> {indicator pk: Feu}`` (active indicators)
- ``feux_fiches(annee) -> {fiche pk: Feu}`` (fiches of the plan in force)
- ``feux_objectifs(annee) -> {objective pk: Feu}``
- ``feux_partenaires(annee) -> {organisation pk: Feu}``
- ``calculer(annee) -> Feux`` (all of the above at once, for one page)
- ``annee_par_defaut()``: the latest year with validated data.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from contrat.models import Objectif, Organisation
from engagements.models import Campagne, Engagement, SuiviAction, SyntheseValeurs, Valeur
from fiches.models import CibleAnnuelle, Indicateur, LienSerie

BONNE_VOIE = "bonne_voie"
A_SURVEILLER = "a_surveiller"
HORS_TRAJECTOIRE = "hors_trajectoire"
PAS_DE_DONNEE = "pas_de_donnee"

# From the most to the least favourable; a group takes the worst of its elements.
ORDRE = [BONNE_VOIE, A_SURVEILLER, HORS_TRAJECTOIRE]

LIBELLES = {
    BONNE_VOIE: "En bonne voie",
    A_SURVEILLER: "À surveiller",
    HORS_TRAJECTOIRE: "Hors trajectoire",
    PAS_DE_DONNEE: "Pas de donnée",
}
# A shape as well as a colour: the light reads in black and white and without colour vision.
ICONES = {BONNE_VOIE: "●", A_SURVEILLER: "▲", HORS_TRAJECTOIRE: "✖", PAS_DE_DONNEE: "○"}

SEUILS_PAR_DEFAUT = {"bonne_voie": 90, "a_surveiller": 60}

AVANCEMENTS = {
    SuiviAction.Avancement.REALISE: BONNE_VOIE,
    SuiviAction.Avancement.EN_COURS: BONNE_VOIE,
    SuiviAction.Avancement.A_VENIR: BONNE_VOIE,
    SuiviAction.Avancement.EN_RETARD: A_SURVEILLER,
    SuiviAction.Avancement.SUSPENDU: A_SURVEILLER,
    SuiviAction.Avancement.ABANDONNE: HORS_TRAJECTOIRE,
}


def seuils():
    """The thresholds in %, from ``settings.FEUX_SEUILS`` (missing keys: defaults)."""
    lus = {**SEUILS_PAR_DEFAUT, **getattr(settings, "FEUX_SEUILS", {})}
    lus = {k: Decimal(str(lus[k])) for k in SEUILS_PAR_DEFAUT}
    if not 0 <= lus["a_surveiller"] <= lus["bonne_voie"]:
        raise ImproperlyConfigured("FEUX_SEUILS : 0 <= a_surveiller <= bonne_voie.")
    return lus


def _pct(nombre):
    return f"{nombre.normalize():f}".replace(".", ",")


def regle():
    """The rule in plain French, with the thresholds in force (for the pages)."""
    s = seuils()
    return (
        f"Un indicateur est « En bonne voie » si sa valeur validée de l'année atteint au moins "
        f"{_pct(s['bonne_voie'])} % de la cible de la même année, « À surveiller » à partir de "
        f"{_pct(s['a_surveiller'])} %, « Hors trajectoire » en dessous ; sans cible ou sans valeur "
        f"validée cette année-là : « Pas de donnée ». Un suivi d'action validé compte selon son "
        f"avancement : réalisé, en cours ou à venir (en bonne voie), en retard ou suspendu "
        f"(à surveiller), abandonné (hors trajectoire). Une fiche, un objectif ou un partenaire "
        f"prend le feu le moins favorable de ses indicateurs et suivis renseignés."
    )


@dataclass
class Feu:
    """A light: ``code`` (one of the four), and for an indicator its target,
    value and progress; for a group, how many elements have each light."""

    code: str
    cible: Decimal | None = None
    valeur: Decimal | None = None
    avancement: Decimal | None = None
    comptes: dict = field(default_factory=dict)

    @property
    def libelle(self):
        return LIBELLES[self.code]

    @property
    def icone(self):
        return ICONES[self.code]

    @property
    def renseigne(self):
        return self.code != PAS_DE_DONNEE

    @property
    def nb_elements(self):
        return sum(self.comptes.values())

    @property
    def detail(self):
        """The counts in French, e.g. "2 en bonne voie, 1 à surveiller, 3 sans donnée"."""
        mots = {
            BONNE_VOIE: "en bonne voie",
            A_SURVEILLER: "à surveiller",
            HORS_TRAJECTOIRE: "hors trajectoire",
            PAS_DE_DONNEE: "sans donnée",
        }
        return ", ".join(f"{self.comptes[c]} {mots[c]}" for c in mots if self.comptes.get(c))


def code_avancement(avancement):
    """The light of a progress ratio in % (None: no data)."""
    if avancement is None:
        return PAS_DE_DONNEE
    s = seuils()
    if avancement >= s["bonne_voie"]:
        return BONNE_VOIE
    if avancement >= s["a_surveiller"]:
        return A_SURVEILLER
    return HORS_TRAJECTOIRE


def avancement_de(valeur, cible, sens):
    """Progress in % of ``valeur`` towards ``cible`` (None when it cannot be told)."""
    if valeur is None or cible is None:
        return None
    if sens == Indicateur.Sens.BAISSE:
        if valeur <= 0:
            return None
        return cible / valeur * 100
    if cible == 0:
        return None
    return valeur / cible * 100


def regrouper(codes):
    """A group's light from its elements' codes: the least favourable among
    those with data, and the counts of each."""
    comptes = {}
    for code in codes:
        comptes[code] = comptes.get(code, 0) + 1
    pire = PAS_DE_DONNEE
    for code in ORDRE:
        if comptes.get(code):
            pire = code
    return Feu(pire, comptes=comptes)


def valeur_retenue(unite, nb_global, somme_global, nb, somme):
    """The validated value of an indicator's year, as ``tableaux.agregats`` reads it."""
    if nb_global:
        return somme_global
    if not nb:
        return None
    if unite in Indicateur.UNITES_ADDITIVES:
        return somme
    return somme / nb


def _feu_mesure(valeur, cible, sens):
    if cible is None:
        return Feu(PAS_DE_DONNEE, valeur=valeur)
    avancement = avancement_de(valeur, cible, sens)
    return Feu(code_avancement(avancement), cible=cible, valeur=valeur, avancement=avancement)


def feu_indicateur(indicateur, annee):
    """The light of one indicator for ``annee``: 2 queries (its series, its
    validated synthesis), plus one for its targets unless prefetched."""
    cible = indicateur.cible_de(annee)
    source = indicateur.source_des_valeurs()
    synthese = SyntheseValeurs.objects.filter(
        indicateur=source, annee=annee, statut=Valeur.Statut.VALIDEE
    ).first()
    valeur = None
    if synthese is not None:
        valeur = valeur_retenue(
            source.unite, synthese.nb_global, synthese.somme_global, synthese.nb, synthese.somme
        )
    return _feu_mesure(valeur, cible.valeur if cible else None, indicateur.sens)


@dataclass
class Feux:
    """Every light of a year (see :func:`calculer`)."""

    annee: int
    indicateurs: dict
    suivis: dict
    fiches: dict
    objectifs: dict
    partenaires: dict


def calculer(annee):
    """Every light of ``annee`` in 8 queries: indicators, targets, series,
    validated syntheses, validated follow-ups, commitments' objectives,
    organisations, objectives."""
    indicateurs = list(
        Indicateur.objects.filter(actif=True).values(
            "pk",
            "unite",
            "sens",
            "organisation_id",
            "fiche_id",
            "fiche__version__en_vigueur",
            "fiche__objectif_id",
            "cible_engagement__engagement_id",
        )
    )
    cibles = dict(CibleAnnuelle.objects.filter(annee=annee).values_list("indicateur_id", "valeur"))
    series = dict(LienSerie.objects.confirmes().values_list("indicateur_id", "reference_id"))
    unites = {i["pk"]: i["unite"] for i in indicateurs}
    valeurs = {}
    for ind_id, nb_global, somme_global, nb, somme in SyntheseValeurs.objects.filter(
        annee=annee, statut=Valeur.Statut.VALIDEE, nb__gt=0
    ).values_list("indicateur_id", "nb_global", "somme_global", "nb", "somme"):
        valeurs[ind_id] = (nb_global, somme_global, nb, somme)

    feux_ind = {}
    for i in indicateurs:
        source = series.get(i["pk"], i["pk"])
        lue = valeurs.get(source)
        valeur = valeur_retenue(unites.get(source, i["unite"]), *lue) if lue else None
        feux_ind[i["pk"]] = _feu_mesure(valeur, cibles.get(i["pk"]), i["sens"])

    suivis = list(
        SuiviAction.objects.filter(annee=annee, statut=SuiviAction.Statut.VALIDE).values(
            "pk",
            "avancement",
            "organisation_id",
            "fiche_id",
            "fiche__version__en_vigueur",
            "fiche__objectif_id",
            "engagement_id",
        )
    )
    feux_suivis = {s["pk"]: Feu(AVANCEMENTS.get(s["avancement"], PAS_DE_DONNEE)) for s in suivis}
    objectif_engagement = dict(Engagement.objects.values_list("pk", "objectif_id"))

    par_fiche, par_objectif, par_organisation = {}, {}, {}

    def ajouter(code, *, fiche_id, en_vigueur, objectif_id, engagement_id, organisation_id):
        if fiche_id is not None:
            if not en_vigueur:
                return  # a fiche of an earlier plan: not followed any more
            par_fiche.setdefault(fiche_id, []).append(code)
        elif engagement_id is not None:
            objectif_id = objectif_engagement.get(engagement_id)
        if objectif_id is not None:
            par_objectif.setdefault(objectif_id, []).append(code)
        if organisation_id is not None:
            par_organisation.setdefault(organisation_id, []).append(code)

    for i in indicateurs:
        ajouter(
            feux_ind[i["pk"]].code,
            fiche_id=i["fiche_id"],
            en_vigueur=i["fiche__version__en_vigueur"],
            objectif_id=i["fiche__objectif_id"],
            engagement_id=i["cible_engagement__engagement_id"],
            organisation_id=i["organisation_id"],
        )
    for s in suivis:
        ajouter(
            feux_suivis[s["pk"]].code,
            fiche_id=s["fiche_id"],
            en_vigueur=s["fiche__version__en_vigueur"],
            objectif_id=s["fiche__objectif_id"],
            engagement_id=s["engagement_id"],
            organisation_id=s["organisation_id"],
        )

    # A partner answers for its attached services too (the État and its DDCS...).
    parents = dict(Organisation.objects.values_list("pk", "rattachement_id"))
    codes_partenaires = {pk: [] for pk in parents}
    for organisation_id, codes in par_organisation.items():
        vus = set()
        courant = organisation_id
        while courant is not None and courant not in vus:
            vus.add(courant)
            codes_partenaires[courant].extend(codes)
            courant = parents.get(courant)

    return Feux(
        annee=annee,
        indicateurs=feux_ind,
        suivis=feux_suivis,
        fiches={pk: regrouper(codes) for pk, codes in par_fiche.items()},
        objectifs={
            pk: regrouper(par_objectif.get(pk, []))
            for pk in Objectif.objects.values_list("pk", flat=True)
        },
        partenaires={pk: regrouper(codes) for pk, codes in codes_partenaires.items()},
    )


def feux_indicateurs(annee):
    """{indicator pk: Feu} for the active indicators (8 queries, as every function below)."""
    return calculer(annee).indicateurs


def feux_fiches(annee):
    """{fiche pk: Feu} for the fiches of the plan in force that have an
    indicator or a follow-up (a fiche absent from the dict has no data)."""
    return calculer(annee).fiches


def feux_objectifs(annee):
    """{objective pk: Feu} for every objective."""
    return calculer(annee).objectifs


def feux_partenaires(annee):
    """{organisation pk: Feu} for every organisation."""
    return calculer(annee).partenaires


def feu_de(dictionnaire, pk):
    """``dictionnaire[pk]``, or a *Pas de donnée* light."""
    return dictionnaire.get(pk) or Feu(PAS_DE_DONNEE)


def annee_par_defaut():
    """The latest year with a validated value or a validated follow-up; else
    the latest campaign's year; else None. One query."""
    sql = f"""
        SELECT COALESCE(
            GREATEST(
                (SELECT MAX(annee) FROM {SyntheseValeurs._meta.db_table}
                 WHERE statut = %s AND nb > 0),
                (SELECT MAX(annee) FROM {SuiviAction._meta.db_table} WHERE statut = %s)
            ),
            (SELECT MAX(annee) FROM {Campagne._meta.db_table})
        )
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [Valeur.Statut.VALIDEE, SuiviAction.Statut.VALIDE])
        return cursor.fetchone()[0]
