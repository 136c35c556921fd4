"""Every line of the avenant is in the seeded data, or deliberately left out."""

import io

import pytest
from django.core.management import CommandError, call_command

from contrat import couverture
from contrat.couverture import lignes_manquantes, lire_source, normaliser, textes_en_base
from contrat.models import SectionTexte
from fiches.models import Fiche, SousPartie

pytestmark = pytest.mark.django_db


def _numero_de_ligne(debut, lignes_source="1-99999"):
    premiere, derniere = (int(n) for n in lignes_source.split("-"))
    lignes = lire_source()
    trouvees = [
        i
        for i, ligne in enumerate(lignes, start=1)
        if ligne.startswith(debut) and premiere <= i <= derniere
    ]
    assert len(trouvees) == 1, trouvees
    return trouvees[0]


def test_every_line_of_the_avenant_is_found_in_the_seeded_data():
    manquantes = couverture.verifier()
    assert manquantes == [], "\n".join(str(m)[:200] for m in manquantes)


def test_the_committed_source_is_the_whole_avenant():
    lignes = lire_source()
    assert len(lignes) > 7500
    assert lignes[1].startswith("Protocole d'engagements renforcés et réciproques 2019")
    assert "Lutte contre les discriminations" in "\n".join(lignes[-400:])


def test_a_sentence_removed_from_a_fiche_is_reported_with_its_line():
    fiche = Fiche.objects.get(version__code="2019", numero="1.1")
    numero = _numero_de_ligne("- Un bassin dynamique", fiche.lignes_source)
    phrase = lire_source()[numero - 1][2:]
    assert phrase in fiche.diagnostic
    Fiche.objects.filter(pk=fiche.pk).update(diagnostic=fiche.diagnostic.replace(phrase, ""))

    manquantes = couverture.verifier()

    assert [m.numero for m in manquantes] == [numero]
    assert manquantes[0].morceaux == [phrase]


def test_a_sentence_removed_from_the_articles_is_reported():
    section = SectionTexte.objects.get(numero="2")
    phrase = "La démarche a été menée dans un délai très contraint."
    assert phrase in section.texte
    section.texte = section.texte.replace(phrase, "")
    section.save()

    manquantes = couverture.verifier()

    assert [m.numero for m in manquantes] == [_numero_de_ligne("Les modalités et le planning")]


def test_the_lines_the_first_transcription_dropped_are_now_in_their_fields():
    assert Fiche.objects.get(version__code="2019", numero="2.7").maitre_oeuvre_texte == (
        "chef de file identifié parmi les membres du COPIL PEDT dans le QPV, par quartier"
    )
    assert Fiche.objects.get(version__code="2019", numero="5.6").maitre_oeuvre_texte == (
        "Associations, bailleurs"
    )
    assert Fiche.objects.get(version__code="2019", numero="6.11").calendrier_texte == (
        "A minima, durée du contrat de ville"
    )
    formation = SousPartie.objects.get(fiche__numero="10.1", titre="Mise en place d'une formation")
    assert formation.texte.startswith("Il s'agit de permettre au médiateur social")


def test_the_articles_are_seeded_in_the_order_of_the_text():
    numeros = list(SectionTexte.objects.values_list("numero", flat=True))
    assert numeros == [
        "preambule",
        "1",
        "2",
        "3",
        "3.1",
        "3.2",
        "4",
        "4.1",
        "4.2",
        "5",
        "5.1",
        "5.2",
        "5.3",
        "5.4",
    ]
    article_2 = SectionTexte.objects.get(numero="2").texte
    assert "rassemblant plus de 100 personnes, dont 35 conseillers citoyens" in article_2
    assert "**" not in article_2


def test_the_command_fails_and_lists_what_is_missing():
    SectionTexte.objects.filter(numero="5.4").update(texte="")
    sortie = io.StringIO()
    with pytest.raises(CommandError, match="absente"):
        call_command("couverture_texte", stdout=sortie)
    assert "Des moyens dédiés" in sortie.getvalue()


@pytest.mark.parametrize(
    ("source", "champ"),
    [
        ("DEVELOPPEMENT ECONOMIQUE", "Développement économique"),
        ("dévelop- pement", "développement"),
        ("l’œuvre", "l'oeuvre"),
        ("Cœur de ville", "COEUR DE VILLE"),
        ("**La consultation** des conseillers", "La consultation des conseillers"),
    ],
)
def test_normalisation_forgives_case_accents_ligatures_hyphenation(source, champ):
    assert normaliser(source) == normaliser(champ)


def test_pieces_must_be_contiguous_and_in_order():
    assert lignes_manquantes(["Le chat dort."], ["le chat dort sur le toit"]) == []
    manquantes = lignes_manquantes(["Le chat dort."], ["dort le chat"])
    assert [m.numero for m in manquantes] == [1]
    # A piece may not straddle two fields.
    assert lignes_manquantes(["Le chat dort."], ["le chat", "dort"])


def test_labels_are_stripped_but_what_follows_them_is_checked():
    assert lignes_manquantes(["PILOTE : Métropole"], ["Métropole"]) == []
    assert lignes_manquantes(["PILOTE : Métropole"], ["Ville"])
    assert lignes_manquantes(["DESCRIPTIF DE L'ACTION"], []) == []


def test_every_omission_of_the_allow_list_is_used():
    lignes = lire_source()
    plats = [couverture._plat(cellule) for ligne in lignes for cellule in ligne.split("\t")]
    plats += [couverture._plat(ligne) for ligne in lignes]
    for (motif, raison), (modele, _) in zip(couverture._OMIS, couverture.OMIS, strict=True):
        assert any(motif.fullmatch(p) for p in plats), (modele, raison)


def test_the_check_reads_the_database_not_the_fixtures():
    assert any("Mise en place d'une formation" in t for t in textes_en_base())


def _textes_de_la_gouvernance(monkeypatch):
    monkeypatch.setattr(couverture, "LOCAL_APPS", ["gouvernance"])
    return textes_en_base()


def test_the_governance_facts_are_found_in_the_governance_fields(monkeypatch):
    """The world café's lines (attendance, themes) and the conseils citoyens'
    means are found in the governance records themselves, not only in the
    articles' text (SectionTexte)."""
    lignes = lire_source()
    numeros = [
        _numero_de_ligne("- **La consultation des conseillers citoyens**"),
        _numero_de_ligne("Huit questions ont été débattues"),
        _numero_de_ligne("La Métropole a mis en place les moyens nécessaires"),
    ]
    textes = _textes_de_la_gouvernance(monkeypatch)
    choisies = [lignes[n - 1] for n in numeros]
    assert lignes_manquantes(choisies, textes) == []

    from gouvernance.models import Instance

    Instance.objects.filter(slug="conseils-citoyens").update(moyens_texte="")
    manquantes = lignes_manquantes(choisies, _textes_de_la_gouvernance(monkeypatch))
    assert [m.numero for m in manquantes] == [3]  # the means' paragraph, third chosen
