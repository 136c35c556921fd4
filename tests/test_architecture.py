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


# ---------------------------------------------------------------- shared test fixtures


def fixtures_de_session_hors_conftest(racine):
    """(file:line, name) of each session-scoped fixture defined in a test
    module rather than a conftest.py. pytest keys a fixture by the module that
    defines or imports it: two browser modules importing one session fixture
    got two instances, and the second Playwright, started inside the first,
    failed as soon as both ran in one session."""
    fautes = []
    for fichier in sorted(racine.rglob("*.py")):
        chemin = fichier.relative_to(racine)
        if chemin.parts[0].startswith(".") or fichier.name == "conftest.py":
            continue
        if not (fichier.name.startswith("test_") or "tests" in chemin.parts[:-1]):
            continue
        arbre = ast.parse(fichier.read_text(encoding="utf-8"), filename=str(fichier))
        for noeud in ast.walk(arbre):
            if not isinstance(noeud, ast.FunctionDef):
                continue
            for decorateur in noeud.decorator_list:
                if isinstance(decorateur, ast.Call) and any(
                    m.arg == "scope"
                    and isinstance(m.value, ast.Constant)
                    and m.value.value == "session"
                    for m in decorateur.keywords
                ):
                    fautes.append((f"{chemin}:{noeud.lineno}", noeud.name))
    return fautes


def test_session_fixtures_live_in_a_conftest():
    assert fixtures_de_session_hors_conftest(RACINE) == []


def test_the_check_catches_a_session_fixture_in_a_test_module(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(
        "import pytest\n\n\n@pytest.fixture(scope='session')\ndef navigateur():\n    yield 1\n"
    )
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture(scope='session')\ndef base():\n    yield 1\n"
    )
    assert fixtures_de_session_hors_conftest(tmp_path) == [("tests/test_x.py:5", "navigateur")]
