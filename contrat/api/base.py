"""What every endpoint of the API shares: pagination with a ceiling, CSV
output of any list (``?format=csv``), structured errors, read-only viewsets."""

import csv
import io

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, StreamingHttpResponse
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler

from contrat.api.cache import reponse_en_cache
from contrat.api.rendu import CSVRenderer, Pagination, aplatir, neutraliser

MAX_CSV_LIGNES = 2_000_000


class LectureViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only resource: paginated JSON, or every matching row as CSV."""

    pagination_class = Pagination

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) == "csv":
            return self.csv_complet()
        return reponse_en_cache(
            self, request, lambda: super(LectureViewSet, self).list(request, *args, **kwargs)
        )

    def retrieve(self, request, *args, **kwargs):
        return reponse_en_cache(
            self, request, lambda: super(LectureViewSet, self).retrieve(request, *args, **kwargs)
        )

    def csv_complet(self):
        """Every row matching the filters, streamed (BI tools want them all)."""
        queryset = self.filter_queryset(self.get_queryset())
        serializer_class = self.get_serializer_class()
        contexte = self.get_serializer_context()
        nom = getattr(self, "basename", None) or "export"

        def lignes():
            tampon = io.StringIO()
            ecrivain = None
            yield "\ufeff"
            # Chunks keep memory flat; prefetches run once per chunk.
            for n, objet in enumerate(queryset.iterator(chunk_size=2000)):
                if n >= MAX_CSV_LIGNES:
                    break
                ligne = aplatir(serializer_class(objet, context=contexte).data)
                if ecrivain is None:
                    ecrivain = csv.DictWriter(
                        tampon, fieldnames=list(ligne), extrasaction="ignore", lineterminator="\r\n"
                    )
                    ecrivain.writeheader()
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
    """Every error as JSON: ``{"erreur": {"code", "message", "details"}}``.

    Django's own ValidationError and PermissionDenied (raised by the service
    layer) become 400 and 403 instead of 500.
    """
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
    reponse.data = {
        "erreur": {
            "code": getattr(exc, "default_code", "erreur"),
            "statut": reponse.status_code,
            "message": str(message),
            "details": details,
        }
    }
    return reponse


def erreur(statut, code, message, details=None):
    return Response(
        {"erreur": {"code": code, "statut": statut, "message": message, "details": details or {}}},
        status=statut,
    )


__all__ = [
    "CSVRenderer",
    "LectureViewSet",
    "Pagination",
    "erreur",
    "gestionnaire_erreurs",
    "status",
]
