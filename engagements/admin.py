"""Admin for engagements, targets, campaigns and values.

Values and campaigns are written through :mod:`engagements.services` here
too: the same rules as the partners' forms (numbers, units, locks, versions).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError

from contrat.admin import LectureSeuleAdmin
from engagements.models import (
    Campagne,
    Cible,
    Engagement,
    EvenementCampagne,
    SyntheseValeurs,
    Valeur,
)
from engagements.nombres import ecrire_nombre
from engagements.services import (
    ConflitEdition,
    GrilleInvalide,
    campagne_fermer,
    campagne_ouvrir,
    campagne_rouvrir,
    cle,
    grille_enregistrer,
    valeurs_statuer,
)


class CibleInline(admin.TabularInline):
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
    motif = forms.CharField(label="Motif", required=False)


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

    @admin.action(description="Fermer les campagnes sélectionnées (verrouille leurs valeurs)")
    def fermer(self, request, queryset):
        self._appliquer(request, queryset, campagne_fermer)

    @admin.action(description="Rouvrir les campagnes sélectionnées (motif obligatoire)")
    def rouvrir(self, request, queryset):
        self._appliquer(request, queryset, campagne_rouvrir)

    def _appliquer(self, request, queryset, service):
        motif = request.POST.get("motif", "")
        for campagne in queryset:
            try:
                service(utilisateur=request.user, campagne=campagne, motif=motif)
            except ValidationError as exc:
                self.message_user(request, f"{campagne} : {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{campagne} : {campagne.get_statut_display().lower()}.")


class ValeurAdminForm(forms.ModelForm):
    """Typed as partners type it ("1 234,5"), saved through the service."""

    valeur_saisie = forms.CharField(label="Valeur", help_text="Format français : 1 234,5")
    version_lue = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Valeur
        fields = ["indicateur", "annee", "quartier", "sexe", "note"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.enregistree = None
        if self.instance.pk:
            self.fields["valeur_saisie"].initial = ecrire_nombre(self.instance.valeur)
            self.fields["version_lue"].initial = self.instance.version
            for nom in ("indicateur", "annee", "quartier", "sexe"):
                self.fields[nom].disabled = True

    def clean(self):
        donnees = super().clean()
        if self.errors:
            return donnees
        indicateur = donnees["indicateur"]
        k = cle(donnees.get("quartier"), donnees.get("sexe") or "")
        try:
            [self.enregistree] = grille_enregistrer(
                utilisateur=self.request.user,
                indicateur=indicateur,
                annee=donnees["annee"],
                saisies={k: (donnees["valeur_saisie"], donnees.get("version_lue") or 0)},
                note=donnees.get("note", ""),
            )
        except GrilleInvalide as exc:
            for erreur in exc.globales:
                self.add_error(None, erreur)
            for erreurs in exc.erreurs.values():
                self.add_error("valeur_saisie", erreurs)
        except (ConflitEdition, PermissionDenied) as exc:
            self.add_error(None, str(exc))
        except ValidationError as exc:
            self.add_error(None, exc.messages)
        except ValueError:
            self.add_error(
                None, "Cette cellule n'existe pas pour cet indicateur (vérifiez quartier et sexe)."
            )
        return donnees

    def _post_clean(self):
        # The service validated and saved the value in clean(); the model
        # form's own checks would now find that very row a duplicate.
        pass


class ValeurActionForm(ActionForm):
    commentaire = forms.CharField(label="Commentaire (obligatoire pour un rejet)", required=False)


@admin.register(Valeur)
class ValeurAdmin(admin.ModelAdmin):
    form = ValeurAdminForm
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
    ]
    list_filter = ["statut", "annee", "synthetique", "indicateur__organisation", "quartier", "sexe"]
    search_fields = ["indicateur__code", "indicateur__libelle", "note", "commentaire_validation"]
    list_select_related = ["indicateur", "quartier", "saisie_par"]
    raw_id_fields = ["indicateur"]
    action_form = ValeurActionForm
    actions = ["valider", "rejeter"]
    readonly_fields = [
        "statut",
        "commentaire_validation",
        "saisie_par",
        "saisie_le",
        "soumise_le",
        "validee_par",
        "validee_le",
        "version",
    ]
    fields = [
        "indicateur",
        "annee",
        "quartier",
        "sexe",
        "valeur_saisie",
        "version_lue",
        "note",
        *readonly_fields,
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        Form = super().get_form(request, obj, change=change, **kwargs)

        class FormAvecRequete(Form):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return FormAvecRequete

    def save_model(self, request, obj, form, change):
        # The service saved it while validating the form (in this request's transaction).
        enregistree = form.enregistree
        obj.pk = enregistree.pk
        obj.__dict__.update(
            {k: v for k, v in enregistree.__dict__.items() if not k.startswith("_")}
        )

    def has_delete_permission(self, request, obj=None):
        return False

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
