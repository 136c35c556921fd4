"""Numbers as partners type them: French format first ("1 234,5")."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

ESPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
MILLIERS_POINTS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
MAX_ABS = Decimal("1e14")


def lire_nombre(texte):
    """Parse a number typed in French or plain format.

    Accepted: "1 234,5", "1234,5", "1 234", "1234.5", "1.234,5", "45 %",
    "1 200 €", "-3". Refused with a French message: anything else, and the
    ambiguous "1.234" (thousands or decimals?).
    """
    brut = (texte or "").strip()
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
    if not re.fullmatch(r"-?\d+(\.\d+)?", nettoye):
        raise ValidationError(
            f"« {brut} » n'est pas un nombre (exemple : 1 234,5).", code="invalide"
        )
    try:
        valeur = Decimal(nettoye)
    except InvalidOperation:  # pragma: no cover - the regex above guards it
        raise ValidationError(f"« {brut} » n'est pas un nombre.", code="invalide") from None
    if abs(valeur) >= MAX_ABS:
        raise ValidationError(f"« {brut} » est trop grand.", code="trop_grand")
    if valeur.as_tuple().exponent < -2:
        raise ValidationError(f"« {brut} » : deux décimales au plus.", code="trop_de_decimales")
    return valeur


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
