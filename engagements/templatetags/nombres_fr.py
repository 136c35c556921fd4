from django import template

from contrat.nombres import ecrire_nombre

register = template.Library()


@register.filter
def nombre_fr(valeur):
    """1234.5 -> "1 234,5"."""
    return ecrire_nombre(valeur)
