from django.utils.functional import SimpleLazyObject

from notifications.models import Notification


def notifications(request):
    """The unread count of the header: one query, only where a page shows it
    (lazy) and only for a signed-in user."""
    utilisateur = getattr(request, "user", None)
    if utilisateur is None or not utilisateur.is_authenticated:
        return {}
    return {
        "notifications_non_lues": SimpleLazyObject(
            lambda: Notification.objects.filter(destinataire=utilisateur).non_lues().count()
        )
    }
