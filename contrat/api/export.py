"""Bulk reads at the database's speed: a list's rows as plain tuples.

A viewset that declares ``colonnes`` (see :class:`Colonne`) answers

- its JSON pages from ``values_list()`` tuples, with no model instance and no
  per-field serializer (:func:`lignes_json`): the same JSON, byte for byte,
  as its serializer gives (a test compares the two);
- its CSV export (``?format=csv``) with PostgreSQL writing the rows:
  ``COPY (<the filtered queryset's SQL>) TO STDOUT WITH CSV`` through
  psycopg2's ``copy_expert``, streamed in bounded chunks (:func:`flux_copy`).
  Formula neutralisation, empty cells, booleans and dates are done in SQL
  with the same rules as ``contrat.api.rendu`` (the same bytes as the
  serializer-based export: a test compares them too).

The SQL is the queryset's own (``.query.sql_with_params()``): the filterset,
the ordering and the caller's visibility stay one definition.

The anonymous CSV export is also written once per data generation and
filter set to a file under ``settings.EXPORTS_DIR`` (:func:`reponse_csv`),
then served from that file until the next write to the database.
"""

import contextlib
import hashlib
import os
import queue
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from rest_framework.fields import DateTimeField

from contrat.api.rendu import DEBUT_DE_FORMULE, DIALECTE, NOMBRE_SIMPLE
from contrat.historique import generation

TEXTE, NOMBRE, BOOLEEN, DATEHEURE = "texte", "nombre", "booleen", "dateheure"

# Bytes handed to the client at a time, and how many such chunks may wait
# between PostgreSQL and the client: the memory an export holds is bounded
# by their product, whatever its size.
TAILLE_MORCEAU = 256 * 1024
MORCEAUX_EN_ATTENTE = 8


@dataclass(frozen=True)
class Colonne:
    """One column of a bulk list: its name in the JSON and the CSV header,
    what ``values_list()`` reads (a field path or an annotation), and its kind
    (how it is written: text is neutralised, a date is ISO 8601...)."""

    nom: str
    source: str
    genre: str = TEXTE


# ---------------------------------------------------------------- JSON pages
_DATEHEURE = DateTimeField()


def lignes_json(tuples, colonnes):
    """``values_list()`` tuples as the dicts DRF's serializer would give."""
    noms = [c.nom for c in colonnes]
    dates = [i for i, c in enumerate(colonnes) if c.genre == DATEHEURE]
    resultat = []
    for ligne in tuples:
        if dates:
            ligne = list(ligne)
            for i in dates:
                if ligne[i] is not None:
                    ligne[i] = _DATEHEURE.to_representation(ligne[i])
        resultat.append(dict(zip(noms, ligne, strict=True)))
    return resultat


# ----------------------------------------------------------------- CSV by SQL
def _cellule_sql(colonne, reference):
    """The SQL that writes ``reference`` (a column of the inner query) as the
    serializer-based CSV writes this column's value."""
    if colonne.genre == TEXTE:
        # NULL goes out as an empty unquoted cell, as Python's csv writes "" and
        # None; COPY would write a non-null "" as "" (quoted).
        return (
            f"CASE WHEN {reference} ~ %(formule)s AND {reference} !~ %(nombre)s "
            f"THEN '''' || {reference} ELSE NULLIF({reference}, '') END"
        )
    if colonne.genre == BOOLEEN:
        # Python's csv writes True / False.
        return f"CASE WHEN {reference} THEN 'True' WHEN NOT {reference} THEN 'False' END"
    if colonne.genre == DATEHEURE:
        # datetime.isoformat() in the current time zone, "Z" for UTC (as DRF):
        # 2021-03-04T10:20:30[.123456]+01:00.
        local = f"({reference} AT TIME ZONE %(fuseau)s)"
        decalage = f"({local} - ({reference} AT TIME ZONE 'UTC'))"
        return (
            f"to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
            f"|| CASE WHEN date_trunc('second', {local}) = {local} THEN '' "
            f"ELSE to_char({local}, '.US') END "
            f"|| CASE WHEN {decalage} = interval '0' THEN 'Z' "
            f"WHEN {decalage} > interval '0' THEN '+' || to_char({decalage}, 'HH24:MI') "
            f"ELSE '-' || to_char(-{decalage}, 'HH24:MI') END"
        )
    return reference


def sql_copy_csv(queryset, colonnes):
    """``COPY (...) TO STDOUT WITH CSV`` of ``queryset`` (already filtered,
    ordered and sliced), one CSV column per :class:`Colonne`, with the
    parameters inlined (COPY takes none) by psycopg2's own quoting; None when
    the queryset can match nothing."""
    try:
        interne, params = queryset.values_list(
            *(c.source for c in colonnes)
        ).query.sql_with_params()
    except EmptyResultSet:
        # A filter that matches nothing by construction (queryset.none(), a
        # text holding NUL): no SQL to run, the export is its header alone.
        return None
    alias = [f"c{i}" for i in range(len(colonnes))]
    cellules = ", ".join(_cellule_sql(c, f"t.{a}") for c, a in zip(colonnes, alias, strict=True))
    # The outer SELECT only projects the ordered inner query: its order is kept.
    externe = f"SELECT {cellules} FROM (__INTERNE__) AS t({', '.join(alias)})"
    connection.ensure_connection()
    with connection.connection.cursor() as curseur:
        interne = curseur.mogrify(interne, params).decode()
        externe = curseur.mogrify(
            externe,
            {
                "formule": DEBUT_DE_FORMULE,
                "nombre": NOMBRE_SIMPLE,
                "fuseau": timezone.get_current_timezone_name(),
            },
        ).decode()
    # Bound separately: the inner query's values may hold "%" once inlined.
    # PostgreSQL's CSV is the API's dialect (contrat.api.rendu.DIALECTE):
    # "," and '"' doubled inside a cell; its "\n" line ends become "\r\n" (_Ecrivain).
    return (
        f"COPY ({externe.replace('__INTERNE__', interne, 1)}) TO STDOUT "
        "WITH (FORMAT csv, DELIMITER ',', QUOTE '\"')"
    )


def entete_csv(colonnes):
    # Column names are plain identifiers: nothing to quote.
    return (
        DIALECTE["delimiter"].join(c.nom for c in colonnes) + DIALECTE["lineTerminator"]
    ).encode()


class _Ecrivain:
    """The file psycopg2's ``copy_expert`` writes to: one call per row (libpq
    hands COPY data over one row at a time), grouped into chunks put on a
    bounded queue. Rows end with "\\n"; the API's CSV ends them with "\\r\\n"."""

    def __init__(self, file, arret):
        self.file, self.arret = file, arret
        self.lignes, self.taille = [], 0

    def write(self, ligne):
        if self.arret.is_set():
            return  # the client left: drop the rows until the cancel lands
        self.lignes.append(ligne)
        self.taille += len(ligne)
        if self.taille >= TAILLE_MORCEAU:
            self.vider()

    def vider(self):
        if not self.lignes:
            return
        morceau = b"".join(self.lignes)
        if morceau.count(b"\n") == len(self.lignes):
            # No line break inside a cell: every "\n" ends a row.
            morceau = morceau.replace(b"\n", b"\r\n")
        else:
            morceau = b"".join(ligne[:-1] + b"\r\n" for ligne in self.lignes)
        self.lignes, self.taille = [], 0
        while not self.arret.is_set():
            try:
                self.file.put(morceau, timeout=0.5)
                return
            except queue.Full:
                continue


_FIN = object()


def flux_copy(sql):
    """Run ``sql`` (a ``COPY ... TO STDOUT``) on this thread's database
    connection and yield its output in chunks of about TAILLE_MORCEAU bytes.

    psycopg2's COPY only writes to a file, and returns when the last row is
    written: it runs in a second thread that hands chunks over through a
    bounded queue, so at most MORCEAUX_EN_ATTENTE chunks are in memory and
    the first bytes leave before PostgreSQL has finished. The request thread
    does not touch the connection meanwhile (it only waits on the queue). If
    the client goes away, the query is cancelled and the thread joined before
    the connection is used again.
    """
    connection.ensure_connection()
    brut = connection.connection
    # Inside a transaction (a test, an atomic block) a cancelled COPY would
    # abort it: a savepoint keeps the failure to the COPY.
    en_transaction = connection.in_atomic_block or not connection.get_autocommit()
    file = queue.Queue(maxsize=MORCEAUX_EN_ATTENTE)
    arret = threading.Event()
    ecrivain = _Ecrivain(file, arret)

    def copier():
        try:
            with brut.cursor() as curseur:
                if en_transaction:
                    curseur.execute("SAVEPOINT export_copy")
                try:
                    curseur.copy_expert(sql, ecrivain)
                except Exception:
                    if en_transaction:
                        curseur.execute("ROLLBACK TO SAVEPOINT export_copy")
                    raise
                if en_transaction:
                    curseur.execute("RELEASE SAVEPOINT export_copy")
            ecrivain.vider()
            resultat = _FIN
        except Exception as exc:  # handed to the request thread, which raises it
            resultat = exc
        while not arret.is_set():
            try:
                file.put(resultat, timeout=0.5)
                return
            except queue.Full:
                continue

    fil = threading.Thread(target=copier, name="export-copy", daemon=True)
    fil.start()
    try:
        while True:
            morceau = file.get()
            if morceau is _FIN:
                return
            if isinstance(morceau, Exception):
                raise morceau
            yield morceau
    finally:
        if fil.is_alive():
            arret.set()
            with contextlib.suppress(Exception):
                brut.cancel()
        fil.join()


# ------------------------------------------------- the anonymous export's file
def _dossier():
    dossier = Path(settings.EXPORTS_DIR)
    dossier.mkdir(parents=True, exist_ok=True)
    return dossier


def cle_filtres(request):
    """A digest of the query parameters (but the format): same filters, same file."""
    parametres = sorted(
        (nom, valeur)
        for nom in request.query_params
        if nom != "format"
        for valeur in request.query_params.getlist(nom)
    )
    return hashlib.sha256(repr(parametres).encode()).hexdigest()[:24]


def _nettoyer(dossier, prefixe, courante):
    """Remove the files of older generations, and temporary files left by a
    writer that died more than an hour ago. A file being read by another
    request stays readable until that request closes it (POSIX)."""
    for chemin in dossier.glob(f"{prefixe}-g*-*.csv"):
        if not chemin.name.startswith(f"{prefixe}-g{courante}-"):
            with contextlib.suppress(FileNotFoundError):
                chemin.unlink()
    limite = time.time() - 3600
    for chemin in dossier.glob(f".{prefixe}-*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if chemin.stat().st_mtime < limite:
                chemin.unlink()


def _flux_ecrit(morceaux, dossier, prefixe, final):
    """Yield ``morceaux`` and write them to a temporary file, renamed to
    ``final`` once complete: a reader never sees a partial file, and two
    concurrent first requests each write their own (the last rename wins,
    both files being whole)."""
    descripteur, temporaire = tempfile.mkstemp(dir=dossier, prefix=f".{prefixe}-", suffix=".tmp")
    complet = False
    try:
        with os.fdopen(descripteur, "wb") as fichier, contextlib.closing(morceaux):
            for morceau in morceaux:
                fichier.write(morceau)
                yield morceau
        complet = True
    finally:
        if complet:
            os.replace(temporaire, final)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporaire)


def reponse_csv(vue, queryset, colonnes, nom):
    """The CSV export of ``queryset``: streamed from PostgreSQL, and for an
    anonymous caller written once per data generation and filters to a file
    under EXPORTS_DIR, served from there afterwards."""
    # The API's dialect (contrat.api.rendu.DIALECTE): no BOM.
    entete = entete_csv(colonnes)
    en_tete_http = {"Content-Disposition": f'attachment; filename="{nom}.csv"'}
    type_contenu = "text/csv; charset=utf-8"

    def morceaux(sql):
        yield entete
        if sql is not None:
            yield from flux_copy(sql)

    if vue.request.user.is_authenticated:
        # A partner's or staff's export depends on who asks, and is not kept.
        sql = sql_copy_csv(queryset, colonnes)
        return StreamingHttpResponse(morceaux(sql), content_type=type_contenu, headers=en_tete_http)

    # Read before the rows: a write committed in between makes a newer file
    # under this (older) generation's name, never an older one under a newer.
    courante = generation()
    dossier = _dossier()
    prefixe = f"{nom}-public"
    # The header's digest in the name: a file written before a change of
    # columns or dialect (a deployment) is never served after it.
    forme = hashlib.sha256(entete).hexdigest()[:8]
    final = dossier / f"{prefixe}-g{courante}-{cle_filtres(vue.request)}-{forme}.csv"
    with contextlib.suppress(FileNotFoundError):
        # Opened before answering: a cleanup removing it now cannot break the answer.
        fichier = final.open("rb")
        return FileResponse(
            fichier, as_attachment=True, filename=f"{nom}.csv", content_type=type_contenu
        )
    _nettoyer(dossier, prefixe, courante)
    sql = sql_copy_csv(queryset, colonnes)
    deja = len(list(dossier.glob(f"{prefixe}-g{courante}-*.csv")))
    if deja >= settings.EXPORTS_FICHIERS_MAX:
        # Every filter combination makes its own file: past the ceiling, the
        # export is streamed without being kept (the disk stays bounded).
        return StreamingHttpResponse(morceaux(sql), content_type=type_contenu, headers=en_tete_http)
    return StreamingHttpResponse(
        _flux_ecrit(morceaux(sql), dossier, prefixe, final),
        content_type=type_contenu,
        headers=en_tete_http,
    )
