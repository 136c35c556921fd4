"""Writes on fiches that carry rules."""

from django.db import transaction

from fiches.liens import (
    AXE_DES_FICHES_TRANSVERSALES,
    ResolveurOrganisations,
    axes_du_texte,
    axes_par_numero,
    quartiers_du_texte,
    quartiers_par_slug,
)
from fiches.models import Fiche


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
