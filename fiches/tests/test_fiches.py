"""The operational fiches of Annexe 3 and the evolution table of Annexe 2, as seeded."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contrat.models import AliasOrganisation, Organisation
from fiches.models import Evolution, Fiche, Indicateur, SousPartie, VersionPlan
from fiches.services import fiches_relier

pytestmark = pytest.mark.django_db

DEBRIS = re.compile(r"<\s*/?\s*(p|ul|li|br|span|strong)\b|\*\*|\^\{|\t|~~")


def fiche(numero, version="2019"):
    return Fiche.objects.get_by_natural_key(version, numero)


def test_annexe_3_holds_69_fiches_where_the_text_announces_68():
    version = VersionPlan.objects.en_vigueur()
    assert version.code == "2019"
    assert version.nb_fiches_annonce == 68
    assert version.fiches.count() == 69
    numeros = list(version.fiches.values_list("numero", flat=True))
    assert len(numeros) == len(set(numeros))
    assert numeros[:3] == ["1.1", "1.2", "1.3"]
    assert numeros[-2:] == ["12.1", "12.2"]


def test_fiches_are_ordered_by_enjeu_then_rank():
    numeros = list(Fiche.objects.en_vigueur().values_list("numero", flat=True))
    assert numeros.index("1.9") < numeros.index("1.10") < numeros.index("2.1")


def test_fiche_1_1_is_transcribed_section_by_section():
    f = fiche("1.1")
    assert f.titre == (
        "Pilotage et animation du développement de l'activité économique et de l'emploi en "
        "faveur des quartiers prioritaires"
    )
    assert f.objectif.numero == 1
    assert sorted(f.enjeux.values_list("numero", flat=True)) == [1, 8]
    assert f.pilier.numero == 3
    assert f.pilote_libelle == "PILOTE"
    assert f.pilote_texte == "Métropole et Etat"
    assert {o.slug for o in f.pilotes.all()} == {"metropole", "etat"}
    assert f.date_debut_texte == "janvier 2016"
    assert f.date_fin_texte == "décembre 2022"
    assert (f.annee_debut, f.annee_fin) == (2016, 2022)
    assert f.perimetre_texte == "Prioritairement les 12 quartiers prioritaires de Montpellier."
    assert f.tous_qpv
    assert f.diagnostic.startswith("- Un bassin dynamique qui crée de l'emploi qualifié")
    assert "PRESENTATION GENERALE DU PODEM" in f.descriptif
    # PDF superscripts are flattened, not dropped: "1^{er} bilan" -> "1er bilan".
    assert "Forum PODEM (1er bilan)" in f.descriptif


def test_indicators_keep_the_order_and_kind_of_the_fiche():
    indicateurs = list(fiche("1.1").indicateurs.order_by("ordre"))
    assert (
        indicateurs[0].libelle == "Nombre d'actions mises en œuvre et suivies par l'équipe projet"
    )
    assert indicateurs[0].type == Indicateur.Type.REALISATION
    assert [i.type for i in indicateurs[:5]] == [Indicateur.Type.REALISATION] * 5
    assert indicateurs[5].type == Indicateur.Type.RESULTAT
    # Baselines and targets: the avenant gives none, nothing is invented. The
    # unit is set only where the indicator's own words state it ("Nombre de").
    assert all(not i.cibles_annuelles.exists() and i.valeur_reference is None for i in indicateurs)
    assert indicateurs[0].unite == Indicateur.Unite.NOMBRE
    for i in indicateurs:
        if not i.libelle.lower().startswith(("nombre", "taux", "pourcentage")):
            assert i.unite == "", i.libelle
    # Reported by the fiche's first pilot ("Métropole et Etat").
    assert {i.organisation.slug for i in indicateurs} == {"metropole"}
    assert not Indicateur.objects.exclude(fiche=None).exclude(code__startswith="2019-").exists()


def test_evolution_table_indicators_attach_to_the_new_fiche():
    suivi = Indicateur.objects.filter(type=Indicateur.Type.SUIVI)
    assert suivi.exists()
    assert not suivi.exclude(fiche__version__code="2019").exists()


def test_transversal_fiches_have_no_objective_and_link_to_their_axe():
    for numero, axe in [("12.1", 1), ("12.2", 2)]:
        f = fiche(numero)
        assert f.objectif is None
        assert axe in f.axes.values_list("numero", flat=True)


def test_named_sub_parts_of_descriptifs():
    assert SousPartie.objects.filter(fiche=fiche("11.1")).count() == 30
    for numero in ["6.9", "6.10", "6.12"]:
        assert SousPartie.objects.filter(fiche=fiche(numero)).exists(), numero


def test_no_pdf_debris_is_left_in_any_text():
    checks = [
        (
            Fiche,
            [
                f.name
                for f in Fiche._meta.get_fields()
                if f.get_internal_type() in {"TextField", "CharField"}
            ],
        ),
        (Indicateur, ["libelle"]),
        (SousPartie, ["titre", "texte"]),
        (
            Evolution,
            [
                "commentaire",
                "nouvel_intitule",
                "nouveaux_objectifs",
                "nouveau_pilote",
                "exemples_actions",
            ],
        ),
    ]
    for model, fields in checks:
        for row in model.objects.values("pk", *fields):
            for name in fields:
                assert not DEBRIS.search(row[name] or ""), (model.__name__, row["pk"], name)


def test_pilots_partners_and_quartiers_are_linked_from_the_text():
    assert {o.slug for o in fiche("2.10").pilotes.all()} >= {
        "dsden-34",
        "metropole",
        "ville-montpellier",
    }
    assert {q.slug for q in fiche("2.12").quartiers.all()} == {
        "mosson-hauts-de-massane",
        "mosson-paillade-celleneuve",
        "petit-bard-pergola",
        "cevennes",
    }
    assert fiche("1.1").partenaires.filter(slug="region-occitanie").exists()
    # "Hauts de Massane (Mosson Nord)" is one quartier, not both Mosson QPV.
    assert [q.slug for q in fiche("6.5").quartiers.all()] == ["mosson-hauts-de-massane"]


def test_every_fiche_of_the_avenant_has_a_pilot_except_the_one_the_text_leaves_empty():
    sans_pilote = Fiche.objects.en_vigueur().filter(pilote_texte="")
    assert list(sans_pilote.values_list("numero", flat=True)) == ["3.3"]


def test_initial_fiches_of_2015_are_a_version_of_the_plan():
    initiale = fiche("1.1", version="2015")
    assert initiale.titre.startswith("Organisation partenariale métropolitaine de coordination")
    assert initiale.pilote_texte == "Métopole et Etat"  # the text's typo, kept
    assert {o.slug for o in initiale.pilotes.all()} == {"metropole", "etat"}
    assert VersionPlan.objects.get_by_natural_key("2015").fiches.count() == 78


def test_lineage_from_2015_to_2019():
    ligne = Evolution.objects.get(fiche_initiale=fiche("1.1", "2015"))
    assert ligne.sort == Evolution.Sort.AJUSTEMENT
    assert [f.numero for f in ligne.fiches_nouvelles.all()] == ["1.1"]
    # Two initial fiches merged into one: 2.7 and 2.15 both lead to 2.14.
    origines = {e.fiche_initiale.numero for e in fiche("2.14").origines.all()}
    assert origines == {"2.7", "2.15"}
    fusion = Evolution.objects.get(fiche_initiale=fiche("2.15", "2015"))
    assert fusion.lien_deduit and "Fusion avec la fiche 2.7" in fusion.lien_deduit_de
    # One initial fiche split in two: 1.4 becomes 1.3 and 1.4.
    devenir = {
        f.numero for e in fiche("1.4", "2015").devenir.all() for f in e.fiches_nouvelles.all()
    }
    assert devenir == {"1.3", "1.4"}
    # A deleted fiche leads nowhere.
    supprimee = Evolution.objects.get(fiche_initiale=fiche("1.2", "2015"))
    assert supprimee.sort == Evolution.Sort.SUPPRESSION
    assert not supprimee.fiches_nouvelles.exists()


def test_fates_are_read_from_comments_and_inferred_ones_are_flagged():
    assert Evolution.objects.count() == 92
    # 16 rows say "suppression"; 6 merged-away or chapeau-absorbed fiches are
    # counted as deleted, as Article 4.1 counts them, and keep their link.
    suppressions = Evolution.objects.filter(sort=Evolution.Sort.SUPPRESSION)
    assert suppressions.count() == 22
    assert suppressions.filter(lien_deduit=True, sort_deduit=True).count() == 6
    deduites = Evolution.objects.filter(sort_deduit=True)
    assert deduites.exists()
    assert all(e.sort_deduit_de for e in deduites)


def test_a_later_avenant_is_added_as_data():
    v2019 = VersionPlan.objects.get_by_natural_key("2019")
    v2021 = VersionPlan.objects.create(
        code="2021", libelle="Avenant n° 3", annee_debut=2021, annee_fin=2022, precedente=v2019
    )
    nouvelle = Fiche.objects.create(version=v2021, numero="1.1", titre="Pilotage renouvelé")
    ligne = Evolution.objects.create(
        version=v2021, ordre=1, fiche_initiale=fiche("1.1"), sort=Evolution.Sort.AJUSTEMENT
    )
    ligne.fiches_nouvelles.add(nouvelle)
    assert [e.version.code for e in fiche("1.1").devenir.all()] == ["2021"]
    assert nouvelle.origines.get().fiche_initiale == fiche("1.1")
    # Only one version is in force at a time.
    with pytest.raises(IntegrityError), transaction.atomic():
        VersionPlan.objects.filter(code="2021").update(en_vigueur=True)


def test_fiche_number_and_years_are_validated():
    f = Fiche(version=VersionPlan.objects.en_vigueur(), numero="un", titre="x")
    with pytest.raises(ValidationError) as excinfo:
        f.full_clean()
    assert "enjeu.rang" in str(excinfo.value)
    f = fiche("1.1")
    f.annee_debut, f.annee_fin = 2022, 2016
    with pytest.raises(ValidationError):
        f.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.save()


def test_links_are_read_again_after_staff_add_an_alias():
    f = fiche("3.2")
    assert not f.pilotes.filter(slug="adie").exists()
    f.pilote_texte = "VILLE DE MONTPELLIER ou Association pour le droit à l'initiative économique"
    f.save()
    AliasOrganisation.objects.create(
        organisation=Organisation.objects.get_by_natural_key("adie"),
        libelle="Association pour le droit à l'initiative économique",
    )
    assert fiches_relier(fiches=[f]) == 1
    assert {o.slug for o in f.pilotes.all()} == {"ville-montpellier", "adie"}
    assert fiches_relier(fiches=[f]) == 0


def test_seeded_links_match_what_the_texts_say():
    # The fixtures were written with the same readers: reading again changes nothing.
    assert fiches_relier(fiches=Fiche.objects.all()) == 0


NUMEROS_ANNEXE_3 = (
    [f"1.{i}" for i in range(1, 17)]
    + [f"2.{i}" for i in range(1, 17)]
    + [f"3.{i}" for i in range(1, 5)]
    + ["4.1", "4.2"]
    + [f"5.{i}" for i in range(1, 10)]
    + [f"6.{i}" for i in range(1, 13)]
    + ["7.1", "7.2", "9.1", "9.2", "9.3", "10.1", "10.2", "11.1", "12.1", "12.2"]
)


def test_every_fiche_number_of_annexe_3_is_present_exactly_once():
    assert len(NUMEROS_ANNEXE_3) == 69
    numeros = sorted(
        Fiche.objects.en_vigueur().values_list("numero", flat=True), key=Fiche.cles_de_tri
    )
    assert numeros == sorted(NUMEROS_ANNEXE_3, key=Fiche.cles_de_tri)


def test_fixture_integrity():
    for f in Fiche.objects.en_vigueur().prefetch_related("axes"):
        # Every fiche has an objective, or (12.x) an axe.
        assert f.objectif_id or f.axes.exists(), f.numero
        assert f.titre, f.numero
    # No organisation was created twice (no two names normalise alike).
    noms = [o.nom.casefold() for o in Organisation.objects.all()]
    assert len(noms) == len(set(noms))
    # Every link resolves: the M2M rows point at existing rows (checked by the
    # database), and every pilot text that names an alias is linked.
    from fiches.liens import ResolveurOrganisations

    resolveur = ResolveurOrganisations()
    for f in Fiche.objects.prefetch_related("pilotes"):
        assert {o.pk for o in resolveur.organisations(f.pilote_texte)} == {
            o.pk for o in f.pilotes.all()
        }, f.numero


@pytest.mark.parametrize("numero", ["٣.١", "99999.1", "1.99999", "1e5.1", "NaN", "-1.2", ""])
def test_a_fiche_number_is_read_by_the_one_parser(numero):
    # Read before saving into two smallint columns: refused, not a database error.
    with pytest.raises(ValueError):
        Fiche.cles_de_tri(numero)


def test_a_fiche_number_sorts_by_enjeu_then_rang():
    assert Fiche.cles_de_tri(" 12.3 ") == (12, 3)
    assert Fiche.cles_de_tri("4") == (4, 0)
