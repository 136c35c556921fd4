"""Back up and restore the database with pg_dump / pg_restore.

    make backup                       # -> backups/contrat_ville-YYYYmmdd-HHMMSSZ.dump (UTC)
    make restore FICHIER=backups/....dump

The dump is PostgreSQL's custom format: every table, constraint, index,
function and trigger (history, synthesis, generation counter) comes back with
the data. Restoring replaces the current content of the database.
"""

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def parametres(url):
    parsed = urlparse(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    options = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    if parsed.username:
        options += ["-U", parsed.username]
    return options, parsed.path.lstrip("/"), env


def binaire(nom):
    chemin = shutil.which(nom)
    if chemin is None:
        sys.exit(
            f"{nom} est introuvable : installez le client PostgreSQL (apt-get install postgresql-client)."
        )
    return chemin


def sauvegarder(url, fichier=None):
    options, base, env = parametres(url)
    if fichier is None:
        (ROOT / "backups").mkdir(exist_ok=True)
        fichier = (
            ROOT / "backups" / f"{base}-{datetime.datetime.now(datetime.UTC):%Y%m%d-%H%M%SZ}.dump"
        )
    subprocess.run(
        [binaire("pg_dump"), *options, "-Fc", "-f", str(fichier), base], env=env, check=True
    )
    return Path(fichier)


def restaurer(url, fichier):
    options, base, env = parametres(url)
    subprocess.run(
        [
            binaire("pg_restore"),
            *options,
            "--clean",
            "--if-exists",
            "--no-owner",
            "-d",
            base,
            str(fichier),
        ],
        env=env,
        check=True,
    )


if __name__ == "__main__":
    url = os.environ.get("DATABASE_URL") or sys.exit(
        "DATABASE_URL absent : passez par make backup / make restore."
    )
    commande = sys.argv[1] if len(sys.argv) > 1 else ""
    if commande == "sauvegarder":
        print(sauvegarder(url))
    elif commande == "restaurer" and len(sys.argv) == 3:
        restaurer(url, sys.argv[2])
        print(f"{sys.argv[2]} restauré dans {parametres(url)[1]}")
    else:
        sys.exit("usage : sauvegarde.py sauvegarder | restaurer FICHIER")
