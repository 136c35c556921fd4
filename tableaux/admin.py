from django.contrib import admin, messages

from tableaux.models import CommentaireObjectif, RapportPdf
from tableaux.services import commentaire_enregistrer


@admin.register(RapportPdf)
class RapportPdfAdmin(admin.ModelAdmin):
    """The stored PDFs of the annual report, read-only: the app prints them
    (tableaux/rapport.py). Deleting one has it printed again on the next request."""

    list_display = ["annee", "generation", "taille", "duree_rendu", "cree_le"]
    list_filter = ["annee"]
    fields = ["annee", "generation", "taille", "duree_rendu", "cree_le"]
    actions = ["forcer_impression"]

    def get_queryset(self, request):
        # The PDF's bytes are never shown: do not read them for the list.
        return super().get_queryset(request).defer("contenu")

    def get_actions(self, request):
        actions = super().get_actions(request)
        # One way to delete, the action below, which says what follows.
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(
        description="Supprimer les PDF sélectionnés (réimprimés à la prochaine demande)",
        permissions=["delete"],
    )
    def forcer_impression(self, request, queryset):
        nombre, _ = queryset.delete()
        self.message_user(
            request,
            f"{nombre} PDF supprimé(s) : le rapport sera imprimé de nouveau à la prochaine demande.",
            messages.SUCCESS,
        )


@admin.register(CommentaireObjectif)
class CommentaireObjectifAdmin(admin.ModelAdmin):
    """What staff write in the annual report, per year and objective: the
    assessment, the outlook and the conseils citoyens' opinion."""

    list_display = ["annee", "objectif", "a_un_commentaire", "modifie_le"]
    list_filter = ["annee", "objectif"]
    list_select_related = ["objectif"]
    fields = ["annee", "objectif", "commentaire", "perspectives", "avis_conseils_citoyens"]

    @admin.display(boolean=True, description="bilan rédigé")
    def a_un_commentaire(self, obj):
        return bool(obj.commentaire.strip())

    def save_model(self, request, obj, form, change):
        commentaire_enregistrer(utilisateur=request.user, commentaire=obj)
