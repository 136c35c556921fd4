"""End to end, in a real browser: Playwright drives Debian's Chromium (no
browser download) against the app served by its own process on a private
database seeded as `make run` seeds it.

- a partner logs in, fills a grid, submits; staff validate in the admin; the
  public dashboard shows the value;
- every dashboard page draws its charts from the API with no console error,
  no request leaving 127.0.0.1, and no serious accessibility violation (axe-core).
"""

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "vendor" / "axe.min.js"
MOT_DE_PASSE = "contrat-de-ville-2019"
CHROMIUM = shutil.which("chromium")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent (apt-get install chromium)"),
    pytest.mark.navigateur,
]


@pytest.fixture
def page(navigateur, serveur):  # navigateur: conftest.py
    contexte = navigateur.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = contexte.new_page()
    page.erreurs_console = []
    page.hotes = set()
    page.on("console", lambda m: m.type == "error" and page.erreurs_console.append(m.text))
    page.on("pageerror", lambda e: page.erreurs_console.append(str(e)))
    page.on("request", lambda r: page.hotes.add(urlparse(r.url).hostname))
    page.base = serveur
    yield page
    contexte.close()


def connexion(page, identifiant):
    page.goto(page.base + "/connexion/")
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()


def test_partner_submits_staff_validates_in_the_admin_public_dashboard_shows_it(page):
    connexion(page, "demo-metropole")
    page.goto(page.base + "/saisie/?annee=2021&filtre=a_faire")
    assert "Mes indicateurs" in page.locator("h1").inner_text()
    page.get_by_role(
        "link", name="Nombre d'actions mises en œuvre et suivies par l'équipe projet", exact=True
    ).click()
    champ = page.get_by_label("Valeur", exact=True)
    champ.fill("1 234")
    page.get_by_role("button", name="Soumettre à validation").click()
    assert (
        "Valeurs soumises à l'équipe politique de la ville."
        in page.locator(".messages").inner_text()
    )
    page.get_by_role("button", name="Se déconnecter (demo-metropole)").click()

    # Staff validate in the admin, with the action on the values' list.
    page.goto(page.base + "/admin/login/")
    page.fill("#id_username", "demo-equipe")
    page.fill("#id_password", MOT_DE_PASSE)
    page.get_by_role("button", name="Connexion").click()
    page.goto(page.base + "/admin/engagements/valeur/?statut__exact=soumise")
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", "valider")
    page.get_by_role("button", name="Envoyer").click()
    assert "1 valeur(s) validée(s)" in page.locator("ul.messagelist").inner_text()

    # Anyone sees it on the public dashboard, as the chart's data table.
    anonyme = page.context.browser.new_context(locale="fr-FR")
    public = anonyme.new_page()
    public.goto(page.base + "/tableaux/indicateurs/2019-1.1-1/")
    public.wait_for_selector("body[data-graphiques=prets]")
    public.locator("figure.graphique summary").first.click()
    tableau = public.locator("figure.graphique table").first.inner_text()
    assert "1 234" in tableau.replace("\u202f", " ").replace("\xa0", " ")
    anonyme.close()
    assert page.erreurs_console == []
    assert page.hotes == {"127.0.0.1"}


TABLEAUX = [
    "/tableaux/",
    "/tableaux/objectifs/1/",
    "/tableaux/fiches/1.1/",
    "/tableaux/partenaires/etat/",
    "/tableaux/quartiers/cevennes/",
    "/tableaux/indicateurs/2019-1.1-1/",
    "/rapport/2019/",
]


@pytest.mark.parametrize("chemin", TABLEAUX)
def test_dashboard_pages_draw_their_charts_accessibly(page, chemin):
    page.goto(page.base + chemin)
    page.wait_for_selector("body[data-graphiques=prets]", timeout=20000) if page.locator(
        "figure.graphique"
    ).count() else None
    for figure in page.locator("figure.graphique").all():
        assert figure.get_attribute("data-etat") in {"dessine", "vide"}, figure.inner_text()
    assert page.erreurs_console == []
    assert page.hotes == {"127.0.0.1"}
    # Evaluated through the devtools protocol: the page's CSP (no inline
    # script) stays in force for everything else.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    resultats = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    graves = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in resultats["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert graves == []
