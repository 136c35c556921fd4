from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from contrat import comptes
from contrat.models import (
    AliasOrganisation,
    Avenant,
    AxeTransversal,
    Contrat,
    Enjeu,
    Membre,
    Modification,
    Objectif,
    Organisation,
    Pilier,
    PrincipeIntegrateur,
    Priorite,
    Quartier,
    SectionTexte,
    Signataire,
)


class LectureSeuleAdmin(admin.ModelAdmin):
    """For rows that the database or a service writes (history, synthesis, logs)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AvenantInline(admin.TabularInline):
    model = Avenant
    extra = 0
    fields = ["numero", "titre", "annee", "date_signature", "date_signature_texte"]


@admin.register(Contrat)
class ContratAdmin(admin.ModelAdmin):
    list_display = ["titre", "territoire", "annee_debut", "annee_fin", "date_signature"]
    search_fields = ["titre", "territoire"]
    inlines = [AvenantInline]


class SignataireInline(admin.TabularInline):
    model = Signataire
    extra = 0
    fields = ["ordre", "organisation", "designation", "representant", "qualite"]
    autocomplete_fields = ["organisation"]


class SectionTexteInline(admin.StackedInline):
    model = SectionTexte
    extra = 0
    fields = ["ordre", "numero", "titre", "texte", "lignes_source"]


@admin.register(Avenant)
class AvenantAdmin(admin.ModelAdmin):
    list_display = ["numero", "titre", "contrat", "annee", "date_signature", "date_signature_texte"]
    list_filter = ["contrat", "annee"]
    search_fields = ["titre", "objet"]
    inlines = [SignataireInline, SectionTexteInline]


@admin.register(SectionTexte)
class SectionTexteAdmin(admin.ModelAdmin):
    """The avenant's preamble and articles, one by one (also inline on the avenant)."""

    list_display = ["numero", "titre", "avenant", "ordre"]
    list_filter = ["avenant"]
    search_fields = ["numero", "titre", "texte"]
    fields = ["avenant", "ordre", "numero", "titre", "texte", "lignes_source"]


class AliasInline(admin.TabularInline):
    model = AliasOrganisation
    extra = 1
    fields = ["libelle"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["nom", "sigle", "type", "rattachement", "nb_alias", "est_signataire"]
    list_filter = ["type", ("rattachement", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["nom", "sigle", "slug", "aliases__libelle"]
    prepopulated_fields = {"slug": ["nom"]}
    autocomplete_fields = ["rattachement"]
    inlines = [AliasInline]

    def get_queryset(self, request):
        # One query for the changelist instead of two per row.
        return (
            super()
            .get_queryset(request)
            .select_related("rattachement")
            .annotate(_nb_alias=Count("aliases", distinct=True))
            .annotate(_nb_signatures=Count("signatures", distinct=True))
        )

    @admin.display(description="alias", ordering="_nb_alias")
    def nb_alias(self, obj):
        return obj._nb_alias

    @admin.display(description="signataire", boolean=True, ordering="_nb_signatures")
    def est_signataire(self, obj):
        return obj._nb_signatures > 0


@admin.register(AliasOrganisation)
class AliasOrganisationAdmin(admin.ModelAdmin):
    list_display = ["libelle", "organisation", "cle"]
    list_filter = ["organisation__type"]
    search_fields = ["libelle", "cle", "organisation__nom"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation"]


@admin.register(Signataire)
class SignataireAdmin(admin.ModelAdmin):
    list_display = ["ordre", "designation", "representant", "qualite", "organisation", "avenant"]
    list_display_links = ["ordre", "designation"]
    list_filter = ["avenant", "organisation__type"]
    search_fields = ["designation", "representant", "qualite", "organisation__nom"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation", "avenant"]


@admin.register(Pilier)
class PilierAdmin(admin.ModelAdmin):
    list_display = ["numero", "intitule", "intitule_fiches"]
    search_fields = ["intitule", "intitule_fiches"]


@admin.register(PrincipeIntegrateur)
class PrincipeIntegrateurAdmin(admin.ModelAdmin):
    list_display = ["numero", "intitule"]
    search_fields = ["intitule"]


@admin.register(Enjeu)
class EnjeuAdmin(admin.ModelAdmin):
    list_display = ["numero", "intitule", "pilier", "principe"]
    list_filter = ["pilier", "principe"]
    search_fields = ["intitule"]
    list_select_related = ["pilier", "principe"]


@admin.register(Priorite)
class PrioriteAdmin(admin.ModelAdmin):
    list_display = ["numero", "intitule"]
    search_fields = ["intitule"]


@admin.register(Objectif)
class ObjectifAdmin(admin.ModelAdmin):
    list_display = ["numero", "intitule", "liste_enjeux"]
    list_filter = ["enjeux"]
    search_fields = ["intitule"]
    filter_horizontal = ["enjeux"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("enjeux")

    @admin.display(description="enjeux")
    def liste_enjeux(self, obj):
        return ", ".join(str(e.numero) for e in obj.enjeux.all())


@admin.register(AxeTransversal)
class AxeTransversalAdmin(admin.ModelAdmin):
    list_display = ["numero", "intitule"]
    search_fields = ["intitule"]


@admin.register(Quartier)
class QuartierAdmin(admin.ModelAdmin):
    list_display = ["ordre", "nom", "population"]
    list_display_links = ["nom"]
    search_fields = ["nom", "slug"]
    prepopulated_fields = {"slug": ["nom"]}


@admin.register(Modification)
class ModificationAdmin(LectureSeuleAdmin):
    """The change history, read-only: it is written by the database triggers."""

    list_display = [
        "date",
        "operation",
        "table",
        "objet_id",
        "utilisateur",
        "liste_champs",
        "contexte",
    ]
    list_filter = ["operation", "table", ("utilisateur", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["objet_id", "contexte", "table"]
    date_hierarchy = "date"
    list_select_related = ["utilisateur"]
    readonly_fields = [f.name for f in Modification._meta.fields]

    @admin.display(description="champs modifiés")
    def liste_champs(self, obj):
        return ", ".join(obj.champs or [])


@admin.register(Membre)
class MembreAdmin(admin.ModelAdmin):
    """Which organisation a partner account enters data for."""

    list_display = ["utilisateur", "organisation"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["utilisateur__username", "utilisateur__last_name", "organisation__nom"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["utilisateur"]
    list_select_related = ["utilisateur", "organisation"]


# ---------------------------------------------------------------- accounts and API tokens
# DRF's token admin maps each row to its user's id, which breaks admin actions
# on tokens (DRF disables them): revocation is an action on the users, and the
# token list shows when each token expires.
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class JetonAdmin(TokenAdmin):
    list_display = ["key", "user", "created", "expire_le", "expire"]

    @admin.display(description="expire le")
    def expire_le(self, obj):
        return comptes.expiration_jeton(obj)

    @admin.display(description="expiré", boolean=True)
    def expire(self, obj):
        return comptes.jeton_expire(obj)


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UtilisateurAdmin(UserAdmin):
    actions = ["revoquer_jetons"]

    @admin.action(description="Révoquer les jetons d'API des comptes sélectionnés")
    def revoquer_jetons(self, request, queryset):
        nombre = comptes.revoquer_jetons(queryset)
        self.message_user(request, f"{nombre} jeton(s) d'API révoqué(s).", messages.SUCCESS)
