from django.contrib import admin

from notifications.models import Notification, Preferences


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: the messages are written by the command and the services."""

    list_display = ["titre", "destinataire", "type", "date", "envoyee_le", "lue_le"]
    list_filter = ["type", "date"]
    search_fields = ["titre", "cle", "destinataire__username", "destinataire__email"]
    list_select_related = ["destinataire"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ["utilisateur", "campagnes", "rejets", "synthese"]
    list_select_related = ["utilisateur"]
    search_fields = ["utilisateur__username"]
    autocomplete_fields = ["utilisateur"]
