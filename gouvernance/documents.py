"""Documents staff attach to meetings: which files are accepted, where they are
kept, and how they are served.

A file is accepted for what it *contains*, not for its name: its first bytes
(and, for the zip-based office formats, the names of its parts) must be those
of an allowed type, and its extension must be one of that type's. HTML, SVG,
scripts and anything unknown are refused. The files are then served only by
``gouvernance.views.document`` (staff only, ``Content-Disposition:
attachment``, ``X-Content-Type-Options: nosniff``, a sandboxing CSP), never by
``/media/``: a document is downloaded, never rendered as a page of this origin.
"""

from django.core.files.storage import FileSystemStorage
from django.urls import reverse

# The allow-list lives on the ground floor (the follow-ups' proofs use it
# too); these names stay importable from here.
from contrat.fichiers import content_type, detecter
from contrat.fichiers import valider_document as valider_fichier

__all__ = [
    "StockageDocuments",
    "content_type",
    "detecter",
    "stockage_documents",
    "valider_document",
]


def valider_document(fichier):
    """Model field validator (a function of this module: the migrations name it)."""
    valider_fichier(fichier)


class StockageDocuments(FileSystemStorage):
    """MEDIA_ROOT, with URLs that go through the app's serving view (never /media/)."""

    def url(self, name):
        return reverse("gouvernance:document", args=[name])


def stockage_documents():
    # A callable, so the migration records this function and not a path.
    return StockageDocuments()
