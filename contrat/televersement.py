"""Uploads counted while they stream in, so that no file past its limit is
ever kept whole, in memory or on disk.

Django reads a multipart body chunk by chunk and hands each chunk to its
upload handlers in turn. ``LimiteTailleHandler`` comes first
(``FILE_UPLOAD_HANDLERS``): past the limit it stops passing chunks on, so the
rest of the file is read from the network and dropped, and the field receives a
``FichierTropGros``: an empty file that knows its real size. The form's
validator then refuses it with a French message that names the limit, and the
other fields of the request are still read (CSRF token, admin formsets).

The limit is ``request.televersement_max`` when a view sets it (before the
body is read: see ``limite_televersement``), else the largest of the upload
limits of the settings.
"""

import functools
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.views.decorators.csrf import csrf_exempt, csrf_protect


def limite_par_defaut():
    return max(settings.IMPORT_TAILLE_MAX, settings.DOCUMENT_TAILLE_MAX)


class FichierTropGros(UploadedFile):
    """What is left of a file refused while it streamed in: its name and
    size, no content."""

    def __init__(self, name, content_type, size, limite):
        super().__init__(io.BytesIO(b""), name, content_type, size)
        self.limite = limite


class LimiteTailleHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.limite = getattr(self.request, "televersement_max", None) or limite_par_defaut()
        self.depasse = False

    def receive_data_chunk(self, raw_data, start):
        if self.depasse or start + len(raw_data) > self.limite:
            # Dropped here: the next handlers (memory, temporary file) never
            # see more than the limit.
            self.depasse = True
            return None
        return raw_data

    def file_complete(self, file_size):
        if self.depasse:
            return FichierTropGros(self.file_name, self.content_type, file_size, self.limite)
        return None


def taille_lisible(octets):
    """2 097 152 -> "2 Mo", 1 536 -> "1,5 Ko": French units."""
    for unite, facteur in (("Go", 1024**3), ("Mo", 1024**2), ("Ko", 1024)):
        if octets >= facteur:
            nombre = round(octets / facteur, 1)
            texte = f"{nombre:.1f}".removesuffix(".0").replace(".", ",")
            return f"{texte} {unite}"
    return f"{octets} octets"


def valider_taille(fichier, limite):
    """Refuse a file past ``limite`` bytes, counted or stated, with a French message."""
    if fichier is None:
        return
    taille = getattr(fichier, "size", 0) or 0
    if isinstance(fichier, FichierTropGros) or taille > limite:
        plus = "plus de " if isinstance(fichier, FichierTropGros) and taille <= limite else ""
        raise ValidationError(
            f"Le fichier « {fichier.name} » fait {plus}{taille_lisible(taille)} : "
            f"la taille maximale est de {taille_lisible(limite)}.",
            code="trop_gros",
        )


def limite_televersement(nom_reglage):
    """View decorator: the uploads of this view stop at ``settings.<nom_reglage>``.

    The limit must be set before the body is read, and the CSRF check reads it:
    so the check is made here, after the limit is set (Django's documented way
    to change upload handlers in a view)."""

    def decorateur(vue):
        protegee = csrf_protect(vue)

        @functools.wraps(vue)
        def enveloppe(request, *args, **kwargs):
            request.televersement_max = getattr(settings, nom_reglage)
            return protegee(request, *args, **kwargs)

        return csrf_exempt(enveloppe)

    return decorateur
