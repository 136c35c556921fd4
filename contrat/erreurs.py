"""Domain errors: each refusal carries its HTTP status and code, so one
handler answers them all in the API's one error format (:func:`corps_erreur`).

The service layer raises them; the API's exception handler
(``contrat.api.base.gestionnaire_erreurs``) turns any of them into the JSON
body. Web forms keep catching Django's exceptions: :class:`Invalide` is a
Django ``ValidationError`` and :class:`PermissionRefusee` a Django
``PermissionDenied``, so ``except ValidationError`` and ``exc.messages`` still
work in forms, the admin and the file import.

This module imports no framework code beyond Django's exceptions: the
middlewares and the 404 handler use it too.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse


def corps_erreur(statut, code, message, details=None):
    """The API's one error format."""
    return {
        "erreur": {"code": code, "statut": statut, "message": message, "details": details or {}}
    }


class ErreurMetier(Exception):
    """A refusal the client can act on: ``statut`` (HTTP), ``code`` (stable,
    for programs), ``message`` (French, for people) and ``details`` (by field).

    Subclasses fix the status and code; an instance may still give its own
    code (``Invalide("...", code="sans_campagne")``) or, for a one-off,
    its own status.
    """

    statut = 400
    code = "invalide"
    message_par_defaut = "Les données envoyées ne sont pas valides."

    def __init__(self, message=None, *, code=None, details=None, statut=None):
        message = message or self.message_par_defaut
        super().__init__(message)
        # Set after super(): Django's ValidationError.__init__ sets its own
        # ``message`` and ``code`` (None when not given).
        self.message = message
        self.code = code or type(self).code
        if statut is not None:
            self.statut = statut
        self._details = details or {}

    @property
    def details(self):
        """Per field (or what the client needs to retry); a subclass may
        compute it only when an answer is built."""
        return self._details

    def corps(self):
        return corps_erreur(self.statut, self.code, self.message, self.details)


class Invalide(ErreurMetier, ValidationError):
    """400: the request breaks a rule (a rejection without a comment...)."""


class Verrouillee(Invalide):
    """423: the campaign is closed; its values are locked. Still a
    ValidationError, so forms show it next to the other errors."""

    statut = 423
    code = "verrouillee"


class PermissionRefusee(ErreurMetier, PermissionDenied):
    """403: the caller may not do this."""

    statut = 403
    code = "permission_denied"
    message_par_defaut = "Vous n'avez pas la permission d'effectuer cette action."


class Introuvable(ErreurMetier, Http404):
    """404: nothing there (or nothing the caller may see). Outside the API,
    Django answers it as any Http404."""

    statut = 404
    code = "not_found"
    message_par_defaut = "Ressource introuvable."


class Conflit(ErreurMetier):
    """409: the data changed since the client read it; ``details.actuelle``
    gives what is there now."""

    statut = 409
    code = "conflit"


class Indisponible(ErreurMetier):
    """503: the service cannot answer for a moment (the database restarts)."""

    statut = 503
    code = "indisponible"


def reponse_json(erreur):
    """A domain error as a plain Django JSON response, for what answers
    outside DRF's views (the 404 handler, the middlewares)."""
    return JsonResponse(erreur.corps(), status=erreur.statut)
