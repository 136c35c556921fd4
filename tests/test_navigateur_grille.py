"""The grid's live totals, in a real browser: the page as the server renders
it, with its static script (engagements/static/engagements/grille.js) run by
Debian's Chromium through Playwright."""

import shutil
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from contrat.models import Organisation
from engagements.services import cle, grille_cles, grille_enregistrer
from fiches.models import Indicateur

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "engagements" / "static" / "engagements" / "grille.js"
CHROMIUM = shutil.which("chromium")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent (apt-get install chromium)"),
    pytest.mark.navigateur,
    pytest.mark.django_db,
]


def espaces(texte):
    return texte.replace("\u202f", " ").replace("\xa0", " ")


def test_the_grid_totals_follow_what_the_partner_types(campagne, partenaire):
    from playwright.sync_api import sync_playwright

    etat = partenaire("etat")
    indicateur = (
        Indicateur.objects.a_saisir()
        .filter(organisation=Organisation.objects.get(slug="etat"), fiche__isnull=False)
        .order_by("code")
        .first()
    )
    indicateur.desagregation = Indicateur.Desagregation.QUARTIER_SEXE
    indicateur.unite = Indicateur.Unite.EUROS
    indicateur.save()
    cellules = grille_cles(indicateur)
    grille_enregistrer(
        utilisateur=etat,
        indicateur=indicateur,
        annee=2021,
        saisies={cle(*cellules[0]): ("100", 0)},
    )
    client = Client()
    client.force_login(etat)
    page_html = client.get(reverse("saisie:grille", args=[2021, indicateur.code])).content.decode()

    with sync_playwright() as p:
        navigateur = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = navigateur.new_page(locale="fr-FR")
        erreurs = []
        page.on("pageerror", lambda e: erreurs.append(str(e)))
        # Served nowhere: the page's own <script src> does not load; the file is injected.
        page.route("**/*", lambda route: route.abort())
        page.set_content(page_html)
        page.add_script_tag(path=str(SCRIPT))
        total = page.locator("p [data-total-general]")
        assert espaces(total.inner_text()) == "100"
        champs = page.locator("td[data-ligne] input[type=text]")
        champs.nth(1).fill("1 234,5")  # the first quartier, men
        champs.nth(2).fill("10")  # the second quartier, women
        assert espaces(total.inner_text()) == "1 344,5"
        assert espaces(page.locator('[data-total-ligne="0"]').inner_text()) == "1 334,5"
        assert espaces(page.locator('[data-total-colonne="0"]').inner_text()) == "110"
        assert espaces(page.locator('[data-total-colonne="1"]').inner_text()) == "1 234,5"
        champs.nth(2).fill("pas un nombre")  # counted as empty, as the server does
        assert espaces(total.inner_text()) == "1 334,5"
        assert erreurs == []
        navigateur.close()
