"""The avenant checked against itself: counts, discrepancies, empty sections."""

import html
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from fiches.integrite import rapport_integrite
from fiches.models import Anomalie, Fiche

pytestmark = pytest.mark.django_db


def comptes(rapport):
    return {libelle: (annonce, trouve) for libelle, annonce, trouve in rapport.comptes}


def test_counts_are_compared_with_article_4_1():
    rapport = rapport_integrite()
    assert rapport.nb_fiches == 69
    c = comptes(rapport)
    assert c["Fiches de la version 2019"] == (68, 69)
    assert c["Fiches initiales (2015) examinées"] == (79, 78)
    # Merged-away and chapeau-absorbed fiches count as deleted, as Article 4.1
    # counts them; only the residual differences remain.
    assert c["Fiches au sort « Suppression »"] == (22, 22)
    assert c["Fiches au sort « Ajustement »"] == (25, 21)
    assert c["Fiches au sort « Nouvelle fiche »"] == (11, 13)
    assert not any(e.code == "compte-sort-suppression-2019" for e in rapport.ecarts)
    # Read per fiche, deleted + merged away adds up to the announced 22.
    assert c["Fiches initiales supprimées ou fusionnées dans une autre"] == (22, 22)


def test_fiches_are_counted_by_objective_enjeu_and_pilier():
    rapport = rapport_integrite()
    assert dict(rapport.par_objectif) == {1: 16, 2: 11, 3: 20, 4: 14, 5: 6, None: 2}
    assert dict(rapport.par_enjeu)[12] == 2
    assert sum(n for _, n in rapport.par_pilier) == 69


def test_every_discrepancy_found_is_recorded_with_its_place_in_the_text():
    rapport = rapport_integrite()
    codes = {e.code for e in rapport.ecarts}
    assert "compte-fiches-2019" in codes
    assert "fiche-absente-annexe2-6.9-2019" in codes
    assert "titre-sommaire-6.1-2019" in codes
    assert "doublon-initiale-1.14-2019" in codes
    assert rapport.ecarts_non_enregistres == []
    for ecart in rapport.ecarts:
        assert ecart.localisation
    # Discrepancies only a reader sees are recorded too.
    assert Anomalie.objects.filter(code="renvois-fiches-obsoletes").exists()
    assert Anomalie.objects.count() > len(rapport.ecarts)


def test_titles_differing_only_by_case_or_punctuation_are_not_reported():
    rapport = rapport_integrite()
    codes = {e.code for e in rapport.ecarts}
    # "multi-services" / "multiservices", "tout-petits" / "tout petits".
    assert "titre-annexe2-1.7-2019" not in codes
    assert "titre-annexe2-2.1-2019" not in codes


def test_empty_sections_are_listed():
    rapport = rapport_integrite()
    vides = {f.numero: sections for f, sections in rapport.sections_vides}
    assert "descriptif de l'action" in vides["10.2"]
    assert "objectifs" in vides["11.1"]
    assert "1.1" not in vides or "descriptif de l'action" not in vides["1.1"]


def test_a_new_discrepancy_is_reported_and_can_be_recorded():
    fiche = Fiche.objects.get_by_natural_key("2019", "1.3")
    fiche.titre_sommaire = "Un autre titre"
    fiche.save()
    rapport = rapport_integrite()
    [ecart] = rapport.ecarts_non_enregistres
    assert ecart.code == "titre-sommaire-1.3-2019"
    out = io.StringIO()
    call_command("integrite", "--enregistrer", stdout=out)
    assert "1 anomalie(s) enregistrée(s)" in out.getvalue()
    anomalie = Anomalie.objects.get(code="titre-sommaire-1.3-2019")
    assert list(anomalie.fiches.all()) == [fiche]
    assert rapport_integrite().ecarts_non_enregistres == []


def test_integrity_command_prints_the_report():
    out = io.StringIO()
    call_command("integrite", stdout=out)
    text = out.getvalue()
    assert "Fiches de la version 2019 : 68 / 69  ⚠" in text
    assert "Fiches dont une section est vide" in text


def test_integrity_admin_page(staff_client):
    url = reverse("admin:fiches_fiche_integrite")
    response = staff_client.get(url)
    assert response.status_code == 200
    assert "Rapport d'intégrité" in response.text
    assert "La fiche 6.9 de l'annexe 3 n'apparaît dans aucune ligne" in html.unescape(response.text)
    assert Client().get(url).status_code == 302
    # Reachable from the fiches' list.
    assert url in staff_client.get(reverse("admin:fiches_fiche_changelist")).text


def test_staff_annotate_and_resolve_an_anomaly(staff_client):
    anomalie = Anomalie.objects.get(code="compte-fiches-2019")
    assert "6.9" in anomalie.annotation  # the transcription's note
    url = reverse("admin:fiches_anomalie_change", args=[anomalie.pk])
    response = staff_client.post(
        url,
        {
            "code": anomalie.code,
            "categorie": anomalie.categorie,
            "description": anomalie.description,
            "localisation": anomalie.localisation,
            "statut": Anomalie.Statut.EXPLIQUEE,
            "annotation": "La fiche 6.9 a été ajoutée après le décompte.",
        },
    )
    assert response.status_code == 302
    anomalie.refresh_from_db()
    assert anomalie.statut == Anomalie.Statut.EXPLIQUEE
    ecart = next(e for e in rapport_integrite().ecarts if e.code == "compte-fiches-2019")
    assert ecart.anomalie.statut == Anomalie.Statut.EXPLIQUEE
