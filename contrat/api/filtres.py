"""The base of every filterset of the API: a filter value the schema rejects
is refused (400), never silently ignored.

django-filter's boolean widget turns any unknown word ("oui", "null", "2")
into "no filter", so ``?actif=oui`` would answer every row as if it had been
applied. Here a boolean filter accepts ``true``/``false`` (and ``1``/``0``)
and nothing else. A whole number is read by the app's one parser
(``contrat.nombres.lire_entier``: bounded length, ASCII digits, within its
bounds, which the schema states). A NUL character in any parameter never
gets here (``contrat.securite.CaractereNulMiddleware`` answers 400). An empty
number, choice or boolean is refused too; an empty text filters nothing.
"""

import re

import django_filters as filters
from django import forms
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from contrat.annees import ANNEE_MAX, ANNEE_MIN
from contrat.nombres import ENTIER_MAX, ENTIER_MIN, EntierFormField

VRAI = {"true", "1"}
FAUX = {"false", "0"}


class BooleenWidget(forms.TextInput):
    def value_from_datadict(self, data, files, name):
        valeur = data.get(name)
        if isinstance(valeur, str):
            minuscule = valeur.strip().lower()
            if minuscule in VRAI:
                return True
            if minuscule in FAUX:
                return False
            if minuscule == "":
                return None
        return valeur


class BooleenStrict(forms.NullBooleanField):
    widget = BooleenWidget

    def to_python(self, value):
        if value in (True, False, None):
            return value
        raise forms.ValidationError(
            "Valeur booléenne attendue : true ou false.", code="invalid_boolean"
        )

    def validate(self, value):
        pass


class EntierFilter(filters.NumberFilter):
    """A whole number (year, objective, order) between ``min_value`` and
    ``max_value`` (by default, what an integer column holds): ``0.5``,
    ``1e5``, ``NaN`` or 5 000 digits are refused (400), not compared with
    integers. The bounds are written into the schema."""

    field_class = EntierFormField

    def __init__(self, *args, min_value=ENTIER_MIN, max_value=ENTIER_MAX, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)
        set_override(self, "field", {"type": "integer", "minimum": min_value, "maximum": max_value})


class AnneeFilter(EntierFilter):
    """A year the data may be about (``contrat.annees``): another is a 400."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=ANNEE_MIN, max_value=ANNEE_MAX, **kwargs)


ENTIERS = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


class FiltresApi(filters.FilterSet):
    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        **{champ: {"filter_class": EntierFilter} for champ in ENTIERS},
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filtre in self.filters.values():
            if isinstance(filtre, filters.BooleanFilter):
                filtre.field_class = BooleenStrict
                filtre.__dict__.pop("_field", None)

    def is_valid(self):
        valide = super().is_valid()
        if not self.is_bound:
            return valide
        # An empty number, choice or boolean is not "no filter": it is a
        # value the schema does not allow (leave the parameter out).
        for nom, filtre in self.filters.items():
            brut = self.data.get(nom)
            if (
                isinstance(brut, str)
                and not brut.strip()
                and not isinstance(filtre, filters.CharFilter)
                and nom not in self.form.errors
            ):
                self.form.add_error(nom, "Valeur vide : omettre le paramètre pour ne pas filtrer.")
                valide = False
        return valide


class FiltresBackend(DjangoFilterBackend):
    """django-filter for the API, with ``filterset_fields`` built on FiltresApi too."""

    filterset_base = FiltresApi


class TriStrict(OrderingFilter):
    """``?ordering=``: DRF drops an unknown field without a word, so a
    misspelt sort would silently answer in the default order. Here it is
    refused (400) with the fields that can be used."""

    def champs(self, queryset, view, request):
        return [nom for nom, _ in self.get_valid_fields(queryset, view, {"request": request})]

    def get_ordering(self, request, queryset, view):
        brut = request.query_params.get(self.ordering_param)
        if brut is not None and brut.strip():
            permis = self.champs(queryset, view, request)
            inconnus = [t for t in brut.split(",") if t.removeprefix("-") not in permis]
            if inconnus:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Tri inconnu : {', '.join(inconnus)}. Choisir parmi : "
                            f"{', '.join(permis)} (préfixe « - » pour l'ordre décroissant, "
                            "plusieurs séparés par des virgules)."
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        parametres = super().get_schema_operation_parameters(view)
        champs = getattr(view, "ordering_fields", None)
        for parametre in parametres:
            if parametre["name"] == self.ordering_param and champs and champs != "__all__":
                parametre["description"] = (
                    f"Tri : {', '.join(champs)} (préfixe « - » pour l'ordre décroissant, "
                    "plusieurs séparés par des virgules)"
                )
                terme = "-?(" + "|".join(re.escape(c) for c in champs) + ")"
                parametre["schema"]["pattern"] = f"^({terme}(,{terme})*)?$"
        return parametres
