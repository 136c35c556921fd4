"""The fiche admin: natural order, filters, full-text search, lineage, history."""

import html

import pytest
from django.urls import reverse

from contrat.historique import auteur
from contrat.models import AxeTransversal, Enjeu, Modification, Objectif
from fiches.models import Evolution, Fiche

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:fiches_fiche_changelist")


def numeros(response):
    return [f.numero for f in response.context["cl"].result_list]


def test_changelist_lists_fiches_in_natural_order(staff_client):
    response = staff_client.get(
        CHANGELIST, {"version__id__exact": Fiche.objects.en_vigueur()[0].version_id, "all": ""}
    )
    ordre = numeros(response)
    assert ordre.index("1.2") < ordre.index("1.10") < ordre.index("2.1")
    assert ordre[-1] == "12.2"


@pytest.mark.parametrize(
    ("params", "attendu", "absent"),
    [
        ({"objectif": 1}, "1.10", "2.1"),
        ({"enjeux": 12}, "12.1", "1.1"),
        ({"quartier": "tous"}, "1.1", "1.2"),
        ({"quartier": "cevennes"}, "7.2", "7.1"),
        ({"sort": Evolution.Sort.NOUVELLE}, "12.1", "1.1"),
        ({"sort": Evolution.Sort.SUPPRESSION}, "9.4", "9.3"),
        ({"axes": 1}, "12.1", "1.1"),
    ],
)
def test_changelist_filters(staff_client, params, attendu, absent):
    query = {"all": ""}
    for key, value in params.items():
        if key == "objectif":
            query["objectif__id__exact"] = Objectif.objects.get_by_natural_key(value).pk
        elif key == "enjeux":
            query["enjeux__id__exact"] = Enjeu.objects.get_by_natural_key(value).pk
        elif key == "axes":
            query["axes__id__exact"] = AxeTransversal.objects.get_by_natural_key(value).pk
        else:
            query[key] = value
    response = staff_client.get(CHANGELIST, query)
    assert response.status_code == 200
    trouves = numeros(response)
    assert attendu in trouves
    assert absent not in trouves


def test_pilot_and_partner_filters(staff_client):
    from contrat.models import Organisation

    ccas = Organisation.objects.get_by_natural_key("ccas-montpellier")
    response = staff_client.get(CHANGELIST, {"pilotes__id__exact": ccas.pk})
    assert set(numeros(response)) >= {"2.3", "6.6"}
    assert "1.1" not in numeros(response)
    bpi = Organisation.objects.get_by_natural_key("bpifrance")
    response = staff_client.get(CHANGELIST, {"partenaires__id__exact": ccas.pk})
    assert "1.1" in numeros(response)
    assert response.status_code == 200 and bpi


def test_full_text_search_finds_a_word_of_a_descriptif(staff_client):
    # "fabriquer" is nowhere in the text: French stemming finds the
    # "Fabrique à entreprendre" of 1.1's descriptif.
    assert "Fabrique à entreprendre" in Fiche.objects.get_by_natural_key("2019", "1.1").descriptif
    assert not Fiche.objects.filter(descriptif__icontains="fabriquer").exists()
    response = staff_client.get(CHANGELIST, {"q": "fabriquer"})
    trouves = numeros(response)
    assert "1.1" in trouves
    assert len(trouves) < 5
    # Every word must match: nothing has both of these.
    assert numeros(staff_client.get(CHANGELIST, {"q": "fabriquer illectronisme"})) == []
    # Search keeps the changelist's filters.
    objectif_3 = Objectif.objects.get_by_natural_key(3).pk
    response = staff_client.get(CHANGELIST, {"q": "fabriquer", "objectif__id__exact": objectif_3})
    assert numeros(response) == []


def test_change_page_shows_lineage_both_ways(staff_client):
    nouvelle = Fiche.objects.get_by_natural_key("2019", "2.14")
    page = html.unescape(
        staff_client.get(reverse("admin:fiches_fiche_change", args=[nouvelle.pk])).text
    )
    assert "Issue de" in page and "2.15 (2015)" in page and "2.7 (2015)" in page
    ancienne = Fiche.objects.get_by_natural_key("2015", "2.15")
    page = html.unescape(
        staff_client.get(reverse("admin:fiches_fiche_change", args=[ancienne.pk])).text
    )
    assert "Devenue" in page and "2.14 (2019)" in page


def test_admin_edit_is_recorded_in_the_history_with_its_author(staff_client):
    fiche = Fiche.objects.get_by_natural_key("2019", "1.5")
    url = reverse("admin:fiches_fiche_change", args=[fiche.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "all"):
            value = [v.pk for v in value.all()]
        elif isinstance(value, list):
            value = [getattr(v, "pk", v) for v in value]
        data[name] = "" if value is None else value
    data["date_fin_texte"] = "décembre 2023"
    for prefix in ("liens_quartiers", "indicateurs", "sous_parties"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = staff_client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    fiche.refresh_from_db()
    assert fiche.date_fin_texte == "décembre 2023"
    modification = Modification.objects.pour_objet(fiche).filter(operation="UPDATE").latest("date")
    assert modification.champs == ["date_fin_texte"]
    assert modification.avant["date_fin_texte"] == "2022"
    assert modification.apres["date_fin_texte"] == "décembre 2023"
    assert modification.utilisateur.username == "agent"
    history = html.unescape(
        staff_client.get(reverse("admin:fiches_fiche_history", args=[fiche.pk])).text
    )
    assert "décembre 2023" in history and "agent" in history


def test_bulk_update_is_recorded_in_the_history():
    fiches = Fiche.objects.en_vigueur().filter(objectif__numero=5)
    assert fiches.update(publics_vises="Habitants des QPV") == 6
    modifications = Modification.objects.filter(table="fiches_fiche", operation="UPDATE")
    assert modifications.count() == 6
    assert all(m.champs == ["publics_vises"] and m.utilisateur is None for m in modifications)


def test_service_writes_carry_their_author(django_user_model):
    user = django_user_model.objects.create_user("import", password="x" * 12)
    fiche = Fiche.objects.get_by_natural_key("2019", "9.1")
    with auteur(user, "import CSV"):
        fiche.indicateurs.filter(ordre=1).update(unite="nombre")
    m = Modification.objects.get(table="fiches_indicateur", operation="UPDATE")
    assert (m.utilisateur, m.contexte, m.apres["unite"]) == (user, "import CSV", "nombre")
    # Writes after the block are no longer attributed.
    fiche.indicateurs.filter(ordre=1).update(unite="")
    assert Modification.objects.filter(table="fiches_indicateur").latest("id").utilisateur is None


def test_history_page_lists_changes_of_indicators_and_links(staff_client):
    fiche = Fiche.objects.get_by_natural_key("2019", "4.1")
    fiche.indicateurs.filter(ordre=1).update(unite="%")
    fiche.quartiers.clear()
    response = staff_client.get(reverse("admin:fiches_fiche_history", args=[fiche.pk]))
    assert response.status_code == 200
    tables = {m.table for m in response.context["modifications"]}
    assert "fiches_indicateur" in tables


def test_fiche_changelist_query_count_does_not_grow_with_rows(
    staff_client, django_assert_max_num_queries
):
    # session, user, count x2, page of fiches with their indicator counts,
    # filter choices (versions, objectifs, enjeux, pilots, partners, quartiers, axes).
    with django_assert_max_num_queries(16):
        staff_client.get(CHANGELIST, {"all": ""})
