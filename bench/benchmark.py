"""Benchmark of the API under concurrent clients, against the production server.

    make bench                      # 10 k then 1 M values, 50 concurrent clients
    make bench BENCH_ARGS="--volumes 10000 --clients 20 --duree 5"

For each volume it builds a separate database (``<dbname>_bench``: migrate,
seed, synthetic values labelled as such), starts gunicorn in production mode,
then for each endpoint runs N concurrent keep-alive clients for a fixed time
and prints p50 / p95 / p99 latency and throughput. It compares each endpoint
with PostgreSQL alone answering the same question and encoding it to JSON
(``json_agg``), and prints the ratio. Nothing here is a test: it measures.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
# Run as a script (`python bench/benchmark.py`): the repository is not on the path.
sys.path.insert(0, str(ROOT))

from scripts.instances import base_jetable, instance_servie, peupler  # noqa: E402

# Endpoint, and the SQL that answers the same question with PostgreSQL alone.
ENDPOINTS = [
    (
        "/api/fiches/?objectif=1",
        """SELECT json_agg(t) FROM (SELECT f.numero, f.titre, o.numero AS objectif, f.pilote_texte AS pilote,
           f.date_debut_texte, f.date_fin_texte,
           (SELECT json_agg(e.numero) FROM fiches_fiche_enjeux fe JOIN contrat_enjeu e ON e.id = fe.enjeu_id WHERE fe.fiche_id = f.id) AS enjeux,
           (SELECT json_agg(json_build_object('slug', g.slug, 'nom', g.nom)) FROM fiches_fiche_pilotes fp JOIN contrat_organisation g ON g.id = fp.organisation_id WHERE fp.fiche_id = f.id) AS pilotes
           FROM fiches_fiche f JOIN fiches_versionplan v ON v.id = f.version_id AND v.en_vigueur
           LEFT JOIN contrat_objectif o ON o.id = f.objectif_id WHERE o.numero = 1 ORDER BY f.enjeu_numero, f.rang) t""",
    ),
    (
        # A server-rendered page (the dashboards' objective page).
        "/tableaux/objectifs/1/",
        """SELECT json_agg(t) FROM (SELECT f.numero, f.titre, f.pilote_texte, f.date_debut_texte, f.date_fin_texte,
           (SELECT count(*) FROM fiches_indicateur i WHERE i.fiche_id = f.id) AS nb
           FROM fiches_fiche f JOIN fiches_versionplan v ON v.id = f.version_id AND v.en_vigueur
           JOIN contrat_objectif o ON o.id = f.objectif_id WHERE o.numero = 1 ORDER BY f.enjeu_numero, f.rang) t""",
    ),
    (
        "/api/fiches/1.1/",
        """SELECT row_to_json(f) FROM fiches_fiche f JOIN fiches_versionplan v ON v.id = f.version_id AND v.en_vigueur WHERE f.numero = '1.1'""",
    ),
    (
        "/api/engagements/?page_size=50",
        """SELECT json_agg(t) FROM (SELECT e.*, (SELECT json_agg(c) FROM engagements_cible c WHERE c.engagement_id = e.id) AS cibles
           FROM engagements_engagement e ORDER BY e.ordre LIMIT 50) t""",
    ),
    (
        "/api/valeurs/?annee=2021&page_size=50",
        """SELECT (SELECT count(*) FROM engagements_valeur WHERE statut = 'validee' AND annee = 2021),
           (SELECT json_agg(t) FROM (SELECT v.id, i.code, i.libelle, f.numero, g.slug, v.annee, q.slug AS quartier, v.sexe, v.valeur, v.statut
             FROM engagements_valeur v JOIN fiches_indicateur i ON i.id = v.indicateur_id LEFT JOIN fiches_fiche f ON f.id = i.fiche_id
             LEFT JOIN contrat_organisation g ON g.id = i.organisation_id LEFT JOIN contrat_quartier q ON q.id = v.quartier_id
             WHERE v.statut = 'validee' AND v.annee = 2021 ORDER BY v.id LIMIT 50) t)""",
    ),
    (
        "/api/valeurs/?indicateur=2019-1.1-1",
        """SELECT json_agg(t) FROM (SELECT v.* FROM engagements_valeur v JOIN fiches_indicateur i ON i.id = v.indicateur_id
           WHERE i.code = '2019-1.1-1' AND v.statut = 'validee' ORDER BY v.id LIMIT 50) t""",
    ),
    (
        "/api/agregats/progression/?par=objectif&annee=2021",
        None,  # filled in from tableaux.agregats (the same SQL, wrapped in json_agg)
    ),
    (
        "/api/agregats/completude/?annee=2021",
        """SELECT json_agg(t) FROM (SELECT indicateur_id, statut, nb FROM engagements_synthesevaleurs
           WHERE annee = 2021 AND nb > 0) t""",
    ),
]


def base_url():
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set: run through `make bench` (scripts/with-db).")
    return url


VALEURS_SQL = """
-- Synthetic values for the benchmark: every active indicator, disaggregated by
-- quartier and sex, plus extra synthetic indicators until the volume is reached.
-- A value per cell of the grid (every quartier x the app's sexes, as
-- engagements.services.grille_cles builds it) and per year of the plan in force.
ALTER TABLE engagements_valeur DISABLE TRIGGER engagements_valeur_historique;
ALTER TABLE engagements_valeur DISABLE TRIGGER engagements_valeur_synthese;
INSERT INTO fiches_indicateur (code, fiche_id, ordre, libelle, type, organisation_id, unite, sens, desagregation, actif)
SELECT 'bench-' || n, f.id, 1000 + n, 'Indicateur synthétique de banc d''essai n° ' || n, 'non_qualifie',
       (SELECT id FROM contrat_organisation ORDER BY id LIMIT 1 OFFSET (n %% 20)), 'nombre', 'hausse', 'quartier_sexe', true
FROM generate_series(1, %(extra)s) AS n
CROSS JOIN LATERAL (SELECT id FROM fiches_fiche WHERE version_id = (SELECT id FROM fiches_versionplan WHERE en_vigueur) ORDER BY id LIMIT 1 OFFSET (n %% %(fiches)s)) f;
-- A yearly target for each synthetic indicator and year of the plan (2019-2022).
INSERT INTO fiches_cibleannuelle (indicateur_id, annee, valeur, commentaire)
SELECT i.id, a.annee, (substring(i.code from 7)::int %% 500) * 24 * (a.annee - 2018) / 4, ''
FROM fiches_indicateur i CROSS JOIN generate_series(2019, 2022) AS a(annee)
WHERE i.code LIKE 'bench-%%';
UPDATE fiches_indicateur SET desagregation = 'quartier_sexe' WHERE actif AND organisation_id IS NOT NULL;
INSERT INTO engagements_valeur (indicateur_id, annee, quartier_id, sexe, valeur, note, note_publique, statut,
                                commentaire_validation, saisie_par_id, saisie_le, version, synthetique)
SELECT i.id, a.annee, q.id, s.sexe, (random() * 500)::int, 'Valeur synthétique (banc d''essai)', random() < 0.3,
       CASE WHEN random() < 0.8 THEN 'validee' ELSE 'soumise' END, '', %(user)s, now(), 1, true
FROM (SELECT id FROM fiches_indicateur WHERE actif AND organisation_id IS NOT NULL ORDER BY id LIMIT %(indicateurs)s) i
CROSS JOIN generate_series(%(annee_debut)s, %(annee_fin)s) AS a(annee)
CROSS JOIN contrat_quartier q
CROSS JOIN unnest(%(sexes)s::varchar[]) AS s(sexe)
LIMIT %(volume)s;
"""
# Deferred foreign-key checks must have run (commit) before the table is altered again.
APRES_SQL = (
    "ALTER TABLE engagements_valeur ENABLE TRIGGER engagements_valeur_historique; "
    "ALTER TABLE engagements_valeur ENABLE TRIGGER engagements_valeur_synthese; "
    "SELECT engagements_synthese_reconstruire(); ANALYZE;"
)


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()  # no query: only the app's definitions are read


def sexes_de_la_grille():
    """The sexes of a grid's cells: the app's one definition (``Valeur.Sexe``)."""
    _django()
    from engagements.models import Valeur

    return [sexe.value for sexe in Valeur.Sexe]


def parametres_valeurs(cur, *, volume, user):
    """The parameters of VALEURS_SQL for ``volume`` values, read from the
    seeded database (the plan in force and its years, the quartiers, the
    indicators) and from the app (the sexes): nothing about the grid is typed here."""
    cur.execute(
        "SELECT annee_debut, annee_fin, (SELECT count(*) FROM fiches_fiche f WHERE f.version_id = v.id) "
        "FROM fiches_versionplan v WHERE en_vigueur"
    )
    annee_debut, annee_fin, fiches = cur.fetchone()
    # The grid's quartiers are every quartier (engagements.services.grille_cles).
    cur.execute("SELECT count(*) FROM contrat_quartier")
    quartiers = cur.fetchone()[0]
    cur.execute(
        "SELECT count(*) FROM fiches_indicateur WHERE actif AND organisation_id IS NOT NULL"
    )
    existants = cur.fetchone()[0]
    sexes = sexes_de_la_grille()
    par_indicateur = (annee_fin - annee_debut + 1) * quartiers * len(sexes)
    indicateurs = -(-volume // par_indicateur)
    return {
        "annee_debut": annee_debut,
        "annee_fin": annee_fin,
        "sexes": sexes,
        "fiches": fiches,
        "extra": max(0, indicateurs - existants),
        "user": user,
        "indicateurs": indicateurs,
        "volume": volume,
    }


def prepare(url, volume):
    t0 = time.perf_counter()
    peupler(url)
    seed_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM auth_user WHERE username = 'demo-equipe'")
        user = cur.fetchone()[0]
        cur.execute(VALEURS_SQL, parametres_valeurs(cur, volume=volume, user=user))
    with conn, conn.cursor() as cur:
        cur.execute(APRES_SQL)
        cur.execute("SELECT count(*) FROM engagements_valeur")
        n = cur.fetchone()[0]
    conn.close()
    return seed_time, time.perf_counter() - t0, n


def load(port, path, clients, duree):
    """N keep-alive clients hammer ``path`` for ``duree`` seconds."""
    latences, erreurs = [], []
    verrou = threading.Lock()
    fin = time.perf_counter() + duree
    depart = threading.Barrier(clients)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        locales = []
        depart.wait()
        while time.perf_counter() < fin:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": "application/json"})
                reponse = conn.getresponse()
                reponse.read()
                if reponse.status != 200:
                    erreurs.append(reponse.status)
            except (OSError, http.client.HTTPException) as exc:
                erreurs.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            locales.append(time.perf_counter() - t0)
        conn.close()
        with verrou:
            latences.extend(locales)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ecoule = time.perf_counter() - t0
    return latences, erreurs, ecoule


def percentile(valeurs, p):
    if not valeurs:
        return float("nan")
    valeurs = sorted(valeurs)
    return valeurs[min(len(valeurs) - 1, int(round(p / 100 * (len(valeurs) - 1))))]


def sql_time(url, sql, repetitions=30):
    conn = psycopg2.connect(url)
    temps = []
    with conn.cursor() as cur:
        for _ in range(repetitions):
            t0 = time.perf_counter()
            cur.execute(sql)
            cur.fetchall()
            temps.append(time.perf_counter() - t0)
    conn.close()
    return statistics.median(temps)


def progression_sql():
    _django()
    from tableaux.agregats import PROGRESSION_SQL, UNITES_ADDITIVES

    sql = PROGRESSION_SQL.format(
        groupe="COALESCE(o1.numero, o2.numero)",
        filtre_annee_campagne="WHERE annee = 2021",
        filtre_annee_valeur="AND s.annee = 2021",
        filtre_groupe="",
    ).replace("%(additives)s", "(" + ", ".join(f"'{u}'" for u in UNITES_ADDITIVES) + ")")
    return f"SELECT json_agg(t) FROM ({sql}) t"


def mesurer(bench_url, volume, endpoints, args, resultats):
    """Fill the empty database ``bench_url`` with ``volume`` values, serve it in
    production mode and measure every endpoint; append the figures to ``resultats``."""
    seed_time, load_time, n = prepare(bench_url, volume)
    print(
        f"\n== {n:,} values (seed {seed_time:.1f} s, synthetic values {load_time:.1f} s)".replace(
            ",", " "
        )
    )
    with (
        tempfile.TemporaryDirectory() as exports,
        instance_servie(
            bench_url,
            wsgi="config.wsgi",
            workers=args.workers,
            production=True,
            sortie=None,
            env={"EXPORTS_DIR": exports},
        ) as serveur,
    ):
        port = serveur.port
        load(port, "/api/fiches/", 4, 1.0)  # warm-up
        print(
            f"{'endpoint':<52} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>6} "
            f"{'1 client':>8} {'SQL ms':>7} {'ratio':>6} {'err':>4}"
        )
        for path, sql in [] if args.sans_endpoints else endpoints:
            seul = load(port, path, 1, min(args.duree, 3.0))[0]
            latences, erreurs, ecoule = load(port, path, args.clients, args.duree)
            brut = sql_time(bench_url, sql)
            p50, p95, p99 = (percentile(latences, p) * 1000 for p in (50, 95, 99))
            p50_seul = percentile(seul, 50) * 1000
            debit = len(latences) / ecoule
            # The app alone (one client) against PostgreSQL alone answering as JSON.
            ratio = p50_seul / (brut * 1000) if brut else float("nan")
            print(
                f"{path:<52} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} {debit:>6.0f} "
                f"{p50_seul:>8.1f} {brut * 1000:>7.1f} {ratio:>6.1f} {len(erreurs):>4}"
            )
            resultats.append(
                {
                    "valeurs": n,
                    "endpoint": path,
                    "p50_ms": p50,
                    "p95_ms": p95,
                    "p99_ms": p99,
                    "req_s": debit,
                    "p50_1_client_ms": p50_seul,
                    "sql_ms": brut * 1000,
                    "ratio": ratio,
                    "erreurs": len(erreurs),
                }
            )
        if not args.sans_exports:
            mesurer_exports(bench_url, port, resultats, n)


# The open-data export's rows (anonymous: validated values), as PostgreSQL
# alone writes them: the same joins, columns and order as /api/valeurs/?format=csv.
COPY_VALEURS_SQL = """COPY (SELECT v.id, i.code, i.libelle, i.type, f.numero, o.numero, g.slug, g.nom, v.annee,
       q.slug, q.nom, v.sexe, v.valeur, i.unite, v.statut,
       CASE WHEN v.note_publique THEN v.note ELSE '' END, v.note_publique, '', v.version,
       v.saisie_le, v.validee_le, v.synthetique
  FROM engagements_valeur v JOIN fiches_indicateur i ON i.id = v.indicateur_id
  LEFT JOIN fiches_fiche f ON f.id = i.fiche_id LEFT JOIN contrat_objectif o ON o.id = f.objectif_id
  LEFT JOIN contrat_organisation g ON g.id = i.organisation_id LEFT JOIN contrat_quartier q ON q.id = v.quartier_id
  WHERE v.statut = 'validee' ORDER BY v.id) TO STDOUT WITH (FORMAT csv)"""

# A page of 1 000 values in JSON, as PostgreSQL alone answers it (count included,
# as the page carries it).
PAGE_VALEURS_SQL = """SELECT (SELECT count(*) FROM engagements_valeur WHERE statut = 'validee'),
  (SELECT json_agg(t) FROM (SELECT v.id, i.code AS indicateur, i.libelle AS indicateur_libelle, i.type AS type_indicateur,
       f.numero AS fiche, o.numero AS objectif, g.slug AS organisation, g.nom AS organisation_nom, v.annee,
       q.slug AS quartier, q.nom AS quartier_nom, v.sexe, v.valeur, i.unite, v.statut,
       CASE WHEN v.note_publique THEN v.note ELSE '' END AS note, v.note_publique, '' AS commentaire_validation,
       v.version, v.saisie_le, v.validee_le, v.synthetique
     FROM engagements_valeur v JOIN fiches_indicateur i ON i.id = v.indicateur_id
     LEFT JOIN fiches_fiche f ON f.id = i.fiche_id LEFT JOIN contrat_objectif o ON o.id = f.objectif_id
     LEFT JOIN contrat_organisation g ON g.id = i.organisation_id LEFT JOIN contrat_quartier q ON q.id = v.quartier_id
     WHERE v.statut = 'validee' ORDER BY v.id LIMIT 1000 OFFSET %(offset)s) t)"""


class _Compteur:
    """A file that counts what COPY writes to it and keeps nothing."""

    def __init__(self):
        self.octets = 0

    def write(self, donnees):
        self.octets += len(donnees)


def temps_copy(url):
    conn = psycopg2.connect(url)
    puits = _Compteur()
    with conn.cursor() as cur:
        t0 = time.perf_counter()
        cur.copy_expert(COPY_VALEURS_SQL, puits)
        ecoule = time.perf_counter() - t0
    conn.close()
    return ecoule, puits.octets


def telecharger(port, path):
    """One GET read to the end; (seconds, bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = time.perf_counter()
    conn.request("GET", path)
    reponse = conn.getresponse()
    octets = 0
    while morceau := reponse.read(1 << 20):
        octets += len(morceau)
    ecoule = time.perf_counter() - t0
    conn.close()
    if reponse.status != 200:
        raise RuntimeError(f"{path}: HTTP {reponse.status}")
    return ecoule, octets


def mesurer_exports(bench_url, port, resultats, n):
    """The open-data CSV export against COPY of the same rows, and 1 000-row
    JSON pages against PostgreSQL's json_agg of the same rows."""
    copie, octets_copy = temps_copy(bench_url)
    premier, octets = telecharger(port, "/api/valeurs/?format=csv")
    second, _ = telecharger(port, "/api/valeurs/?format=csv")
    print(
        f"\nopen-data CSV of the validated values: COPY {copie:.2f} s ({octets_copy / 1e6:.0f} MB); "
        f"HTTP export {premier:.2f} s ({octets / 1e6:.0f} MB, written by COPY, kept for its generation), "
        f"ratio {premier / copie:.1f}x (target 5x); "
        f"again from the kept file {second:.2f} s, ratio {second / copie:.1f}x"
    )
    app, sql = [], []
    conn = psycopg2.connect(bench_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM engagements_valeur WHERE statut = 'validee'")
        derniere = max(1, cur.fetchone()[0] // 1000)
        pages = sorted({1, 2, max(1, derniere // 2), derniere})
        for page in pages:  # every worker has served this list once
            telecharger(port, f"/api/valeurs/?page_size=1000&page={page}")
        for _ in range(3):
            for page in pages:
                # A new data generation: the page is computed, not read from the cache.
                cur.execute("UPDATE contrat_generation SET valeur = valeur + 1 WHERE id = 1")
                app.append(telecharger(port, f"/api/valeurs/?page_size=1000&page={page}")[0])
                t0 = time.perf_counter()
                cur.execute(PAGE_VALEURS_SQL, {"offset": (page - 1) * 1000})
                cur.fetchall()
                sql.append(time.perf_counter() - t0)
    conn.close()
    p_app, p_sql = statistics.median(app) * 1000, statistics.median(sql) * 1000
    ratios = sorted(a / s for a, s in zip(app, sql, strict=True))
    print(
        f"JSON page of 1 000 values (pages {pages} x 3, uncached): app median {p_app:.1f} ms, "
        f"SQL json_agg median {p_sql:.1f} ms, ratio {p_app / p_sql:.1f}x (target 5x); "
        f"per-request ratios {ratios[0]:.1f}-{ratios[-1]:.1f}x, median {statistics.median(ratios):.1f}x"
    )
    resultats.append(
        {
            "valeurs": n,
            "export_csv_copy_s": copie,
            "export_csv_http_s": premier,
            "export_csv_http_fichier_s": second,
            "export_csv_octets": octets,
            "export_csv_ratio": premier / copie,
            "page_json_1000_ms": p_app,
            "page_json_1000_sql_ms": p_sql,
            "page_json_1000_ratio": p_app / p_sql,
        }
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--volumes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duree", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--sans-exports", action="store_true", help="skip the CSV export and JSON page figures"
    )
    parser.add_argument(
        "--sans-endpoints", action="store_true", help="skip the per-endpoint load figures"
    )
    args = parser.parse_args()

    url = base_url()
    nom = urlparse(url).path.lstrip("/") + "_bench"
    endpoints = [(path, sql or progression_sql()) for path, sql in ENDPOINTS]
    resultats = []
    print(
        f"Machine: {os.cpu_count()} cores, {platform_memory()} — gunicorn {args.workers} workers x 4 threads, "
        f"{args.clients} concurrent clients, {args.duree:.0f} s per endpoint"
    )
    for volume in args.volumes:
        with base_jetable(url, nom, peuplee=False) as bench_url:
            mesurer(bench_url, volume, endpoints, args, resultats)
    if args.json:
        Path(args.json).write_text(json.dumps(resultats, indent=1))


def platform_memory():
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        return f"{kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        return "unknown RAM"


if __name__ == "__main__":
    main()
