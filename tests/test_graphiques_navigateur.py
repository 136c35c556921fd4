"""The dashboards' charts in a real browser (Debian's Chromium, as in
test_navigateur.py), on the served app with test data written through the
services (tests/donnees_graphiques.py): validated values for 2021, targets
for 2021 and 2022, a baseline of 2018.

What users found wrong, each checked on the chart Chart.js holds
(``Chart.getChart``) and on its data table: the 2022 target drawn at 2021, a
single year drawn as a lone dot on the axis, axes without unit, the objective
page 669 px wide on a 390 px phone; and the ready signal a PDF printer waits for.
"""

import os
import subprocess
import sys

import pytest

from tests import donnees_graphiques
from tests.test_navigateur import AXE, CHROMIUM, ROOT

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent (apt-get install chromium)"),
    pytest.mark.navigateur,
]

PRETS = "html[data-graphiques=prets]"


@pytest.fixture(scope="module")
def donnees(serveur, base_e2e):
    """The served app, once its database holds the charts' test data."""
    fait = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from tests.donnees_graphiques import preparer; preparer()",
        ],
        cwd=ROOT,
        env=dict(os.environ, DATABASE_URL=base_e2e),
        capture_output=True,
        text=True,
    )
    assert fait.returncode == 0, fait.stdout + fait.stderr
    return serveur


@pytest.fixture
def ouvrir(navigateur, donnees):
    """Factory: a page of the served app at a width, charts drawn."""
    contextes = []

    def ouvrir(chemin, largeur=1280):
        contexte = navigateur.new_context(
            locale="fr-FR", viewport={"width": largeur, "height": 900}
        )
        contextes.append(contexte)
        page = contexte.new_page()
        page.erreurs = []
        page.on("console", lambda m: m.type == "error" and page.erreurs.append(m.text))
        page.on("pageerror", lambda e: page.erreurs.append(str(e)))
        page.goto(donnees + chemin)
        page.wait_for_selector(PRETS, state="attached", timeout=20000)
        return page

    yield ouvrir
    for contexte in contextes:
        contexte.close()


# What Chart.js drew for the figure's first chart, and the colour of the
# canvas's pixels where it drew each point of the values.
LIRE_GRAPHIQUE = """(figure) => {
  const canvas = figure.querySelector("canvas");
  const chart = Chart.getChart(canvas);
  const pixel = (x, y) => {
    const r = chart.currentDevicePixelRatio;
    return Array.from(canvas.getContext("2d").getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data);
  };
  const valeurs = chart.getDatasetMeta(0);
  return {
    labels: chart.data.labels,
    series: Object.fromEntries(chart.data.datasets.map(d => [d.label, d.data])),
    titreY: chart.options.scales.y.title.text,
    titreX: chart.options.scales.x.title.text,
    animation: chart.options.animation,
    zone: chart.chartArea,
    points: valeurs.data.map((p, i) => ({
      x: p.x, y: p.y, rayon: p.options.radius, vide: chart.data.datasets[0].data[i] === null,
      pixel: pixel(p.x, p.y),
    })),
  };
}"""


def test_each_target_sits_on_its_own_year_and_a_single_year_is_a_visible_labelled_mark(ouvrir):
    page = ouvrir(f"/tableaux/indicateurs/{donnees_graphiques.UNE_ANNEE}/")
    figure = page.locator("figure.graphique").first
    assert figure.get_attribute("data-etat") == "dessine"
    g = figure.evaluate(LIRE_GRAPHIQUE)

    # A category axis over the protocol's years, stretched to the baseline's.
    assert g["labels"] == ["2018", "2019", "2020", "2021", "2022"]
    annee = g["labels"].index
    cibles = g["series"]["Cible de l'année"]
    assert cibles[annee("2022")] == 15 and cibles[annee("2021")] == 12
    assert [c for i, c in enumerate(cibles) if i not in (annee("2021"), annee("2022"))] == [
        None,
        None,
        None,
    ]
    assert g["series"]["Valeur validée"] == [None, None, None, 11, None]
    assert g["series"]["Référence (2018)"] == [10] * 5

    assert g["titreY"] == "Nombre" and g["titreX"] == "Année"
    assert g["animation"] is False

    # The 2021 value: a large point inside the plot (not on an axis), painted
    # in the values' colour (#004b87), its value written beside it.
    point = g["points"][annee("2021")]
    zone = g["zone"]
    assert point["rayon"] >= 6
    assert zone["left"] + 20 < point["x"] < zone["right"] - 20
    assert zone["top"] < point["y"] < zone["bottom"] - 20
    assert point["pixel"][:3] == [0x00, 0x4B, 0x87] and point["pixel"][3] == 255

    # The data table says it all: year, value, target, baseline.
    figure.locator("summary").click()
    entetes = figure.locator("thead th").all_inner_texts()
    assert entetes == ["Année", "Valeur validée", "Cible de l'année", "Référence (2018)"]
    lignes = {
        ligne.locator("th").inner_text(): ligne.locator("td").all_inner_texts()
        for ligne in figure.locator("tbody tr").all()
    }
    assert lignes["2021"] == ["11", "12", "10"]
    assert lignes["2022"] == ["—", "15", "10"]
    assert "Unité : Nombre." in figure.inner_text()
    assert page.erreurs == []


def test_a_percentage_chart_titles_its_axis_and_suffixes_its_values(ouvrir):
    page = ouvrir(f"/tableaux/indicateurs/{donnees_graphiques.PAR_QUARTIER}/")
    figure = page.locator("figure.graphique").first
    g = figure.evaluate(LIRE_GRAPHIQUE)
    assert g["titreY"] == "Pourcentage (%)"
    annee = g["labels"].index
    # By quartier only: the year's value is the quartiers' mean, and says so.
    assert g["series"]["Valeur validée (moyenne des ventilations)"][annee("2020")] == 32.25
    assert g["series"]["Cible de l'année"][annee("2022")] == 45
    figure.locator("summary").click()
    ligne = figure.locator("tbody tr", has=page.locator("th", has_text="2021"))
    assert ligne.locator("td").all_inner_texts() == ["38,5\u00a0%", "40\u00a0%"]


@pytest.mark.parametrize(
    "chemin",
    [
        f"/tableaux/indicateurs/{donnees_graphiques.UNE_ANNEE}/",
        f"/tableaux/indicateurs/{donnees_graphiques.PAR_QUARTIER}/",
        "/tableaux/objectifs/1/",
        "/tableaux/",
    ],
)
def test_no_horizontal_overflow_on_a_390_px_phone(ouvrir, chemin):
    page = ouvrir(chemin, largeur=390)
    # Open every data table too: a wide one scrolls in its own box.
    for resume in page.locator("figure.graphique summary").all():
        resume.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for figure in page.locator("figure.graphique").all():
        assert figure.get_attribute("data-etat") in {"dessine", "vide"}
        if figure.get_attribute("data-etat") == "dessine":
            boite = figure.locator("canvas").bounding_box()
            assert boite["x"] >= 0 and boite["x"] + boite["width"] <= 390
    assert page.erreurs == []


def test_the_ready_signal_waits_for_every_chart_and_charts_print(ouvrir):
    page = ouvrir(f"/tableaux/indicateurs/{donnees_graphiques.UNE_ANNEE}/")
    # Set on <html> only once no figure is left without its chart or message.
    assert page.evaluate("document.documentElement.dataset.graphiques") == "prets"
    etats = page.locator("figure.graphique").evaluate_all("fs => fs.map(f => f.dataset.etat)")
    assert etats and set(etats) <= {"dessine", "vide"}
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    figure = page.locator("figure.graphique").first
    # Printed: the data table open, the chart still drawn at the paper's width.
    assert figure.locator("details").evaluate("d => d.open") is True
    assert figure.locator("canvas").bounding_box()["width"] > 300
    assert len(page.pdf()) > 10_000
    # Accessible as every dashboard page (axe-core, no serious violation).
    page.emulate_media(media="screen")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    resultats = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    graves = [v["id"] for v in resultats["violations"] if v["impact"] in {"serious", "critical"}]
    assert graves == []
    assert page.erreurs == []


def test_a_chart_draws_from_an_embedded_answer_without_asking_the_api(navigateur, donnees):
    """The annual report's way: the figure carries the API's answer (the
    include's ``reponse_api``), the page needs no server to draw it."""
    from decimal import Decimal

    from django.template.loader import render_to_string

    from fiches.models import CibleAnnuelle, Indicateur
    from tableaux.templatetags.graphiques import CLE_PERIODE

    # Playwright's loop runs in this thread, where Django refuses the ORM: an
    # indicator built in memory, its targets as if prefetched, the period given.
    indicateur = Indicateur(pk=10**9, code="essai", unite=Indicateur.Unite.POURCENTAGE)
    indicateur._prefetched_objects_cache = {
        "cibles_annuelles": [CibleAnnuelle(annee=2022, valeur=Decimal("45.00"))]
    }
    figure = render_to_string(
        "tableaux/_graphique.html",
        {
            CLE_PERIODE: (2019, 2022),
            "indicateur": indicateur,
            "annee": 2021,
            "genre": "annees",
            "reponse_api": {
                "results": [
                    {"annee": 2021, "quartier": None, "sexe": "", "valeur": Decimal("38.50")},
                    {"annee": 2020, "quartier": None, "sexe": "", "valeur": Decimal("30")},
                ]
            },
        },
    )
    contexte = navigateur.new_context(locale="fr-FR")
    page = contexte.new_page()
    demandes = []
    page.on("request", lambda r: demandes.append(r.url))
    page.set_content(
        "<!DOCTYPE html><html lang='fr'><body>"
        + figure
        + f"<script src='{donnees}/static/vendor/chart.umd.min.js'></script>"
        + f"<script src='{donnees}/static/tableaux/tableaux.js'></script></body></html>"
    )
    page.wait_for_selector(PRETS, state="attached", timeout=20000)
    g = page.locator("figure.graphique").evaluate(LIRE_GRAPHIQUE)
    contexte.close()
    assert g["series"]["Valeur validée"] == [None, 30, 38.5, None]
    assert g["series"]["Cible de l'année"] == [None, None, None, 45]
    assert g["titreY"] == "Pourcentage (%)"
    assert not [u for u in demandes if "/api/" in u]
