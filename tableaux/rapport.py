"""The annual report on the contract's implementation (décret 2015-1118,
Article 5.3 of the avenant), generated from the data for a chosen year: a
printable HTML page, and the same page as PDF (printed by headless Chromium,
the browser the project installs for its tests)."""

import fcntl
import logging
import math
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from contrat.annees import est_annee_du_contrat
from contrat.erreurs import Indisponible
from contrat.historique import generation
from contrat.models import Contrat, Objectif
from engagements.models import Campagne, Valeur
from engagements.suivi import completude_par_partenaire
from fiches.models import Anomalie, CibleAnnuelle, Fiche, Indicateur
from gouvernance.models import Evenement, Preconisation
from tableaux.models import RapportPdf


def donnees_du_rapport(annee):
    """Everything the report shows for ``annee``, from validated values only."""
    valeurs = Valeur.objects.filter(annee=annee, statut=Valeur.Statut.VALIDEE)
    indicateurs = Indicateur.objects.select_related("organisation").prefetch_related(
        Prefetch("valeurs", queryset=valeurs.select_related("quartier"), to_attr="valeurs_annee"),
        # The target of the report's year only (never another year's).
        Prefetch(
            "cibles_annuelles",
            queryset=CibleAnnuelle.objects.filter(annee=annee),
            to_attr="cibles_annee",
        ),
    )
    fiches = (
        Fiche.objects.en_vigueur()
        .select_related("objectif")
        .prefetch_related(
            "pilotes", Prefetch("indicateurs", queryset=indicateurs.order_by("ordre"))
        )
        .order_by("enjeu_numero", "rang")
    )
    par_objectif = {o.numero: {"objectif": o, "fiches": []} for o in Objectif.objects.all()}
    transversales = []
    for fiche in fiches:
        for indicateur in fiche.indicateurs.all():
            indicateur.valeur_annee = _valeur_totale(indicateur)
            indicateur.cible_annee = indicateur.cibles_annee[0] if indicateur.cibles_annee else None
        (
            par_objectif[fiche.objectif.numero]["fiches"] if fiche.objectif_id else transversales
        ).append(fiche)
    campagne = Campagne.objects.filter(annee=annee).first()
    engagements_cibles = (
        Indicateur.objects.filter(type=Indicateur.Type.ENGAGEMENT)
        .select_related("organisation", "cible_engagement__engagement")
        .prefetch_related(Prefetch("valeurs", queryset=valeurs, to_attr="valeurs_annee"))
        .order_by("cible_engagement__engagement__ordre", "ordre")
    )
    for indicateur in engagements_cibles:
        indicateur.valeur_annee = _valeur_totale(indicateur)
    return {
        "annee": annee,
        "contrat": Contrat.objects.first(),
        "genere_le": timezone.localtime(),
        "objectifs": list(par_objectif.values()),
        "transversales": transversales,
        "nb_fiches": len(fiches),
        "nb_valeurs": valeurs.count(),
        "engagements_cibles": engagements_cibles,
        "campagne": campagne,
        "completude": completude_par_partenaire(campagne) if campagne else [],
        "evenements": Evenement.objects.filter(annee=annee)
        .select_related("instance")
        .prefetch_related("themes")
        .order_by("date_debut", "slug"),
        "preconisations": Preconisation.objects.prefetch_related("reponses__fiche"),
        "anomalies_ouvertes": Anomalie.objects.filter(statut=Anomalie.Statut.OUVERTE).count(),
    }


def _valeur_totale(indicateur):
    """The year's validated value: the "all" cell, else the sum (counts) or mean."""
    valeurs = getattr(indicateur, "valeurs_annee", [])
    if not valeurs:
        return None
    for valeur in valeurs:
        if valeur.quartier_id is None and valeur.sexe == "":
            return valeur.valeur
    total = sum(v.valeur for v in valeurs)
    if indicateur.additive:
        return total
    return total / len(valeurs)


def _annee(annee):
    if not est_annee_du_contrat(annee):
        raise Http404("Année hors du contrat.")
    return annee


def choix(request):
    annees = sorted(
        set(Campagne.objects.values_list("annee", flat=True))
        | set(Evenement.objects.filter(annee__isnull=False).values_list("annee", flat=True))
    )
    return render(
        request,
        "tableaux/rapport/choix.html",
        {"annees": [a for a in annees if est_annee_du_contrat(a)]},
    )


def rapport_html(request, annee):
    return render(request, "tableaux/rapport/rapport.html", donnees_du_rapport(_annee(annee)))


# ------------------------------------------------------------------ the PDF
# Printing takes Chromium ~15 s and a few hundred MB, so the PDF is printed at
# most once per (year, data generation) across every worker and server, and
# stored in PostgreSQL (RapportPdf) for all of them:
#
# - a session-level advisory lock per year, (VERROU_RAPPORT, annee), elects the
#   one process that prints; the others poll the table and the lock for up to
#   RAPPORT_PDF_ATTENTE seconds, then serve the stored PDF or answer 503 with
#   Retry-After. A dead process's connection closes and PostgreSQL releases its
#   lock: nothing is left held.
# - a file lock (flock) on the server keeps one Chromium at a time per server,
#   whatever the year.
# - a PDF older than the data is never served: a request reads the current
#   generation and takes only a PDF of that generation.

journal = logging.getLogger("tableaux.rapport")

# The first key of the advisory locks of this module ("RAPP"): the second key
# is the year. Another use of advisory locks in the database takes another
# first key.
VERROU_RAPPORT = 0x52415050
# How often a waiting request looks again at the table and the lock.
INTERVALLE_ATTENTE = 0.25


def chromium():
    for nom in ("chromium", "chromium-browser", "google-chrome"):
        chemin = shutil.which(nom)
        if chemin:
            return chemin
    return None


class PdfIndisponible(Indisponible):
    """503: the PDF cannot be printed on this server (no Chromium, or it failed)."""

    code = "pdf_indisponible"


class RapportEnPreparation(Indisponible):
    """503 with Retry-After: the PDF is being printed (by this server or
    another one), or Chromium is busy, for longer than a caller waits."""

    code = "rapport_en_preparation"

    def __init__(self, message, *, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


def imprimer_pdf(html):
    """PDF bytes of a self-contained HTML page, printed by headless Chromium."""
    navigateur = chromium()
    if navigateur is None:
        raise PdfIndisponible(
            "Chromium n'est pas installé : le PDF ne peut pas être produit (apt-get install chromium)."
        )
    with tempfile.TemporaryDirectory() as dossier:
        source = Path(dossier) / "rapport.html"
        sortie = Path(dossier) / "rapport.pdf"
        source.write_text(html, encoding="utf-8")
        commande = [
            navigateur,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={dossier}/profil",
            "--no-pdf-header-footer",
            f"--print-to-pdf={sortie}",
            source.as_uri(),
        ]
        resultat = subprocess.run(commande, capture_output=True, timeout=120)
        if resultat.returncode != 0 or not sortie.exists():
            raise PdfIndisponible(
                "Chromium n'a pas produit le PDF : "
                + resultat.stderr.decode(errors="replace")[-300:]
            )
        return sortie.read_bytes()


def dossier_verrou():
    """The private folder of the server-wide Chromium lock (created 0700;
    refused if another user owns it, as anyone may create a folder in /tmp)."""
    dossier = Path(settings.RAPPORT_PDF_DOSSIER_VERROU)
    dossier.mkdir(mode=0o700, parents=True, exist_ok=True)
    etat = dossier.stat()
    if etat.st_uid != os.getuid():
        raise PdfIndisponible(
            f"Le dossier du verrou d'impression {dossier} appartient à un autre utilisateur."
        )
    if etat.st_mode & 0o077:
        dossier.chmod(0o700)
    return dossier


@contextmanager
def un_chromium_a_la_fois(delai):
    """Hold the server's Chromium lock (an exclusive flock on a file of
    :func:`dossier_verrou`), waiting at most ``delai`` seconds for it.

    flock excludes every other open of the file, so the threads of one worker
    exclude each other as well as the other workers and servers' processes
    sharing the host. Closing the file (or the process dying) releases it."""
    fd = os.open(dossier_verrou() / "chromium.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fin = time.monotonic() + delai
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= fin:
                    raise RapportEnPreparation(
                        "Un autre rapport est en cours d'impression sur ce serveur : "
                        "réessayez dans quelques instants.",
                        retry_after=retry_after(),
                    ) from None
                time.sleep(INTERVALLE_ATTENTE)
        yield
    finally:
        os.close(fd)


def _verrou_annee(annee):
    """Take the year's advisory lock if it is free (never waits)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [VERROU_RAPPORT, annee])
        return cursor.fetchone()[0]


def _liberer_annee(annee):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [VERROU_RAPPORT, annee])


def _pdf_stocke(annee):
    """The stored PDF of ``annee`` for the current data generation, or None.
    Two queries: the generation, then the row (unique index on annee, generation)."""
    contenu = (
        RapportPdf.objects.filter(annee=annee, generation=generation())
        .values_list("contenu", flat=True)
        .first()
    )
    return None if contenu is None else bytes(contenu)


def retry_after():
    """Seconds a refused caller should wait: the last print's duration, rounded
    up, between 5 s and 2 min (30 s before any print)."""
    duree = RapportPdf.objects.order_by("-cree_le").values_list("duree_rendu", flat=True).first()
    return 30 if duree is None else min(120, max(5, math.ceil(duree)))


def _imprimer_et_stocker(annee, attente):
    """Print the year's PDF and store it; the caller holds the year's lock."""
    # The generation is read before the data: the PDF then holds data at least
    # as new as its label, and a write meanwhile only makes the next request
    # print again.
    gen = generation()
    css = Path(finders.find("css/app.css")).read_text(encoding="utf-8")
    html = render_to_string(
        "tableaux/rapport/rapport.html",
        {**donnees_du_rapport(annee), "css_en_ligne": css, "pour_pdf": True},
    )
    with un_chromium_a_la_fois(attente):
        debut = time.monotonic()
        contenu = imprimer_pdf(html)
        duree = time.monotonic() - debut
    try:
        with transaction.atomic():
            RapportPdf.objects.filter(annee=annee).exclude(generation=gen).delete()
            RapportPdf.objects.create(
                annee=annee, generation=gen, contenu=contenu, taille=len(contenu), duree_rendu=duree
            )
    except IntegrityError:
        # Only if the advisory lock did not hold (a pooler in transaction mode
        # hands session locks to other clients): the other print is kept.
        journal.warning("rapport annuel %s : PDF déjà stocké pour la génération %s", annee, gen)
    journal.info(
        "rapport annuel %s : PDF imprimé en %.1f s (génération %s, %s octets)",
        annee,
        duree,
        gen,
        len(contenu),
    )
    return contenu


def pdf_du_rapport(annee):
    """The PDF of the annual report of ``annee`` for the current data, printed
    here if no process has printed it yet, else the stored one. Raises
    :class:`RapportEnPreparation` when another process is still printing it
    after RAPPORT_PDF_ATTENTE seconds, :class:`PdfIndisponible` without Chromium.

    Runs in autocommit (no ATOMIC_REQUESTS): the stored row is committed
    before the year's lock is released, so the next holder finds it."""
    attente = settings.RAPPORT_PDF_ATTENTE
    fin = time.monotonic() + attente
    while True:
        contenu = _pdf_stocke(annee)
        if contenu is not None:
            return contenu
        if _verrou_annee(annee):
            try:
                # Another process may have stored it between the read above
                # and the lock: read again under the lock.
                contenu = _pdf_stocke(annee)
                if contenu is not None:
                    return contenu
                return _imprimer_et_stocker(annee, attente)
            finally:
                _liberer_annee(annee)
        if time.monotonic() >= fin:
            raise RapportEnPreparation(
                f"Le rapport annuel {annee} est en cours d'impression : réessayez dans "
                "quelques instants.",
                retry_after=retry_after(),
            )
        time.sleep(INTERVALLE_ATTENTE)


def rapport_pdf(request, annee):
    annee = _annee(annee)
    try:
        contenu = pdf_du_rapport(annee)
    except Indisponible as exc:
        reponse = HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
        if isinstance(exc, RapportEnPreparation):
            reponse["Retry-After"] = str(exc.retry_after)
        return reponse
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = (
        f'attachment; filename="rapport-annuel-contrat-de-ville-{annee}.pdf"'
    )
    return reponse
