"""The house's floors: an app imports only the apps below it (docs/architecture.md).

    config        project wiring: settings, root URLs, WSGI/ASGI, the API router
    tableaux      read side: dashboards, annual report, aggregates
    notifications e-mails and the in-app list (beside tableaux)
    engagements   gouvernance    (side by side: neither imports the other)
    fiches
    contrat       ground floor: the contract frame and shared infrastructure

Every import statement of every module (function-level imports and migrations
included) is read with ``ast``; nothing is imported to check it.
"""

import ast
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent

ETAGES = {
    "contrat": 0,
    "fiches": 1,
    "engagements": 2,
    "gouvernance": 2,
    "tableaux": 3,
    "notifications": 3,
    "config": 4,
}


def modules_importes(fichier):
    arbre = ast.parse(fichier.read_text(encoding="utf-8"), filename=str(fichier))
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.Import):
            for alias in noeud.names:
                yield noeud.lineno, alias.name
        elif isinstance(noeud, ast.ImportFrom) and noeud.level == 0 and noeud.module:
            yield noeud.lineno, noeud.module


def imports_vers_le_haut(app):
    """(file:line, imported module) for each import of ``app`` that reaches an app
    on its own floor or above."""
    fautes = []
    for fichier in sorted((RACINE / app).rglob("*.py")):
        for ligne, module in modules_importes(fichier):
            cible = module.split(".")[0]
            if cible == app or cible not in ETAGES:
                continue
            if ETAGES[cible] >= ETAGES[app]:
                fautes.append((f"{fichier.relative_to(RACINE)}:{ligne}", module))
    return fautes


@pytest.mark.parametrize("app", sorted(ETAGES))
def test_app_imports_only_the_apps_below_it(app):
    assert imports_vers_le_haut(app) == []


def test_every_local_app_has_a_floor():
    from django.conf import settings

    locales = {a for a in settings.INSTALLED_APPS if (RACINE / a / "apps.py").exists()}
    assert locales <= set(ETAGES), "Give each new app its floor in ETAGES and the docs"


def test_the_check_catches_an_import_from_above(tmp_path, monkeypatch):
    # The same reader on a module of the ground floor that imports the read side.
    faux = tmp_path / "contrat"
    faux.mkdir()
    (faux / "vues.py").write_text("def f():\n    from tableaux.agregats import GROUPES\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["RACINE"]), "RACINE", tmp_path)
    assert imports_vers_le_haut("contrat") == [("contrat/vues.py:2", "tableaux.agregats")]
