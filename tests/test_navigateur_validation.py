"""The staff validation page in a real browser (Chromium, as
tests/test_navigateur.py): a partner submits, staff find the grid in the
queue, read its context and decide one cell; desktop and phone screenshots."""

import pytest

from tests.test_navigateur import CHROMIUM, connexion, page  # noqa: F401

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent (apt-get install chromium)"),
    pytest.mark.navigateur,
]

CODE = "2019-1.1-2"  # "Nombre de partenaires participant au projet" (Métropole)


def largeur_debordante(onglet):
    """How far the main content overflows its box, in pixels (0: none).
    The site header is outside <main>."""
    return onglet.evaluate(
        "() => { const m = document.querySelector('main');"
        " return Math.max(0, m.scrollWidth - m.clientWidth); }"
    )


def test_staff_read_the_context_and_decide_one_cell(page, tmp_path):  # noqa: F811
    connexion(page, "demo-metropole")
    page.goto(page.base + f"/saisie/2022/{CODE}/")
    page.get_by_label("Valeur", exact=True).fill("17")
    page.get_by_label("Note (obligatoire si une valeur s'écarte fortement de la cible)").fill(
        "Comptés au 31 décembre."
    )
    page.get_by_role("button", name="Soumettre à validation").click()
    assert "Valeurs soumises" in page.locator(".messages").inner_text()
    page.get_by_role("button", name="Se déconnecter (demo-metropole)").click()

    connexion(page, "demo-equipe")
    page.goto(page.base + "/saisie/validation/?annee=2022&organisation=metropole")
    ligne = page.locator("tr", has=page.locator(f"text={CODE}"))
    assert ligne.count() == 1
    ligne.get_by_role("link").click()

    contexte = page.locator("dl.contexte-validation").inner_text()
    for rubrique in ["Unité", "Cible 2022", "Valeur de référence", "Total 2022", "Soumission"]:
        assert rubrique in contexte
    assert page.get_by_text("Comptés au 31 décembre.").count() == 1  # the note, once
    assert page.locator("table.annees-precedentes").is_visible()
    page.screenshot(path=tmp_path / "validation-bureau.png", full_page=True)
    assert (tmp_path / "validation-bureau.png").stat().st_size > 10_000
    assert largeur_debordante(page) == 0

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=tmp_path / "validation-telephone.png", full_page=True)
    # On a phone the cells' table scrolls in its own box; the context does not overflow.
    assert largeur_debordante(page) == 0
    page.set_viewport_size({"width": 1280, "height": 900})

    # Reject the one cell without a reason: refused in French, then with one.
    page.get_by_role("button", name="Rejeter", exact=True).click()
    assert "Expliquez le rejet" in page.locator(".erreur").inner_text()
    page.get_by_label("Commentaire pour le partenaire (obligatoire pour un rejet)").fill("Source ?")
    page.get_by_role("button", name="Rejeter", exact=True).click()
    assert "1 valeur(s) rejetée(s)" in page.locator(".messages").inner_text()
    # The one refused form answers 400 by design (Chromium logs it); nothing else.
    assert page.erreurs_console == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    assert page.hotes == {"127.0.0.1"}
