"""The partner's home (``/saisie/``): everything an organisation owes for a
campaign — its indicators' values and the follow-up records of its fiches and
commitments — as one list of lines, grouped by objective and by fiche or
commitment, each with its state and the service it belongs to.

Read in a bounded number of queries whatever the organisation's size: the
indicators (fiche, objective, commitment joined; pilots and commitment
organisations prefetched), the values' synthesis for the year, the actions
and their records (``actions_a_suivre``), the perimeter's services and their
aliases. Filtering and searching run in memory over those few hundred lines.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from contrat.models import AliasOrganisation, Organisation
from engagements.models import Campagne
from engagements.services_suivis import actions_a_suivre
from engagements.suivi import etats_des_grilles
from fiches.models import Fiche, Indicateur
from lecture.liens import ResolveurAlias
from lecture.textes import sans_accents

# The states a line can be in, in the order the page lists them; "en_retard"
# is not a state but a flag (due and past the deadline), filtered alike.
ETATS = {
    "a_saisir": "À saisir",
    "brouillon": "Brouillon",
    "soumis": "Soumis",
    "rejete": "Rejeté",
    "valide": "Validé",
    "en_retard": "En retard",
}
A_FAIRE = {"a_saisir", "brouillon", "rejete"}

# The former single "filtre" parameter (links and bookmarks made before).
ANCIENS_FILTRES = {
    "a_faire": A_FAIRE,
    "manquante": {"a_saisir"},
    "brouillon": {"brouillon"},
    "soumise": {"soumis"},
    "rejetee": {"rejete"},
    "validee": {"valide"},
    "en_retard": {"en_retard"},
}

ETAT_DE_GRILLE = {
    "manquante": "a_saisir",
    "brouillon": "brouillon",
    "soumise": "soumis",
    "rejetee": "rejete",
    "validee": "valide",
}

RECHERCHE_MAX = 200  # characters of the search box read


def campagne_par_defaut(campagnes, aujourdhui=None):
    """The open campaign whose deadline is nearest today (past or to come),
    else the latest campaign; None when there is none."""
    aujourdhui = aujourdhui or timezone.localdate()
    ouvertes = [c for c in campagnes if not c.verrouillee]
    if ouvertes:
        return min(ouvertes, key=lambda c: (abs((c.date_limite - aujourdhui).days), -c.annee))
    return max(campagnes, key=lambda c: c.annee) if campagnes else None


def campagne_demandee(annee_texte, campagnes):
    """The campaign of the ``annee`` parameter if it names one, else the default."""
    for campagne in campagnes:
        if str(campagne.annee) == (annee_texte or "").strip():
            return campagne
    return campagne_par_defaut(campagnes)


def jours_restants(campagne, aujourdhui=None):
    """Days from today to the deadline (negative once past)."""
    return (campagne.date_limite - (aujourdhui or timezone.localdate())).days


def cle_texte(texte):
    """Lower case, accents folded: what the search compares."""
    return sans_accents(texte or "").casefold()


class Services:
    """Which service of the organisation's perimeter a line belongs to, from
    what the data gives, never guessed: the responsible organisation when it
    is a service; else the services named in the indicator's own text; else,
    for a commitment, its organisations that are services, then those its
    text names; for a fiche, its pilots that are services, then those its
    pilot text names. None found: no service (the page shows "—").

    Two queries: the perimeter, and its services' aliases."""

    def __init__(self, organisation):
        self.services = {}
        self.resolveur = None
        if organisation is None:
            return
        perimetre = list(Organisation.objects.perimetre(organisation))
        self.services = {o.pk: o for o in perimetre if o.pk != organisation.pk}
        if not self.services:
            return
        noms = list(
            AliasOrganisation.objects.filter(organisation__in=list(self.services)).values_list(
                "libelle", "organisation_id"
            )
        )
        for service in self.services.values():
            noms += [(n, service.pk) for n in (service.nom, service.sigle) if n]
        self.resolveur = ResolveurAlias(noms)

    def _nommes(self, *textes):
        if self.resolveur is None:
            return []
        texte = "\n".join(t for t in textes if t)
        return [self.services[pk] for pk in self.resolveur.organisations(texte)]

    def _parmi(self, organisations):
        return [o for o in organisations if o.pk in self.services]

    def de(self, *, responsable, textes=(), fiche=None, engagement=None):
        if not self.services:
            return []
        if responsable is not None and responsable.pk in self.services:
            return [responsable]
        trouves = self._nommes(*textes)
        if not trouves and engagement is not None:
            trouves = self._parmi(
                sorted(engagement.organisations.all(), key=lambda o: o.nom)
            ) or self._nommes(engagement.texte)
        if not trouves and fiche is not None:
            trouves = self._parmi(sorted(fiche.pilotes.all(), key=lambda o: o.nom)) or self._nommes(
                fiche.pilote_texte
            )
        return trouves


@dataclass
class Ligne:
    """One thing owed: an indicator's grid or an action's follow-up record."""

    nature: str  # "indicateur" or "suivi"
    libelle: str
    etat: str  # a key of ETATS except "en_retard"
    en_retard: bool
    services: list
    responsable: Organisation
    indicateur: Indicateur | None = None
    fiche: Fiche | None = None
    engagement: object = None
    detail: str = ""
    recherche: str = ""

    @property
    def etat_libelle(self):
        return {
            "rejete": "Rejeté — à corriger",
            "soumis": "Soumis, en attente de validation",
        }.get(self.etat, ETATS[self.etat])

    def correspond(self, etats):
        return self.etat in etats or ("en_retard" in etats and self.en_retard)


@dataclass
class Groupe:
    """The lines of one fiche or one commitment."""

    cle: str
    titre: str
    ordre: tuple
    lignes: list = field(default_factory=list)

    @property
    def nb(self):
        return compter_lignes(self.lignes)


@dataclass
class Bloc:
    """The groups of one objective (or of the transversal axes)."""

    titre: str
    ordre: int
    groupes: list = field(default_factory=list)

    @property
    def lignes(self):
        return [ligne for groupe in self.groupes for ligne in groupe.lignes]

    @property
    def nb(self):
        return compter_lignes(self.lignes)


def compter_lignes(lignes):
    nb = dict.fromkeys(ETATS, 0)
    for ligne in lignes:
        nb[ligne.etat] += 1
        nb["en_retard"] += ligne.en_retard
    nb["total"] = len(lignes)
    return nb


def _bloc_de(objectif):
    if objectif is None:
        return ("transversal", "Axes transversaux et fiches sans objectif opérationnel", 99)
    return (f"o{objectif.numero}", str(objectif), objectif.numero)


def _groupe_fiche(fiche):
    return (
        f"f{fiche.pk}",
        f"Fiche {fiche.numero} — {fiche.titre}",
        (0, fiche.enjeu_numero or 0, fiche.rang or 0, fiche.numero),
    )


def _groupe_engagement(engagement):
    texte = engagement.texte.strip()
    if len(texte) > 120:
        texte = texte[:119].rstrip() + "…"
    return (
        f"e{engagement.pk}",
        f"Engagement n° {engagement.ordre} — {texte}",
        (1, engagement.ordre),
    )


def lignes_dues(organisation, campagne):
    """Every line ``organisation`` owes for ``campagne`` (every organisation's
    when None: staff's view), in display order."""
    aujourdhui = timezone.localdate()
    depassee = aujourdhui > campagne.date_limite
    services = Services(organisation)
    indicateurs = (
        Indicateur.objects.a_saisir()
        .select_related("fiche__objectif", "organisation", "cible_engagement__engagement__objectif")
        .prefetch_related("fiche__pilotes", "cible_engagement__engagement__organisations")
    )
    if organisation is not None:
        indicateurs = indicateurs.pour_organisation(organisation)
    indicateurs = indicateurs.order_by("ordre", "code")

    lignes = []
    for etat in etats_des_grilles(indicateurs, campagne):
        indicateur = etat.indicateur
        cible = getattr(indicateur, "cible_engagement", None)
        engagement = cible.engagement if cible is not None else None
        code = ETAT_DE_GRILLE[etat.statut]
        lignes.append(
            Ligne(
                nature="indicateur",
                libelle=indicateur.libelle.strip(),
                etat=code,
                en_retard=depassee and code in A_FAIRE,
                services=services.de(
                    responsable=indicateur.organisation,
                    textes=(indicateur.libelle, indicateur.rubrique),
                    fiche=indicateur.fiche,
                    engagement=engagement,
                ),
                responsable=indicateur.organisation,
                indicateur=indicateur,
                fiche=indicateur.fiche,
                engagement=engagement,
                detail=f"{etat.saisies} / {etat.cellules} cellule(s)",
            )
        )
    for action in actions_a_suivre(campagne.annee, organisation):
        code = action.etat  # a_saisir, or the record's status: the same keys as ETATS
        suivi = action.suivi
        detail = ""
        if suivi is not None and suivi.avancement:
            detail = suivi.get_avancement_display()
            if suivi.avancement_pct is not None:
                detail += f" ({suivi.avancement_pct} %)"
        lignes.append(
            Ligne(
                nature="suivi",
                libelle="Suivi de l'action (avancement, réalisations, jalons, budget)",
                etat=code,
                en_retard=depassee and code in A_FAIRE,
                services=services.de(
                    responsable=action.organisation,
                    fiche=action.fiche,
                    engagement=action.engagement,
                ),
                responsable=action.organisation,
                fiche=action.fiche,
                engagement=action.engagement,
                detail=detail,
            )
        )
    for ligne in lignes:
        ligne.recherche = cle_texte(
            " ".join(
                [
                    ligne.libelle,
                    ligne.indicateur.code if ligne.indicateur else "",
                    f"fiche {ligne.fiche.numero} {ligne.fiche.titre}" if ligne.fiche else "",
                    f"engagement {ligne.engagement.ordre} {ligne.engagement.texte}"
                    if ligne.engagement
                    else "",
                    " ".join(f"{s.nom} {s.sigle}" for s in ligne.services),
                    ligne.responsable.nom if ligne.responsable else "",
                ]
            )
        )
    return lignes


def grouper(lignes):
    """Lines into objective blocks of fiche/commitment groups, in the plan's order
    (a fiche's follow-up first, then its indicators)."""
    blocs, groupes = {}, {}
    for ligne in lignes:
        if ligne.fiche is not None:
            objectif = ligne.fiche.objectif
            cle, titre, ordre = _groupe_fiche(ligne.fiche)
        elif ligne.engagement is not None:
            objectif = ligne.engagement.objectif
            cle, titre, ordre = _groupe_engagement(ligne.engagement)
        else:  # a fiche-less indicator that is no commitment's target: none seeded
            objectif, cle, titre, ordre = None, "autres", "Autres indicateurs", (2,)
        cle_bloc, titre_bloc, ordre_bloc = _bloc_de(objectif)
        bloc = blocs.setdefault(cle_bloc, Bloc(titre=titre_bloc, ordre=ordre_bloc))
        groupe = groupes.get(cle)
        if groupe is None:
            groupe = groupes[cle] = Groupe(cle=cle, titre=titre, ordre=ordre)
            bloc.groupes.append(groupe)
        groupe.lignes.append(ligne)
    for bloc in blocs.values():
        bloc.groupes.sort(key=lambda g: g.ordre)
        for groupe in bloc.groupes:
            groupe.lignes.sort(key=lambda ligne: ligne.nature != "suivi")
    return sorted(blocs.values(), key=lambda b: b.ordre)


def filtrer(lignes, *, etats=frozenset(), recherche=""):
    """The lines in one of ``etats`` (all when empty) whose text holds every
    word of ``recherche`` (case and accents ignored)."""
    mots = cle_texte(recherche[:RECHERCHE_MAX]).split()
    return [
        ligne
        for ligne in lignes
        if (not etats or ligne.correspond(etats)) and all(m in ligne.recherche for m in mots)
    ]


def etats_demandes(get):
    """The states asked for in the query string: ``etat`` (repeatable), or
    the former ``filtre``."""
    etats = {e for e in get.getlist("etat") if e in ETATS}
    return etats or set(ANCIENS_FILTRES.get(get.get("filtre", ""), set()))


def campagnes_du_partenaire():
    """Every campaign (a campaign is every partner's), latest first."""
    return list(Campagne.objects.all())


__all__ = [
    "ETATS",
    "Bloc",
    "Groupe",
    "Ligne",
    "campagne_demandee",
    "campagnes_du_partenaire",
    "compter_lignes",
    "etats_demandes",
    "filtrer",
    "grouper",
    "jours_restants",
    "lignes_dues",
]
