"""Read links out of the fiches' free text: organisations (through their
aliases), quartiers, and axes transversaux.

The text stays as written; these functions only propose the links stored
beside it. The rules themselves are plain text functions in
:mod:`lecture.liens`, shared with the transcription tools that wrote the
fixtures; this module feeds them the database's aliases, quartiers and axes,
for the admin's "relire les liens" action (:func:`fiches.services.fiches_relier`)
after staff edit a text or add an alias.
"""

from contrat.models import AliasOrganisation, AxeTransversal, Quartier
from lecture.liens import (
    AXE_DES_FICHES_TRANSVERSALES,
    ResolveurAlias,
    axes_du_texte,
    quartiers_du_texte,
)

__all__ = [
    "AXE_DES_FICHES_TRANSVERSALES",
    "ResolveurOrganisations",
    "axes_du_texte",
    "axes_par_numero",
    "quartiers_du_texte",
    "quartiers_par_slug",
]


class ResolveurOrganisations(ResolveurAlias):
    """:class:`lecture.liens.ResolveurAlias` over the database's aliases:
    ``organisations(texte)`` returns :class:`~contrat.models.Organisation` rows."""

    def __init__(self, aliases=None):
        if aliases is None:
            aliases = AliasOrganisation.objects.select_related("organisation")
        super().__init__((a.libelle, a.organisation) for a in aliases)


def quartiers_par_slug():
    return {q.slug: q for q in Quartier.objects.all()}


def axes_par_numero():
    return {a.numero: a for a in AxeTransversal.objects.all()}
