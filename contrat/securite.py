"""Security headers on every response, a log of denied accesses, and the
client's address as seen through the trusted proxies."""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpResponseBadRequest

from contrat.erreurs import Indisponible, Invalide, reponse_json

journal = logging.getLogger("contrat.securite")

# Everything the pages use is served by the app itself. The API's Swagger UI
# page starts itself with an inline script: only that page allows one.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)
CSP_DOCS = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def adresse_client(request):
    """The client's IP address, through ``NB_PROXIES_DE_CONFIANCE`` reverse proxies.

    Each proxy appends the address it received the request from to
    ``X-Forwarded-For``; with N trusted proxies in front of the app, the
    client is the N-th address from the right. Anything to its left was
    written by the client itself and is ignored (it could name anyone). With
    0 proxies (the default), or a header shorter than the chain or not an
    address, ``REMOTE_ADDR`` is used. django-axes keys its lockouts on this
    (``AXES_CLIENT_IP_CALLABLE``).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    nombre = getattr(settings, "NB_PROXIES_DE_CONFIANCE", 0)
    if nombre <= 0:
        return remote
    chaine = [
        partie.strip()
        for partie in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if partie.strip()
    ]
    if len(chaine) < nombre:
        return remote
    try:
        return str(ipaddress.ip_address(chaine[-nombre]))
    except ValueError:
        return remote


class EntetesSecuriteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        docs = request.path.startswith("/api/docs/")
        response.setdefault("Content-Security-Policy", CSP_DOCS if docs else CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        utilisateur = getattr(request, "user", None)
        connecte = utilisateur is not None and utilisateur.is_authenticated
        renvoye_a_la_connexion = (
            response.status_code == 302
            and connecte
            and any(
                response.get("Location", "").startswith(p) for p in ("/connexion/", "/admin/login/")
            )
        )
        if response.status_code in {401, 403} or renvoye_a_la_connexion:
            journaliser_refus(request, response.status_code)
        return response


def journaliser_refus(request, statut, motif=""):
    utilisateur = getattr(request, "user", None)
    journal.warning(
        "accès refusé %s %s %s (utilisateur : %s, IP : %s)%s",
        statut,
        request.method,
        request.path,
        getattr(utilisateur, "username", "") or "anonyme",
        adresse_client(request) or "?",
        f" — {motif}" if motif else "",
    )


class BaseIndisponibleMiddleware:
    """While PostgreSQL restarts, answer 503 with Retry-After (JSON for the
    API), not a 500; Django's connection health checks reconnect by themselves
    on the next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.http import HttpResponse

        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        journal.error("base de données indisponible : %s", exception)
        message = "Service momentanément indisponible : la base de données redémarre. Réessayez dans quelques secondes."
        if request.path.startswith("/api/"):
            reponse = reponse_json(Indisponible(message))
        else:
            reponse = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        reponse["Retry-After"] = "5"
        return reponse


MESSAGE_CARACTERE_NUL = (
    "Un caractère nul (%00) n'est pas accepté dans l'adresse ni dans ses paramètres."
)


class CaractereNulMiddleware:
    """A NUL character in the path or the query string is refused here, once
    for every page and endpoint: 400, the API's JSON error under /api/ (with
    the parameters at fault), a French text elsewhere. PostgreSQL text cannot
    hold a NUL, so reaching a query with one would be a server error.
    (Form fields and API bodies refuse it through their own fields'
    validators, with the error next to the field.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fautifs = sorted(
            {
                nom.replace("\x00", "␀")
                for nom, valeurs in request.GET.lists()
                if "\x00" in nom or any("\x00" in v for v in valeurs)
            }
        )
        if fautifs or "\x00" in request.path:
            if request.path.startswith("/api/"):
                return reponse_json(
                    Invalide(
                        MESSAGE_CARACTERE_NUL,
                        code="caractere_nul",
                        details={nom: [MESSAGE_CARACTERE_NUL] for nom in fautifs},
                    )
                )
            return HttpResponseBadRequest(
                MESSAGE_CARACTERE_NUL, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
