"""Who may open a staff page: staff. Anyone else signed in is told so.

``user_passes_test`` sent a signed-in partner back to the login form, with no
word, as if the password had been wrong. Now an anonymous visitor is still
sent to log in, and a signed-in account that is not staff gets the French
403 page naming the reason (``templates/403.html``)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from contrat.securite import journaliser_refus

RESERVE_EQUIPE = (
    "Cette page est réservée à l'équipe politique de la ville. Votre compte ({nom}) "
    "n'en fait pas partie : vos pages sont celles de la saisie de votre organisation."
)


def est_equipe(utilisateur):
    return utilisateur.is_authenticated and utilisateur.is_active and utilisateur.is_staff


def equipe_requise(vue):
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not est_equipe(request.user):
            journaliser_refus(request, 403, "page réservée à l'équipe")
            raise PermissionDenied(RESERVE_EQUIPE.format(nom=request.user.get_username()))
        return vue(request, *args, **kwargs)

    return enveloppe
