"""The annual report on the contract's implementation (décret 2015-1118,
Article 5.3 of the avenant), generated from the data for a chosen year: a
printable HTML page, and the same page as PDF (printed by headless Chromium,
the browser the project installs for its tests)."""

import fcntl
import io
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
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from contrat.annees import est_annee_du_contrat
from contrat.erreurs import Indisponible
from contrat.historique import generation
from contrat.models import Avenant, Contrat, Objectif, Quartier, Signataire
from engagements.models import Campagne, Engagement, SuiviAction, Valeur
from engagements.suivi import completude_par_partenaire
from fiches.models import Anomalie, CibleAnnuelle, Fiche, Indicateur
from gouvernance.models import Evenement, Preconisation
from tableaux.feux import calculer as calculer_feux
from tableaux.feux import feu_de
from tableaux.feux import regle as regle_des_feux
from tableaux.models import CommentaireObjectif, RapportPdf

# The report's sections in their order: (anchor, title). The anchors are the
# ids the table of contents links to, and the PDF's named destinations that
# tell on which page each heading landed (see ``pages_des_titres``).
SECTIONS = [
    ("synthese", "Synthèse"),
    ("actions", "Les actions menées, par objectif"),
    ("quartiers", "L'évolution de la situation des quartiers"),
    ("engagements", "Les engagements des partenaires"),
    ("saisie", "La saisie des indicateurs"),
    ("gouvernance", "La gouvernance"),
    ("preconisations", "Le suivi des préconisations"),
    ("perspectives", "Les perspectives"),
    ("avis", "L'avis des conseils citoyens"),
    ("annexe", "Annexe : indicateurs sans valeur validée"),
]


def donnees_du_rapport(annee, *, personnel=False):
    """Everything the report shows for ``annee``, from validated values and
    validated follow-ups only. ``personnel``: the staff's page, which also
    shows what is still to write and the text's open anomalies (never the
    public page or the PDF)."""
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
    suivis = SuiviAction.objects.filter(annee=annee, statut=SuiviAction.Statut.VALIDE)
    fiches = (
        Fiche.objects.en_vigueur()
        .select_related("objectif")
        .prefetch_related(
            "pilotes",
            Prefetch("indicateurs", queryset=indicateurs.order_by("ordre")),
            Prefetch(
                "suivis",
                queryset=suivis.select_related("organisation").order_by("organisation__nom"),
                to_attr="suivis_annee",
            ),
        )
        .order_by("enjeu_numero", "rang")
    )
    commentaires = {c.objectif_id: c for c in CommentaireObjectif.objects.filter(annee=annee)}
    # The dashboards' status lights, the same rule (8 queries for the year).
    feux = calculer_feux(annee)
    blocs = {
        o.numero: Bloc(
            objectif=o, commentaire=commentaires.get(o.pk), feu=feu_de(feux.objectifs, o.pk)
        )
        for o in Objectif.objects.all()
    }
    transversales = Bloc(objectif=None)
    sans_valeur = []  # (fiche, [indicators without a validated value])
    for fiche in fiches:
        bloc = blocs[fiche.objectif.numero] if fiche.objectif_id else transversales
        fiche.avec_valeur, vides = [], []
        for indicateur in fiche.indicateurs.all():
            indicateur.valeur_annee = _valeur_totale(indicateur)
            indicateur.cible_annee = indicateur.cibles_annee[0] if indicateur.cibles_annee else None
            (fiche.avec_valeur if indicateur.valeur_annee is not None else vides).append(indicateur)
        fiche.nb_sans_valeur = len(vides)
        fiche.feu = feu_de(feux.fiches, fiche.pk)
        if vides:
            sans_valeur.append((fiche, vides))
        bloc.ajouter(fiche)
    campagne = Campagne.objects.filter(annee=annee).first()
    engagements_cibles = list(
        Indicateur.objects.filter(type=Indicateur.Type.ENGAGEMENT)
        .select_related("organisation", "cible_engagement__engagement")
        .prefetch_related(Prefetch("valeurs", queryset=valeurs, to_attr="valeurs_annee"))
        .order_by("cible_engagement__engagement__ordre", "ordre")
    )
    for indicateur in engagements_cibles:
        indicateur.valeur_annee = _valeur_totale(indicateur)
    engagements_vides = [i for i in engagements_cibles if i.valeur_annee is None]
    completude = completude_par_partenaire(campagne) if campagne else []
    blocs = list(blocs.values())
    objectifs_et_axes = [*blocs, transversales]
    nb_indicateurs = sum(b.nb_indicateurs for b in objectifs_et_axes) + len(engagements_cibles)
    nb_renseignes = sum(b.nb_renseignes for b in objectifs_et_axes) + (
        len(engagements_cibles) - len(engagements_vides)
    )
    dues = sum(c.dues for c in completude)
    validees = sum(c.validees for c in completude)
    suivis_engagements = list(
        suivis.filter(engagement__isnull=False)
        .select_related("engagement", "organisation")
        .order_by("engagement__ordre")
    )
    chiffres = {
        "nb_fiches": len(fiches),
        "nb_engagements": Engagement.objects.count(),
        "nb_indicateurs": nb_indicateurs,
        "nb_renseignes": nb_renseignes,
        "nb_valeurs": valeurs.count(),
        "nb_suivis": sum(len(f.suivis_annee) for f in fiches) + len(suivis_engagements),
        "grilles_dues": dues,
        "grilles_validees": validees,
        "completude_pct": round(100 * validees / dues) if dues else None,
    }
    return {
        "annee": annee,
        "personnel": personnel,
        "sections": SECTIONS,
        "contrat": Contrat.objects.first(),
        "avenant": Avenant.objects.filter(versions__en_vigueur=True).first(),
        "signataires": Signataire.objects.filter(avenant__versions__en_vigueur=True)
        .select_related("organisation")
        .order_by("ordre"),
        "genere_le": timezone.localtime(),
        "chiffres": chiffres,
        "regle_des_feux": regle_des_feux(),
        "objectifs": blocs,
        "transversales": transversales,
        "graphique_objectifs": graphique_empile(
            "Indicateurs avec une valeur validée, par objectif",
            [
                (b.libelle_court, [b.nb_renseignes, b.nb_indicateurs - b.nb_renseignes])
                for b in objectifs_et_axes
            ],
            ["avec une valeur validée", "sans valeur validée"],
        ),
        "quartiers": (quartiers := evolution_des_quartiers(annee)),
        "graphique_quartiers": graphique_empile(
            f"Indicateurs comparables {annee - 1}-{annee}, par quartier",
            [(q["quartier"].nom, [q["hausse"], q["stable"], q["baisse"]]) for q in quartiers],
            ["en hausse", "stables", "en baisse"],
        ),
        "engagements_cibles": [i for i in engagements_cibles if i.valeur_annee is not None],
        "suivis_engagements": suivis_engagements,
        "campagne": campagne,
        "completude": completude,
        "graphique_completude": graphique_empile(
            f"Grilles de saisie {annee} par organisation",
            [
                (
                    c.organisation.nom,
                    [c.validees, c.soumises, max(0, c.dues - c.validees - c.soumises)],
                )
                for c in completude
            ],
            ["validées", "soumises, à valider", "à saisir ou en brouillon"],
        ),
        "evenements": Evenement.objects.filter(annee=annee)
        .select_related("instance")
        .prefetch_related("themes")
        .order_by("date_debut", "slug"),
        "preconisations": Preconisation.objects.prefetch_related("reponses__fiche"),
        # Whether any objective has an outlook or an opinion written (else the
        # section says there is none).
        "textes": {
            champ: any(b.commentaire and getattr(b.commentaire, champ).strip() for b in blocs)
            for champ in ("perspectives", "avis_conseils_citoyens")
        },
        "annexe_fiches": sans_valeur,
        "annexe_engagements": engagements_vides,
        # The text's anomalies are a matter for staff, never for the public report.
        "anomalies_ouvertes": Anomalie.objects.filter(statut=Anomalie.Statut.OUVERTE).count()
        if personnel
        else None,
    }


class Bloc:
    """An objective (or the axes transversaux, ``objectif`` None) in the
    report: its fiches, split between those with something to report for the
    year (a validated value or follow-up) and the others, listed in one table."""

    def __init__(self, *, objectif, commentaire=None, feu=None):
        self.objectif = objectif
        self.commentaire = commentaire
        self.feu = feu
        self.fiches = []
        self.fiches_muettes = []
        self.nb_indicateurs = 0
        self.nb_renseignes = 0
        self.nb_suivis = 0

    @property
    def ancre(self):
        return f"objectif-{self.objectif.numero}" if self.objectif else "axes-transversaux"

    @property
    def nb_fiches(self):
        return len(self.fiches) + len(self.fiches_muettes)

    @property
    def libelle_court(self):
        return f"Objectif {self.objectif.numero}" if self.objectif else "Axes transversaux"

    def ajouter(self, fiche):
        self.nb_indicateurs += len(fiche.avec_valeur) + fiche.nb_sans_valeur
        self.nb_renseignes += len(fiche.avec_valeur)
        self.nb_suivis += len(fiche.suivis_annee)
        if fiche.avec_valeur or fiche.suivis_annee:
            self.fiches.append(fiche)
        else:
            self.fiches_muettes.append(fiche)


def evolution_des_quartiers(annee):
    """Per quartier, the indicators with a validated value for the quartier
    in both ``annee - 1`` and ``annee``: how many went up, stayed, went down,
    and of those whose desired direction staff set, how many moved the right
    way. A quartier's value is its cell, or its cells by sex summed (counts)
    or averaged."""
    cellules = {}
    for valeur in (
        Valeur.objects.filter(
            annee__in=[annee - 1, annee],
            statut=Valeur.Statut.VALIDEE,
            quartier__isnull=False,
        )
        .select_related("indicateur")
        .only("valeur", "annee", "quartier_id", "sexe", "indicateur__unite", "indicateur__sens")
    ):
        cellules.setdefault((valeur.quartier_id, valeur.indicateur_id, valeur.annee), []).append(
            valeur
        )
    lignes = {
        q.pk: {
            "quartier": q,
            "hausse": 0,
            "stable": 0,
            "baisse": 0,
            "favorables": 0,
            "avec_sens": 0,
        }
        for q in Quartier.objects.all()
    }
    for (quartier, indicateur, an), cette_annee in cellules.items():
        if an != annee or (quartier, indicateur, annee - 1) not in cellules:
            continue
        avant = _agreger(cellules[(quartier, indicateur, annee - 1)])
        apres = _agreger(cette_annee)
        sens = cette_annee[0].indicateur.sens
        ligne = lignes[quartier]
        if apres > avant:
            ligne["hausse"] += 1
        elif apres < avant:
            ligne["baisse"] += 1
        else:
            ligne["stable"] += 1
        if sens:
            ligne["avec_sens"] += 1
            ligne["favorables"] += (apres > avant and sens == Indicateur.Sens.HAUSSE) or (
                apres < avant and sens == Indicateur.Sens.BAISSE
            )
    for ligne in lignes.values():
        ligne["comparables"] = ligne["hausse"] + ligne["stable"] + ligne["baisse"]
    return list(lignes.values())


def _agreger(valeurs):
    sans_sexe = [v for v in valeurs if v.sexe == ""]
    if sans_sexe:
        return sans_sexe[0].valeur
    total = sum(v.valeur for v in valeurs)
    return total if valeurs[0].indicateur.additive else total / len(valeurs)


def graphique_empile(titre, lignes, legende):
    """A horizontal stacked bar chart, drawn as inline SVG by
    ``tableaux/rapport/_graphique.html`` (so the PDF carries it as vectors,
    with no script to wait for), with its data as a table.
    ``lignes``: (label, [one number per item of ``legende``])."""
    plus_grand = max((sum(valeurs) for _, valeurs in lignes), default=0)
    barres = []
    for rang, (libelle, valeurs) in enumerate(lignes):
        x = 0.0
        segments = []
        for serie, valeur in enumerate(valeurs):
            largeur = LARGEUR_BARRES * valeur / plus_grand if plus_grand else 0
            segments.append({"x": x, "largeur": largeur, "serie": serie, "valeur": valeur})
            x += largeur
        barres.append(
            {
                "libelle": libelle,
                "valeurs": valeurs,
                "total": sum(valeurs),
                "segments": segments,
                "y": rang * HAUTEUR_BARRE,
                "fin": x,
            }
        )
    return {
        "titre": titre,
        "legende": legende,
        "barres": barres,
        "hauteur": len(barres) * HAUTEUR_BARRE,
        "vide": plus_grand == 0,
    }


# The chart's geometry, in SVG user units (the viewBox is 640 wide: 230 for the
# labels, the bars, 50 for the total).
LARGEUR_BARRES = 360
HAUTEUR_BARRE = 22


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
    # Not cached: staff see their own version (what is left to write).
    personnel = request.user.is_authenticated and request.user.is_staff
    return render(
        request,
        "tableaux/rapport/rapport.html",
        donnees_du_rapport(_annee(annee), personnel=personnel),
    )


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
            # The PDF's bookmarks, from the headings.
            "--generate-pdf-document-outline",
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


def pages_des_titres(pdf):
    """{anchor: page number (from 1)} of the headings of a printed report,
    read from the PDF's named destinations: Chromium writes one for each
    element an internal link points to (the table of contents' links)."""
    pages = {}
    try:
        lecteur = PdfReader(io.BytesIO(pdf))
        for nom, destination in lecteur.named_destinations.items():
            numero = lecteur.get_destination_page_number(destination)
            if numero is not None and numero >= 0:
                pages[str(nom).lstrip("/")] = numero + 1
    except PdfReadError:
        # The contents then print without page numbers rather than no PDF at all.
        journal.exception("rapport annuel : pages des titres illisibles")
    return pages


def imprimer_rapport(rendre):
    """Print the report with the page numbers in its table of contents.
    ``rendre(pages)`` gives the page's HTML for {anchor: page number}.

    Chromium does not support target-counter(), so the report is printed
    twice: the first print tells on which page each heading landed, the
    second prints those numbers. The numbers sit in a fixed-width column of
    the contents: the second print lays out every page as the first did."""
    brouillon = imprimer_pdf(rendre({}))
    return imprimer_pdf(rendre(pages_des_titres(brouillon)))


def css_du_rapport():
    return "\n".join(
        Path(finders.find(chemin)).read_text(encoding="utf-8")
        for chemin in ("css/app.css", "tableaux/rapport.css")
    )


def _imprimer_et_stocker(annee, attente):
    """Print the year's PDF and store it; the caller holds the year's lock."""
    # The generation is read before the data: the PDF then holds data at least
    # as new as its label, and a write meanwhile only makes the next request
    # print again.
    gen = generation()
    contexte = {**donnees_du_rapport(annee), "css_en_ligne": css_du_rapport(), "pour_pdf": True}

    def rendre(pages):
        return render_to_string("tableaux/rapport/rapport.html", {**contexte, "pages": pages})

    with un_chromium_a_la_fois(attente):
        debut = time.monotonic()
        contenu = imprimer_rapport(rendre)
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
