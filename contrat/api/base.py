"""What every endpoint of the API shares: pagination with a ceiling, CSV
output of any list (``?format=csv``), structured errors, read-only viewsets."""

import io

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, StreamingHttpResponse
from django_filters import MultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, exception_handler, set_rollback

from contrat.api.cache import reponse_en_cache
from contrat.api.colonnes import champs_csv
from contrat.api.export import lignes_json, reponse_csv
from contrat.api.rendu import CSVRenderer, Pagination, aplatir, ecrivain_csv, neutraliser
from contrat.erreurs import ErreurMetier, corps_erreur

MAX_CSV_LIGNES = 2_000_000


_PARAMETRES = {}


def parametres_autorises(vue):
    """:func:`calculer_parametres`, once per view class and action (they
    depend on nothing else)."""
    cle = (type(vue), getattr(vue, "action", None))
    if cle not in _PARAMETRES:
        _PARAMETRES[cle] = calculer_parametres(vue)
    return _PARAMETRES[cle]


def calculer_parametres(vue):
    """The query parameters an API operation documents, name -> repeatable.

    The same sources as its OpenAPI description: the output format (where
    there is a choice), then, on lists, the pagination, the filterset and the ordering, plus what the view
    declares itself (``parametres_requete``, the OpenApiParameters it gives
    to ``extend_schema``). A test holds the two in step.
    """
    noms = {}
    if len({r.format for r in vue.renderer_classes}) > 1:
        noms[api_settings.URL_FORMAT_OVERRIDE] = False
    if getattr(vue, "action", None) == "list":
        pagination = getattr(vue, "pagination_class", None)
        if pagination is not None:
            noms[pagination.page_query_param] = False
            if pagination.page_size_query_param:
                noms[pagination.page_size_query_param] = False
        for backend in getattr(vue, "filter_backends", ()):
            if issubclass(backend, DjangoFilterBackend):
                queryset = vue.queryset if vue.queryset is not None else vue.get_queryset()
                filterset = backend().get_filterset_class(vue, queryset)
                for nom, filtre in (filterset.base_filters if filterset else {}).items():
                    noms[nom] = isinstance(filtre, MultipleChoiceFilter)
            elif issubclass(backend, OrderingFilter):
                noms[backend.ordering_param] = False
    for parametre in getattr(vue, "parametres_requete", ()):
        if parametre.location == "query":
            noms[parametre.name] = bool(parametre.many)
    return noms


def verifier_parametres(vue, request):
    """Refuse (400) an unknown or repeated query parameter, an unknown format
    or a bad page: a misspelt filter must not silently answer every row."""
    autorises = parametres_autorises(vue)
    erreurs = {}
    for nom in request.query_params:
        valeurs = request.query_params.getlist(nom)
        if nom not in autorises:
            erreurs[nom] = [
                "Paramètre inconnu. Paramètres acceptés : " + ", ".join(sorted(autorises)) + "."
            ]
        elif len(valeurs) > 1 and not autorises[nom]:
            erreurs[nom] = ["Paramètre répété : une seule valeur est attendue."]
    formats = sorted({r.format for r in vue.renderer_classes})
    demande = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
    if (
        demande is not None
        and demande not in formats
        and api_settings.URL_FORMAT_OVERRIDE in autorises
    ):
        erreurs[api_settings.URL_FORMAT_OVERRIDE] = [
            f"Format inconnu. Choisir parmi : {', '.join(formats)}."
        ]
    pagination = getattr(vue, "paginator", None)
    if getattr(vue, "action", None) == "list" and hasattr(pagination, "verifier"):
        # Checked whatever the format: a CSV export ignores the page, not its errors.
        erreurs.update({k: v for k, v in pagination.verifier(request).items() if k not in erreurs})
    if erreurs:
        raise exceptions.ValidationError(erreurs)


class ApiMixin:
    """What every view of the API does: checks its query parameters, and
    answers errors in JSON whatever format was asked (an error is not a row
    of a CSV file)."""

    def initial(self, request, *args, **kwargs):
        methode = request.method.lower()
        if methode not in self.http_method_names or not hasattr(self, methode):
            # An unsupported method answers 405 first, whatever its parameters
            # and whoever asks: before authentication and permissions, which
            # would otherwise tell an anonymous PUT on a public list 401.
            raise exceptions.MethodNotAllowed(request.method)
        verifier_parametres(self, request)
        super().initial(request, *args, **kwargs)

    def raise_uncaught_exception(self, exc):
        # With DEBUG on, DRF reads the negotiated renderer here: an exception
        # raised before the negotiation (in the parameter check) would be
        # logged as an AttributeError instead of itself.
        if not hasattr(self.request, "accepted_renderer"):
            raise exc
        super().raise_uncaught_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            isinstance(response, Response)
            and response.status_code >= 400
            and not isinstance(getattr(response, "accepted_renderer", None), JSONRenderer)
        ):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


class ApiView(ApiMixin, APIView):
    """An API endpoint that is not a resource (aggregates, token)."""


class LectureViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """A read-only resource: paginated JSON, or every matching row as CSV.

    A list that can be large declares ``colonnes`` (``contrat.api.export``):
    its pages are then read as plain tuples and its CSV written by PostgreSQL
    (COPY), with the same output as its serializer."""

    pagination_class = Pagination
    colonnes = None

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) == "csv":
            return self.csv_complet()
        if self.colonnes:
            return reponse_en_cache(self, request, self.page_en_tuples)
        return reponse_en_cache(
            self, request, lambda: super(LectureViewSet, self).list(request, *args, **kwargs)
        )

    def page_en_tuples(self):
        """A JSON page from ``values_list()`` tuples: no model instance, no
        serializer per row (same JSON as the serializer: tested)."""
        queryset = self.filter_queryset(self.get_queryset())
        tuples = queryset.values_list(*(c.source for c in self.colonnes))
        page = self.paginate_queryset(tuples)
        return self.get_paginated_response(lignes_json(page, self.colonnes))

    def retrieve(self, request, *args, **kwargs):
        return reponse_en_cache(
            self, request, lambda: super(LectureViewSet, self).retrieve(request, *args, **kwargs)
        )

    def csv_complet(self):
        """Every row matching the filters, streamed (BI tools want them all):
        written by PostgreSQL where the view declares ``colonnes``."""
        if self.colonnes:
            queryset = self.filter_queryset(self.get_queryset())[:MAX_CSV_LIGNES]
            nom = getattr(self, "basename", None) or "export"
            return reponse_csv(self, queryset, self.colonnes, nom)
        return self.csv_serialise()

    def csv_serialise(self):
        """Every row matching the filters through the serializer, streamed.
        The header is the serializer's columns (``contrat.api.colonnes``),
        whatever the rows hold: the same columns as the data package says,
        even for an empty list or a first row with a null nested object."""
        queryset = self.filter_queryset(self.get_queryset())
        serializer_class = self.get_serializer_class()
        contexte = self.get_serializer_context()
        nom = getattr(self, "basename", None) or "export"
        entetes = [c.nom for c in champs_csv(serializer_class(context=contexte))]

        def lignes():
            tampon = io.StringIO()
            ecrivain = ecrivain_csv(tampon, entetes)
            ecrivain.writeheader()
            # Chunks keep memory flat; prefetches run once per chunk.
            for n, objet in enumerate(queryset.iterator(chunk_size=2000)):
                if n >= MAX_CSV_LIGNES:
                    break
                ligne = aplatir(serializer_class(objet, context=contexte).data)
                ecrivain.writerow({k: neutraliser(v) for k, v in ligne.items()})
                if tampon.tell() > 64_000:
                    yield tampon.getvalue()
                    tampon.seek(0)
                    tampon.truncate()
            yield tampon.getvalue()

        reponse = StreamingHttpResponse(lignes(), content_type="text/csv; charset=utf-8")
        reponse["Content-Disposition"] = f'attachment; filename="{nom}.csv"'
        return reponse


def gestionnaire_erreurs(exc, context):
    """Every error as JSON: ``{"erreur": {"code", "statut", "message", "details"}}``.

    A domain error (``contrat.erreurs.ErreurMetier``, raised by the services
    or a view) answers its own status and body. Django's own ValidationError
    and PermissionDenied become 400 and 403 instead of 500; DRF's exceptions
    keep their status.
    """
    if isinstance(exc, ErreurMetier):
        # As DRF does for its own exceptions: an atomic request writes nothing.
        set_rollback()
        return Response(exc.corps(), status=exc.statut)
    if isinstance(exc, DjangoValidationError):
        details = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(details)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Ressource introuvable.")
    reponse = exception_handler(exc, context)
    if reponse is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        message = "Les données envoyées ne sont pas valides."
        details = reponse.data
    else:
        message = (
            reponse.data.get("detail", str(exc)) if isinstance(reponse.data, dict) else str(exc)
        )
        details = (
            {k: v for k, v in reponse.data.items() if k != "detail"}
            if isinstance(reponse.data, dict)
            else {}
        )
    reponse.data = corps_erreur(
        reponse.status_code, getattr(exc, "default_code", "erreur"), str(message), details
    )
    return reponse


__all__ = [
    "ApiMixin",
    "ApiView",
    "CSVRenderer",
    "LectureViewSet",
    "Pagination",
    "gestionnaire_erreurs",
    "status",
]
