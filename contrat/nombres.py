"""The one number parser of the app: every number or integer that comes from
a person or a program (web forms, API bodies and query parameters, CSV and
XLSX imports) is read here.

Numbers as partners type them: French format first ("1 234,5"). What is
refused, each with a French message that names the rule:

- a text longer than :data:`LONGUEUR_MAX` characters, checked on the raw
  length before anything else: no ``Decimal()`` or ``int()`` ever sees a
  long string (``int()`` of 4 300+ digits raises, ``Decimal("1e1000000")``
  then ``int()`` of it froze a worker for 30 s);
- non-finite values (``NaN``, ``sNaN``, ``Infinity``, ``-inf``, any case);
- exponents (``1e5``, ``1E-3``): write the number out;
- more than :data:`CHIFFRES_MAX` digits, and values of :data:`MAX_ABS` or more;
- a NUL character (PostgreSQL text cannot hold one).

:func:`lire_entier` reads whole numbers (years, pages, versions, ids) with the
same guards and bounds; :class:`EntierFormField`, :class:`NombreFormField`
and :class:`EntierSerializerField` put them behind Django forms, the admin
(:data:`NOMBRES_ADMIN`) and DRF.
"""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework import serializers

ESPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
MILLIERS_POINTS = re.compile(r"^-?[0-9]{1,3}(\.[0-9]{3})+$")
# ASCII digits only: "\d" would also take "١٢٣" or "１２３".
NOMBRE = re.compile(r"-?[0-9]+(\.[0-9]+)?")
ENTIER = re.compile(r"[+-]?[0-9]+")
NON_FINI = re.compile(r"[+-]?(s?nan|inf|infinity|infinite|∞)", re.IGNORECASE)
EXPOSANT = re.compile(r"[+-]?[0-9.,]*[0-9][eE][+-]?[0-9]+")

MAX_ABS = Decimal("1e14")
# 14 digits before the decimal comma (below MAX_ABS) and 2 after it.
CHIFFRES_MAX = 16
# "-1 234 567 890 123,45 €" is 23 characters: room for spaces and a unit.
LONGUEUR_MAX = 40
# A bigint has 19 digits: an integer parameter never needs more.
ENTIER_LONGUEUR_MAX = 20
# What fits an integer column of PostgreSQL, when the caller gives no bound.
ENTIER_MIN, ENTIER_MAX = -(2**31), 2**31 - 1


def _montrer(texte, longueur=30):
    """``texte`` as it may appear in a message: short (cut first, whatever
    its length), NUL made visible."""
    court = texte[:longueur].replace("\x00", "␀")
    return court if len(texte) <= longueur else court + "…"


def _verifier_brut(texte, longueur_max):
    """The checks every parser runs first, in time bounded by ``longueur_max``:
    the raw length, then NUL, non-finite values and exponents. Returns the
    stripped text."""
    if not isinstance(texte, str):
        texte = "" if texte is None else str(texte)
    # len() first: everything after it works on at most longueur_max characters.
    if len(texte) > longueur_max:
        raise ValidationError(
            f"« {_montrer(texte)} » est trop long pour un nombre : "
            f"{longueur_max} caractères au plus.",
            code="trop_long",
        )
    brut = texte.strip()
    if "\x00" in brut:
        raise ValidationError(
            f"« {_montrer(brut)} » contient un caractère nul : il n'est pas accepté.",
            code="caractere_nul",
        )
    compact = ESPACES.sub("", brut)
    if NON_FINI.fullmatch(compact):
        raise ValidationError(
            f"« {_montrer(brut)} » n'est pas un nombre fini : NaN et l'infini sont refusés.",
            code="non_fini",
        )
    if EXPOSANT.fullmatch(compact):
        raise ValidationError(
            f"« {_montrer(brut)} » : la notation scientifique (1e5, 1E-3) est refusée, "
            "écrivez le nombre en chiffres.",
            code="exposant",
        )
    return brut


def lire_nombre(texte):
    """Parse a number typed in French or plain format.

    Accepted: "1 234,5", "1234,5", "1 234", "1234.5", "1.234,5", "45 %",
    "1 200 €", "-3". Refused with a French message: anything else, the
    ambiguous "1.234" (thousands or decimals?), and what the module's
    docstring lists.
    """
    brut = _verifier_brut(texte, LONGUEUR_MAX)
    if not brut:
        raise ValidationError("Saisissez un nombre.", code="vide")
    nettoye = ESPACES.sub("", brut).replace("−", "-")
    nettoye = nettoye.removesuffix("%").removesuffix("€")
    if "," in nettoye and "." in nettoye:
        nettoye = nettoye.replace(".", "").replace(",", ".")
    elif "," in nettoye:
        if nettoye.count(",") > 1:
            raise ValidationError(
                f"« {brut} » n'est pas un nombre : une seule virgule décimale (exemple : 1 234,5).",
                code="invalide",
            )
        nettoye = nettoye.replace(",", ".")
    elif MILLIERS_POINTS.match(nettoye):
        raise ValidationError(
            f"« {brut} » est ambigu : écrivez 1 234 pour mille deux cent trente-quatre, "
            "ou 1,234 pour un nombre décimal.",
            code="ambigu",
        )
    if not NOMBRE.fullmatch(nettoye):
        raise ValidationError(
            f"« {_montrer(brut)} » n'est pas un nombre (exemple : 1 234,5).", code="invalide"
        )
    if sum(c.isdigit() for c in nettoye) > CHIFFRES_MAX:
        raise ValidationError(
            f"« {brut} » a trop de chiffres : {CHIFFRES_MAX} au plus.", code="trop_de_chiffres"
        )
    # At most LONGUEUR_MAX plain digits: a constant-time conversion.
    valeur = Decimal(nettoye)
    if abs(valeur) >= MAX_ABS:
        raise ValidationError(
            f"« {brut} » est trop grand : la valeur absolue doit rester sous 10^14.",
            code="trop_grand",
        )
    if valeur.as_tuple().exponent < -2:
        raise ValidationError(f"« {brut} » : deux décimales au plus.", code="trop_de_decimales")
    return valeur


def _borner(valeur, minimum, maximum, brut):
    minimum = ENTIER_MIN if minimum is None else minimum
    maximum = ENTIER_MAX if maximum is None else maximum
    if not minimum <= valeur <= maximum:
        raise ValidationError(
            f"« {_montrer(str(brut))} » : un entier entre {minimum} et {maximum} est attendu.",
            code="hors_bornes",
        )
    return valeur


def lire_entier(texte, *, minimum=None, maximum=None, format_francais=False):
    """A whole number between ``minimum`` and ``maximum`` (by default, what
    an integer column holds).

    Plain digits with an optional sign (a query parameter, a hidden field);
    with ``format_francais``, anything :func:`lire_nombre` reads whose value
    is whole ("3", "3,0", "1 000": an imported spreadsheet's version column).
    An ``int`` is only bounded. Raises ``ValidationError`` with a French
    message naming the rule.
    """
    if isinstance(texte, int) and not isinstance(texte, bool):
        return _borner(texte, minimum, maximum, texte)
    if format_francais:
        nombre = lire_nombre(texte)
        if nombre != nombre.to_integral_value():
            raise ValidationError(
                f"« {_montrer(str(texte))} » : un nombre entier est attendu.", code="non_entier"
            )
        return _borner(int(nombre), minimum, maximum, texte)
    brut = _verifier_brut(texte, ENTIER_LONGUEUR_MAX)
    if not brut:
        raise ValidationError("Saisissez un nombre entier.", code="vide")
    if not ENTIER.fullmatch(brut):
        raise ValidationError(
            f"« {_montrer(brut)} » n'est pas un nombre entier (chiffres seulement).",
            code="non_entier",
        )
    return _borner(int(brut), minimum, maximum, brut)


def ecrire_nombre(valeur):
    """A Decimal written the French way ("1 234,5"), for forms and exports."""
    if valeur is None:
        return ""
    valeur = Decimal(valeur)
    if valeur == valeur.to_integral_value():
        valeur = valeur.quantize(Decimal(1))
    else:
        valeur = valeur.normalize()
    signe = "-" if valeur < 0 else ""
    entier, _, decimales = f"{abs(valeur):f}".partition(".")
    groupes = []
    while len(entier) > 3:
        groupes.insert(0, entier[-3:])
        entier = entier[:-3]
    groupes.insert(0, entier)
    texte = " ".join(groupes)
    return f"{signe}{texte},{decimales}" if decimales else f"{signe}{texte}"


class EntierFormField(forms.IntegerField):
    """Django's ``IntegerField`` read by :func:`lire_entier`: bounded length,
    ASCII digits, French messages. ``min_value``/``max_value`` bound it (by
    default, what an integer column holds)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return lire_entier(value, minimum=self.min_value, maximum=self.max_value)


class NombreFormField(forms.DecimalField):
    """Django's ``DecimalField`` read by :func:`lire_nombre` (French format,
    the same refusals as the data-entry grid)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        return lire_nombre(value)


# For a ModelAdmin's ``formfield_overrides``: the admin reads numbers as the
# data-entry pages do.
# (Integers keep Django's admin field: its int() of a bad text is a form
# error, and the admin's own widget stays.)
NOMBRES_ADMIN = {models.DecimalField: {"form_class": NombreFormField}}


class EntierSerializerField(serializers.IntegerField):
    """DRF's ``IntegerField`` read by :func:`lire_entier` (a JSON number or
    a string of digits; ``true``, ``2.5``, ``NaN`` refused). Bounded by
    default to what an integer column holds (and the schema says so)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", ENTIER_MIN)
        kwargs.setdefault("max_value", ENTIER_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            raise serializers.ValidationError("Un nombre entier est attendu.", code="invalid")
        try:
            return lire_entier(data, minimum=self.min_value, maximum=self.max_value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from None
