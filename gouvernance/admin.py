from django.contrib import admin

from gouvernance.models import (
    ConseilCitoyen,
    Document,
    Evenement,
    Instance,
    MoyenConseilCitoyen,
    PointEvenement,
    Preconisation,
    ReponsePreconisation,
    Theme,
)


class EnfantInline(admin.TabularInline):
    model = Instance
    fk_name = "parent"
    extra = 0
    fields = ["nom", "type", "portee"]
    show_change_link = True


class MoyenInline(admin.TabularInline):
    model = MoyenConseilCitoyen
    extra = 0
    fields = ["ordre", "nature", "texte", "montant_min", "montant_max", "organisation"]
    autocomplete_fields = ["organisation"]


@admin.register(Instance)
class InstanceAdmin(admin.ModelAdmin):
    list_display = ["nom", "type", "portee", "parent", "statut_texte"]
    list_filter = ["type", "portee"]
    search_fields = ["nom", "role", "composition", "moyens_texte"]
    prepopulated_fields = {"slug": ["nom"]}
    autocomplete_fields = ["parent", "fiches"]
    list_select_related = ["parent"]
    inlines = [MoyenInline, EnfantInline]


@admin.register(MoyenConseilCitoyen)
class MoyenConseilCitoyenAdmin(admin.ModelAdmin):
    """The conseils citoyens' means (Article 5.4), each with its amounts."""

    list_display = ["nature", "texte", "montant_min", "montant_max", "organisation", "instance"]
    list_filter = ["nature"]
    search_fields = ["texte"]
    list_select_related = ["organisation", "instance"]
    autocomplete_fields = ["instance", "organisation"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """The 5 programmes of the national mobilisation: the world café's themes."""

    list_display = ["ordre", "nom", "lignes_source"]
    list_display_links = ["nom"]
    search_fields = ["nom"]


class PointInline(admin.TabularInline):
    model = PointEvenement
    extra = 1
    fields = ["type", "ordre", "texte"]


class AvecLiensHttps:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "lien":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class DocumentInline(AvecLiensHttps, admin.TabularInline):
    model = Document
    extra = 1
    fields = ["titre", "fichier", "lien", "date"]


@admin.register(Evenement)
class EvenementAdmin(admin.ModelAdmin):
    """Staff add meetings here, with their decisions (points) and documents."""

    list_display = [
        "titre",
        "date_texte",
        "annee",
        "precision",
        "annee_deduite",
        "type",
        "instance",
        "statut",
    ]
    list_filter = [
        "annee",
        "type",
        "precision",
        "statut",
        "portee",
        "temps_fort_podem",
        "themes",
    ]
    search_fields = ["titre", "description", "date_texte", "participants_texte"]
    prepopulated_fields = {"slug": ["titre"]}
    autocomplete_fields = ["instance", "fiches", "themes"]
    list_select_related = ["instance"]
    date_hierarchy = "date_debut"
    inlines = [PointInline, DocumentInline]


@admin.register(PointEvenement)
class PointEvenementAdmin(admin.ModelAdmin):
    list_display = ["evenement", "type", "ordre", "texte"]
    list_filter = ["type"]
    search_fields = ["texte", "evenement__titre"]
    list_select_related = ["evenement"]


@admin.register(Document)
class DocumentAdmin(AvecLiensHttps, admin.ModelAdmin):
    list_display = ["titre", "evenement", "date"]
    search_fields = ["titre"]
    list_select_related = ["evenement"]
    autocomplete_fields = ["evenement"]


@admin.register(ConseilCitoyen)
class ConseilCitoyenAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "population",
        "tires_au_sort",
        "jeunes",
        "volontaires",
        "associations",
        "total",
        "somme_colleges",
    ]
    list_display_links = ["__str__"]
    search_fields = ["quartier_texte"]

    @admin.display(description="somme des collèges")
    def somme_colleges(self, obj):
        return obj.somme_colleges

    def changelist_view(self, request, extra_context=None):
        ecarts = ConseilCitoyen.controle_des_totaux()
        if ecarts:
            for ecart in ecarts:
                self.message_user(request, ecart, level="warning")
        else:
            self.message_user(
                request,
                "Le tableau est cohérent : chaque total égale la somme de ses collèges, et la ligne des totaux la somme des lignes.",
            )
        return super().changelist_view(request, extra_context)


class ReponseInline(admin.TabularInline):
    model = ReponsePreconisation
    extra = 1
    fields = ["fiche", "force", "justification"]
    autocomplete_fields = ["fiche"]


@admin.register(Preconisation)
class PreconisationAdmin(admin.ModelAdmin):
    list_display = ["ordre", "volet", "texte", "suivi"]
    list_display_links = ["ordre", "texte"]
    list_filter = ["volet", "suivi"]
    list_editable = ["suivi"]
    search_fields = ["texte", "commentaire_suivi"]
    inlines = [ReponseInline]


@admin.register(ReponsePreconisation)
class ReponsePreconisationAdmin(admin.ModelAdmin):
    list_display = ["preconisation", "fiche", "force"]
    list_filter = ["force"]
    search_fields = ["preconisation__texte", "fiche__numero"]
    list_select_related = ["preconisation", "fiche", "fiche__version"]
    autocomplete_fields = ["fiche"]
