"""The CSV columns read from a serializer are the keys ``aplatir`` writes
for a full row, typed from the serializer's fields."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contrat.api.colonnes import champs_csv
from contrat.api.rendu import aplatir


class Imbrique(serializers.Serializer):
    slug = serializers.CharField()
    annee = serializers.IntegerField(allow_null=True)


class Ligne(serializers.Serializer):
    numero = serializers.CharField(label="Numéro", help_text="« 1.10 » n'est pas « 1.1 »")
    objectif = serializers.IntegerField(allow_null=True)
    valeur = serializers.DecimalField(max_digits=8, decimal_places=2)
    unite = serializers.CharField()
    actif = serializers.BooleanField()
    le = serializers.DateTimeField()
    jour = serializers.DateField()
    sexe = serializers.ChoiceField(choices=[("F", "Femmes"), ("=", "Égal")])
    parent = Imbrique()
    enfants = Imbrique(many=True)
    mots = serializers.ListField(child=serializers.CharField())
    nombre = serializers.SerializerMethodField()
    serie = serializers.SerializerMethodField()
    secret = serializers.CharField(write_only=True)

    def get_nombre(self, obj) -> int | None:
        return 1

    @extend_schema_field(Imbrique(allow_null=True))
    def get_serie(self, obj):
        return {"slug": "x", "annee": 2021}


def test_the_columns_are_the_flattened_keys_of_a_full_row():
    ligne = {
        "numero": "1.10",
        "objectif": 1,
        "valeur": Decimal("2.50"),
        "unite": "%",
        "actif": True,
        "le": "2021-01-01T10:00:00Z",
        "jour": "2021-01-01",
        "sexe": "F",
        "parent": {"slug": "gely", "annee": 2020},
        "enfants": [{"slug": "a", "annee": 1}],
        "mots": ["a", "b"],
        "nombre": 1,
        "serie": {"slug": "x", "annee": 2021},
    }
    champs = champs_csv(Ligne())
    assert [c.nom for c in champs] == list(aplatir(ligne))
    types = {c.nom: c.type for c in champs}
    assert types == {
        "numero": "string",
        "objectif": "integer",
        "valeur": "number",
        "unite": "string",
        "actif": "boolean",
        "le": "datetime",
        "jour": "date",
        "sexe": "string",
        "parent.slug": "string",
        "parent.annee": "integer",
        "enfants": "string",
        "mots": "string",
        "nombre": "integer",
        "serie.slug": "string",
        "serie.annee": "integer",
    }
    par_nom = {c.nom: c for c in champs}
    assert par_nom["enfants"].liste and par_nom["mots"].liste
    assert par_nom["sexe"].choix == ["F", "'="]
    descripteur = par_nom["valeur"].descripteur({c.nom for c in champs})
    assert "colonne « unite »" in descripteur["description"]
    assert par_nom["numero"].descripteur(set())["title"] == "Numéro"
    assert par_nom["actif"].descripteur(set())["trueValues"] == ["True"]
