"""Writes on fiches that carry rules: links read again from the text, and
the indicators' set-up in batches (the workspace and its spreadsheet)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from contrat.annees import ANNEE_MAX, ANNEE_MIN, ANNEES
from contrat.erreurs import Conflit, Invalide, PermissionRefusee
from contrat.historique import auteur
from contrat.models import Organisation
from contrat.nombres import ecrire_nombre, lire_entier, lire_nombre
from fiches import parametrage
from fiches.liens import (
    AXE_DES_FICHES_TRANSVERSALES,
    ResolveurOrganisations,
    axes_du_texte,
    axes_par_numero,
    quartiers_du_texte,
    quartiers_par_slug,
)
from fiches.models import CibleAnnuelle, Evolution, Fiche, Indicateur, LienSerie, verifier_cible
from fiches.series import candidats


def fiches_relier(*, fiches, resolveur=None):
    """Read again the links of ``fiches`` from their text (pilots, partners,
    quartiers, axes), e.g. after staff edited a text or added an alias.

    Returns the number of fiches whose links changed.
    """
    resolveur = resolveur or ResolveurOrganisations()
    quartiers = quartiers_par_slug()
    axes = axes_par_numero()
    changees = 0
    with transaction.atomic():
        for fiche in fiches:
            avant = _liens(fiche)
            fiche.pilotes.set(resolveur.organisations(fiche.pilote_texte))
            fiche.partenaires.set(resolveur.organisations(fiche.partenaires_texte))
            tous, slugs = quartiers_du_texte(fiche.perimetre_texte)
            if fiche.tous_qpv != tous:
                fiche.tous_qpv = tous
                fiche.save(update_fields=["tous_qpv"])
            # Deduced links are not read from the périmètre: they stay.
            deduits = fiche.liens_quartiers.filter(deduit=True).values_list("quartier", flat=True)
            fiche.quartiers.set([quartiers[s].pk for s in slugs if s in quartiers] + list(deduits))
            numeros = set(axes_du_texte(fiche.approches_transversales_texte))
            if fiche.numero in AXE_DES_FICHES_TRANSVERSALES and fiche.objectif_id is None:
                numeros.add(AXE_DES_FICHES_TRANSVERSALES[fiche.numero])
            fiche.axes.set([axes[n] for n in sorted(numeros) if n in axes])
            if _liens(fiche) != avant:
                changees += 1
    return changees


def _liens(fiche: Fiche):
    return (
        set(fiche.pilotes.values_list("pk", flat=True)),
        set(fiche.partenaires.values_list("pk", flat=True)),
        set(fiche.quartiers.values_list("pk", flat=True)),
        set(fiche.axes.values_list("pk", flat=True)),
        fiche.tous_qpv,
    )


# ---------------------------------------------------------------- series

SERIES_RESERVEES = "Seule l'équipe politique de la ville déclare les séries d'indicateurs."
VALEURS_LISTEES_MAX = 20


def _verifier_equipe(utilisateur):
    if not (utilisateur and utilisateur.is_authenticated and utilisateur.is_active):
        raise PermissionRefusee(SERIES_RESERVEES)
    if not utilisateur.is_staff:
        raise PermissionRefusee(SERIES_RESERVEES)


def filiations_2019():
    """2015 fiche number -> ids of the fiches of the version in force it became."""
    filiations = {}
    evolutions = Evolution.objects.filter(fiche_initiale__isnull=False).select_related(
        "fiche_initiale"
    )
    for evolution in evolutions.prefetch_related("fiches_nouvelles"):
        for fiche in evolution.fiches_nouvelles.all():
            filiations.setdefault(evolution.fiche_initiale.numero, set()).add(fiche.pk)
    return {numero: ids for numero, ids in filiations.items() if len(ids) > 1}


def series_proposer(*, seuil=None):
    """Compute the candidates and store the new ones as proposed links.

    A pair staff already confirmed or rejected is left as it is; an indicator
    already in a confirmed series is not proposed again. Returns
    ``(candidates found, links created)``.
    """
    indicateurs = list(
        Indicateur.objects.filter(fiche__version__en_vigueur=True).select_related("fiche")
    )
    options = {} if seuil is None else {"seuil": seuil}
    trouves = candidats(indicateurs, filiations_2019(), **options)
    deja = set(LienSerie.objects.values_list("indicateur_id", "reference_id"))
    en_serie = set(LienSerie.objects.confirmes().values_list("indicateur_id", flat=True))
    en_serie |= set(LienSerie.objects.confirmes().values_list("reference_id", flat=True))
    nouveaux = [
        LienSerie(
            indicateur=c.indicateur,
            reference=c.reference,
            origine=c.origine,
            score=c.score,
            raison=c.raison,
        )
        for c in trouves
        if (c.indicateur.pk, c.reference.pk) not in deja
        and (c.reference.pk, c.indicateur.pk) not in deja
        and c.indicateur.pk not in en_serie
    ]
    with transaction.atomic():
        LienSerie.objects.bulk_create(nouveaux)
    return trouves, nouveaux


def _cellule(valeur):
    morceaux = [str(valeur.annee)]
    morceaux.append(valeur.quartier.nom if valeur.quartier_id else "tous quartiers")
    if valeur.sexe:
        morceaux.append(valeur.sexe)
    return f"{' / '.join(morceaux)} = {valeur.valeur} ({valeur.get_statut_display().lower()})"


def verifier_lien_serie(indicateur, reference):
    """Raise ``Invalide`` (or ``Conflit``) when ``indicateur`` cannot be read
    under ``reference``; the message says why, in French."""
    if indicateur.pk == reference.pk:
        raise Invalide(
            f"L'indicateur {indicateur.code} ne peut pas former une série avec lui-même.",
            code="serie_soi_meme",
        )
    confirmes = LienSerie.objects.confirmes()
    sa_reference = confirmes.filter(indicateur=reference).select_related("reference").first()
    if sa_reference is not None:
        raise Invalide(
            f"L'indicateur {reference.code} est lui-même lu sous {sa_reference.reference.code} : "
            f"prenez {sa_reference.reference.code} comme référence (une série n'a qu'une référence).",
            code="serie_cycle",
            details={"reference": sa_reference.reference.code},
        )
    membres = list(
        confirmes.filter(reference=indicateur).values_list("indicateur__code", flat=True)
    )
    if membres:
        raise Invalide(
            f"L'indicateur {indicateur.code} est la référence d'une série "
            f"({', '.join(membres)}) : il ne peut pas être lu sous un autre indicateur.",
            code="serie_cycle",
            details={"membres": membres},
        )
    existant = confirmes.filter(indicateur=indicateur).exclude(reference=reference).first()
    if existant is not None:
        raise Conflit(
            f"L'indicateur {indicateur.code} est déjà lu sous {existant.reference.code}.",
            code="serie_existante",
        )
    if indicateur.unite and reference.unite and indicateur.unite != reference.unite:
        raise Invalide(
            f"Unités incompatibles : {indicateur.code} en « {indicateur.get_unite_display()} », "
            f"{reference.code} en « {reference.get_unite_display()} ».",
            code="serie_unites",
        )
    if indicateur.desagregation != reference.desagregation:
        raise Invalide(
            f"Ventilations incompatibles : {indicateur.code} "
            f"« {indicateur.get_desagregation_display()} », {reference.code} "
            f"« {reference.get_desagregation_display()} ».",
            code="serie_ventilations",
        )
    # Reverse relation to engagements.Valeur: read without importing the floor above.
    valeurs = list(indicateur.valeurs.select_related("quartier").order_by("annee", "pk"))
    if valeurs:
        liste = [_cellule(v) for v in valeurs[:VALEURS_LISTEES_MAX]]
        suite = " ..." if len(valeurs) > VALEURS_LISTEES_MAX else ""
        raise Invalide(
            f"L'indicateur {indicateur.code} a déjà {len(valeurs)} valeur(s) en propre : "
            f"{' ; '.join(liste)}{suite}. Supprimez-les ou saisissez-les sous "
            f"{reference.code} avant de le lier.",
            code="serie_valeurs_propres",
            details={"valeurs": liste},
        )


def _verrouiller(*indicateurs):
    # Lock both indicators (in id order: no deadlock between two batches).
    ids = sorted({i.pk for i in indicateurs})
    return {i.pk: i for i in Indicateur.objects.select_for_update().filter(pk__in=ids).order_by()}


def lien_serie_confirmer(*, utilisateur, lien):
    """Confirm one link: from now on, ``lien.indicateur`` is read under
    ``lien.reference``. Raises the refusals of :func:`verifier_lien_serie`."""
    _verifier_equipe(utilisateur)
    with transaction.atomic():
        lien = LienSerie.objects.select_for_update().order_by().get(pk=lien.pk)
        verrous = _verrouiller(lien.indicateur, lien.reference)
        verifier_lien_serie(verrous[lien.indicateur_id], verrous[lien.reference_id])
        lien.statut = LienSerie.Statut.CONFIRME
        lien.decide_par = utilisateur
        lien.decide_le = timezone.now()
        lien.full_clean()
        with auteur(utilisateur, "serie"):
            lien.save()
    return lien


def lien_serie_rejeter(*, utilisateur, lien):
    """Reject one link (proposed or confirmed): the two indicators are read apart."""
    _verifier_equipe(utilisateur)
    with transaction.atomic():
        lien = LienSerie.objects.select_for_update().order_by().get(pk=lien.pk)
        lien.statut = LienSerie.Statut.REJETE
        lien.decide_par = utilisateur
        lien.decide_le = timezone.now()
        lien.full_clean()
        with auteur(utilisateur, "serie"):
            lien.save()
    return lien


def liens_serie_statuer(*, utilisateur, liens, confirmer):
    """Confirm or reject a batch of links. Each link is decided on its own:
    a refused one leaves the others confirmed. Returns ``(decided, refusals)``
    where ``refusals`` maps a link to its French message."""
    _verifier_equipe(utilisateur)
    action = lien_serie_confirmer if confirmer else lien_serie_rejeter
    decides, refus = [], {}
    for lien in liens:
        try:
            decides.append(action(utilisateur=utilisateur, lien=lien))
        except (Invalide, Conflit) as erreur:
            refus[lien] = erreur.message
    return decides, refus


def serie_declarer(*, utilisateur, indicateur, reference):
    """Staff declare (and confirm at once) that ``indicateur`` is read under ``reference``."""
    _verifier_equipe(utilisateur)
    with transaction.atomic():
        lien = LienSerie.objects.filter(
            Q(indicateur=indicateur, reference=reference)
        ).first() or LienSerie(
            indicateur=indicateur,
            reference=reference,
            origine=LienSerie.Origine.MANUELLE,
            raison="Déclaré par l'équipe.",
        )
        if lien.pk is None:
            verifier_lien_serie(indicateur, reference)
            with auteur(utilisateur, "serie"):
                lien.save()
        return lien_serie_confirmer(utilisateur=utilisateur, lien=lien)


# ------------------------------------------------------ indicator set-up


class ParametrageInvalide(Invalide):
    """A set-up batch with errors: nothing was saved. ``erreurs`` lists
    ``(ligne, message)`` in French, ``ligne`` being the file's line number
    or the indicator's code."""

    def __init__(self, erreurs):
        self.erreurs = erreurs
        super().__init__(
            f"{len(erreurs)} erreur(s) : rien n'a été enregistré.",
            details={"lignes": [{"ligne": str(ligne), "message": m} for ligne, m in erreurs]},
        )


class ParametrageConflit(Conflit):
    """Rows changed since they were read (page or file): nothing was saved,
    nothing overwritten. ``erreurs`` as :class:`ParametrageInvalide`."""

    def __init__(self, erreurs, codes):
        self.erreurs = erreurs
        self.codes = codes
        super().__init__(
            f"{len(codes)} indicateur(s) modifié(s) par ailleurs depuis leur lecture : "
            "rien n'a été enregistré. Rechargez-les avant de recommencer.",
            details={"codes": codes},
        )


@dataclass
class LigneParametrage:
    """One row to set up: ``valeurs`` maps a field of
    :data:`fiches.parametrage.CHAMPS` or ``cible_<year>`` to the text typed
    (a missing key leaves the field as it is); ``jeton`` is the row's token
    when it was read (:func:`fiches.parametrage.jeton`)."""

    ligne: object
    code: str
    jeton: str
    valeurs: dict


@dataclass
class Changement:
    code: str
    libelle: str
    champ: str
    avant: str
    apres: str


@dataclass
class ResultatParametrage:
    changements: list = field(default_factory=list)
    modifies: int = 0
    inchanges: int = 0


def _texte(valeur):
    if valeur is None or valeur == "":
        return "—"
    if isinstance(valeur, Decimal):
        return ecrire_nombre(valeur)
    return str(valeur)


def _choix(texte, choices):
    """The code of a choice typed as its code or its label (any case), or
    None when unknown; "" stays ""."""
    if texte == "":
        return ""
    plie = texte.strip().lower()
    for code, libelle in choices:
        if plie in {code.lower(), libelle.lower()}:
            return code
    return None


def _lire_ligne(ligne, indicateur, organisations, annees_colonnes):
    """``(new state, errors)`` of one row, from its typed texts."""
    avant = parametrage.etat(indicateur)
    apres = {**avant, "cibles": dict(avant["cibles"])}
    erreurs = []
    valeurs = {k: ("" if v is None else str(v)).strip() for k, v in ligne.valeurs.items()}

    def erreur(message):
        erreurs.append((ligne.ligne, f"{indicateur.code} : {message}"))

    if "organisation" in valeurs:
        slug = valeurs["organisation"]
        if slug and slug not in organisations:
            erreur(f"organisation « {slug} » inconnue (identifiant attendu, ex. « metropole »).")
        else:
            apres["organisation"] = slug
    for nom, choix, libelle in (
        ("unite", Indicateur.Unite.choices, "unité"),
        ("sens", Indicateur.Sens.choices, "sens"),
        ("desagregation", Indicateur.Desagregation.choices, "ventilation"),
    ):
        if nom in valeurs:
            code = _choix(valeurs[nom], choix)
            if code is None:
                erreur(
                    f"{libelle} « {valeurs[nom]} » inconnue ; valeurs possibles : "
                    + ", ".join(c for c, _ in choix)
                    + " (ou vide)."
                )
            else:
                apres[nom] = code
    if "valeur_reference" in valeurs:
        try:
            apres["valeur_reference"] = (
                lire_nombre(valeurs["valeur_reference"]) if valeurs["valeur_reference"] else None
            )
        except ValidationError as exc:
            erreur(f"valeur de référence : {' '.join(exc.messages)}")
    if "annee_reference" in valeurs:
        try:
            apres["annee_reference"] = (
                lire_entier(
                    valeurs["annee_reference"],
                    minimum=ANNEE_MIN,
                    maximum=ANNEE_MAX,
                    format_francais=True,
                )
                if valeurs["annee_reference"]
                else None
            )
        except ValidationError as exc:
            erreur(f"année de référence : {' '.join(exc.messages)}")
    for annee in annees_colonnes:
        texte = valeurs.get(f"cible_{annee}")
        if texte is None:
            continue
        if not texte:
            apres["cibles"].pop(annee, None)
            continue
        try:
            apres["cibles"][annee] = lire_nombre(texte)
        except ValidationError as exc:
            erreur(f"cible {annee} : {' '.join(exc.messages)}")
    if erreurs:
        return apres, erreurs
    # Rules across fields, on the row as it would be saved.
    if (apres["valeur_reference"] is None) != (apres["annee_reference"] is None):
        erreur("une valeur de référence et son année vont ensemble (les deux ou aucune).")
    for message in verifier_cible(apres["unite"], apres["valeur_reference"]):
        erreur(f"valeur de référence : {message}")
    for annee, valeur in sorted(apres["cibles"].items()):
        for message in verifier_cible(apres["unite"], valeur):
            erreur(f"cible {annee} : {message}")
    if indicateur.nb_valeurs and (
        apres["unite"] != avant["unite"]
        or (apres["desagregation"] or "aucune") != (avant["desagregation"] or "aucune")
    ):
        erreur(
            f"{indicateur.nb_valeurs} valeur(s) déjà saisie(s) : son unité et sa ventilation "
            "ne changent plus (elles rendraient ces valeurs fausses ou illisibles)."
        )
    return apres, erreurs


LIBELLES_DES_CHOIX = {
    "unite": dict(Indicateur.Unite.choices),
    "sens": dict(Indicateur.Sens.choices),
    "desagregation": dict(Indicateur.Desagregation.choices) | {"": "non décidée"},
}


def _changements(indicateur, avant, apres):
    lignes = []
    for nom in parametrage.CHAMPS:
        if avant[nom] != apres[nom]:
            libelles = LIBELLES_DES_CHOIX.get(nom, {})
            lignes.append(
                (
                    parametrage.LIBELLES[nom],
                    _texte(libelles.get(avant[nom], avant[nom])),
                    _texte(libelles.get(apres[nom], apres[nom])),
                )
            )
    for annee in sorted(set(avant["cibles"]) | set(apres["cibles"])):
        if avant["cibles"].get(annee) != apres["cibles"].get(annee):
            lignes.append(
                (
                    f"cible {annee}",
                    _texte(avant["cibles"].get(annee)),
                    _texte(apres["cibles"].get(annee)),
                )
            )
    return [Changement(indicateur.code, indicateur.libelle, *ligne) for ligne in lignes]


def indicateurs_parametrer(*, utilisateur, lignes, enregistrer=True):
    """Set up indicators in a batch (the workspace's page, its batch actions,
    the spreadsheet import): organisation, unit, direction, breakdown,
    baseline and yearly targets.

    Every row is read and checked first — unknown code, organisation or
    choice, numbers by the one parser, years within the contract, a
    percentage within 0-100, a baseline with its year, no change of unit or
    breakdown under existing values — and every row's token is compared with
    the row as it is now (rows locked): any error, and nothing is saved
    (``ParametrageInvalide``, 400); a row changed since it was read is
    reported, never overwritten (``ParametrageConflit``, 409). With
    ``enregistrer=False`` nothing is written either way: the result is the
    preview of every change.
    """
    if not (utilisateur and utilisateur.is_active and utilisateur.is_staff):
        raise PermissionRefusee("Seule l'équipe politique de la ville paramètre les indicateurs.")
    annees = set(ANNEES)
    annees_colonnes = set()
    erreurs = []
    vus = {}
    for ligne in lignes:
        if ligne.code in vus:
            erreurs.append(
                (ligne.ligne, f"{ligne.code} : indicateur déjà présent (ligne {vus[ligne.code]}).")
            )
        vus.setdefault(ligne.code, ligne.ligne)
        for cle in ligne.valeurs:
            if cle.startswith("cible_"):
                try:
                    annee = lire_entier(cle.removeprefix("cible_"))
                except ValidationError:
                    annee = None
                if annee not in annees:
                    erreurs.append(
                        (
                            ligne.ligne,
                            f"colonne « {cle} » : année hors du contrat ({ANNEE_MIN}-{ANNEE_MAX}).",
                        )
                    )
                else:
                    annees_colonnes.add(annee)
            elif cle not in parametrage.CHAMPS:
                erreurs.append((ligne.ligne, f"champ « {cle} » inconnu."))
    if erreurs:
        raise ParametrageInvalide(erreurs)

    organisations = {o.slug: o for o in Organisation.objects.all()}
    with transaction.atomic():
        # Locked until the end: a concurrent batch on the same rows waits, then
        # sees our tokens change and reports its rows as conflicts.
        indicateurs = {
            i.code: i
            for i in Indicateur.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .prefetch_related("cibles_annuelles")
            .filter(code__in=list(vus))
        }
        # Counted apart: FOR UPDATE refuses a GROUP BY.
        nb_valeurs = dict(
            Indicateur.objects.filter(code__in=list(indicateurs))
            .annotate(n=Count("valeurs"))
            .values_list("code", "n")
        )
        for code, indicateur in indicateurs.items():
            indicateur.nb_valeurs = nb_valeurs.get(code, 0)
        resultat = ResultatParametrage()
        conflits = []
        a_ecrire = []
        for ligne in lignes:
            indicateur = indicateurs.get(ligne.code)
            if indicateur is None:
                erreurs.append((ligne.ligne, f"indicateur « {ligne.code} » inconnu."))
                continue
            if ligne.jeton != parametrage.jeton(indicateur):
                conflits.append(ligne.code)
                erreurs.append(
                    (
                        ligne.ligne,
                        f"{ligne.code} : modifié par quelqu'un d'autre depuis sa lecture "
                        "(rechargez la page ou exportez à nouveau).",
                    )
                )
                continue
            apres, erreurs_ligne = _lire_ligne(
                ligne, indicateur, organisations, sorted(annees_colonnes)
            )
            erreurs.extend(erreurs_ligne)
            if erreurs_ligne:
                continue
            changements = _changements(indicateur, parametrage.etat(indicateur), apres)
            if changements:
                resultat.changements.extend(changements)
                resultat.modifies += 1
                a_ecrire.append((indicateur, apres))
            else:
                resultat.inchanges += 1
        if conflits:
            raise ParametrageConflit(erreurs, conflits)
        if erreurs:
            raise ParametrageInvalide(erreurs)
        if not enregistrer:
            return resultat
        with auteur(utilisateur, "paramétrage des indicateurs"):
            _ecrire(a_ecrire, organisations)
    return resultat


CHAMPS_ECRITS = [
    "organisation",
    "unite",
    "sens",
    "ventilation_decidee",
    "desagregation",
    "valeur_reference",
    "annee_reference",
]


def _ecrire(a_ecrire, organisations):
    """Write the checked rows in a few statements (bulk, whatever their
    number): the triggers still record each row's history."""
    supprimees, creees, modifiees = [], [], []
    for indicateur, apres in a_ecrire:
        indicateur.organisation = organisations.get(apres["organisation"])
        indicateur.unite = apres["unite"]
        indicateur.sens = apres["sens"]
        indicateur.ventilation_decidee = bool(apres["desagregation"])
        indicateur.desagregation = apres["desagregation"] or Indicateur.Desagregation.AUCUNE
        indicateur.valeur_reference = apres["valeur_reference"]
        indicateur.annee_reference = apres["annee_reference"]
        actuelles = {c.annee: c for c in indicateur.cibles_annuelles.all()}
        supprimees += [c.pk for a, c in actuelles.items() if a not in apres["cibles"]]
        for annee, valeur in apres["cibles"].items():
            cible = actuelles.get(annee)
            if cible is None:
                creees.append(CibleAnnuelle(indicateur=indicateur, annee=annee, valeur=valeur))
            elif cible.valeur != valeur:
                cible.valeur = valeur
                modifiees.append(cible)
    Indicateur.objects.bulk_update([i for i, _ in a_ecrire], CHAMPS_ECRITS, batch_size=500)
    CibleAnnuelle.objects.filter(pk__in=supprimees).delete()
    CibleAnnuelle.objects.bulk_update(modifiees, ["valeur"], batch_size=500)
    CibleAnnuelle.objects.bulk_create(creees, batch_size=500)
