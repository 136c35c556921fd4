from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contrat.api.serializers import OrganisationCourteSerializer
from fiches.models import (
    Anomalie,
    CibleAnnuelle,
    Evolution,
    Fiche,
    FicheQuartier,
    Indicateur,
    LienSerie,
    SousPartie,
)


class SerieResumeSerializer(serializers.Serializer):
    """The confirmed series an indicator belongs to."""

    reference = serializers.CharField(help_text="Code de l'indicateur saisi (la référence)")
    role = serializers.ChoiceField(
        choices=[("reference", "référence"), ("membre", "membre")],
        help_text="« membre » : cet indicateur n'est pas saisi, il lit les valeurs de la référence",
    )
    membres = serializers.ListField(
        child=serializers.CharField(), help_text="Codes des indicateurs lus sous la référence"
    )


def serie_de(indicateur):
    """``{"reference", "role", "membres"}`` for an indicator in a confirmed
    series, else None. Reads the ``serie_confirmee`` / ``membres_confirmes``
    prefetches when the queryset made them; otherwise queries (detail pages)."""
    liens = getattr(indicateur, "serie_confirmee", None)
    if liens is None:
        liens = list(
            LienSerie.objects.confirmes().filter(indicateur=indicateur).select_related("reference")
        )
    reference, role = (liens[0].reference, "membre") if liens else (indicateur, "reference")
    membres = getattr(reference, "membres_confirmes", None)
    if membres is None:
        membres = list(
            LienSerie.objects.confirmes().filter(reference=reference).select_related("indicateur")
        )
    if not membres:
        return None
    return {
        "reference": reference.code,
        "role": role,
        "membres": sorted(m.indicateur.code for m in membres),
    }


class CibleAnnuelleSerializer(serializers.ModelSerializer):
    class Meta:
        model = CibleAnnuelle
        fields = ["annee", "valeur"]


class ReferenceSerializer(serializers.Serializer):
    """The baseline: a value and its year (both null when not set)."""

    valeur = serializers.DecimalField(
        source="valeur_reference", max_digits=16, decimal_places=2, allow_null=True, read_only=True
    )
    annee = serializers.IntegerField(source="annee_reference", allow_null=True, read_only=True)


class IndicateurSerializer(serializers.ModelSerializer):
    fiche = serializers.CharField(
        source="fiche.numero", read_only=True, allow_null=True, default=None
    )
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    engagement = serializers.SerializerMethodField()
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    serie = serializers.SerializerMethodField()
    reference = ReferenceSerializer(source="*", read_only=True)
    # The trajectory: one target per year (prefetched by the viewsets).
    cibles = CibleAnnuelleSerializer(source="cibles_annuelles", many=True, read_only=True)

    class Meta:
        model = Indicateur
        fields = [
            "code",
            "libelle",
            "rubrique",
            "type",
            "type_libelle",
            "fiche",
            "engagement",
            "organisation",
            "unite",
            "sens",
            "desagregation",
            "reference",
            "cibles",
            "actif",
            "serie",
        ]

    def get_engagement(self, obj) -> int | None:
        cible = getattr(obj, "cible_engagement", None)
        return cible.engagement.ordre if cible else None

    @extend_schema_field(SerieResumeSerializer(allow_null=True))
    def get_serie(self, obj):
        return serie_de(obj)


class MembreSerieSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="indicateur.code", read_only=True)
    libelle = serializers.CharField(source="indicateur.libelle", read_only=True)
    type = serializers.CharField(source="indicateur.type", read_only=True)
    fiche = serializers.CharField(
        source="indicateur.fiche.numero", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = LienSerie
        fields = ["code", "libelle", "type", "fiche", "origine", "score", "raison", "decide_le"]


class SerieSerializer(serializers.ModelSerializer):
    """A series: its reference (the indicator partners enter) and the
    indicators that read its values."""

    reference = serializers.CharField(source="code", read_only=True)
    fiche = serializers.CharField(
        source="fiche.numero", read_only=True, allow_null=True, default=None
    )
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    membres = MembreSerieSerializer(source="membres_confirmes", many=True, read_only=True)

    class Meta:
        model = Indicateur
        fields = [
            "reference",
            "libelle",
            "type",
            "fiche",
            "organisation",
            "unite",
            "desagregation",
            "membres",
        ]


class IndicateurCourtSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    reference = ReferenceSerializer(source="*", read_only=True)
    cibles = CibleAnnuelleSerializer(source="cibles_annuelles", many=True, read_only=True)

    class Meta:
        model = Indicateur
        fields = [
            "code",
            "libelle",
            "rubrique",
            "type",
            "organisation",
            "unite",
            "desagregation",
            "reference",
            "cibles",
        ]


class SousPartieSerializer(serializers.ModelSerializer):
    class Meta:
        model = SousPartie
        fields = ["ordre", "numero", "titre", "texte"]


class FicheQuartierSerializer(serializers.ModelSerializer):
    quartier = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = FicheQuartier
        fields = ["quartier", "deduit", "lieu", "justification"]


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
    # Both read the prefetched links (FicheViewSet.get_queryset), in the quartiers' order.
    quartiers = serializers.SerializerMethodField(
        help_text="Les quartiers de la fiche, lus dans son périmètre ou déduits du texte."
    )
    quartiers_deduits = serializers.SerializerMethodField(
        help_text="Ceux de ces quartiers que le périmètre ne nomme pas : il nomme un lieu que "
        "le texte y rattache (détail : quartiers_liens de la fiche)."
    )
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
            "quartiers_deduits",
            "axes",
            "nb_indicateurs",
        ]

    def get_quartiers(self, obj) -> list[str]:
        return [lien.quartier.slug for lien in obj.liens_quartiers.all()]

    def get_quartiers_deduits(self, obj) -> list[str]:
        return [lien.quartier.slug for lien in obj.liens_quartiers.all() if lien.deduit]


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
    quartiers_liens = FicheQuartierSerializer(source="liens_quartiers", many=True, read_only=True)

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
            "quartiers_liens",
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
            "indicateurs_suivi_texte",
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
