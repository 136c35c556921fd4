"""The governance facts of the avenant as data (issue 16, item 5): the world
café's attendance, the 5 programmes of the national mobilisation as themes,
the conseils citoyens' means. Each text is checked against the avenant's own
text, each number against the words it is read from."""

import importlib
from pathlib import Path

import pytest

from contrat.couverture import lire_source
from contrat.seeding import seed
from contrat.textes import sans_accents
from gouvernance.models import Evenement, Instance, MoyenConseilCitoyen, PointEvenement, Theme

pytestmark = pytest.mark.django_db

CAFE = "world-cafe-2019-05-09"


def ligne(numero):
    """Line ``numero`` of the avenant, bold marks removed (as the PDF printed it)."""
    return lire_source()[numero - 1].replace("**", "")


def test_world_cafe_attendance_is_the_avenants_words_and_their_numbers():
    cafe = Evenement.objects.get(slug=CAFE)
    assert cafe.participants_texte == "plus de 100 personnes, dont 35 conseillers citoyens"
    assert cafe.participants_texte in ligne(248)
    # "plus de 100": a lower bound, stored as 100.
    assert (cafe.participants_min, cafe.conseillers_citoyens) == (100, 35)
    assert f"plus de {cafe.participants_min} personnes" in cafe.participants_texte
    assert f"dont {cafe.conseillers_citoyens} conseillers citoyens" in cafe.participants_texte


def test_no_other_event_is_given_an_attendance_the_text_does_not_state():
    autres = Evenement.objects.exclude(slug=CAFE)
    assert not autres.exclude(participants_texte="").exists()
    assert not autres.filter(participants_min__isnull=False).exists()
    assert not autres.filter(conseillers_citoyens__isnull=False).exists()


def test_the_themes_are_the_five_programmes_of_the_national_mobilisation():
    themes = list(Theme.objects.values_list("nom", flat=True))
    assert themes == ["Education", "Emploi", "Sécurité", "Logement", "Lien social"]
    phrase = (
        "les 5 programmes issus de la mobilisation nationale pour les habitants des quartiers : "
        "Education, Emploi, Sécurité, Logement et Lien social"
    )
    assert phrase in ligne(247)
    assert phrase in ligne(405)
    # Article 1 lists the same five, in lower case and another order.
    article_1 = sans_accents(ligne(221)).lower()
    for nom in themes:
        assert sans_accents(nom).lower() in article_1
    cafe = Evenement.objects.get(slug=CAFE)
    assert list(cafe.themes.values_list("slug", flat=True)) == [
        "education",
        "emploi",
        "securite",
        "logement",
        "lien-social",
    ]
    # No theme is recorded as a workshop any more, on any event.
    assert not PointEvenement.objects.filter(texte__in=themes, type="atelier").exists()


def test_the_themes_are_not_labelled_as_workshops():
    assert "thème" not in dict(PointEvenement.Type.choices)["atelier"].lower()
    assert "atelier" not in Theme._meta.verbose_name.lower()
    assert "atelier" not in Theme._meta.verbose_name_plural.lower()
    champ = Evenement._meta.get_field("themes")
    assert "atelier" not in champ.verbose_name.lower()


def test_the_conseils_citoyens_means_are_the_avenants_words():
    conseils = Instance.objects.get(slug="conseils-citoyens")
    source = ligne(505)
    for phrase in conseils.moyens_texte.split("\n"):
        assert phrase in source
    assert conseils.moyens_texte.replace("\n", " ") == source
    moyens = list(conseils.moyens.order_by("ordre"))
    assert [m.nature for m in moyens] == [
        MoyenConseilCitoyen.Nature.LOCAUX,
        MoyenConseilCitoyen.Nature.EQUIPEMENT,
        MoyenConseilCitoyen.Nature.SUBVENTION,
        MoyenConseilCitoyen.Nature.BUDGET,
    ]
    for m in moyens:
        assert m.texte in source, m.texte
        assert m.ligne_source == 505
        assert m.organisation.slug == "metropole"
    locaux, equipement, subvention, budget = moyens
    assert locaux.texte.startswith("local entièrement équipé et indépendant")
    assert (locaux.montant_min, locaux.montant_max) == (None, None)  # the text gives none
    assert equipement.texte == "ordinateur, téléphone"
    assert (subvention.montant_min, subvention.montant_max) == (3000, 4000)
    assert "d'un montant compris entre 3 000 € et 4 000 €" in subvention.texte
    assert subvention.texte.startswith("une subvention annuelle")
    assert (budget.montant_min, budget.montant_max) == (40000, 40000)
    assert budget.texte == "soit un budget annuel de 40 000 €"
    assert subvention.montant_texte == "3\u00a0000 € à 4\u00a0000 €"
    assert budget.montant_texte == "40\u00a0000 €"
    assert locaux.montant_texte == ""


def test_the_api_exposes_attendance_themes_and_means(client):
    cafe = client.get(f"/api/evenements/{CAFE}/").json()
    assert cafe["participants_texte"] == "plus de 100 personnes, dont 35 conseillers citoyens"
    assert (cafe["participants_min"], cafe["conseillers_citoyens"]) == (100, 35)
    assert [t["nom"] for t in cafe["themes"]] == [
        "Education",
        "Emploi",
        "Sécurité",
        "Logement",
        "Lien social",
    ]
    assert {p["type"] for p in cafe["points"]} == {"question"}
    par_theme = client.get("/api/evenements/", {"theme": "emploi"}).json()
    assert [e["slug"] for e in par_theme["results"]] == [CAFE]

    conseils = client.get("/api/instances/conseils-citoyens/").json()
    assert "subvention métropolitaine de fonctionnement" in conseils["moyens_texte"]
    subvention = next(m for m in conseils["moyens"] if m["nature"] == "subvention_fonctionnement")
    assert (subvention["montant_min"], subvention["montant_max"]) == (3000, 4000)
    assert subvention["organisation"] == "metropole"
    assert [m["nature"] for m in conseils["moyens"]] == [
        "locaux",
        "equipement",
        "subvention_fonctionnement",
        "budget_annuel",
    ]


def test_the_admin_shows_themes_and_means(staff_client):
    cafe = Evenement.objects.get(slug=CAFE)
    page = staff_client.get(f"/admin/gouvernance/evenement/{cafe.pk}/change/").content.decode()
    assert "plus de 100 personnes, dont 35 conseillers citoyens" in page
    assert "Thèmes (programmes de la mobilisation nationale)" in page
    assert "Atelier (thème)" not in page
    conseils = Instance.objects.get(slug="conseils-citoyens")
    page = staff_client.get(f"/admin/gouvernance/instance/{conseils.pk}/change/").content.decode()
    assert "Subvention de fonctionnement" in page
    assert "soit un budget annuel de 40 000 €" in page
    liste = staff_client.get("/admin/gouvernance/theme/").content.decode()
    assert "Lien social" in liste


def _migration():
    dossier = Path(__file__).resolve().parents[1] / "migrations"
    [fichier] = dossier.glob("*_themes_participants_moyens.py")
    return importlib.import_module(f"gouvernance.migrations.{fichier.stem}")


def _etat_d_avant(migration):
    """The database as the previous transcription seeded it."""
    from django.apps import apps

    cafe = Evenement.objects.get(slug=CAFE)
    cafe.themes.clear()
    Evenement.objects.filter(pk=cafe.pk).update(
        description=migration.CAFE_AVANT["description"],
        participants_texte="",
        participants_min=None,
        conseillers_citoyens=None,
    )
    for ordre, _, nom in migration.THEMES:
        PointEvenement.objects.create(evenement=cafe, type="atelier", ordre=ordre, texte=nom)
    Instance.objects.filter(slug="conseils-citoyens").update(**migration.CONSEILS_AVANT)
    MoyenConseilCitoyen.objects.all().delete()
    return apps


def test_migrating_a_seeded_database_then_seeding_reports_no_staff_edit():
    migration = _migration()
    apps = _etat_d_avant(migration)

    migration.themes_du_world_cafe(apps, None)
    rapport = seed()

    gardes = [r for r in rapport.kept_rows if r[0].startswith("gouvernance.")]
    assert gardes == []
    assert rapport.created["gouvernance.moyenconseilcitoyen"] == 4
    cafe = Evenement.objects.get(slug=CAFE)
    assert cafe.themes.count() == 5
    assert not cafe.points.filter(type="atelier").exists()
    assert cafe.participants_min == 100
    # A second run changes nothing.
    assert seed().created.total() == 0


def test_the_migration_keeps_what_staff_edited():
    migration = _migration()
    apps = _etat_d_avant(migration)
    cafe = Evenement.objects.get(slug=CAFE)
    Evenement.objects.filter(pk=cafe.pk).update(description="Texte revu par l'équipe.")
    PointEvenement.objects.filter(evenement=cafe, type="atelier", ordre=2).update(
        texte="Emploi et insertion"
    )

    migration.themes_du_world_cafe(apps, None)

    cafe.refresh_from_db()
    assert cafe.description == "Texte revu par l'équipe."
    assert cafe.participants_texte  # the new field, empty before, is filled
    assert cafe.points.get(type="atelier", ordre=2).texte == "Emploi et insertion"
    assert "emploi" not in set(cafe.themes.values_list("slug", flat=True))
    rapport = seed()
    assert ("gouvernance.evenement", str(cafe)) in {(r[0], r[1]) for r in rapport.kept_rows}


# The lists that now carry themes and means still answer in a fixed number of
# queries ("generation": the cache's version stamp, see contrat/api/cache.py).
@pytest.mark.parametrize(
    ("url", "requetes"),
    [
        # generation, count, instances (+parent), fiches, moyens (+organisation)
        ("/api/instances/", 5),
        # generation, count, evenements (+instance), fiches, themes, points
        ("/api/evenements/", 6),
    ],
)
def test_governance_list_query_counts(client, url, requetes, django_assert_num_queries):
    with django_assert_num_queries(requetes):
        assert client.get(url, {"page_size": 1000}).status_code == 200
