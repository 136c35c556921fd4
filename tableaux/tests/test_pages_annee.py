"""Dashboards for any year (?annee=), and a page for each thing people look
for: the fiche's whole text, the quartier's figures, the partner's
commitments and follow-up, with the status lights."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contrat.models import Quartier
from engagements.models import Campagne, SuiviAction
from engagements.services import campagne_ouvrir, cle, grille_enregistrer, valeurs_statuer
from engagements.services_suivis import suivi_enregistrer, suivis_statuer
from fiches.models import CibleAnnuelle, Fiche, Indicateur
from tableaux.views import SECTIONS_FICHE

pytestmark = pytest.mark.django_db

CODE = "2019-1.1-1"


def ouvrir(equipe, annee):
    return campagne_ouvrir(
        utilisateur=equipe, annee=annee, date_limite=datetime.date(annee + 1, 3, 31)
    )


def valider(equipe, code, annee, saisies):
    valeurs = grille_enregistrer(
        utilisateur=equipe,
        indicateur=Indicateur.objects.get(code=code),
        annee=annee,
        saisies={k: (texte, 0) for k, texte in saisies.items()},
        soumettre=True,
    )
    valeurs_statuer(utilisateur=equipe, valeurs=[(v, v.version) for v in valeurs], valider=True)


@pytest.fixture
def donnees_2021(equipe):
    """2021 validated by staff (24 values in the users' report; here the
    indicator 2019-1.1-1 by quartier, 2 cells), 2022 the latest campaign,
    with nothing validated."""
    ouvrir(equipe, 2021)
    ouvrir(equipe, 2022)
    indicateur = Indicateur.objects.get(code=CODE)
    indicateur.desagregation = Indicateur.Desagregation.QUARTIER
    indicateur.unite = Indicateur.Unite.NOMBRE
    indicateur.save()
    CibleAnnuelle.objects.create(indicateur=indicateur, annee=2021, valeur=Decimal("5000"))
    gely, cevennes = Quartier.objects.get(slug="gely"), Quartier.objects.get(slug="cevennes")
    valider(equipe, CODE, 2021, {cle(gely, ""): "4 321", cle(cevennes, ""): "678"})
    return indicateur


def corps(response):
    assert response.status_code == 200
    return response.content.decode()


def test_the_default_year_is_the_latest_with_validated_data_not_the_latest_campaign(
    client, donnees_2021
):
    assert Campagne.objects.order_by("-annee").first().annee == 2022
    page = corps(client.get("/tableaux/"))
    assert '<option value="2021" selected>' in page
    assert "Avancement vers les cibles par objectif (2021)" in page
    assert "annee=2021" in page


@pytest.mark.parametrize(
    "url",
    [
        "/tableaux/indicateurs/2019-1.1-1/",
        "/tableaux/fiches/1.1/",
        "/tableaux/objectifs/1/",
        "/tableaux/quartiers/gely/",
    ],
)
def test_a_2021_validated_value_shows_on_each_of_its_pages_for_2021_only(client, donnees_2021, url):
    # 4 321 + 678 = 4 999 for all quartiers (a count adds up); Gély.s own 4 321.
    attendu = "4 321" if "quartiers" in url else "4 999"
    page = corps(client.get(url, {"annee": 2021}))
    assert attendu in page.replace("\u202f", " ").replace("\xa0", " ")
    assert '<option value="2021" selected>' in page
    page = corps(client.get(url, {"annee": 2022}))
    assert '<option value="2022" selected>' in page
    # In 2022 the fiche only recalls it as the latest value, with its year.
    page = page.replace("\u202f", " ").replace("\xa0", " ")
    page = page.replace(f"dernière : {attendu} (2021)", "")
    assert attendu not in page


def test_the_light_of_a_2021_value_rolls_up_to_fiche_objective_and_partner(client, donnees_2021):
    # 4 999 / 5 000 = 99.98 % ≥ 90 %: on track, everywhere it counts.
    for url in [
        "/tableaux/indicateurs/2019-1.1-1/",
        "/tableaux/fiches/1.1/",
        "/tableaux/objectifs/1/",
        "/tableaux/partenaires/metropole/",
        "/tableaux/",
    ]:
        page = corps(client.get(url, {"annee": 2021}))
        assert "feu-bonne_voie" in page, url
        assert "Comment les feux sont calculés" in page, url
        page = corps(client.get(url, {"annee": 2022}))
        assert "feu-bonne_voie" not in page, url


@pytest.mark.parametrize(
    "url",
    [
        "/tableaux/",
        "/tableaux/objectifs/1/",
        "/tableaux/fiches/1.1/",
        "/tableaux/partenaires/etat/",
        "/tableaux/quartiers/gely/",
        "/tableaux/indicateurs/2019-1.1-1/",
        "/tableaux/gouvernance/",
    ],
)
def test_every_dashboard_page_has_a_year_selector_and_links_keep_the_year(
    client, donnees_2021, url
):
    page = corps(client.get(url, {"annee": 2020}))
    formulaire = re.search(r'<form class="choix-annee" method="get" action="([^"]+)">', page)
    assert formulaire and formulaire.group(1) == url
    assert '<select id="choix-annee" name="annee">' in page
    assert '<option value="2020" selected>' in page
    # The site's menu keeps the year too.
    assert 'href="/tableaux/?annee=2020">Tableaux de bord</a>' in page
    contenu = page.split('<main id="contenu">')[1].split("</main>")[0]
    liens = re.findall(r'href="(/tableaux/[^"]*)"', contenu)
    assert liens, url
    for lien in liens:
        assert "annee=2020" in lien, (url, lien)


@pytest.mark.parametrize(
    ("valeur", "mot"),
    [
        ("abc", "n'est pas un nombre entier"),
        ("1990", "entre 2015 et 2030"),
        ("2031", "entre 2015 et 2030"),
        ("9" * 5000, "est trop long pour un nombre"),
        ("2021.5", "n'est pas un nombre entier"),
    ],
)
def test_a_bad_year_falls_back_visibly_to_the_default(client, donnees_2021, valeur, mot):
    for url in ["/tableaux/", "/tableaux/fiches/1.1/"]:
        page = corps(client.get(url, {"annee": valeur}))
        assert 'role="alert"' in page and "Année non reconnue" in page
        assert mot in _texte(page)
        assert "affichage de 2021" in page
        assert '<option value="2021" selected>' in page


def test_the_cached_body_depends_on_the_year(client, settings, donnees_2021):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-tableaux-annee",
        }
    }
    url = "/tableaux/fiches/1.1/"
    en_2021 = corps(client.get(url, {"annee": 2021}))
    en_2022 = corps(client.get(url, {"annee": 2022}))
    assert "Cible 2021" in en_2021 and "Cible 2021" not in en_2022
    assert "Cible 2022" in en_2022
    # Served from the cache the second time, each year its own body.
    assert corps(client.get(url, {"annee": 2021})) == en_2021


def test_overview_lists_objectives_in_order_and_links_partners_and_quartiers(client):
    page = corps(client.get("/tableaux/"))
    positions = [page.index(f'/tableaux/objectifs/{n}/"') for n in range(1, 6)]
    assert positions == sorted(positions)
    assert "/tableaux/partenaires/etat/" in page
    for slug in Quartier.objects.values_list("slug", flat=True):
        assert f"/tableaux/quartiers/{slug}/" in page


def test_home_page_links_objectives_partners_and_quartiers(client):
    page = corps(client.get("/"))
    for n in range(1, 6):
        assert f'href="/tableaux/objectifs/{n}/"' in page
    for slug in ["metropole", "etat", "caf-herault", "region-occitanie"]:
        assert f'href="/tableaux/partenaires/{slug}/"' in page
    for slug in Quartier.objects.values_list("slug", flat=True):
        assert f'href="/tableaux/quartiers/{slug}/"' in page


def _texte(page):
    import html

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_fiche_page_shows_every_section_verbatim_and_marks_the_missing_ones(client):
    fiche = Fiche.objects.en_vigueur().get(numero="1.1")
    page = corps(client.get("/tableaux/fiches/1.1/"))
    texte = _texte(page)
    vides = 0
    for nom in SECTIONS_FICHE:
        libelle = Fiche._meta.get_field(nom).verbose_name
        assert libelle[:1].upper() + libelle[1:] in texte, nom
        valeur = re.sub(r"\s+", " ", getattr(fiche, nom) or "").strip()
        if valeur:
            assert valeur[:80] in texte, nom
        else:
            vides += 1
    assert texte.count("non renseigné dans l'avenant") == vides
    for organisation in fiche.pilotes.all():
        assert f"/tableaux/partenaires/{organisation.slug}/" in page
    for organisation in fiche.partenaires.all():
        assert f"/tableaux/partenaires/{organisation.slug}/" in page


def test_the_fiche_page_shows_its_lineage_and_deduced_quartier_links(client):
    # 2.2 is tied to Près d'Arènes by Saint-Martin (a deduced link).
    page = _texte(corps(client.get("/tableaux/fiches/2.2/")))
    assert "lien déduit de « Saint-Martin" in page or "lien déduit de « Saint Martin" in page
    fiche = Fiche.objects.en_vigueur().get(numero="2.2")
    origines = list(fiche.origines.select_related("fiche_initiale"))
    assert origines
    for evolution in origines:
        assert evolution.get_sort_display() in page
        if evolution.fiche_initiale:
            assert evolution.fiche_initiale.numero in page


def test_only_validated_follow_ups_are_public(client, equipe, partenaire):
    ouvrir(equipe, 2021)
    fiche = Fiche.objects.en_vigueur().get(numero="1.1")
    pilote = fiche.pilotes.order_by("pk").first()
    auteur = partenaire(pilote.slug)
    suivi = suivi_enregistrer(
        utilisateur=auteur,
        annee=2021,
        version=0,
        fiche=fiche,
        organisation=pilote,
        avancement=SuiviAction.Avancement.EN_RETARD,
        realise="Trois ateliers tenus à la Mosson.",
        soumettre=True,
    )
    page = corps(client.get("/tableaux/fiches/1.1/", {"annee": 2021}))
    assert "Trois ateliers tenus" not in page
    assert "aucun suivi validé" in page
    suivi.refresh_from_db()
    suivis_statuer(utilisateur=equipe, suivis=[(suivi, suivi.version)], valider=True)
    page = corps(client.get("/tableaux/fiches/1.1/", {"annee": 2021}))
    assert "Trois ateliers tenus à la Mosson." in page
    assert "En retard" in page and "feu-a_surveiller" in page


def test_the_partner_page_shows_its_commitments_and_their_validated_follow_up(
    client, equipe, partenaire
):
    from engagements.models import Engagement

    ouvrir(equipe, 2021)
    engagement = Engagement.objects.filter(partenaire="caf").order_by("ordre").first()
    auteur = partenaire("caf-herault")
    suivi = suivi_enregistrer(
        utilisateur=auteur,
        annee=2021,
        version=0,
        engagement=engagement,
        avancement=SuiviAction.Avancement.REALISE,
        realise="Permanences ouvertes dans 4 quartiers.",
        soumettre=True,
    )
    suivis_statuer(utilisateur=equipe, suivis=[(suivi, suivi.version)], valider=True)
    page = corps(client.get("/tableaux/partenaires/caf-herault/", {"annee": 2021}))
    assert f"engagement n° {engagement.ordre}" in page
    assert "Permanences ouvertes dans 4 quartiers." in page
    assert "Réalisé" in page
    assert "Permanences ouvertes" not in corps(
        client.get("/tableaux/partenaires/caf-herault/", {"annee": 2022})
    )


def test_the_quartier_page_shows_population_conseil_fiches_and_indicators(client, donnees_2021):
    page = corps(client.get("/tableaux/quartiers/cevennes/", {"annee": 2021}))
    texte = _texte(page)
    quartier = Quartier.objects.get(slug="cevennes")
    assert f"{quartier.population:,}".replace(",", "\u00a0") in page or str(
        quartier.population
    ) in texte.replace(" ", "").replace("\u00a0", "")
    assert "Conseil citoyen :" in texte and "membres" in texte
    assert "Indicateurs ventilés par quartier" in texte
    assert "/tableaux/indicateurs/2019-1.1-1/?annee=2021" in page
    assert "678" in texte
    assert "Fiches qui nomment ce quartier" in texte


# Query counts, the body always rendered (the tests' cache is a dummy one).
# Every page: the default year (1), the selector's years (1), the generation
# (1), and where it shows lights, feux.calculer (8); then its own reads (the
# object, its prefetches, the values of its indicators: 2 per table). The
# count does not grow with the data: the second measure, after more values
# and targets, is the same.
REQUETES = {
    "/tableaux/": 17,
    "/tableaux/objectifs/1/": 21,
    "/tableaux/fiches/1.1/": 23,
    "/tableaux/partenaires/metropole/": 17,
    "/tableaux/quartiers/gely/": 18,
    "/tableaux/indicateurs/2019-1.1-1/": 11,  # two more for the chart include (tableaux/templatetags/graphiques.py)
}


@pytest.mark.parametrize("url", REQUETES)
def test_dashboard_pages_run_a_bounded_number_of_queries(client, equipe, donnees_2021, url):
    with CaptureQueriesContext(connection) as avant:
        corps(client.get(url, {"annee": 2021}))
    assert len(avant) == REQUETES[url], [q["sql"][:120] for q in avant.captured_queries]
    # More data of every kind: the count does not move.
    for code in ["2019-1.1-2", "2019-1.1-3", "2019-1.2-1", "2019-2.1-1"]:
        CibleAnnuelle.objects.create(
            indicateur=Indicateur.objects.get(code=code), annee=2021, valeur=10
        )
        valider(equipe, code, 2021, {("", ""): "7"})
    with CaptureQueriesContext(connection) as apres:
        corps(client.get(url, {"annee": 2021}))
    assert len(apres) == len(avant)
