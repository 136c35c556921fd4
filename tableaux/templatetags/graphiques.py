"""The chart of an indicator, placed by ``templates/tableaux/_graphique.html``
on the dashboard pages and in the annual report:

    {% include "tableaux/_graphique.html" with indicateur=i annee=2021 genre="annees" %}

``genre`` is ``annees`` (values over the years against the yearly targets and
the baseline), ``quartier`` or ``sexe`` (the year's validated values by
quartier or by sex; nothing is placed when the indicator is not broken down
that way or no year is given). The figure names its API source and carries
what the API does not say (targets, baseline, unit, the protocol's years);
``tableaux.js`` draws it.
"""

import json
from urllib.parse import urlencode

from django import template

from contrat.models import Avenant, Contrat, Quartier
from fiches.models import Indicateur

register = template.Library()

GENRES = ("annees", "quartier", "sexe")

# The y axis's title: the unit's French label; an indicator without a unit
# says so rather than guess one.
UNITE_NON_RENSEIGNEE = "Unité non renseignée"
# After a number in the data table.
SYMBOLES = {
    Indicateur.Unite.POURCENTAGE: "%",
    Indicateur.Unite.EUROS: "€",
    Indicateur.Unite.HEURES: "heures",
    Indicateur.Unite.JOURS: "jours",
}


def periode_suivie():
    """``(first, last)`` year of the period the dashboards follow: the latest
    avenant's (the PERR: 2019-2022), else the contract's; None without either."""
    avenant = (
        Avenant.objects.filter(periode_debut__isnull=False, periode_fin__isnull=False)
        .order_by("-contrat__annee_fin", "-numero")
        .values_list("periode_debut", "periode_fin")
        .first()
    )
    if avenant:
        return avenant
    return Contrat.objects.order_by("-annee_fin").values_list("annee_debut", "annee_fin").first()


def _nombre(valeur):
    # A Decimal as the API writes numbers: "12.5", never "1,25E+1" nor "12.50".
    return format(valeur.normalize(), "f")


def donnees_graphique(indicateur, annee, genre, periode=None):
    """The attributes of the figure (a dict), or None when there is nothing
    to place. ``periode`` avoids one query per chart on a page of many."""
    if genre not in GENRES:
        raise template.TemplateSyntaxError(f"genre de graphique inconnu : {genre!r} ({GENRES})")
    code = indicateur.code
    commun = {
        "unite": indicateur.unite,
        "unite_libelle": indicateur.get_unite_display()
        if indicateur.unite
        else UNITE_NON_RENSEIGNEE,
        "unite_symbole": SYMBOLES.get(indicateur.unite, ""),
    }
    if genre == "annees":
        # () is "no period known": the chart spans the data's years alone.
        debut_fin = periode_suivie() if periode is None else periode
        cibles = sorted(indicateur.cibles_annuelles.all(), key=lambda c: c.annee)
        reference = indicateur.valeur_reference
        return {
            **commun,
            "type": "indicateur-annees",
            "source": "/api/valeurs/?" + urlencode({"indicateur": code, "page_size": 1000}),
            "axe": "Année",
            "annee": annee or "",
            "annees": f"{debut_fin[0]}-{debut_fin[1]}" if debut_fin else "",
            "cibles": ";".join(f"{c.annee}:{_nombre(c.valeur)}" for c in cibles),
            "reference": "" if reference is None else _nombre(reference),
            "annee_reference": indicateur.annee_reference or "",
            "legende": "Valeurs validées par année, comparées à la cible de chaque année"
            + (" et à la référence" if reference is not None else ""),
            "vide": "Aucune valeur validée ni cible pour cet indicateur.",
        }
    if not annee or not (indicateur.par_quartier if genre == "quartier" else indicateur.par_sexe):
        return None
    donnees = {
        **commun,
        "type": "repartition",
        "source": "/api/agregats/repartition/?"
        + urlencode({"indicateur": code, "annee": annee, "par": genre}),
        "annee": annee,
        "axe": "Quartier" if genre == "quartier" else "Sexe",
        "legende": f"Valeurs validées {annee} par {'quartier' if genre == 'quartier' else 'sexe'}",
        "vide": f"Aucune valeur validée par {'quartier' if genre == 'quartier' else 'sexe'} "
        f"pour {annee}.",
    }
    if genre == "quartier":
        # The API names a quartier by its slug; the chart shows its name.
        donnees["noms"] = json.dumps(
            dict(Quartier.objects.values_list("slug", "nom")), ensure_ascii=False
        )
    return donnees


CLE_PERIODE = "_graphiques_periode"


@register.simple_tag(takes_context=True, name="donnees_graphique")
def donnees_graphique_tag(context, indicateur, annee, genre):
    # The period is read once per page, however many charts it places.
    periode = context.get(CLE_PERIODE)
    if periode is None and genre == "annees":
        periode = periode_suivie() or ()
        # The context's bottom layer outlives the include's own layer.
        context.dicts[0][CLE_PERIODE] = periode
    return donnees_graphique(indicateur, annee, genre, periode=periode)
