"""Writes on fiches that carry rules."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contrat.erreurs import Conflit, Invalide, PermissionRefusee
from contrat.historique import auteur
from fiches.liens import (
    AXE_DES_FICHES_TRANSVERSALES,
    ResolveurOrganisations,
    axes_du_texte,
    axes_par_numero,
    quartiers_du_texte,
    quartiers_par_slug,
)
from fiches.models import Evolution, Fiche, Indicateur, LienSerie
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
