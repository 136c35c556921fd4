"""Long texts keep what staff typed: an untouched fiche saved in the admin is
not a change, and the history shows the changed words of a long section."""

import html

import pytest
from django.urls import reverse

from contrat.models import Modification
from contrat.seeding import fixture_files, seed
from contrat.textes import (
    TexteFormField,
    TexteSerializerField,
    difference_html,
    normaliser_fins_de_ligne,
)
from fiches.models import Fiche

pytestmark = pytest.mark.django_db


def _valeur_postee(valeur):
    """A field's value as a browser posts it: textareas with CRLF line breaks."""
    if isinstance(valeur, str):
        return valeur.replace("\n", "\r\n")
    return valeur


def _donnees_du_formulaire(form, data):
    for nom in form.fields:
        valeur = form[nom].value()
        if valeur is None or valeur is False:
            continue
        if valeur is True:
            valeur = "on"
        data[form.add_prefix(nom)] = (
            [_valeur_postee(v) for v in valeur]
            if isinstance(valeur, list | tuple)
            else _valeur_postee(valeur)
        )


def formulaire_tel_que_poste(client, fiche):
    """The change page's form and inlines posted back untouched, as a browser does."""
    page = client.get(reverse("admin:fiches_fiche_change", args=[fiche.pk]))
    data = {}
    _donnees_du_formulaire(page.context["adminform"].form, data)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        _donnees_du_formulaire(formset.management_form, data)
        for form in formset.forms:
            _donnees_du_formulaire(form, data)
    return data


def _fichiers_fiches():
    return [chemin for chemin in fixture_files() if chemin.parent.name == "fiches"]


def test_saving_an_untouched_fiche_records_no_change(staff_client):
    fiche = Fiche.objects.get_by_natural_key("2019", "1.1")
    assert "\n" in fiche.descriptif and fiche.sous_parties.exists() is not None
    data = formulaire_tel_que_poste(staff_client, fiche)
    assert "\r\n" in data["descriptif"]
    avant = Modification.objects.count()

    response = staff_client.post(reverse("admin:fiches_fiche_change", args=[fiche.pk]), data)

    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    nouvelles = list(Modification.objects.order_by("id")[avant:])
    assert [(m.table, m.champs) for m in nouvelles] == []
    fiche.refresh_from_db()
    assert "\r" not in fiche.descriptif
    # Nor does seed take the fiche for a staff edit.
    rapport = seed(files=_fichiers_fiches())
    assert [ligne for ligne in rapport.kept_rows if "1.1" in ligne[1]] == []
    assert rapport.kept_rows == []


def test_an_edit_at_the_end_of_a_long_section_shows_in_the_history(staff_client):
    fiche = Fiche.objects.get_by_natural_key("2019", "1.1")
    texte = fiche.descriptif
    assert len(texte) > 2000
    data = formulaire_tel_que_poste(staff_client, fiche)
    data["descriptif"] = _valeur_postee(texte.rstrip() + " Bilan <2022> & suites.")
    url = reverse("admin:fiches_fiche_change", args=[fiche.pk])
    assert staff_client.post(url, data).status_code == 302

    modification = Modification.objects.pour_objet(fiche).latest("id")
    assert modification.champs == ["descriptif"]
    page = staff_client.get(reverse("admin:fiches_fiche_history", args=[fiche.pk])).text
    # The inserted words, escaped, with the words before them as context.
    assert "<ins> Bilan &lt;2022&gt; &amp; suites.</ins>" in page
    derniers_mots = " ".join(texte.split()[-3:])
    assert html.escape(derniers_mots, quote=False) in page.replace("&#x27;", "'")
    # Not the whole section: its beginning is elided.
    debut = " ".join(texte.split()[:8])
    assert html.escape(debut, quote=False) not in page.replace("&#x27;", "'")
    assert "…" in page


def test_difference_shows_each_change_in_context_and_elides_the_rest():
    avant = " ".join(f"mot{i}" for i in range(100))
    apres = avant.replace("mot10 ", "MOT10 ").replace("mot90", "<b>mot90</b>")
    rendu = difference_html(avant, apres, contexte=2)
    assert rendu == (
        "… mot8 mot9 <del>mot10</del><ins>MOT10</ins> mot11 mot12 … mot88 mot89 "
        "<del>mot90</del><ins>&lt;b&gt;mot90&lt;/b&gt;</ins> mot91 mot92 …"
    )
    assert difference_html("a\r\nb", "a\nb") == "<em>aucune différence visible</em>"
    assert difference_html(None, 3) == "<ins>3</ins>"
    # A new line break alone is marked, not invisible.
    assert difference_html("Fin. Suite", "Fin.\nSuite") == "Fin.<del>␣</del><ins>↵</ins>Suite"


def test_line_endings_are_normalised_wherever_text_is_written():
    assert normaliser_fins_de_ligne("a\r\nb\rc\n") == "a\nb\nc\n"
    # The web forms' and the API's text fields...
    assert TexteFormField().clean("Note\r\nsuite") == "Note\nsuite"
    assert TexteSerializerField().run_validation("Note\r\nsuite") == "Note\nsuite"
    assert not TexteFormField().has_changed("a\nb", "a\r\nb")
    # ...and the model's, whatever path the write takes.
    fiche = Fiche.objects.get_by_natural_key("2019", "1.2")
    fiche.publics_vises = "Jeunes\r\ndes QPV"
    fiche.save()
    fiche.refresh_from_db()
    assert fiche.publics_vises == "Jeunes\ndes QPV"
