"""The app's French error pages with DEBUG on too.

With DEBUG off, Django renders ``handler404`` (``contrat.views.introuvable``)
and ``403.html``. With DEBUG on it shows its English technical pages instead,
which is what partners saw under ``make run`` on another organisation's
grid. This middleware answers the app's own pages as production does; the
admin, the API (whose errors are JSON, see ``contrat.api.intergiciel``) and
static files keep Django's behaviour, and a 500 keeps its traceback for the
developer.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import Resolver404, resolve

from contrat.views import introuvable

PREFIXES_EXCLUS = ("/api/", "/admin/", "/static/", "/media/")


def concerne(request):
    return settings.DEBUG and not request.path.startswith(PREFIXES_EXCLUS)


def acces_refuse(request, exception=None):
    message = str(exception) if exception is not None else ""
    return render(request, "403.html", {"exception": message}, status=403)


class PagesErreurMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if concerne(request):
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404:
                # A missing trailing slash is CommonMiddleware's to redirect
                # (it looks at 404 answers on their way out, this one included).
                return introuvable(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not concerne(request):
            return None
        if isinstance(exception, Http404):
            return introuvable(request, exception)
        if isinstance(exception, PermissionDenied):
            return acces_refuse(request, exception)
        return None
