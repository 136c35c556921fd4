"""Security headers on every response, and a log of denied accesses."""

import logging

from django.conf import settings

journal = logging.getLogger("contrat.securite")

# Everything the pages use is served by the app itself. The API's Swagger UI
# page starts itself with an inline script: only that page allows one.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)
CSP_DOCS = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class EntetesSecuriteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        docs = request.path.startswith("/api/docs/")
        response.setdefault("Content-Security-Policy", CSP_DOCS if docs else CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if response.status_code in {401, 403}:
            journal.warning(
                "accès refusé %s %s %s (utilisateur : %s, IP : %s)",
                response.status_code,
                request.method,
                request.path,
                getattr(getattr(request, "user", None), "username", "") or "anonyme",
                request.META.get("REMOTE_ADDR", "?"),
            )
        return response


__all__ = ["settings"]
