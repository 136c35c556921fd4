"""Cache of API responses, versioned by the data generation, and the caching
headers of every answer.

Every write to a table the API serves bumps ``contrat_generation`` (a
statement-level trigger, see ``contrat/historique.py``). A cached response is
keyed by that generation, the caller's visibility (public, one organisation,
staff) and the full URL with its scheme and host (the ``next`` links of a page
name the host it was asked on), so it is never served after the data it shows
has changed — whoever changed it, through the app or not — nor to another
audience or host. The cache is the shared ``default`` one (Redis or a
PostgreSQL table, see ``config/settings.py``): one render serves every worker.

The ETag is an HMAC (the server's secret) of the rendered content: it reveals
nothing (not the generation, which moves on every private draft), and it
changes only when the answer itself does, so an anonymous dashboard polling
``/api/valeurs/`` gets 304 Not Modified until a value is validated, whatever
partners save meanwhile.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac

from contrat.historique import generation
from contrat.models import organisation_de

DUREE = getattr(settings, "API_CACHE_DUREE", 600)


def portee(utilisateur):
    if utilisateur is not None and utilisateur.is_authenticated and utilisateur.is_staff:
        return "equipe"
    organisation = organisation_de(utilisateur)
    return f"org-{organisation.pk}" if organisation is not None else "public"


def etag(contenu):
    """A strong ETag for ``contenu`` that only the server can compute."""
    return (
        '"'
        + salted_hmac("contrat.api.cache.etag", contenu, algorithm="sha256").hexdigest()[:32]
        + '"'
    )


def cle(request):
    """The cache key of this GET: generation, audience, scheme, host, path and
    query. Kept on the server only, so a plain hash is enough."""
    brut = f"{generation()}|{portee(request.user)}|{request.build_absolute_uri()}"
    return "api:" + hashlib.sha256(brut.encode()).hexdigest()


def reponse_en_cache(vue, request, calcul):
    """The cached JSON answer to this GET, or ``calcul()`` rendered and cached."""
    renderer = getattr(request, "accepted_renderer", None)
    if request.method != "GET" or getattr(renderer, "format", None) != "json":
        return calcul()
    cache = caches["default"]
    cle_reponse = cle(request)
    trouve = cache.get(cle_reponse)
    if trouve is not None:
        contenu, type_contenu, etiquette = trouve
        reponse = HttpResponse(contenu, content_type=type_contenu)
    else:
        reponse = calcul()
        if reponse.status_code != 200:
            return reponse
        reponse = vue.finalize_response(request, reponse)
        reponse.render()
        etiquette = etag(reponse.content)
        cache.set(cle_reponse, (reponse.content, reponse["Content-Type"], etiquette), DUREE)
    reponse["ETag"] = etiquette
    return reponse


# ------------------------------------------------------------------ headers


def porte_des_identifiants(request):
    """Whether the request carries credentials (a session cookie or an
    ``Authorization`` header): its answer may then depend on who sent it.
    Read from the request alone, so it costs no query."""
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


def entetes_de_cache(request, reponse):
    """``Vary: Cookie, Authorization`` on every answer, so no shared cache
    serves one caller's answer to another; ``Cache-Control: private`` on the
    answer to a caller with credentials; a short public ``max-age`` on an
    anonymous API read (the open data, the same for every anonymous caller)."""
    patch_vary_headers(reponse, ("Cookie", "Authorization"))
    if porte_des_identifiants(request):
        patch_cache_control(reponse, private=True)
    elif (
        request.path.startswith("/api/")
        and request.method in ("GET", "HEAD")
        and reponse.status_code in (200, 304)
        and not reponse.cookies
        and not reponse.has_header("Cache-Control")
    ):
        patch_cache_control(reponse, public=True, max_age=settings.API_CACHE_PUBLIC_MAX_AGE)
    return reponse


class EntetesCacheMiddleware:
    """Applies :func:`entetes_de_cache` to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return entetes_de_cache(request, self.get_response(request))
