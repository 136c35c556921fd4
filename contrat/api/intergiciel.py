"""Under /api/, a 404 is the API's JSON error even with DEBUG on (Django then
answers an unmatched URL with its technical HTML page, not handler404)."""

from contrat.views import introuvable


class Api404JsonMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self.get_response(request)
        if (
            reponse.status_code == 404
            and request.path.startswith("/api/")
            and not reponse.get("Content-Type", "").startswith("application/json")
        ):
            return introuvable(request)
        return reponse
