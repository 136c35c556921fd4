"""The public governance page: the world café's attendance and themes, the
5 national programmes, the conseils citoyens and their means."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _texte(reponse):
    """The page's text, tags removed and apostrophes unescaped."""
    html = reponse.content.decode().replace("&#x27;", "'")
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_governance_page_shows_attendance_themes_and_means(client):
    reponse = client.get("/tableaux/gouvernance/")
    assert reponse.status_code == 200
    texte = _texte(reponse)
    assert "Participants : plus de 100 personnes, dont 35 conseillers citoyens" in texte
    assert "au moins 100, borne inférieure ; conseillers citoyens : 35" in texte
    assert (
        "Thèmes : les programmes de la mobilisation nationale "
        "Education Emploi Sécurité Logement Lien social"
    ) in texte
    assert "Les 5 programmes issus de la mobilisation nationale pour les habitants" in texte
    assert "Subvention de fonctionnement" in texte
    assert "compris entre 3 000 € et 4 000 € 3 000 € à 4 000 €" in texte
    assert "Budget annuel soit un budget annuel de 40 000 € 40 000 €" in texte
    assert "Locaux local entièrement équipé et indépendant" in texte
    assert "Comment améliorer l'information vers les habitants ?" in texte
    # The themes are never called workshops on the page: "atelier" only
    # appears in the avenant's own sentences quoted there.
    for morceau in re.findall(r".{0,60}atelier.{0,60}", texte, flags=re.IGNORECASE):
        assert "7 ateliers participatifs" in morceau or "pendant ces ateliers" in morceau, morceau


def test_the_overview_links_to_the_governance_page(client):
    assert 'href="/tableaux/gouvernance/"' in client.get("/tableaux/").content.decode()


def test_the_annual_report_gives_the_world_cafes_attendance_and_themes(client):
    texte = _texte(client.get("/rapport/2019/"))
    assert (
        "world café (ateliers participatifs) — plus de 100 personnes, dont 35 conseillers "
        "citoyens — thèmes (programmes de la mobilisation nationale) : Education, Emploi, "
        "Sécurité, Logement, Lien social"
    ) in texte
