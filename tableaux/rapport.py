"""The annual report on the contract's implementation (décret 2015-1118,
Article 5.3 of the avenant), generated from the data for a chosen year: a
printable HTML page, and the same page as PDF (printed by headless Chromium,
the browser the project installs for its tests)."""

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from contrat.annees import est_annee_du_contrat
from contrat.historique import generation
from contrat.models import Contrat, Objectif
from engagements.models import Campagne, Valeur
from engagements.suivi import completude_par_partenaire
from fiches.models import Anomalie, Fiche, Indicateur
from gouvernance.models import Evenement, Preconisation


def donnees_du_rapport(annee):
    """Everything the report shows for ``annee``, from validated values only."""
    valeurs = Valeur.objects.filter(annee=annee, statut=Valeur.Statut.VALIDEE)
    indicateurs = Indicateur.objects.select_related("organisation").prefetch_related(
        Prefetch("valeurs", queryset=valeurs.select_related("quartier"), to_attr="valeurs_annee")
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


def chromium():
    for nom in ("chromium", "chromium-browser", "google-chrome"):
        chemin = shutil.which(nom)
        if chemin:
            return chemin
    return None


class PdfIndisponible(RuntimeError):
    pass


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


def rapport_pdf(request, annee):
    annee = _annee(annee)
    cle = "rapport-pdf:" + hashlib.sha256(f"{generation()}|{annee}".encode()).hexdigest()
    cache = caches["default"]
    contenu = cache.get(cle)
    if contenu is None:
        css = Path(finders.find("css/app.css")).read_text(encoding="utf-8")
        html = render_to_string(
            "tableaux/rapport/rapport.html",
            {**donnees_du_rapport(annee), "css_en_ligne": css, "pour_pdf": True},
        )
        try:
            contenu = imprimer_pdf(html)
        except PdfIndisponible as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        cache.set(cle, contenu, getattr(settings, "API_CACHE_DUREE", 600))
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = (
        f'attachment; filename="rapport-annuel-contrat-de-ville-{annee}.pdf"'
    )
    return reponse
