"""Status lights in templates: ``{{ calcul.fiches|feu:f.pk|feu_html }}``."""

from django import template
from django.utils.html import format_html

from tableaux import feux as regles

register = template.Library()


@register.filter
def feu(dictionnaire, pk):
    """The light of ``pk`` in one of ``feux.calculer``'s dicts; *Pas de donnée* if absent."""
    if not dictionnaire:
        return regles.Feu(regles.PAS_DE_DONNEE)
    return regles.feu_de(dictionnaire, pk)


@register.filter
def feu_html(feu, detail=False):
    """A light as a shape and words, the colour only doubling them."""
    if feu is None:
        feu = regles.Feu(regles.PAS_DE_DONNEE)
    texte = feu.libelle
    if detail and feu.comptes:
        return format_html(
            '<span class="feu feu-{}"><span class="feu-icone" aria-hidden="true">{}</span> '
            '{}</span> <span class="feu-detail">({})</span>',
            feu.code,
            feu.icone,
            texte,
            feu.detail,
        )
    return format_html(
        '<span class="feu feu-{}"><span class="feu-icone" aria-hidden="true">{}</span> {}</span>',
        feu.code,
        feu.icone,
        texte,
    )


@register.simple_tag
def partenaires_financeurs():
    """The funders' organisations the dashboards have a page for (the home page's links)."""
    from contrat.models import Organisation
    from tableaux.views import PARTENAIRES

    return Organisation.objects.filter(slug__in=[slug for slug, _ in PARTENAIRES]).order_by("nom")
