"""Where the follow-ups' proofs are kept and how their URLs are made: under
MEDIA_ROOT, but always served by the app's view (``saisie:piece``, only to
the record's organisation and staff, as a download), never from /media/."""

from django.core.files.storage import FileSystemStorage
from django.urls import reverse


class StockagePieces(FileSystemStorage):
    def url(self, name):
        from engagements.models import PieceJustificative

        piece = PieceJustificative.objects.filter(fichier=name).only("pk").first()
        return reverse("saisie:piece", args=[piece.pk]) if piece else ""
