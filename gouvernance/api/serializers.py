from rest_framework import serializers

from gouvernance.models import (
    ConseilCitoyen,
    Evenement,
    Instance,
    MoyenConseilCitoyen,
    PointEvenement,
    Preconisation,
    ReponsePreconisation,
    Theme,
)


class MoyenSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = MoyenConseilCitoyen
        fields = [
            "ordre",
            "nature",
            "texte",
            "montant_min",
            "montant_max",
            "organisation",
            "ligne_source",
        ]


class InstanceSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    fiches = serializers.SlugRelatedField(slug_field="numero", many=True, read_only=True)
    moyens = MoyenSerializer(many=True, read_only=True)

    class Meta:
        model = Instance
        fields = [
            "slug",
            "nom",
            "type",
            "portee",
            "parent",
            "statut_texte",
            "role",
            "composition",
            "moyens_texte",
            "moyens",
            "fiches",
        ]


class PointSerializer(serializers.ModelSerializer):
    class Meta:
        model = PointEvenement
        fields = ["type", "ordre", "texte"]


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["slug", "ordre", "nom"]


class EvenementSerializer(serializers.ModelSerializer):
    instance = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    fiches = serializers.SlugRelatedField(slug_field="numero", many=True, read_only=True)
    themes = ThemeSerializer(many=True, read_only=True)
    points = PointSerializer(many=True, read_only=True)

    class Meta:
        model = Evenement
        fields = [
            "slug",
            "titre",
            "type",
            "instance",
            "portee",
            "statut",
            "date_texte",
            "precision",
            "date_debut",
            "date_fin",
            "annee",
            "annee_deduite",
            "annee_deduite_raison",
            "description",
            "participants_texte",
            "participants_min",
            "conseillers_citoyens",
            "themes",
            "temps_fort_podem",
            "fiches",
            "points",
        ]


class ConseilCitoyenSerializer(serializers.ModelSerializer):
    quartier = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    somme_colleges = serializers.IntegerField(read_only=True)

    class Meta:
        model = ConseilCitoyen
        fields = [
            "slug",
            "quartier",
            "quartier_texte",
            "est_total",
            "population",
            "tires_au_sort",
            "jeunes",
            "volontaires",
            "associations",
            "total",
            "somme_colleges",
        ]


class ReponseSerializer(serializers.ModelSerializer):
    fiche = serializers.CharField(source="fiche.numero", read_only=True)

    class Meta:
        model = ReponsePreconisation
        fields = ["fiche", "force", "justification"]


class PreconisationSerializer(serializers.ModelSerializer):
    reponses = ReponseSerializer(many=True, read_only=True)

    class Meta:
        model = Preconisation
        fields = ["ordre", "volet", "sous_titre", "texte", "suivi", "commentaire_suivi", "reponses"]
