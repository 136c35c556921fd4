from rest_framework import serializers

from contrat.models import (
    Avenant,
    AxeTransversal,
    Contrat,
    Enjeu,
    Objectif,
    Organisation,
    Pilier,
    PrincipeIntegrateur,
    Priorite,
    Quartier,
    SectionTexte,
    Signataire,
)


class OrganisationCourteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["slug", "nom", "sigle"]


class OrganisationSerializer(serializers.ModelSerializer):
    rattachement = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    aliases = serializers.SlugRelatedField(slug_field="libelle", many=True, read_only=True)
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)

    class Meta:
        model = Organisation
        fields = ["slug", "nom", "sigle", "type", "type_libelle", "rattachement", "aliases"]


class ContratSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contrat
        fields = [
            "slug",
            "titre",
            "sous_titre",
            "territoire",
            "annee_debut",
            "annee_fin",
            "date_signature",
            "date_signature_texte",
        ]


class SectionTexteSerializer(serializers.ModelSerializer):
    class Meta:
        model = SectionTexte
        fields = ["numero", "titre", "texte"]


class AvenantSerializer(serializers.ModelSerializer):
    contrat = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sections = SectionTexteSerializer(many=True, read_only=True)

    class Meta:
        model = Avenant
        fields = [
            "contrat",
            "numero",
            "titre",
            "annee",
            "date_signature",
            "date_signature_texte",
            "date_approbation_texte",
            "periode_debut",
            "periode_fin",
            "objet",
            "sections",
        ]


class SignataireSerializer(serializers.ModelSerializer):
    organisation = OrganisationCourteSerializer(read_only=True)
    avenant = serializers.IntegerField(source="avenant.numero", read_only=True)

    class Meta:
        model = Signataire
        fields = [
            "ordre",
            "avenant",
            "organisation",
            "designation",
            "representant",
            "qualite",
            "texte",
        ]


class PilierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Pilier
        fields = ["numero", "intitule", "intitule_fiches"]


class PrincipeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrincipeIntegrateur
        fields = ["numero", "intitule"]


class EnjeuSerializer(serializers.ModelSerializer):
    pilier = serializers.IntegerField(
        source="pilier.numero", read_only=True, allow_null=True, default=None
    )
    principe = serializers.IntegerField(
        source="principe.numero", read_only=True, allow_null=True, default=None
    )
    objectifs = serializers.SlugRelatedField(slug_field="numero", many=True, read_only=True)

    class Meta:
        model = Enjeu
        fields = ["numero", "intitule", "pilier", "principe", "objectifs"]


class PrioriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Priorite
        fields = ["numero", "intitule"]


class ObjectifSerializer(serializers.ModelSerializer):
    enjeux = serializers.SlugRelatedField(slug_field="numero", many=True, read_only=True)

    class Meta:
        model = Objectif
        fields = ["numero", "intitule", "enjeux"]


class AxeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AxeTransversal
        fields = ["numero", "intitule"]


class QuartierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quartier
        fields = ["slug", "nom", "ordre", "population"]
