from pathlib import PurePosixPath

from django.http import FileResponse, Http404

from contrat.acces import equipe_requise
from gouvernance.documents import content_type, detecter
from gouvernance.models import Document


@equipe_requise
def document(request, nom):
    """A meeting document, for staff: always a download, whatever it holds.

    Only a file that a Document names is served (no path is read from the URL).
    Its type is read again from its content; anything not on the allow-list
    (a file stored before the list existed) goes out as octet-stream."""
    document = Document.objects.filter(fichier=nom).first()
    if document is None:
        raise Http404("Document introuvable.")
    try:
        fichier = document.fichier.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("Fichier introuvable.") from None
    type_ = detecter(fichier)
    reponse = FileResponse(
        fichier,
        as_attachment=True,
        filename=PurePosixPath(nom).name,
        content_type=content_type(type_, nom) if type_ else "application/octet-stream",
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway: no script, no request, a unique origin.
    reponse["Content-Security-Policy"] = "default-src 'none'; sandbox"
    reponse["Cache-Control"] = "private, no-store"
    return reponse
