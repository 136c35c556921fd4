"""The dashboards in a real browser (Debian's Chromium, see
test_navigateur.py): the year selector switches the pages without
JavaScript's help and the links keep the year; no serious accessibility
violation (axe-core) and no horizontal overflow on a 390 px phone."""

import pytest

from tests import test_navigateur
from tests.test_navigateur import AXE, CHROMIUM

# The page fixture of test_navigateur.py, shared (the browser: conftest.py).
page = test_navigateur.page

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent (apt-get install chromium)"),
    pytest.mark.navigateur,
]

PAGES = [
    "/tableaux/",
    "/tableaux/?annee=2021",
    "/tableaux/?annee=abc",
    "/tableaux/objectifs/1/?annee=2021",
    "/tableaux/fiches/1.1/?annee=2021",
    "/tableaux/fiches/2.2/",
    "/tableaux/partenaires/etat/?annee=2021",
    "/tableaux/quartiers/pres-d-arenes/?annee=2021",
    "/tableaux/indicateurs/2019-1.1-1/?annee=2021",
    "/tableaux/gouvernance/",
    "/",
]


def violations_graves(page):
    page.evaluate(AXE.read_text(encoding="utf-8"))
    resultats = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in resultats["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_the_year_selector_switches_the_pages_and_links_keep_the_year(page):
    page.route("**/static/tableaux/tableaux.js", lambda route: route.abort())  # no JS needed
    page.goto(page.base + "/tableaux/fiches/1.1/")
    page.select_option("#choix-annee", "2020")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**/tableaux/fiches/1.1/?annee=2020")
    assert page.locator("#choix-annee").input_value() == "2020"
    assert page.get_by_role("columnheader", name="Cible 2020").count() == 1
    page.get_by_role("link", name="← Objectif 1").click()
    page.wait_for_url("**/tableaux/objectifs/1/?annee=2020")
    assert page.locator("#choix-annee").input_value() == "2020"
    assert "Feu 2020" in page.locator("main").inner_text()
    page.select_option("#choix-annee", "2021")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**/tableaux/objectifs/1/?annee=2021")
    assert "Feu 2021" in page.locator("main").inner_text()


@pytest.mark.parametrize("chemin", PAGES)
@pytest.mark.parametrize("largeur", [1280, 390])
def test_dashboard_pages_are_accessible_and_fit_a_phone(page, chemin, largeur):
    page.set_viewport_size({"width": largeur, "height": 844})
    page.goto(page.base + chemin)
    if page.locator("figure.graphique").count():
        page.wait_for_selector("body[data-graphiques=prets]", timeout=20000)
    assert page.evaluate("document.documentElement.scrollWidth") <= largeur
    assert violations_graves(page) == []
    assert page.erreurs_console == []
    assert page.hotes == {"127.0.0.1"}
