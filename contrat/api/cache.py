"""Cache of API responses, versioned by the data generation.

Every write to a table the API serves bumps ``contrat_generation`` (a
statement-level trigger, see ``contrat/historique.py``). A cached response is
keyed by that generation, the caller's visibility (public, one organisation,
staff) and the full URL, so it is never served after the data it shows has
changed — whoever changed it, through the app or not. A hit costs one
indexed read; the response also carries an ETag derived from the key, so a
dashboard polling an unchanged URL gets 304 Not Modified.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse

from contrat.historique import generation
from contrat.models import organisation_de

DUREE = getattr(settings, "API_CACHE_DUREE", 600)


def portee(utilisateur):
    if utilisateur is not None and utilisateur.is_authenticated and utilisateur.is_staff:
        return "equipe"
    organisation = organisation_de(utilisateur)
    return f"org-{organisation.pk}" if organisation is not None else "public"


def reponse_en_cache(vue, request, calcul):
    """The cached JSON answer to this GET, or ``calcul()`` rendered and cached."""
    renderer = getattr(request, "accepted_renderer", None)
    if request.method != "GET" or getattr(renderer, "format", None) != "json":
        return calcul()
    brut = f"{generation()}|{portee(request.user)}|{request.get_full_path()}"
    cle = "api:" + hashlib.sha256(brut.encode()).hexdigest()
    etag = f'"{cle[4:36]}"'
    cache = caches["default"]
    trouve = cache.get(cle)
    if trouve is not None:
        contenu, type_contenu = trouve
        reponse = HttpResponse(contenu, content_type=type_contenu)
    else:
        reponse = calcul()
        if reponse.status_code != 200:
            return reponse
        reponse = vue.finalize_response(request, reponse)
        reponse.render()
        cache.set(cle, (reponse.content, reponse["Content-Type"]), DUREE)
    reponse["ETag"] = etag
    return reponse
