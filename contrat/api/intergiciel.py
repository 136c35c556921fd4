"""Under /api/, every error is the API's JSON error body, whatever raised it:

- a 404 even with DEBUG on (Django then answers an unmatched URL with its
  technical HTML page, not handler404);
- a 500: an unexpected exception in a view or a middleware becomes, after
  Django has logged it as usual (``django.request``), the JSON body with the
  code ``erreur_serveur``, never an HTML page nor a traceback (DEBUG or not).
"""

from django.http import JsonResponse

from contrat.erreurs import corps_erreur
from contrat.views import introuvable

MESSAGE_ERREUR_SERVEUR = (
    "Erreur interne du serveur : l'équipe technique a été prévenue. "
    "Aucune donnée partielle n'a été enregistrée."
)


def est_json(reponse):
    return reponse.get("Content-Type", "").startswith("application/json")


class Api404JsonMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self.get_response(request)
        if (
            reponse.status_code == 404
            and request.path.startswith("/api/")
            and not est_json(reponse)
        ):
            return introuvable(request)
        return reponse


class Api500JsonMiddleware:
    """Outermost but for SecurityMiddleware: Django turns an exception raised
    below into a 500 response (and logs it) at each middleware's boundary, so
    this one sees the HTML (or DEBUG's technical) 500 page and replaces its
    body. The headers the inner middlewares set (security, Vary) are kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self.get_response(request)
        if reponse.status_code < 500 or not request.path.startswith("/api/") or est_json(reponse):
            return reponse
        statut = reponse.status_code
        json = JsonResponse(
            corps_erreur(
                statut,
                "erreur_serveur",
                MESSAGE_ERREUR_SERVEUR if statut == 500 else (reponse.reason_phrase or "Erreur"),
            ),
            status=statut,
        )
        for nom, valeur in reponse.items():
            if nom.lower() not in {"content-type", "content-length", "content-disposition"}:
                json[nom] = valeur
        return json
