"""Where data entry stands: each grid's state for a campaign, and each
partner's completeness. Counted in the database, one query per question."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from contrat.models import Organisation, Quartier
from contrat.nombres import lire_nombre
from engagements.models import SyntheseValeurs, Valeur
from fiches.models import Indicateur, LienSerie


def nb_cellules(indicateur, nb_quartiers):
    """The cells of ``indicateur``'s grid: as many as ``grille_cles`` lays out,
    with ``nb_quartiers`` the rows of the Quartier table."""
    n = nb_quartiers if indicateur.par_quartier else 1
    return n * (len(Valeur.Sexe) if indicateur.par_sexe else 1)


@dataclass
class EtatGrille:
    indicateur: Indicateur
    saisies: int = 0
    brouillons: int = 0
    soumises: int = 0
    validees: int = 0
    rejetees: int = 0
    cellules: int = 1
    en_retard: bool = False

    @property
    def statut(self):
        if self.saisies == 0:
            return "manquante"
        if self.rejetees:
            return "rejetee"
        if self.validees == self.saisies:
            return "validee"
        if self.brouillons:
            return "brouillon"
        return "soumise"

    @property
    def statut_libelle(self):
        return {
            "manquante": "À saisir",
            "rejetee": "Rejetée — à corriger",
            "validee": "Validée",
            "brouillon": "Brouillon",
            "soumise": "Soumise, en attente de validation",
        }[self.statut]

    @property
    def a_faire(self):
        """Due: the partner still has to enter or submit something."""
        return self.statut in {"manquante", "brouillon", "rejetee"}


CHAMPS = {
    Valeur.Statut.BROUILLON: "brouillons",
    Valeur.Statut.SOUMISE: "soumises",
    Valeur.Statut.VALIDEE: "validees",
    Valeur.Statut.REJETEE: "rejetees",
}


def compter(annee):
    """{indicator id: {"saisies": n, "brouillons": n, ...}} for a year, from
    the synthesis a trigger keeps (one small query, whatever the volume)."""
    comptes = {}
    for indicateur_id, statut, nb in SyntheseValeurs.objects.filter(
        annee=annee, nb__gt=0
    ).values_list("indicateur_id", "statut", "nb"):
        ligne = comptes.setdefault(indicateur_id, {"saisies": 0})
        ligne[CHAMPS[statut]] = nb
        ligne["saisies"] += nb
    return comptes


def etats_des_grilles(indicateurs, campagne):
    """An :class:`EtatGrille` per indicator for the campaign's year."""
    comptes = compter(campagne.annee)
    depassee = timezone.localdate() > campagne.date_limite
    # One query: the grids have a row per quartier of the table (grille_cles).
    nb_quartiers = Quartier.objects.count()
    etats = []
    for indicateur in indicateurs:
        row = comptes.get(indicateur.pk, {})
        etat = EtatGrille(
            indicateur=indicateur,
            cellules=nb_cellules(indicateur, nb_quartiers),
            **{
                k: row.get(k, 0)
                for k in ("saisies", "brouillons", "soumises", "validees", "rejetees")
            },
        )
        etat.en_retard = depassee and etat.a_faire
        etats.append(etat)
    return etats


@dataclass
class Completude:
    organisation: Organisation
    dues: int = 0
    saisies: int = 0
    soumises: int = 0
    validees: int = 0
    en_retard: int = 0

    @property
    def taux(self):
        return round(100 * (self.soumises + self.validees) / self.dues) if self.dues else 0


def completude_par_partenaire(campagne):
    """For each organisation responsible for indicators: how many grids are
    due, entered, submitted (awaiting validation), validated, late."""
    indicateurs = Indicateur.objects.a_saisir().select_related("organisation")
    par_organisation = {}
    for etat in etats_des_grilles(indicateurs, campagne):
        organisation = etat.indicateur.organisation
        ligne = par_organisation.setdefault(organisation.pk, Completude(organisation=organisation))
        ligne.dues += 1
        ligne.saisies += etat.saisies > 0
        ligne.soumises += etat.statut == "soumise"
        ligne.validees += etat.statut == "validee"
        ligne.en_retard += etat.en_retard
    return sorted(par_organisation.values(), key=lambda c: c.organisation.nom)


# ---------------------------------------------------------------- the grid's context


def grille_totaux(indicateur, form):
    """Row, column and grand totals of a grid whose unit adds up, from the
    cells as displayed (typed or saved); None for a single cell or a unit
    that does not add up. A cell that does not read as a number counts as
    empty (its error is on the cell)."""
    if not indicateur.additive or indicateur.desagregation == Indicateur.Desagregation.AUCUNE:
        return None
    lignes, colonnes, general = [], {}, Decimal(0)
    for ligne in form.lignes():
        somme = Decimal(0)
        for i, cellule in enumerate(ligne["cellules"]):
            try:
                valeur = lire_nombre(str(cellule["champ"].value() or "").strip() or "0")
            except ValidationError:
                valeur = Decimal(0)
            somme += valeur
            colonnes[i] = colonnes.get(i, Decimal(0)) + valeur
        lignes.append(somme)
        general += somme
    return {
        "lignes": lignes,
        "colonnes": [colonnes[i] for i in sorted(colonnes)],
        "general": general,
    }


def historique_valide(indicateur, annee):
    """The validated values of the years before ``annee``, read for the whole
    series (the indicator and the members read under it): per year, the value
    "all quartiers, both sexes" if entered, else the cells' sum for a unit
    that adds up, with the count of validated cells and the year's target.
    Two queries."""
    membres = LienSerie.objects.confirmes().filter(reference=indicateur).values("indicateur")
    valeurs = Valeur.objects.filter(
        Q(indicateur=indicateur) | Q(indicateur__in=membres),
        annee__lt=annee,
        statut=Valeur.Statut.VALIDEE,
    ).order_by("annee")
    par_annee = {}
    for v in valeurs:
        ligne = par_annee.setdefault(
            v.annee, {"annee": v.annee, "global": None, "somme": 0, "nb": 0}
        )
        ligne["nb"] += 1
        if v.quartier_id is None and not v.sexe:
            ligne["global"] = v.valeur
        else:
            ligne["somme"] += v.valeur
    cibles = {c.annee: c.valeur for c in indicateur.cibles_annuelles.all()}
    resultat = []
    for an, ligne in sorted(par_annee.items()):
        valeur = ligne["global"]
        if valeur is None and indicateur.additive:
            valeur = ligne["somme"]
        resultat.append({"annee": an, "valeur": valeur, "nb": ligne["nb"], "cible": cibles.get(an)})
    return resultat
