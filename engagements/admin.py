"""Admin for engagements, targets, campaigns and values.

Campaigns are written through :mod:`engagements.services` here too: the same
rules as the staff pages. Values are read-only here: they are written on the
data-entry pages and through the API; the admin validates or rejects them
through the services.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from contrat.admin import LectureSeuleAdmin
from contrat.models import Modification
from contrat.nombres import NOMBRES_ADMIN
from engagements.models import (
    Campagne,
    Cible,
    Engagement,
    EvenementCampagne,
    Jalon,
    LigneBudget,
    PieceJustificative,
    SuiviAction,
    SyntheseValeurs,
    Valeur,
)
from engagements.services import (
    ConflitEdition,
    campagne_fermer,
    campagne_ouvrir,
    campagne_rouvrir,
    valeurs_statuer,
)


class CibleInline(admin.TabularInline):
    # Numbers read by the app's one parser (French format, bounded).
    formfield_overrides = NOMBRES_ADMIN
    model = Cible
    extra = 0
    fields = [
        "ordre",
        "nature",
        "phrase",
        "valeur_texte",
        "unite",
        "objet",
        "annee",
        "portee",
        "indicateur",
    ]
    raw_id_fields = ["indicateur"]


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = [
        "ordre",
        "partenaire",
        "objectif",
        "axes_transversaux",
        "texte_court",
        "nb_cibles",
        "deplace",
    ]
    list_display_links = ["ordre", "texte_court"]
    list_filter = ["partenaire", "objectif", "axes_transversaux", "deplace", "enjeux"]
    search_fields = ["texte", "objectif_texte"]
    filter_horizontal = ["organisations", "axes", "enjeux"]
    inlines = [CibleInline]
    list_select_related = ["objectif"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_nb_cibles=Count("cibles"))

    @admin.display(description="texte")
    def texte_court(self, obj):
        return obj.texte[:120]

    @admin.display(description="chiffres", ordering="_nb_cibles")
    def nb_cibles(self, obj):
        return obj._nb_cibles


@admin.register(Cible)
class CibleAdmin(admin.ModelAdmin):
    # Numbers read by the app's one parser (French format, bounded).
    formfield_overrides = NOMBRES_ADMIN
    list_display = [
        "phrase_courte",
        "nature",
        "valeur_texte",
        "unite",
        "objet",
        "annee",
        "portee",
        "engagement",
    ]
    list_filter = ["nature", "portee", "unite", "engagement__partenaire"]
    search_fields = ["phrase", "objet"]
    list_select_related = ["engagement"]
    raw_id_fields = ["engagement", "indicateur"]

    @admin.display(description="phrase")
    def phrase_courte(self, obj):
        return obj.phrase[:100]


class CampagneActionForm(ActionForm):
    motif = forms.CharField(label="Motif (obligatoire)", required=False)
    date_limite = forms.DateField(
        label="Nouvelle date limite (pour rouvrir)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class EvenementInline(admin.TabularInline):
    model = EvenementCampagne
    extra = 0
    fields = ["date", "action", "auteur", "motif"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campagne)
class CampagneAdmin(admin.ModelAdmin):
    list_display = ["annee", "libelle", "date_limite", "statut"]
    list_filter = ["statut"]
    search_fields = ["libelle"]
    action_form = CampagneActionForm
    actions = ["fermer", "rouvrir"]
    inlines = [EvenementInline]

    def get_readonly_fields(self, request, obj=None):
        # The status changes only through the actions, which record who and why.
        return ["annee", "statut"] if obj else ["statut"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        creee = campagne_ouvrir(
            utilisateur=request.user,
            annee=obj.annee,
            date_limite=obj.date_limite,
            libelle=obj.libelle,
        )
        obj.pk, obj.statut = creee.pk, creee.statut

    @admin.action(
        description="Fermer les campagnes sélectionnées (verrouille leurs valeurs ; motif obligatoire)"
    )
    def fermer(self, request, queryset):
        self._appliquer(request, queryset, campagne_fermer)

    @admin.action(
        description="Rouvrir les campagnes sélectionnées (motif et nouvelle date limite obligatoires)"
    )
    def rouvrir(self, request, queryset):
        self._appliquer(request, queryset, campagne_rouvrir, avec_date=True)

    def _appliquer(self, request, queryset, service, avec_date=False):
        motif = request.POST.get("motif", "")
        options = {"date_limite": request.POST.get("date_limite") or None} if avec_date else {}
        for campagne in queryset:
            try:
                service(utilisateur=request.user, campagne=campagne, motif=motif, **options)
            except ValidationError as exc:
                self.message_user(request, f"{campagne} : {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{campagne} : {campagne.get_statut_display().lower()}.")


class ValeurActionForm(ActionForm):
    commentaire = forms.CharField(label="Commentaire (obligatoire pour un rejet)", required=False)


@admin.register(Valeur)
class ValeurAdmin(LectureSeuleAdmin):
    """Values, read-only: partners and staff write them on the data-entry pages
    (``/saisie/``) and through the API, where the grid's rules and versions apply;
    here staff find them, read their history and validate or reject them."""

    list_display = [
        "indicateur",
        "annee",
        "quartier",
        "sexe",
        "valeur",
        "statut",
        "saisie_par",
        "saisie_le",
        "synthetique",
        "lien_grille",
    ]
    list_filter = ["statut", "annee", "synthetique", "indicateur__organisation", "quartier", "sexe"]
    search_fields = ["indicateur__code", "indicateur__libelle", "note", "commentaire_validation"]
    list_select_related = ["indicateur", "quartier", "saisie_par"]
    action_form = ValeurActionForm
    actions = ["valider", "rejeter"]
    fields = [
        "indicateur",
        "annee",
        "quartier",
        "sexe",
        "valeur",
        "note",
        "note_publique",
        "statut",
        "commentaire_validation",
        "saisie_par",
        "saisie_le",
        "soumise_le",
        "validee_par",
        "validee_le",
        "version",
        "synthetique",
        "liens_grille",
    ]
    readonly_fields = ["liens_grille"]

    @admin.display(description="grille")
    def lien_grille(self, obj):
        url = reverse("saisie:grille", args=[obj.annee, obj.indicateur.code])
        return format_html('<a href="{}">Ouvrir la grille</a>', url)

    @admin.display(description="grille de saisie")
    def liens_grille(self, obj):
        if obj.pk is None:
            return "—"
        args = [obj.annee, obj.indicateur.code]
        return format_html(
            '<a href="{}">Ouvrir la grille {} {}</a> (saisie, import, export) · '
            '<a href="{}">Valider ou rejeter ses valeurs soumises</a>',
            reverse("saisie:grille", args=args),
            obj.indicateur.code,
            obj.annee,
            reverse("saisie:valider_grille", args=args),
        )

    def history_view(self, request, object_id, extra_context=None):
        # The history the database writes (contrat_modification), not the
        # admin's own log: values are written by services, never by this admin.
        # get_object() answers None for a malformed id too: a 404, never a 500.
        valeur = self.get_object(request, unquote(object_id))
        if valeur is None:
            raise Http404("Aucune valeur ne correspond à cet identifiant.")
        if not self.has_view_or_change_permission(request, valeur):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Historique de la valeur {valeur}",
            "object": valeur,
            "opts": self.model._meta,
            "modifications": Modification.objects.pour_objet(valeur)
            .select_related("utilisateur")
            .order_by("-date", "-id")[:500],
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/engagements/valeur/historique.html", context)

    @admin.action(description="Valider les valeurs soumises sélectionnées")
    def valider(self, request, queryset):
        self._statuer(request, queryset, valider=True)

    @admin.action(description="Rejeter les valeurs sélectionnées (avec le commentaire)")
    def rejeter(self, request, queryset):
        self._statuer(request, queryset, valider=False)

    def _statuer(self, request, queryset, *, valider):
        try:
            faites = valeurs_statuer(
                utilisateur=request.user,
                valeurs=[(v, v.version) for v in queryset],
                valider=valider,
                commentaire=request.POST.get("commentaire", ""),
            )
        except (ValidationError, ConflitEdition, PermissionDenied) as exc:
            texte = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, texte, messages.ERROR)
        else:
            self.message_user(
                request, f"{len(faites)} valeur(s) {'validée(s)' if valider else 'rejetée(s)'}."
            )


@admin.register(EvenementCampagne)
class EvenementCampagneAdmin(LectureSeuleAdmin):
    list_display = ["date", "campagne", "action", "auteur", "motif"]
    list_filter = ["action", "campagne"]
    search_fields = ["motif"]
    list_select_related = ["campagne", "auteur"]


@admin.register(SyntheseValeurs)
class SyntheseValeursAdmin(LectureSeuleAdmin):
    """Read-only: a trigger maintains it."""

    list_display = ["indicateur", "annee", "statut", "nb", "somme", "nb_global", "somme_global"]
    list_filter = ["annee", "statut"]
    search_fields = ["indicateur__code"]
    list_select_related = ["indicateur"]


class _LectureSeuleInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class JalonInline(_LectureSeuleInline):
    model = Jalon
    fields = ["libelle", "date_prevue", "date_reelle"]


class LigneBudgetInline(_LectureSeuleInline):
    model = LigneBudget
    fields = ["financeur", "nature", "annee", "montant_prevu", "montant_depense"]


class PieceInline(_LectureSeuleInline):
    model = PieceJustificative
    fields = ["lien_piece", "ajoutee_par", "ajoutee_le"]
    readonly_fields = ["lien_piece"]

    @admin.display(description="pièce")
    def lien_piece(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("saisie:piece", args=[obj.pk]), obj.nom)


@admin.register(SuiviAction)
class SuiviActionAdmin(LectureSeuleAdmin):
    """Follow-ups of actions, read-only like values: partners and staff write
    them on the data-entry pages (``/saisie/suivis/``) and through the API,
    where the workflow, locks and versions apply; here staff find them and
    read their history."""

    list_display = [
        "annee",
        "fiche",
        "engagement",
        "organisation",
        "avancement",
        "avancement_pct",
        "statut",
        "saisi_par",
        "saisi_le",
    ]
    list_filter = ["statut", "annee", "avancement", "organisation"]
    search_fields = ["fiche__numero", "realise", "a_venir", "commentaire_validation"]
    list_select_related = ["fiche", "engagement", "organisation", "saisi_par"]
    inlines = [JalonInline, LigneBudgetInline, PieceInline]

    def history_view(self, request, object_id, extra_context=None):
        # The history the database writes (contrat_modification), as for values.
        suivi = self.get_object(request, unquote(object_id))
        if suivi is None:
            raise Http404("Aucun suivi ne correspond à cet identifiant.")
        if not self.has_view_or_change_permission(request, suivi):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Historique du suivi {suivi}",
            "object": suivi,
            "opts": self.model._meta,
            "modifications": Modification.objects.pour_objet(suivi)
            .select_related("utilisateur")
            .order_by("-date", "-id")[:500],
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/engagements/suiviaction/historique.html", context)


@admin.register(Jalon)
class JalonAdmin(LectureSeuleAdmin):
    """Read-only: written with their follow-up (``/saisie/suivis/``, the API)."""

    list_display = ["libelle", "suivi", "date_prevue", "date_reelle"]
    search_fields = ["libelle"]
    list_select_related = ["suivi__fiche", "suivi__engagement", "suivi__organisation"]


@admin.register(LigneBudget)
class LigneBudgetAdmin(LectureSeuleAdmin):
    """Read-only: written with their follow-up."""

    list_display = ["suivi", "financeur", "nature", "annee", "montant_prevu", "montant_depense"]
    list_filter = ["nature", "annee", "financeur"]
    search_fields = ["financeur__nom"]
    list_select_related = [
        "financeur",
        "suivi__fiche",
        "suivi__engagement",
        "suivi__organisation",
    ]


@admin.register(PieceJustificative)
class PieceJustificativeAdmin(LectureSeuleAdmin):
    """Read-only: proofs are attached on the follow-up's page and served by
    ``saisie:piece`` (a download, for the organisation and staff)."""

    list_display = ["nom", "suivi", "ajoutee_par", "ajoutee_le"]
    search_fields = ["nom"]
    list_select_related = [
        "ajoutee_par",
        "suivi__fiche",
        "suivi__engagement",
        "suivi__organisation",
    ]
    fields = ["suivi", "nom", "ajoutee_par", "ajoutee_le"]
