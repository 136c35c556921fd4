"""Files people upload as evidence (meeting documents, proofs attached to a
follow-up): which are accepted, read from what they *contain*, not from
their name.

A file's first bytes (and, for the zip-based office formats, the names of its
parts) must be those of an allowed type, and its extension must be one of
that type's. HTML, SVG, scripts and anything unknown are refused. The apps
serve such files only through their own views, as downloads
(``Content-Disposition: attachment``, ``nosniff``), never from ``/media/``
(:func:`reponse_telechargement`).
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse

from contrat.televersement import valider_taille


@dataclass(frozen=True)
class TypeDocument:
    libelle: str
    content_type: str
    extensions: tuple


PDF = TypeDocument("PDF", "application/pdf", (".pdf",))
PNG = TypeDocument("image PNG", "image/png", (".png",))
JPEG = TypeDocument("image JPEG", "image/jpeg", (".jpg", ".jpeg"))
GIF = TypeDocument("image GIF", "image/gif", (".gif",))
WEBP = TypeDocument("image WebP", "image/webp", (".webp",))
DOCX = TypeDocument(
    "document Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = TypeDocument(
    "classeur Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
PPTX = TypeDocument(
    "présentation PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
)
ODT = TypeDocument("document OpenDocument", "application/vnd.oasis.opendocument.text", (".odt",))
ODS = TypeDocument(
    "classeur OpenDocument", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)
)
ODP = TypeDocument(
    "présentation OpenDocument", "application/vnd.oasis.opendocument.presentation", (".odp",)
)
# The pre-2007 Office formats share one container (OLE2): told apart by the
# extension, which must be one of these.
OLE2 = TypeDocument(
    "document Office (ancien format)",
    "application/octet-stream",
    (".doc", ".xls", ".ppt"),
)
TYPES_OLE2 = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}
ODF = {
    b"application/vnd.oasis.opendocument.text": ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": ODS,
    b"application/vnd.oasis.opendocument.presentation": ODP,
}
ACCEPTES = "PDF, documents Word, Excel, PowerPoint ou OpenDocument, images PNG, JPEG, GIF ou WebP"
EN_TETE = 16


def _type_zip(contenu):
    """The office format of a zip, from the names of its parts (the central
    directory: nothing is decompressed but ODF's tiny "mimetype" part)."""
    try:
        with zipfile.ZipFile(contenu) as archive:
            noms = set(archive.namelist())
            if "mimetype" in noms and archive.getinfo("mimetype").file_size <= 100:
                return ODF.get(archive.read("mimetype").strip())
            if "[Content_Types].xml" in noms:
                for prefixe, type_ in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
                    if any(nom.startswith(prefixe) for nom in noms):
                        return type_
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError):
        return None
    return None


def detecter(fichier):
    """The allowed type of an open file, from its content; None if not allowed."""
    fichier.seek(0)
    debut = fichier.read(EN_TETE)
    type_ = None
    if debut.startswith(b"%PDF-"):
        type_ = PDF
    elif debut.startswith(b"\x89PNG\r\n\x1a\n"):
        type_ = PNG
    elif debut.startswith(b"\xff\xd8\xff"):
        type_ = JPEG
    elif debut[:6] in (b"GIF87a", b"GIF89a"):
        type_ = GIF
    elif debut[:4] == b"RIFF" and debut[8:12] == b"WEBP":
        type_ = WEBP
    elif debut.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        type_ = OLE2
    elif debut.startswith(b"PK\x03\x04"):
        fichier.seek(0)
        type_ = _type_zip(fichier)
    fichier.seek(0)
    return type_


def content_type(type_, nom):
    if type_ is OLE2:
        return TYPES_OLE2.get(PurePosixPath(nom).suffix.lower(), "application/octet-stream")
    return type_.content_type


def valider_document(fichier):
    """Model field validator: size, then type by content, then extension."""
    if not fichier or getattr(fichier, "_committed", False):
        # Already stored: it was checked when it was uploaded.
        return
    valider_taille(fichier, settings.DOCUMENT_TAILLE_MAX)
    nom = PurePosixPath(fichier.name).name
    ouvert = getattr(fichier, "file", fichier)
    type_ = detecter(ouvert)
    if type_ is None:
        raise ValidationError(
            f"Le contenu de « {nom} » n'est pas d'un type accepté ({ACCEPTES}).",
            code="type_refuse",
        )
    extension = PurePosixPath(nom).suffix.lower()
    if extension not in type_.extensions:
        raise ValidationError(
            f"« {nom} » contient un fichier {type_.libelle} : son nom doit finir par "
            f"{' ou '.join(type_.extensions)}.",
            code="extension",
        )


def reponse_telechargement(fichier, nom):
    """An open stored file as a download, whatever it holds: its type read
    again from its content (anything off the allow-list goes out as
    octet-stream), never rendered as a page of this origin."""
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
