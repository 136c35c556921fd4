"""Public dashboard pages and the annual report (server side; the browser
tests in test_navigateur.py check the charts themselves)."""

import io
import re
import shutil

import pytest
from django.urls import reverse

from engagements.services import grille_enregistrer, valeurs_statuer
from fiches.models import Fiche, Indicateur
from gouvernance.models import Evenement

pytestmark = pytest.mark.django_db

PAGES = [
    "/tableaux/",
    "/tableaux/objectifs/1/",
    "/tableaux/objectifs/5/",
    "/tableaux/fiches/1.1/",
    "/tableaux/fiches/12.1/",
    "/tableaux/partenaires/etat/",
    "/tableaux/partenaires/caf-herault/",
    "/tableaux/quartiers/gely/",
    "/tableaux/indicateurs/2019-1.1-1/",
    "/tableaux/indicateurs/E2-1/",
    "/rapport/",
    "/rapport/2019/",
]


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_answer_without_login_in_french(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    # Nothing is loaded from outside the server.
    assert not re.search(r'(src|href)="https?://', response.text)


def test_charts_read_the_api_and_the_vendored_library(client):
    page = client.get("/tableaux/").text
    assert "/static/vendor/chart.umd.min.js" in page
    sources = re.findall(r'data-source="([^"]+)"', page)
    assert sources and all(s.startswith("/api/") for s in sources)
    for source in sources:
        assert client.get(source.replace("&amp;", "&")).status_code == 200, source


def test_overview_links_objectives_fiches_and_indicators(client):
    page = client.get("/tableaux/").text
    assert reverse("tableaux:objectif", args=[1]) in page
    page = client.get("/tableaux/objectifs/1/").text
    assert reverse("tableaux:fiche", args=["1.1"]) in page
    page = client.get("/tableaux/fiches/1.1/").text
    assert reverse("tableaux:indicateur", args=["2019-1.1-1"]) in page


def test_unknown_objects_answer_404(client):
    for url in [
        "/tableaux/objectifs/9/",
        "/tableaux/fiches/99.1/",
        "/tableaux/indicateurs/inconnu/",
        "/rapport/1990/",
    ]:
        assert client.get(url).status_code == 404, url


@pytest.fixture
def valeur_2020(equipe, partenaire):
    from engagements.services import campagne_ouvrir

    campagne_ouvrir(utilisateur=equipe, annee=2020, date_limite="2021-03-31")
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    [v] = grille_enregistrer(
        utilisateur=equipe,
        indicateur=indicateur,
        annee=2020,
        saisies={("", ""): ("4 321", 0)},
        soumettre=True,
    )
    valeurs_statuer(utilisateur=equipe, valeurs=[(v, v.version)], valider=True)
    brouillon = Indicateur.objects.get(code="2019-1.1-2")
    grille_enregistrer(
        utilisateur=equipe, indicateur=brouillon, annee=2020, saisies={("", ""): ("8 765", 0)}
    )
    return v


def test_annual_report_html_has_every_fiche_the_year_s_meetings_and_validated_values_only(
    client, valeur_2020
):
    page = client.get("/rapport/2020/").text
    for numero in Fiche.objects.en_vigueur().values_list("numero", flat=True):
        assert f"Fiche {numero} —" in page, numero
    for evenement in Evenement.objects.filter(annee=2020):
        assert evenement.titre in page.replace("&#x27;", "'"), evenement.titre
    assert "4 321" in page
    assert "8 765" not in page  # a draft never appears


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Chromium absent (apt-get install chromium)"
)
def test_annual_report_pdf_for_2020(client, valeur_2020):
    from pypdf import PdfReader

    response = client.get("/rapport/2020.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    texte = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    texte = re.sub(r"\s+", " ", texte)
    for numero in Fiche.objects.en_vigueur().values_list("numero", flat=True):
        assert f"Fiche {numero} " in texte, numero
    assert "Rapport annuel 2020" in texte
    for evenement in Evenement.objects.filter(annee=2020)[:5]:
        assert evenement.date_texte.split()[0] in texte


def test_report_year_list(client, valeur_2020):
    page = client.get("/rapport/").text
    assert reverse("rapport:pdf", args=[2020]) in page


def test_dashboard_bodies_are_rendered_once_per_data_generation(client, settings, partenaire):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fiches.models import Fiche

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-tableaux",
        }
    }
    url = reverse("tableaux:objectif", args=[1])
    with CaptureQueriesContext(connection) as froid:
        premiere = client.get(url)
    with CaptureQueriesContext(connection) as chaud:
        seconde = client.get(url)
    assert seconde.content == premiere.content
    # generation, the objective (+ its enjeux), the default year, the selector's years
    assert len(chaud) == 5 < len(froid)
    # Any write moves the generation: the body is rendered again.
    Fiche.objects.filter(numero="1.1", version__en_vigueur=True).update(titre="Titre neuf")
    assert "Titre neuf" in client.get(url).content.decode()
    # The header around the cached body stays the caller's own.
    client.force_login(partenaire("caf-herault", username="lecteur-caf"))
    page = client.get(url).content.decode()
    assert "Se déconnecter (lecteur-caf)" in page and "Titre neuf" in page
