"""Request rate limits that hold across processes and servers.

Each limit is a *scope* with a rate in ``settings.LIMITES_DEBIT``
(``"300/minute"``: a number, then second, minute, hour or day). A caller is
its user when signed in, else its address read through the trusted proxies
(:func:`contrat.securite.adresse_client`, as the login lockout reads it).

Counters live in the ``limites`` cache (the ``default`` one when no such alias
is configured), which ``config/settings.py`` points at Redis when
``REDIS_URL`` is set and at a PostgreSQL table otherwise: every worker of
every server counts in the same place. A counter covers one fixed window of
the rate's period (the key carries the window's number), so it needs a single
atomic increment per request; the price is that a caller may spend two
windows' worth of requests around a window's end.

The API uses the DRF throttle classes below (``DEFAULT_THROTTLE_CLASSES``:
anonymous per address, signed-in per user; the token view adds its stricter
scope). Django views use :func:`limiter` (imports, report PDFs), which counts
in the same counters and answers the same 429.
"""

import base64
import functools
import math
import pickle
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework import exceptions, throttling

from contrat.erreurs import corps_erreur
from contrat.securite import adresse_client

PERIODES = {"s": 1, "m": 60, "h": 3600, "d": 86400}
CODE = "trop_de_requetes"
MESSAGE = "Trop de requêtes."


def lire_debit(debit):
    """``"300/minute"`` -> ``(300, 60)``: requests allowed, window in seconds."""
    nombre, _, periode = str(debit).partition("/")
    try:
        return int(nombre), PERIODES[periode.strip()[:1].lower()]
    except (KeyError, ValueError) as exc:
        raise ValueError(
            f"Invalid rate {debit!r}: expected '<number>/<second|minute|hour|day>'."
        ) from exc


def alias_cache():
    return "limites" if "limites" in settings.CACHES else "default"


def identite(request):
    """Who a limit counts: the signed-in user, else the client's address."""
    utilisateur = getattr(request, "user", None)
    if utilisateur is not None and utilisateur.is_authenticated:
        return f"u{utilisateur.pk}"
    return f"a{adresse_client(request) or 'inconnue'}"


def compter(portee, request):
    """Count one request of ``request``'s caller in ``portee``.

    Returns ``None`` while the caller is within the rate, else the seconds
    until its window ends (the ``Retry-After``). Refused requests count too:
    hammering past the limit does not shorten the wait.
    """
    nombre, duree = lire_debit(settings.LIMITES_DEBIT[portee])
    maintenant = time.time()
    fenetre = int(maintenant // duree)
    cle = f"limite:{portee}:{identite(request)}:{fenetre}"
    cache = caches[alias_cache()]
    # The common case (a counter exists) is one atomic increment; the first
    # request of a window creates it. Two first requests racing: add() lets
    # one through, the other increments what it created.
    try:
        compte = cache.incr(cle)
    except ValueError:
        if cache.add(cle, 1, duree + 1):
            compte = 1
        else:
            compte = cache.incr(cle)
    if compte <= nombre:
        return None
    return max(1, math.ceil((fenetre + 1) * duree - maintenant))


def message(attente):
    return f"{MESSAGE} Réessayez dans {attente} seconde{'s' if attente > 1 else ''}."


# ------------------------------------------------------------------ the API


class TropDeRequetes(exceptions.Throttled):
    """429 in the API's error format, with ``Retry-After`` (DRF's exception
    handler sets it from ``wait``)."""

    default_detail = MESSAGE
    default_code = CODE
    extra_detail_singular = "Réessayez dans {wait} seconde."
    extra_detail_plural = "Réessayez dans {wait} secondes."


class Limite(throttling.BaseThrottle):
    """A DRF throttle counting in :func:`compter`. Refusing raises at once,
    so the answer is ours (code ``trop_de_requetes``, French message)."""

    portee = None

    def s_applique(self, request):
        return True

    def allow_request(self, request, view):
        if not self.s_applique(request):
            return True
        attente = compter(self.portee, request)
        if attente is not None:
            raise TropDeRequetes(wait=attente)
        return True


class LimiteAnonyme(Limite):
    portee = "anonyme"

    def s_applique(self, request):
        return not request.user.is_authenticated


class LimiteConnecte(Limite):
    portee = "connecte"

    def s_applique(self, request):
        return request.user.is_authenticated


class LimiteJeton(Limite):
    """Token creation (``/api/jeton/``): a stricter rate, per address."""

    portee = "jeton"


LIMITES_API = [LimiteAnonyme, LimiteConnecte]


# ------------------------------------------------------------ Django views


def reponse_trop_de_requetes(request, attente):
    """The 429 of a Django view: JSON under /api/, else a French page."""
    if request.path.startswith("/api/"):
        reponse = JsonResponse(corps_erreur(429, CODE, message(attente)), status=429)
    else:
        reponse = render(
            request, "trop_de_requetes.html", {"message": message(attente)}, status=429
        )
    reponse["Retry-After"] = str(attente)
    return reponse


def limiter(portee, methodes=None):
    """Decorator: count the view's requests (those of ``methodes`` only, if
    given) in ``portee``; past its rate, answer 429 without calling it."""

    def decorateur(vue):
        @functools.wraps(vue)
        def enveloppe(request, *args, **kwargs):
            if methodes is None or request.method in methodes:
                attente = compter(portee, request)
                if attente is not None:
                    return reponse_trop_de_requetes(request, attente)
            return vue(request, *args, **kwargs)

        return enveloppe

    return decorateur


# ------------------------------------------------- counters in PostgreSQL


class CacheBaseDeDonnees(DatabaseCache):
    """Django's database cache with an atomic ``incr``.

    Django's own reads the value and writes it back: two workers counting at
    the same moment would both write n+1 and a limit would leak. Here the
    row is locked (``SELECT ... FOR UPDATE``) for the read and the write, so
    concurrent increments queue on it. Used for the counters when there is
    no Redis (whose INCR is atomic already).
    """

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value, expires FROM {table} WHERE cache_key = %s FOR UPDATE", [key]
            )
            ligne = cursor.fetchone()
            if ligne is None or ligne[1] < timezone.now():
                raise ValueError(f"Key '{key}' not found.")
            valeur = pickle.loads(base64.b64decode(ligne[0].encode())) + delta
            code = base64.b64encode(pickle.dumps(valeur, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [code, key])
        return valeur
