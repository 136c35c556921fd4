"""Links to the quartier of a place the périmètre names (Saint-Martin, Paul
Valéry): deduced, justified by the text's own sentences, shown as such."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from contrat.models import Quartier
from contrat.seeding import FIXTURES_DIR, seed
from fiches.liens import quartiers_du_texte
from fiches.models import Fiche, FicheQuartier
from fiches.services import fiches_relier

pytestmark = pytest.mark.django_db

SOURCE = Path(settings.BASE_DIR) / "tools" / "transcription" / "source" / "avenant-n2-2019.txt"

ATTENDUS = {
    ("2.2", "pres-d-arenes", "Saint-Martin"),
    ("3.2", "pres-d-arenes", "Saint Martin"),
    ("3.3", "pres-d-arenes", "Saint Martin"),
    ("9.3", "pas-du-loup-val-de-croze", "Paul Valéry"),
}


def deduits():
    return FicheQuartier.objects.filter(deduit=True).select_related("fiche", "quartier")


def test_the_places_the_text_ties_to_a_quartier_are_linked_as_deduced():
    assert {(lien.fiche.numero, lien.quartier.slug, lien.lieu) for lien in deduits()} == ATTENDUS
    assert {lien.fiche.version.code for lien in deduits()} == {"2019"}


def test_each_justification_is_the_source_text_verbatim():
    lignes = {
        " ".join(re.sub(r"<[^>]*>", " ", ligne).split())
        for ligne in SOURCE.read_text(encoding="utf-8").split("\n")
    }
    for lien in deduits():
        phrases = lien.justification.split("\n")
        assert phrases and all(phrase in lignes for phrase in phrases), lien
        # The place is named by the fiche itself, and by the justification.
        assert lien.lieu in lien.fiche.perimetre_texte
        assert lien.lieu in lien.justification


def test_the_perimetre_does_not_name_the_deduced_quartier():
    # Were it named, the link would be read from the text, not deduced.
    for lien in deduits():
        _, slugs = quartiers_du_texte(lien.fiche.perimetre_texte)
        assert lien.quartier.slug not in slugs


def test_a_deduced_link_needs_its_justification():
    fiche = Fiche.objects.get_by_natural_key("2019", "1.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        FicheQuartier.objects.create(
            fiche=fiche, quartier=Quartier.objects.get(slug="gely"), deduit=True, lieu="x"
        )


def test_reading_the_links_again_keeps_the_deduced_ones():
    fiche = Fiche.objects.get_by_natural_key("2019", "2.2")
    fiches_relier(fiches=[fiche])
    assert fiche.liens_quartiers.get(quartier__slug="pres-d-arenes").deduit
    assert "pompignane" in set(fiche.quartiers.values_list("slug", flat=True))


def test_seed_neither_reports_nor_removes_deduced_links():
    fichier = FIXTURES_DIR / "fiches" / "03_fiches_2019.json"
    report = seed(files=[fichier])
    assert report.kept["fiches.fiche"] == 0
    report = seed(files=[fichier], reset=True)
    assert report.reset["fiches.fiche"] == 0
    assert deduits().count() == len(ATTENDUS)


def test_the_api_says_which_links_are_deduced(client):
    liste = client.get("/api/fiches/", {"quartier": "pres-d-arenes"}).json()["results"]
    deux_deux = next(f for f in liste if f["numero"] == "2.2")
    assert "pres-d-arenes" in deux_deux["quartiers"]
    assert deux_deux["quartiers_deduits"] == ["pres-d-arenes"]
    detail = client.get("/api/fiches/2.2/").json()
    lien = next(q for q in detail["quartiers_liens"] if q["quartier"] == "pres-d-arenes")
    assert lien["deduit"] is True
    assert lien["lieu"] == "Saint-Martin"
    assert "- Saint-Martin, Tournezy." in lien["justification"]
    assert not next(q for q in detail["quartiers_liens"] if q["quartier"] == "pompignane")["deduit"]


def test_the_public_pages_and_the_admin_show_deduced_links(client, staff_client):
    page = client.get(reverse("tableaux:fiche", args=["9.3"])).content.decode()
    assert "lien déduit de « Paul Valéry »" in page
    page = client.get(reverse("tableaux:quartier", args=["pres-d-arenes"])).content.decode()
    assert page.count("lien déduit") == 3  # 2.2, 3.2, 3.3
    fiche = Fiche.objects.get_by_natural_key("2019", "2.2")
    page = staff_client.get(reverse("admin:fiches_fiche_change", args=[fiche.pk])).content.decode()
    assert "lien déduit" in page.lower() and "Saint-Martin" in page
