"""The columns of a list's CSV, read from its serializer.

One walk over a serializer (:func:`champs_csv`) gives both the header of a
list's CSV (``contrat.api.base.LectureViewSet.csv_serialise``) and the data
package's ``schema`` (``contrat.api.paquet``): a field added to a serializer
is a new column and a new schema field at once. The walk follows what
``contrat.api.rendu.aplatir`` does to a row: a nested object becomes
``parent.child`` columns, a list one text column whose items are joined by
`` | ``.
"""

import re
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from rest_framework import serializers

from contrat.api.rendu import SEPARATEUR_LISTE, neutraliser

VRAI, FAUX = "True", "False"  # how Python's csv writes a boolean (and the COPY export)


@dataclass
class ChampCsv:
    """One column of a list's CSV, as the data package describes it."""

    nom: str
    type: str = "string"
    titre: str = ""
    description: str = ""
    source: str = ""
    liste: bool = False
    choix: list = field(default_factory=list)

    def descripteur(self, noms):
        """Its Table Schema field; ``noms``: the resource's columns (a value's
        unit lives in its row's ``unite`` column)."""
        notes = [self.description.rstrip(".") + "."] if self.description else []
        if self.liste:
            notes.append(f"Liste : éléments séparés par « {SEPARATEUR_LISTE.strip()} ».")
        if self.type == "number" and self.nom.split(".")[-1].startswith("valeur"):
            notes.append(
                "Unité : celle de la ligne (colonne « unite »), propre à chaque indicateur."
                if "unite" in noms
                else "Unité : non précisée par l'avenant."
            )
        descripteur = {
            "name": self.nom,
            "type": self.type,
            "title": self.titre,
            "description": " ".join(notes),
        }
        if self.type == "boolean":
            descripteur.update(trueValues=[VRAI], falseValues=[FAUX])
        if self.choix:
            descripteur["constraints"] = {"enum": self.choix}
        return descripteur


def _type_python(annotation):
    """The Table Schema type of a method field's return annotation (None
    and Optional stripped); "liste" for a list."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        autres = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = autres[0] if len(autres) == 1 else str
    origine = typing.get_origin(annotation) or annotation
    if origine in (list, tuple, set):
        return "liste"
    for python, type_ in (
        (bool, "boolean"),
        (int, "integer"),
        (float, "number"),
        (Decimal, "number"),
        (datetime, "datetime"),
        (date, "date"),
    ):
        if isinstance(origine, type) and issubclass(origine, python):
            return type_
    return "string"


def _type_champ(champ):
    if isinstance(champ, serializers.BooleanField):
        return "boolean"
    if isinstance(champ, serializers.IntegerField):
        return "integer"
    if isinstance(champ, serializers.FloatField | serializers.DecimalField):
        return "number"
    if isinstance(champ, serializers.DateTimeField):
        return "datetime"
    if isinstance(champ, serializers.DateField):
        return "date"
    if isinstance(champ, serializers.TimeField):
        return "time"
    return "string"


def _element_de_liste(enfant):
    """How ``aplatir`` writes one item of a list of objects: its slug,
    number, code or id, the first it has."""
    noms = getattr(enfant, "fields", {})
    for cle in ("slug", "numero", "code", "id"):
        if cle in noms:
            return f"chaque élément : son « {cle} »"
    return "chaque élément écrit en entier"


def _serializer_de(annotation):
    if isinstance(annotation, serializers.BaseSerializer):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, serializers.BaseSerializer):
        return annotation()
    return None


def _du_modele(modele, source):
    """``(title, help text)`` of the model field ``source`` reaches from
    ``modele`` ("indicateur.fiche.numero": "Numéro (indicateur › fiche)"),
    for a serializer field whose label DRF made up from its name; None when
    the source is not a model field."""
    if modele is None or not source or source == "*":
        return None
    morceaux = source.split(".")
    chemin = []
    for rang, morceau in enumerate(morceaux):
        affichage = re.fullmatch(r"get_(\w+)_display", morceau)
        try:
            champ = modele._meta.get_field(affichage.group(1) if affichage else morceau)
        except FieldDoesNotExist:
            return None
        if rang < len(morceaux) - 1:
            if not champ.is_relation:
                return None
            modele = champ.related_model
            chemin.append(str(modele._meta.verbose_name))
            continue
        if not hasattr(champ, "verbose_name"):
            return None
        titre = capfirst(str(champ.verbose_name))
        if affichage:
            titre += " (libellé)"
        if chemin:
            titre += f" ({' › '.join(chemin)})"
        return titre, str(champ.help_text or "")
    return None


def _modele_de(serializer, parent):
    meta = getattr(serializer, "Meta", None)
    if meta is not None and getattr(meta, "model", None) is not None:
        return meta.model
    return parent if getattr(serializer, "source", None) == "*" else None


def champs_csv(serializer, prefixe="", titre_parent="", modele_parent=None):
    """The CSV columns of ``serializer`` (an instance), in order, as
    :class:`ChampCsv`: what ``aplatir`` makes of each of its rows."""
    champs = []
    modele = _modele_de(serializer, modele_parent)
    for nom, champ in serializer.fields.items():
        if champ.write_only:
            continue
        cle = f"{prefixe}{nom}"
        titre = capfirst(str(champ.label or nom))
        aide = str(champ.help_text or "")
        if titre == nom.replace("_", " ").capitalize():
            # A label DRF made up from the name: the model says better.
            lu = _du_modele(modele, champ.source)
            if lu is not None:
                titre, aide = lu[0], aide or lu[1]
        if titre_parent:
            titre = f"{titre_parent} : {titre}"
        if isinstance(champ, serializers.SerializerMethodField):
            methode = getattr(serializer, champ.method_name)
            # What @extend_schema_field said the method returns, if it did.
            annotation = getattr(methode, "_spectacular_annotation", {}).get("field")
            imbrique = _serializer_de(annotation)
            if imbrique is not None and not getattr(imbrique, "many", False):
                champs += champs_csv(imbrique, f"{cle}.", titre, modele)
                continue
            if imbrique is not None:
                type_ = "liste"
                aide = aide or _element_de_liste(imbrique.child)
            else:
                type_ = _type_python(typing.get_type_hints(methode).get("return", str))
            champs.append(
                ChampCsv(
                    cle,
                    "string" if type_ == "liste" else type_,
                    titre,
                    aide or titre,
                    nom,
                    liste=type_ == "liste",
                )
            )
        elif isinstance(champ, serializers.ListSerializer):
            champs.append(
                ChampCsv(
                    cle,
                    titre=titre,
                    description=aide or f"{titre} ({_element_de_liste(champ.child)})",
                    source=champ.source,
                    liste=True,
                )
            )
        elif isinstance(champ, serializers.BaseSerializer):
            champs += champs_csv(champ, f"{cle}.", titre, modele)
        elif isinstance(
            champ,
            serializers.ManyRelatedField | serializers.ListField | serializers.MultipleChoiceField,
        ):
            champs.append(ChampCsv(cle, "string", titre, aide or titre, champ.source, liste=True))
        else:
            choix = []
            if isinstance(champ, serializers.ChoiceField):
                # As written in the file: a choice such as "=" is neutralised too.
                choix = [neutraliser(str(c)) for c in champ.choices]
            champs.append(
                ChampCsv(cle, _type_champ(champ), titre, aide or titre, champ.source, choix=choix)
            )
    return champs
