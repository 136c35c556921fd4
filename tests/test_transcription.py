"""The transcription tools (tools/transcription/) stand apart from the app.

They read files and write the committed fixtures with plain Python: no Django,
no database, no import of the apps (issue 11, item 8). The reading rules they
share with the app live in ``lecture/``, which imports the standard library
only. And the README's regeneration order gives back the committed files
byte for byte, so the fixtures are what the scripts say they are.
"""

import ast
import filecmp
import re
import shutil
import subprocess
import sys
from pathlib import Path

from lecture.liens import ResolveurAlias
from tests.test_architecture import ETAGES

RACINE = Path(__file__).resolve().parent.parent
README = RACINE / "tools" / "transcription" / "README.md"

# What a tool may not import: Django and its libraries, and every app.
INTERDITS = {"django", "rest_framework", "django_filters", *ETAGES}


def commandes_de_regeneration():
    """The lines ``python tools/transcription/....py`` of the README's order."""
    texte = README.read_text(encoding="utf-8")
    return re.findall(r"^python (tools/transcription/\w+\.py)$", texte, flags=re.MULTILINE)


def modules_importes(fichier):
    arbre = ast.parse(fichier.read_text(encoding="utf-8"), filename=str(fichier))
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.Import):
            for alias in noeud.names:
                yield noeud.lineno, alias.name.split(".")[0]
        elif isinstance(noeud, ast.ImportFrom) and noeud.level == 0 and noeud.module:
            yield noeud.lineno, noeud.module.split(".")[0]


def imports_interdits(dossier, permis=None):
    """(file:line, module) for each import under ``dossier`` of Django or an
    app, or (when ``permis`` is given) of anything outside ``permis``."""
    fautes = []
    for fichier in sorted(dossier.rglob("*.py")):
        for ligne, module in modules_importes(fichier):
            if module in INTERDITS or (permis is not None and module not in permis):
                fautes.append((f"{fichier.relative_to(dossier.parent)}:{ligne}", module))
    return fautes


def test_no_tool_imports_django_or_the_apps():
    assert imports_interdits(RACINE / "tools") == []
    for fichier in (RACINE / "tools").rglob("*.py"):
        assert "django.setup" not in fichier.read_text(encoding="utf-8"), fichier


def test_lecture_imports_the_standard_library_only():
    permis = set(sys.stdlib_module_names) | {"lecture"}
    assert imports_interdits(RACINE / "lecture", permis=permis) == []


def test_the_import_scan_catches_django_and_the_apps(tmp_path):
    outils = tmp_path / "tools"
    outils.mkdir()
    (outils / "a.py").write_text("import json\n\ndef f():\n    import django\n")
    (outils / "b.py").write_text("from fiches.liens import quartiers_du_texte\n")
    assert imports_interdits(outils) == [("tools/a.py:4", "django"), ("tools/b.py:1", "fiches")]
    assert imports_interdits(outils, permis={"json"}) == [
        ("tools/a.py:4", "django"),
        ("tools/b.py:1", "fiches"),
    ]


def test_readme_lists_every_script_and_regenerates_each_one():
    scripts = {f.name for f in (RACINE / "tools" / "transcription").glob("*.py")}
    readme = README.read_text(encoding="utf-8")
    assert {s for s in scripts if f"| `{s}` |" not in readme} == set()
    assert {Path(c).name for c in commandes_de_regeneration()} == scripts


def test_regeneration_order_gives_back_the_committed_files_without_django(tmp_path):
    # A copy of what the scripts read and write; the generated files are
    # removed first, so each must be written again, identical.
    for dossier in ("tools", "lecture", "fixtures", "docs"):
        shutil.copytree(
            RACINE / dossier, tmp_path / dossier, ignore=shutil.ignore_patterns("__pycache__")
        )
    engendres = [
        *(tmp_path / "fixtures").glob("*/0[1-4]_*.json"),
        tmp_path / "fixtures" / "fiches" / "06_quartiers_deduits.json",
        tmp_path / "fixtures" / "fiches" / "reprises" / "01_scissions_indicateurs.json",
        *(tmp_path / "tools" / "transcription" / "data").glob("annexe*.json"),
        tmp_path / "tools" / "transcription" / "data" / "gouvernance.json",
        tmp_path / "docs" / "transcription" / "gouvernance_report.md",
    ]
    for fichier in engendres:
        fichier.unlink()

    commandes = commandes_de_regeneration()
    assert "tools/transcription/fiches.py" in commandes
    for script in commandes:
        # -X importtime lists every module the script imports, on stderr.
        fait = subprocess.run(
            [sys.executable, "-X", "importtime", script],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert fait.returncode == 0, (script, fait.stderr[-2000:])
        importes = {
            ligne.rsplit("|", 1)[1].strip().split(".")[0]
            for ligne in fait.stderr.splitlines()
            if ligne.startswith("import time:") and "|" in ligne
        }
        assert "json" in importes, script  # the listing is there
        assert importes & INTERDITS == set(), script

    differents = []
    for fichier in engendres:
        committed = RACINE / fichier.relative_to(tmp_path)
        if not fichier.exists() or not filecmp.cmp(fichier, committed, shallow=False):
            differents.append(str(fichier.relative_to(tmp_path)))
    assert differents == []
    # And nothing else under fixtures/ changed (05_anomalies.json is data).
    comparaison = filecmp.dircmp(tmp_path / "fixtures", RACINE / "fixtures")
    assert_identiques(comparaison)


def assert_identiques(comparaison):
    _, differents, erreurs = filecmp.cmpfiles(
        comparaison.left, comparaison.right, comparaison.common_files, shallow=False
    )
    assert (comparaison.left_only, comparaison.right_only, differents, erreurs) == ([], [], [], [])
    for sous in comparaison.subdirs.values():
        assert_identiques(sous)


def test_alias_resolver_finds_the_longest_name_whatever_the_order_of_the_aliases():
    aliases = [
        ("Ville de Montpellier", "ville"),
        ("CCAS de la Ville de Montpellier", "ccas"),
        ("Ville", "ville"),
        ("Etat", "etat"),
        ("CAF", "caf"),
    ]
    texte = "Le CCAS de la Ville de Montpellier, l’État et la CAF ; la politique de la ville."
    attendu = ["ccas", "etat", "caf"]
    assert ResolveurAlias(aliases).organisations(texte) == attendu
    assert ResolveurAlias(reversed(aliases)).organisations(texte) == attendu
    # A list item that is exactly an alias names it whatever its case.
    assert ResolveurAlias(aliases).organisations("DSDEN, ville") == ["ville"]
