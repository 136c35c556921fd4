from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path

from contrat.nombres import NOMBRES_ADMIN, ecrire_nombre
from fiches.admin_extras import FicheAdminExtras
from fiches.integrite import rapport_integrite
from fiches.models import (
    Anomalie,
    CibleAnnuelle,
    Evolution,
    Fiche,
    FicheQuartier,
    Indicateur,
    LienSerie,
    SousPartie,
    VersionPlan,
)
from fiches.services import (
    fiches_relier,
    liens_serie_statuer,
    serie_declarer,
    verifier_lien_serie,
)


@admin.register(VersionPlan)
class VersionPlanAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "libelle",
        "avenant",
        "annee_debut",
        "annee_fin",
        "en_vigueur",
        "nb_fiches",
    ]
    list_filter = ["en_vigueur"]
    search_fields = ["code", "libelle"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_nb_fiches=Count("fiches"))

    @admin.display(description="fiches", ordering="_nb_fiches")
    def nb_fiches(self, obj):
        return obj._nb_fiches


class IndicateurInline(admin.TabularInline):
    # Numbers read by the app's one parser (French format, bounded).
    formfield_overrides = NOMBRES_ADMIN
    model = Indicateur
    extra = 0
    fields = [
        "ordre",
        "type",
        "rubrique",
        "libelle",
        "unite",
        "valeur_reference",
        "annee_reference",
        "cibles",
    ]
    readonly_fields = ["cibles"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("cibles_annuelles")

    @admin.display(description="cibles annuelles")
    def cibles(self, obj):
        # Edited on the indicator's page or the set-up workspace.
        return (
            " ; ".join(f"{c.annee} : {ecrire_nombre(c.valeur)}" for c in obj.cibles_annuelles.all())
            or "—"
        )


class CibleAnnuelleInline(admin.TabularInline):
    """The indicator's yearly targets (its trajectory)."""

    formfield_overrides = NOMBRES_ADMIN
    model = CibleAnnuelle
    extra = 1
    fields = ["annee", "valeur", "commentaire"]


class FicheQuartierInline(admin.TabularInline):
    """The fiche's quartiers; a deduced link shows the place and the sentences
    it is deduced from."""

    model = FicheQuartier
    extra = 0
    fields = ["quartier", "deduit", "lieu", "justification"]
    verbose_name = "quartier"
    verbose_name_plural = "quartiers (liens lus dans le périmètre ou déduits du texte)"


@admin.register(FicheQuartier)
class FicheQuartierAdmin(admin.ModelAdmin):
    list_display = ["fiche", "quartier", "deduit", "lieu"]
    list_filter = ["deduit", "quartier", "fiche__version"]
    list_select_related = ["fiche", "quartier"]
    search_fields = ["fiche__numero", "quartier__nom", "lieu", "justification"]
    autocomplete_fields = ["fiche"]


class SousPartieInline(admin.StackedInline):
    model = SousPartie
    extra = 0
    fields = ["ordre", "numero", "titre", "texte"]


class FicheQuartierFilter(admin.SimpleListFilter):
    title = "quartier"
    parameter_name = "quartier"

    def lookups(self, request, model_admin):
        from contrat.models import Quartier

        return [("tous", "Tous les QPV"), *[(q.slug, q.nom) for q in Quartier.objects.all()]]

    def queryset(self, request, queryset):
        if self.value() == "tous":
            return queryset.filter(tous_qpv=True)
        if self.value():
            return queryset.filter(quartiers__slug=self.value()).distinct()
        return queryset


class FicheSortFilter(admin.SimpleListFilter):
    title = "évolution (annexe 2)"
    parameter_name = "sort"

    def lookups(self, request, model_admin):
        return Evolution.Sort.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # A 2019 fiche's fate is on the rows that lead to it; a 2015 fiche's on its own rows.
        return queryset.filter(
            pk__in=Evolution.objects.filter(sort=self.value()).values("fiches_nouvelles")
        ) | queryset.filter(
            pk__in=Evolution.objects.filter(sort=self.value()).values("fiche_initiale")
        )


@admin.register(Fiche)
class FicheAdmin(FicheAdminExtras, admin.ModelAdmin):
    list_display = [
        "numero",
        "titre",
        "version",
        "objectif",
        "pilote_texte",
        "nb_indicateurs",
        "date_fin_texte",
    ]
    list_display_links = ["numero", "titre"]
    list_filter = [
        "version",
        "objectif",
        "enjeux",
        ("pilotes", admin.RelatedOnlyFieldListFilter),
        ("partenaires", admin.RelatedOnlyFieldListFilter),
        FicheQuartierFilter,
        "axes",
        FicheSortFilter,
    ]
    search_fields = [
        "numero",
        "titre",
        "titre_sommaire",
        "pilote_texte",
        "partenaires_texte",
        "descriptif",
    ]
    autocomplete_fields = ["pilotes", "partenaires"]
    filter_horizontal = ["enjeux", "axes"]
    inlines = [FicheQuartierInline, IndicateurInline, SousPartieInline]
    readonly_fields = ["lignes_source", "lignee"]
    actions = ["relire_les_liens"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "version",
                    "numero",
                    "titre",
                    "titre_sommaire",
                    "objectif",
                    "enjeux",
                    "groupe_texte",
                    "lignes_source",
                ]
            },
        ),
        ("Filiation (tableau d'évolution)", {"fields": ["lignee"]}),
        (
            "Cadre",
            {
                "fields": [
                    "pilier",
                    "pilier_texte",
                    "principes_texte",
                    "enjeux_texte",
                    "thematique_texte",
                ]
            },
        ),
        (
            "Contenu",
            {
                "fields": [
                    "diagnostic",
                    "elements_contexte_actualises",
                    "objectifs",
                    "resultats_attendus",
                    "descriptif",
                ]
            },
        ),
        (
            "Pilotage",
            {
                "fields": [
                    "pilote_libelle",
                    "pilote_texte",
                    "maitre_oeuvre_texte",
                    "pilotes",
                    "partenaires_texte",
                    "partenaires",
                ]
            },
        ),
        (
            "Périmètre et publics",
            {"fields": ["perimetre_texte", "tous_qpv", "publics_vises"]},
        ),
        (
            "Calendrier",
            {
                "fields": [
                    "date_debut_texte",
                    "date_fin_texte",
                    "calendrier_texte",
                    "annee_debut",
                    "annee_fin",
                ]
            },
        ),
        ("Approches transversales", {"fields": ["approches_transversales_texte", "axes"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("version", "objectif")
            .annotate(_nb_indicateurs=Count("indicateurs", distinct=True))
        )

    @admin.display(description="indicateurs", ordering="_nb_indicateurs")
    def nb_indicateurs(self, obj):
        return obj._nb_indicateurs

    @admin.action(
        description="Relire les liens (pilotes, partenaires, quartiers, axes) depuis le texte"
    )
    def relire_les_liens(self, request, queryset):
        changees = fiches_relier(fiches=queryset)
        self.message_user(
            request, f"{queryset.count()} fiche(s) relue(s), {changees} dont les liens ont changé."
        )

    def get_urls(self):
        return [
            path(
                "integrite/",
                self.admin_site.admin_view(self.integrite_view),
                name="fiches_fiche_integrite",
            ),
            *super().get_urls(),
        ]

    def integrite_view(self, request):
        version = request.GET.get("version")
        context = {
            **self.admin_site.each_context(request),
            "title": "Rapport d'intégrité de l'avenant",
            "rapport": rapport_integrite(version_code=version),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/fiches/integrite.html", context)


@admin.register(Indicateur)
class IndicateurAdmin(admin.ModelAdmin):
    # Numbers read by the app's one parser (French format, bounded).
    formfield_overrides = NOMBRES_ADMIN
    list_display = ["libelle", "fiche", "type", "unite", "valeur_reference", "cibles"]
    list_filter = ["type", "fiche__version", "fiche__objectif"]
    search_fields = ["libelle", "rubrique", "fiche__numero", "fiche__titre"]
    list_select_related = ["fiche", "fiche__version"]
    autocomplete_fields = ["fiche"]
    inlines = [CibleAnnuelleInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("cibles_annuelles")

    @admin.display(description="cibles annuelles")
    def cibles(self, obj):
        return (
            " ; ".join(f"{c.annee} : {ecrire_nombre(c.valeur)}" for c in obj.cibles_annuelles.all())
            or "—"
        )


@admin.register(CibleAnnuelle)
class CibleAnnuelleAdmin(admin.ModelAdmin):
    """Every yearly target; usually edited on the indicator's page or the
    set-up workspace (/saisie/parametrage/)."""

    formfield_overrides = NOMBRES_ADMIN
    list_display = ["indicateur", "annee", "valeur", "commentaire"]
    list_filter = ["annee", "indicateur__type"]
    list_select_related = ["indicateur", "indicateur__fiche"]
    search_fields = ["indicateur__code", "indicateur__libelle"]
    autocomplete_fields = ["indicateur"]


class LienSerieForm(forms.ModelForm):
    """Staff declare a series by hand: the same checks as a confirmation."""

    class Meta:
        model = LienSerie
        fields = ["indicateur", "reference"]

    def clean(self):
        donnees = super().clean()
        indicateur, reference = donnees.get("indicateur"), donnees.get("reference")
        if indicateur and reference:
            verifier_lien_serie(indicateur, reference)
        return donnees


@admin.register(LienSerie)
class LienSerieAdmin(admin.ModelAdmin):
    """The candidates the app proposes (``manage.py proposer_series``) and the
    series staff confirmed: checked in batches, confirmed or rejected."""

    form = LienSerieForm
    list_display = [
        "indicateur_code",
        "indicateur_libelle",
        "reference_code",
        "reference_libelle",
        "score",
        "origine",
        "statut",
        "decide_par",
        "decide_le",
    ]
    list_filter = ["statut", "origine", "reference__fiche__objectif"]
    search_fields = [
        "indicateur__code",
        "indicateur__libelle",
        "reference__code",
        "reference__libelle",
        "raison",
    ]
    list_select_related = ["indicateur", "reference", "decide_par"]
    autocomplete_fields = ["indicateur", "reference"]
    actions = ["confirmer_la_selection", "rejeter_la_selection"]
    list_per_page = 250

    @admin.display(description="indicateur (lu)", ordering="indicateur__code")
    def indicateur_code(self, obj):
        return obj.indicateur.code

    @admin.display(description="libellé")
    def indicateur_libelle(self, obj):
        return obj.indicateur.libelle

    @admin.display(description="référence (saisie)", ordering="reference__code")
    def reference_code(self, obj):
        return obj.reference.code

    @admin.display(description="libellé de la référence")
    def reference_libelle(self, obj):
        return obj.reference.libelle

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["indicateur", "reference"]
        return [
            "indicateur",
            "reference",
            "origine",
            "statut",
            "score",
            "raison",
            "cree_le",
            "decide_par",
            "decide_le",
        ]

    def get_readonly_fields(self, request, obj=None):
        # Decisions go through the list's actions (the service), never a form field.
        return self.get_fields(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        lien = serie_declarer(
            utilisateur=request.user, indicateur=obj.indicateur, reference=obj.reference
        )
        obj.pk = lien.pk

    def _statuer(self, request, queryset, confirmer):
        decides, refus = liens_serie_statuer(
            utilisateur=request.user, liens=list(queryset), confirmer=confirmer
        )
        verbe = "confirmé(s)" if confirmer else "rejeté(s)"
        self.message_user(request, f"{len(decides)} lien(s) de série {verbe}.")
        for lien, message in refus.items():
            self.message_user(
                request,
                f"{lien.indicateur.code} → {lien.reference.code} refusé : {message}",
                messages.ERROR,
            )

    @admin.action(description="Confirmer la sélection", permissions=["change"])
    def confirmer_la_selection(self, request, queryset):
        self._statuer(request, queryset, confirmer=True)

    @admin.action(description="Rejeter la sélection", permissions=["change"])
    def rejeter_la_selection(self, request, queryset):
        self._statuer(request, queryset, confirmer=False)


@admin.register(SousPartie)
class SousPartieAdmin(admin.ModelAdmin):
    list_display = ["fiche", "ordre", "numero", "titre"]
    list_filter = ["fiche__version"]
    search_fields = ["titre", "texte", "fiche__numero"]
    list_select_related = ["fiche", "fiche__version"]
    autocomplete_fields = ["fiche"]


@admin.register(Evolution)
class EvolutionAdmin(admin.ModelAdmin):
    list_display = [
        "ordre",
        "fiche_initiale",
        "sort",
        "sort_deduit",
        "nouveau_numero_texte",
        "nouvel_intitule_court",
    ]
    list_display_links = ["ordre", "fiche_initiale"]
    list_filter = ["version", "sort", "sort_deduit"]
    search_fields = [
        "commentaire",
        "nouvel_intitule",
        "fiche_initiale__numero",
        "fiche_initiale__titre",
        "nouveau_numero_texte",
    ]
    list_select_related = ["fiche_initiale", "fiche_initiale__version"]
    autocomplete_fields = ["fiche_initiale", "fiches_nouvelles"]

    @admin.display(description="nouvel intitulé")
    def nouvel_intitule_court(self, obj):
        return (obj.nouvel_intitule or "")[:100]


@admin.register(Anomalie)
class AnomalieAdmin(admin.ModelAdmin):
    list_display = ["code", "categorie", "localisation", "statut"]
    list_filter = ["categorie", "statut"]
    list_editable = ["statut"]
    search_fields = ["code", "description", "localisation", "annotation"]
    autocomplete_fields = ["fiches"]
