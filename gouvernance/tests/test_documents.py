"""Meeting documents: an allow-list of types checked by content, and served
only as downloads (attachment, nosniff), never as a page of this origin."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from gouvernance.documents import detecter
from gouvernance.models import Document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def _zip(parties):
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        for nom, contenu in parties.items():
            archive.writestr(nom, contenu)
    return tampon.getvalue()


DOCX = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
ODS = _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _deposer(client, nom, contenu):
    fichier = io.BytesIO(contenu)
    fichier.name = nom
    return client.post(
        reverse("admin:gouvernance_document_add"),
        {"titre": "Compte rendu", "fichier": fichier, "lien": "", "date": ""},
    )


def _fichiers(media):
    return [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("nom", "contenu", "type_attendu"),
    [
        ("compte-rendu.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        (
            "note.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("budget.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
    ],
)
def test_staff_upload_an_allowed_document_and_download_it_as_an_attachment(
    staff_client, media, nom, contenu, type_attendu
):
    reponse = _deposer(staff_client, nom, contenu)
    assert reponse.status_code == 302, reponse.context["adminform"].form.errors
    document = Document.objects.get()
    url = document.fichier.url
    assert url.startswith("/documents/gouvernance/")
    telechargement = staff_client.get(url)
    assert telechargement.status_code == 200
    assert telechargement["Content-Type"] == type_attendu
    assert telechargement["Content-Disposition"].startswith("attachment;")
    assert telechargement["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in telechargement["Content-Security-Policy"]
    assert b"".join(telechargement.streaming_content) == contenu


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("page.html", HTML, "n'est pas d'un type accepté"),
        ("page.pdf", HTML, "n'est pas d'un type accepté"),  # the name lies
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "type accepté"),
        ("script.js", b"alert(1)", "type accepté"),
        ("archive.zip", _zip({"a.html": HTML}), "type accepté"),
        ("rapport.html", PDF, "son nom doit finir par .pdf"),  # a PDF named to render as a page
        ("photo.pdf", PNG, "son nom doit finir par .png"),
    ],
)
def test_a_document_not_on_the_allow_list_is_refused_and_nothing_is_stored(
    staff_client, media, nom, contenu, message
):
    reponse = _deposer(staff_client, nom, contenu)
    assert reponse.status_code == 200
    erreurs = " ".join(reponse.context["adminform"].form.errors["fichier"])
    assert message in erreurs
    assert not Document.objects.exists()
    assert _fichiers(media) == []


def test_a_document_past_the_size_limit_is_refused_with_the_limit_named(
    staff_client, media, settings
):
    settings.DOCUMENT_TAILLE_MAX = 100 * 1024
    reponse = _deposer(staff_client, "gros.pdf", PDF + b"0" * 300 * 1024)
    assert reponse.status_code == 200
    erreurs = " ".join(reponse.context["adminform"].form.errors["fichier"])
    assert "la taille maximale est de 100 Ko" in erreurs
    assert not Document.objects.exists()
    assert _fichiers(media) == []


def test_a_stored_html_file_is_still_never_served_inline(staff_client):
    # A file stored before the allow-list existed (or put there by hand).
    document = Document(titre="Ancien")
    document.fichier.save("ancien.html", ContentFile(HTML), save=True)
    reponse = staff_client.get(document.fichier.url)
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/octet-stream"
    assert reponse["Content-Disposition"] == 'attachment; filename="ancien.html"'
    assert reponse["X-Content-Type-Options"] == "nosniff"


def test_documents_are_for_staff_and_only_those_a_document_names(staff_client, partenaire, media):
    document = Document(titre="CR")
    document.fichier.save("cr.pdf", ContentFile(PDF), save=True)
    partenaire_connecte = Client()
    partenaire_connecte.force_login(partenaire("metropole"))
    reponse = Client().get(document.fichier.url)
    assert reponse.status_code == 302 and reverse("connexion") in reponse["Location"]
    # A signed-in partner gets the French 403 page, not the file.
    reponse = partenaire_connecte.get(document.fichier.url)
    assert reponse.status_code == 403 and not reponse.has_header("Content-Disposition")
    (media / "gouvernance" / "orphelin.pdf").write_bytes(PDF)
    assert staff_client.get("/documents/gouvernance/orphelin.pdf").status_code == 404
    assert staff_client.get("/documents/../config/settings.py").status_code == 404
    assert staff_client.get("/documents/gouvernance/%2e%2e/%2e%2e/manage.py").status_code == 404


def test_content_detection_reads_the_bytes_not_the_name():
    assert detecter(io.BytesIO(PDF)).content_type == "application/pdf"
    assert detecter(io.BytesIO(HTML)) is None
    assert detecter(io.BytesIO(b"")) is None
    # A zip that is not an office file, and a truncated one.
    assert detecter(io.BytesIO(_zip({"word/x.xml": "x"}))) is None
    assert detecter(io.BytesIO(DOCX[:40])) is None
