"""The chart include (templates/tableaux/_graphique.html and
tableaux/templatetags/graphiques.py): what a figure tells tableaux.js that the
API does not (targets on their years, baseline with its year, unit, the
protocol's years). The drawing itself: tests/test_graphiques_navigateur.py."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.template.loader import render_to_string

from fiches.models import CibleAnnuelle, Indicateur
from tableaux.templatetags.graphiques import donnees_graphique, periode_suivie

pytestmark = pytest.mark.django_db


def attributs(html):
    figures = re.findall(r"<figure [^>]*>", html)
    assert len(figures) == 1, html
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', figures[0]))


@pytest.fixture
def indicateur():
    """2019-1.1-4 with a baseline and two yearly targets (test figures)."""
    ind = Indicateur.objects.get(code="2019-1.1-4")
    ind.unite = Indicateur.Unite.POURCENTAGE
    ind.valeur_reference = Decimal("10.00")
    ind.annee_reference = 2018
    ind.save()
    CibleAnnuelle.objects.create(indicateur=ind, annee=2022, valeur=Decimal("15.50"))
    CibleAnnuelle.objects.create(indicateur=ind, annee=2021, valeur=Decimal("12.00"))
    return ind


def test_the_followed_period_is_the_perr_s():
    assert periode_suivie() == (2019, 2022)


def test_the_years_chart_carries_each_target_on_its_year_the_baseline_and_the_unit(indicateur):
    html = render_to_string(
        "tableaux/_graphique.html", {"indicateur": indicateur, "annee": 2021, "genre": "annees"}
    )
    a = attributs(html)
    assert a["type"] == "indicateur-annees"
    assert a["source"] == "/api/valeurs/?indicateur=2019-1.1-4&amp;page_size=1000"
    assert a["cibles"] == "2021:12;2022:15.5"
    assert (a["reference"], a["annee-reference"]) == ("10", "2018")
    assert a["annees"] == "2019-2022"
    assert a["unite"] == "pourcentage"
    assert a["unite-libelle"] == "Pourcentage (%)"
    assert a["unite-symbole"] == "%"
    assert "comparées à la cible de chaque année et à la référence" in html


def test_an_indicator_without_unit_says_so_on_its_axis():
    ind = Indicateur.objects.get(code="2019-1.1-5")
    assert ind.unite == ""
    a = attributs(
        render_to_string(
            "tableaux/_graphique.html", {"indicateur": ind, "annee": None, "genre": "annees"}
        )
    )
    assert a["unite-libelle"] == "Unité non renseignée"
    assert "cibles" not in a and "reference" not in a


def test_repartition_charts_only_for_a_broken_down_indicator_and_a_year(indicateur):
    def rendu(genre, annee=2021):
        return render_to_string(
            "tableaux/_graphique.html",
            {
                "indicateur": indicateur,
                "annee": annee,
                "genre": genre,
                "legende_graphique": "Mon titre",
            },
        )

    assert "<figure" not in rendu("quartier") and "<figure" not in rendu("sexe")
    indicateur.desagregation = Indicateur.Desagregation.QUARTIER_SEXE
    assert "<figure" not in rendu("quartier", annee=None)
    a = attributs(rendu("quartier"))
    assert a["source"] == (
        "/api/agregats/repartition/?indicateur=2019-1.1-4&amp;annee=2021&amp;par=quartier"
    )
    assert a["unite-libelle"] == "Pourcentage (%)" and a["axe"] == "Quartier"
    # The API names quartiers by slug: the figure carries their names.
    assert "&quot;gely&quot;: &quot;Gély&quot;" in a["noms"]
    html = rendu("sexe")
    assert attributs(html)["axe"] == "Sexe" and "<figcaption>Mon titre</figcaption>" in html


def test_an_unknown_kind_is_an_error(indicateur):
    with pytest.raises(TemplateSyntaxError, match="genre de graphique inconnu"):
        donnees_graphique(indicateur, 2021, "camembert")


def test_a_page_of_many_charts_reads_the_period_once(django_assert_num_queries):
    indicateurs = list(
        Indicateur.objects.filter(fiche__numero="1.1", fiche__version__en_vigueur=True)
        .prefetch_related("cibles_annuelles")
        .order_by("code")[:5]
    )
    page = Template(
        '{% for i in indicateurs %}{% include "tableaux/_graphique.html" '
        'with indicateur=i annee=2021 genre="annees" %}{% endfor %}'
    )
    # 1 query: the period (the targets are prefetched).
    with django_assert_num_queries(1):
        html = page.render(Context({"indicateurs": indicateurs}))
    assert html.count('data-annees="2019-2022"') == 5


def test_the_indicator_page_places_its_chart_through_the_include(client, indicateur):
    html = client.get("/tableaux/indicateurs/2019-1.1-4/").text
    a = attributs(html)
    assert a["cibles"] == "2021:12;2022:15.5" and a["unite-libelle"] == "Pourcentage (%)"


def test_an_embedded_answer_is_written_as_an_inert_json_block(indicateur):
    """For a page printed with no server to ask (the report's PDF): the API's
    answer inside the figure, as data that never runs (CSP, injection)."""
    reponse = {"results": [{"annee": 2021, "quartier": None, "sexe": "", "valeur": 11}]}
    reponse["results"][0]["note"] = "</script><script>alert(1)</script>"
    html = render_to_string(
        "tableaux/_graphique.html",
        {"indicateur": indicateur, "annee": 2021, "genre": "annees", "reponse_api": reponse},
    )
    bloc = re.search(r'<script type="application/json">(.*?)</script>\s*</figure>', html, re.S)
    assert bloc and "<script>alert" not in html
    assert '"valeur": 11' in bloc.group(1)
    sans = render_to_string(
        "tableaux/_graphique.html", {"indicateur": indicateur, "annee": 2021, "genre": "annees"}
    )
    assert "<script" not in sans
