from rest_framework import serializers

from contrat.api.serializers import OrganisationCourteSerializer
from fiches.models import Anomalie, Evolution, Fiche, Indicateur, SousPartie


class IndicateurSerializer(serializers.ModelSerializer):
    fiche = serializers.CharField(
        source="fiche.numero", read_only=True, allow_null=True, default=None
    )
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    engagement = serializers.SerializerMethodField()
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)

    class Meta:
        model = Indicateur
        fields = [
            "code",
            "libelle",
            "type",
            "type_libelle",
            "fiche",
            "engagement",
            "organisation",
            "unite",
            "sens",
            "desagregation",
            "valeur_reference",
            "annee_reference",
            "valeur_cible",
            "annee_cible",
            "actif",
        ]

    def get_engagement(self, obj) -> int | None:
        cible = getattr(obj, "cible_engagement", None)
        return cible.engagement.ordre if cible else None


class IndicateurCourtSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Indicateur
        fields = [
            "code",
            "libelle",
            "type",
            "organisation",
            "unite",
            "desagregation",
            "valeur_reference",
            "valeur_cible",
        ]


class SousPartieSerializer(serializers.ModelSerializer):
    class Meta:
        model = SousPartie
        fields = ["ordre", "numero", "titre", "texte"]


class FicheListeSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="version.code", read_only=True)
    objectif = serializers.IntegerField(
        source="objectif.numero", read_only=True, allow_null=True, default=None
    )
    enjeux = serializers.SlugRelatedField(slug_field="numero", many=True, read_only=True)
    pilote = serializers.CharField(source="pilote_texte", read_only=True)
    pilotes = OrganisationCourteSerializer(many=True, read_only=True)
    partenaires = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    date_debut = serializers.CharField(source="date_debut_texte", read_only=True)
    date_fin = serializers.CharField(source="date_fin_texte", read_only=True)
    quartiers = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    axes = serializers.SlugRelatedField(slug_field="numero", many=True, read_only=True)
    nb_indicateurs = serializers.IntegerField(read_only=True)

    class Meta:
        model = Fiche
        fields = [
            "numero",
            "titre",
            "version",
            "objectif",
            "enjeux",
            "pilote",
            "pilotes",
            "partenaires",
            "date_debut",
            "date_fin",
            "annee_debut",
            "annee_fin",
            "tous_qpv",
            "quartiers",
            "axes",
            "nb_indicateurs",
        ]


class LigneeSerializer(serializers.ModelSerializer):
    fiche_initiale = serializers.CharField(
        source="fiche_initiale.numero", read_only=True, allow_null=True, default=None
    )
    fiches_nouvelles = serializers.SlugRelatedField(slug_field="numero", many=True, read_only=True)

    class Meta:
        model = Evolution
        fields = [
            "ordre",
            "fiche_initiale",
            "sort",
            "sort_deduit",
            "commentaire",
            "fiches_nouvelles",
            "lien_deduit",
        ]


class FicheDetailSerializer(FicheListeSerializer):
    indicateurs = IndicateurCourtSerializer(many=True, read_only=True)
    sous_parties = SousPartieSerializer(many=True, read_only=True)
    pilier = serializers.IntegerField(
        source="pilier.numero", read_only=True, allow_null=True, default=None
    )
    partenaires_organisations = OrganisationCourteSerializer(
        source="partenaires", many=True, read_only=True
    )
    origines = LigneeSerializer(many=True, read_only=True)

    class Meta(FicheListeSerializer.Meta):
        fields = [
            *FicheListeSerializer.Meta.fields,
            "titre_sommaire",
            "groupe_texte",
            "pilier",
            "pilier_texte",
            "principes_texte",
            "enjeux_texte",
            "thematique_texte",
            "diagnostic",
            "elements_contexte_actualises",
            "objectifs",
            "resultats_attendus",
            "descriptif",
            "sous_parties",
            "pilote_libelle",
            "maitre_oeuvre_texte",
            "partenaires_texte",
            "partenaires_organisations",
            "perimetre_texte",
            "publics_vises",
            "calendrier_texte",
            "approches_transversales_texte",
            "indicateurs",
            "origines",
            "lignes_source",
        ]


class FicheInitialeSerializer(serializers.ModelSerializer):
    objectif = serializers.IntegerField(
        source="objectif.numero", read_only=True, allow_null=True, default=None
    )
    pilote = serializers.CharField(source="pilote_texte", read_only=True)
    pilotes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    devenir = LigneeSerializer(many=True, read_only=True)

    class Meta:
        model = Fiche
        fields = ["numero", "titre", "objectif", "objectifs", "pilote", "pilotes", "devenir"]


class EvolutionSerializer(serializers.ModelSerializer):
    fiche_initiale = serializers.CharField(
        source="fiche_initiale.numero", read_only=True, allow_null=True, default=None
    )
    fiches_nouvelles = serializers.SlugRelatedField(slug_field="numero", many=True, read_only=True)
    sort_libelle = serializers.CharField(source="get_sort_display", read_only=True)

    class Meta:
        model = Evolution
        fields = [
            "ordre",
            "groupe_texte",
            "fiche_initiale",
            "fragment_initial",
            "sort",
            "sort_libelle",
            "sort_deduit",
            "sort_deduit_de",
            "commentaire",
            "fiches_nouvelles",
            "lien_deduit",
            "lien_deduit_de",
            "nouveau_numero_texte",
            "nouvel_intitule",
            "nouveaux_objectifs",
            "nouveau_pilote",
            "exemples_actions",
            "lignes_source",
        ]


class AnomalieSerializer(serializers.ModelSerializer):
    fiches = serializers.SlugRelatedField(slug_field="numero", many=True, read_only=True)

    class Meta:
        model = Anomalie
        fields = [
            "code",
            "categorie",
            "description",
            "localisation",
            "fiches",
            "statut",
            "annotation",
        ]
