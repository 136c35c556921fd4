from rest_framework import serializers

from contrat.annees import ANNEE_MAX, ANNEE_MIN
from contrat.nombres import EntierSerializerField
from contrat.textes import TexteSerializerField
from engagements.models import (
    Campagne,
    Cible,
    Engagement,
    Jalon,
    LigneBudget,
    PieceJustificative,
    SuiviAction,
    Valeur,
)


class CibleSerializer(serializers.ModelSerializer):
    indicateur = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    engagement = serializers.IntegerField(source="engagement.ordre", read_only=True)

    class Meta:
        model = Cible
        fields = [
            "id",
            "engagement",
            "ordre",
            "nature",
            "phrase",
            "valeur",
            "valeur_texte",
            "valeur_max",
            "comparateur",
            "unite",
            "objet",
            "annee",
            "echeance_texte",
            "portee",
            "indicateur",
        ]


class CibleCourteSerializer(CibleSerializer):
    class Meta(CibleSerializer.Meta):
        fields = [f for f in CibleSerializer.Meta.fields if f not in {"engagement"}]


class EngagementSerializer(serializers.ModelSerializer):
    objectif = serializers.IntegerField(
        source="objectif.numero", read_only=True, allow_null=True, default=None
    )
    enjeux = serializers.SlugRelatedField(slug_field="numero", many=True, read_only=True)
    axes = serializers.SlugRelatedField(slug_field="numero", many=True, read_only=True)
    organisations = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    partenaire_libelle = serializers.CharField(source="get_partenaire_display", read_only=True)
    cibles = CibleCourteSerializer(many=True, read_only=True)

    class Meta:
        model = Engagement
        fields = [
            "ordre",
            "partenaire",
            "partenaire_libelle",
            "organisations",
            "objectif",
            "axes_transversaux",
            "axes",
            "enjeux",
            "texte",
            "cibles",
            "colonne_imprimee",
            "deplace",
            "motif_deplacement",
            "lignes_source",
        ]


class CampagneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campagne
        fields = ["annee", "libelle", "date_limite", "statut"]


class ValeurSerializer(serializers.ModelSerializer):
    """One fact, long format: every dimension a plain column, for BI tools."""

    indicateur = serializers.CharField(source="indicateur.code", read_only=True)
    indicateur_libelle = serializers.CharField(source="indicateur.libelle", read_only=True)
    type_indicateur = serializers.CharField(source="indicateur.type", read_only=True)
    fiche = serializers.CharField(
        source="indicateur.fiche.numero", read_only=True, allow_null=True, default=None
    )
    objectif = serializers.SerializerMethodField()
    organisation = serializers.CharField(
        source="indicateur.organisation.slug", read_only=True, allow_null=True, default=None
    )
    organisation_nom = serializers.CharField(
        source="indicateur.organisation.nom", read_only=True, allow_null=True, default=None
    )
    quartier = serializers.CharField(
        source="quartier.slug", read_only=True, allow_null=True, default=None
    )
    quartier_nom = serializers.CharField(
        source="quartier.nom", read_only=True, allow_null=True, default=None
    )
    unite = serializers.CharField(source="indicateur.unite", read_only=True)
    # The note and the staff's comment as the caller may read them: annotations
    # of Valeur.objects.avec_textes_visibles(user) ("" when not theirs to read).
    note = serializers.CharField(source="note_visible", read_only=True)
    commentaire_validation = serializers.CharField(source="commentaire_visible", read_only=True)
    lu_pour = serializers.CharField(
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Code de l'indicateur demandé (?indicateur=) quand il est lu sous "
        "cet indicateur de référence (même série) ; sinon null.",
    )

    class Meta:
        model = Valeur
        fields = [
            "id",
            "indicateur",
            "lu_pour",
            "indicateur_libelle",
            "type_indicateur",
            "fiche",
            "objectif",
            "organisation",
            "organisation_nom",
            "annee",
            "quartier",
            "quartier_nom",
            "sexe",
            "valeur",
            "unite",
            "statut",
            "note",
            "note_publique",
            "commentaire_validation",
            "version",
            "saisie_le",
            "validee_le",
            "synthetique",
        ]

    def get_objectif(self, obj) -> int | None:
        fiche = obj.indicateur.fiche
        return fiche.objectif.numero if fiche is not None and fiche.objectif_id else None


class ValeurEcritureSerializer(serializers.Serializer):
    """What a partner sends to enter or change one value."""

    indicateur = serializers.CharField(
        help_text="Code de l'indicateur, par exemple « 2019-1.1-1 »."
    )
    annee = EntierSerializerField(min_value=ANNEE_MIN, max_value=ANNEE_MAX)
    quartier = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Identifiant du quartier ; vide : tous.",
    )
    sexe = serializers.ChoiceField(
        choices=["", *Valeur.Sexe.values],
        required=False,
        default="",
        help_text="F, H ; vide : ensemble.",
    )
    valeur = serializers.CharField(
        help_text="Nombre, au format français accepté : « 1 234,5 ». Vide : supprime la valeur (brouillon).",
        allow_blank=True,
    )
    note = TexteSerializerField(required=False, allow_blank=True, default="")
    note_publique = serializers.BooleanField(
        required=False,
        default=None,
        allow_null=True,
        help_text="Publier la note avec la valeur validée (données ouvertes). "
        "Absent : inchangé (non publique pour une valeur nouvelle).",
    )
    version = EntierSerializerField(
        min_value=0,
        default=0,
        help_text="Version lue (0 pour une valeur nouvelle) : protège contre les mises à jour perdues.",
    )
    soumettre = serializers.BooleanField(
        default=False, help_text="Soumettre à validation (sinon : brouillon)."
    )


class ValeurModificationSerializer(serializers.Serializer):
    valeur = serializers.CharField(allow_blank=True)
    note = TexteSerializerField(required=False, allow_blank=True, default="")
    note_publique = serializers.BooleanField(
        required=False,
        default=None,
        allow_null=True,
        help_text="Publier la note (données ouvertes). Absent : inchangé.",
    )
    version = EntierSerializerField(min_value=1)
    soumettre = serializers.BooleanField(default=False)


class StatuerSerializer(serializers.Serializer):
    version = EntierSerializerField(min_value=1)
    commentaire = TexteSerializerField(required=False, allow_blank=True, default="")


# ---------------------------------------------------------------- follow-up of actions


class JalonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Jalon
        fields = ["libelle", "date_prevue", "date_reelle"]


class LigneBudgetSerializer(serializers.ModelSerializer):
    financeur = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = LigneBudget
        fields = ["financeur", "nature", "annee", "montant_prevu", "montant_depense"]


class PieceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = PieceJustificative
        fields = ["id", "nom", "ajoutee_le", "url"]

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("saisie:piece", args=[obj.pk])


class SuiviActionSerializer(serializers.ModelSerializer):
    """A follow-up record. Budget lines only on a validated record unless the
    caller is its organisation or staff (``context["complet"]``); proofs
    never public: listed only for them."""

    fiche = serializers.CharField(
        source="fiche.numero", read_only=True, allow_null=True, default=None
    )
    engagement = serializers.IntegerField(
        source="engagement.ordre", read_only=True, allow_null=True, default=None
    )
    organisation = serializers.CharField(source="organisation.slug", read_only=True)
    organisation_nom = serializers.CharField(source="organisation.nom", read_only=True)
    jalons = JalonSerializer(many=True, read_only=True)
    lignes_budget = serializers.SerializerMethodField()
    pieces = serializers.SerializerMethodField()

    class Meta:
        model = SuiviAction
        fields = [
            "id",
            "annee",
            "fiche",
            "engagement",
            "organisation",
            "organisation_nom",
            "avancement",
            "avancement_pct",
            "realise",
            "a_venir",
            "jalons",
            "lignes_budget",
            "pieces",
            "statut",
            "commentaire_validation",
            "version",
            "saisi_le",
            "soumis_le",
            "valide_le",
        ]

    def _complet(self, obj):
        complet = self.context.get("complet")
        if callable(complet):
            return complet(obj)
        return bool(complet)

    def get_lignes_budget(self, obj) -> list[dict]:
        if obj.statut != SuiviAction.Statut.VALIDE and not self._complet(obj):
            return []
        return LigneBudgetSerializer(obj.lignes_budget.all(), many=True).data

    def get_pieces(self, obj) -> list[dict]:
        if not self._complet(obj):
            return []
        return PieceSerializer(obj.pieces.all(), many=True).data


class JalonEcritureSerializer(serializers.Serializer):
    libelle = serializers.CharField(max_length=300)
    date_prevue = serializers.DateField(required=False, allow_null=True, default=None)
    date_reelle = serializers.DateField(required=False, allow_null=True, default=None)


class LigneBudgetEcritureSerializer(serializers.Serializer):
    financeur = serializers.CharField(help_text="Identifiant de l'organisation, « caf-herault ».")
    nature = serializers.ChoiceField(choices=LigneBudget.Nature.choices)
    annee = EntierSerializerField(min_value=ANNEE_MIN, max_value=ANNEE_MAX, required=False)
    montant_prevu = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="Euros, au format français accepté : « 12 500,50 ».",
    )
    montant_depense = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default=None
    )


class SuiviContenuSerializer(serializers.Serializer):
    avancement = serializers.ChoiceField(
        choices=SuiviAction.Avancement.choices, allow_blank=True, required=False, default=""
    )
    avancement_pct = EntierSerializerField(
        min_value=0, max_value=100, required=False, allow_null=True, default=None
    )
    realise = TexteSerializerField(required=False, allow_blank=True, default="")
    a_venir = TexteSerializerField(required=False, allow_blank=True, default="")
    jalons = JalonEcritureSerializer(many=True, required=False)
    lignes_budget = LigneBudgetEcritureSerializer(many=True, required=False)
    soumettre = serializers.BooleanField(default=False)


class SuiviEcritureSerializer(SuiviContenuSerializer):
    """What a partner sends to create (version 0) or replace a follow-up."""

    annee = EntierSerializerField(min_value=ANNEE_MIN, max_value=ANNEE_MAX)
    fiche = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Numéro de la fiche, « 1.1 »."
    )
    engagement = EntierSerializerField(
        required=False, allow_null=True, default=None, min_value=1, help_text="N° de l'engagement."
    )
    organisation = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Pour une fiche : le pilote dont c'est le suivi (identifiant).",
    )
    version = EntierSerializerField(
        min_value=0, default=0, help_text="Version lue (0 : pas encore de suivi)."
    )


class SuiviModificationSerializer(SuiviContenuSerializer):
    version = EntierSerializerField(min_value=1)


class VersionSerializer(serializers.Serializer):
    version = EntierSerializerField(min_value=1)
