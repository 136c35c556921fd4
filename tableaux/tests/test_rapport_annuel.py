"""The annual report as the décret n° 2015-1118 asks for it, on the demo's
synthetic values for 2021: cover, table of contents with the pages where the
headings land, page numbers, summary, charts, staff comments, follow-ups,
and the indicators without data grouped in one appendix table."""

import io
import re
import shutil

import pytest
from django.core.management import call_command
from django.urls import reverse

from contrat.models import Objectif
from engagements.models import SuiviAction, Valeur
from engagements.services import campagne_ouvrir
from engagements.services_suivis import suivi_enregistrer, suivis_statuer
from fiches.models import Fiche, Indicateur
from tableaux.models import CommentaireObjectif
from tableaux.rapport import SECTIONS
from tableaux.services import commentaire_enregistrer

pytestmark = pytest.mark.django_db

BILAN = "Les ateliers emploi ont réuni les habitants de Lemasson toute l'année."
PERSPECTIVES = "Étendre les ateliers à la Mosson en 2022."
AVIS = "Le conseil citoyen de Lemasson salue les ateliers."


@pytest.fixture
def donnees_2021(equipe, partenaire):
    """2020 and 2021 opened, the demo's synthetic values (validated) with a
    few indicators by quartier, one indicator emptied for 2021, a validated
    and a draft follow-up of fiche 1.1, the staff's comment on objective 1."""
    import datetime

    for annee in (2020, 2021):
        campagne_ouvrir(
            utilisateur=equipe, annee=annee, date_limite=datetime.date(annee + 1, 3, 31)
        )
    par_quartier = Indicateur.objects.a_saisir().filter(fiche__numero="1.1").order_by("ordre")[:3]
    Indicateur.objects.filter(pk__in=[i.pk for i in par_quartier]).update(
        desagregation=Indicateur.Desagregation.QUARTIER, sens=Indicateur.Sens.HAUSSE
    )
    call_command("generer_valeurs_synthetiques", "--annees", "2020", "2021", stdout=io.StringIO())
    Valeur.objects.filter(indicateur__code="2019-1.1-5", annee=2021).delete()

    fiche = Fiche.objects.en_vigueur().get(numero="1.1")
    pilote = fiche.pilotes.order_by("pk").first()
    auteur = partenaire(pilote.slug)
    suivi = suivi_enregistrer(
        utilisateur=auteur,
        annee=2021,
        version=0,
        fiche=fiche,
        organisation=pilote,
        avancement="en_cours",
        avancement_pct=60,
        realise="Douze ateliers tenus dans les quartiers.",
        a_venir="Un forum de l'emploi au printemps.",
        soumettre=True,
    )
    suivis_statuer(utilisateur=equipe, suivis=[(suivi, suivi.version)], valider=True)
    autre = Fiche.objects.en_vigueur().get(numero="1.2")
    suivi_enregistrer(
        utilisateur=partenaire(autre.pilotes.order_by("pk").first().slug, "brouillon"),
        annee=2021,
        version=0,
        fiche=autre,
        organisation=autre.pilotes.order_by("pk").first(),
        avancement="en_cours",
        realise="Brouillon jamais publié.",
    )
    commentaire_enregistrer(
        utilisateur=equipe,
        commentaire=CommentaireObjectif(
            annee=2021,
            objectif=Objectif.objects.get(numero=1),
            commentaire=BILAN,
            perspectives=PERSPECTIVES,
            avis_conseils_citoyens=AVIS,
        ),
    )


def texte(html):
    return re.sub(r"\s+", " ", html.replace("&#x27;", "'").replace("&quot;", '"'))


def test_public_report_carries_the_decree_s_parts_and_no_staff_matter(client, donnees_2021):
    page = texte(client.get(reverse("rapport:html", args=[2021])).text)
    # The cover: the signatories' names come from the data.
    assert "Philippe SAUREL" in page and "Carole DELGA" in page
    for ancre, _titre in SECTIONS:
        assert f'id="{ancre}"' in page and f'href="#{ancre}"' in page, ancre
    # The staff's comment, outlook and the conseils citoyens' opinion.
    assert BILAN in page and PERSPECTIVES in page and AVIS in page
    # Only the validated follow-up.
    assert "Douze ateliers tenus dans les quartiers." in page
    assert "Brouillon jamais publié." not in page
    assert SuiviAction.objects.filter(annee=2021).count() == 2
    # Staff matters stay on staff pages.
    assert "Anomalies du texte" not in page
    assert "à rédiger" not in page.lower()
    # Charts as inline SVG with their data table.
    assert page.count('<svg class="barres"') >= 3
    assert page.count('class="liste donnees-graphique"') >= 2
    # The quartiers' evolution: the 3 indicators by quartier, in both years.
    assert "Aucun indicateur n'a de valeur validée par quartier" not in page
    assert "évolutions favorables sur 3 indicateurs" in page or "favorable sur 3" in page


def test_indicators_without_data_are_grouped_in_one_appendix_table(client, donnees_2021):
    page = texte(client.get(reverse("rapport:html", args=[2021])).text)
    assert "non renseignée" not in page  # no line per empty indicator any more
    assert page.count('class="liste annexe"') == 1
    annexe = page[page.index('id="annexe"') :]
    ligne = re.search(
        r"<th scope=\"row\">Fiche 1\.1</th><td class=\"num\">(\d+)</td>(.*?)</tr>", annexe
    )
    assert ligne is not None
    assert "2019-1.1-5" in ligne.group(2)
    vides_1_1 = Indicateur.objects.filter(fiche__numero="1.1", fiche__version__en_vigueur=True)
    vides_1_1 = [
        i for i in vides_1_1 if not i.valeurs.filter(annee=2021, statut="validee").exists()
    ]
    assert int(ligne.group(1)) == len(vides_1_1)
    # The fiche says where its missing indicators went.
    assert "sans valeur validée pour 2021 : voir l'annexe" in page


def test_staff_see_what_is_left_to_write_and_the_text_s_anomalies(client, equipe, donnees_2021):
    client.force_login(equipe)
    page = texte(client.get(reverse("rapport:html", args=[2021])).text)
    assert "Commentaire à rédiger." in page  # objectives 2 to 5
    assert "Objectif 2 : perspectives à rédiger." in page
    assert "Anomalies du texte de l'avenant encore à examiner" in page
    assert BILAN in page


def test_a_comment_is_validated_before_it_is_saved(equipe):
    from django.core.exceptions import ValidationError

    from tableaux.models import TEXTE_MAX

    with pytest.raises(ValidationError) as erreur:
        commentaire_enregistrer(
            utilisateur=equipe,
            commentaire=CommentaireObjectif(
                annee=2021,
                objectif=Objectif.objects.get(numero=1),
                commentaire="x" * (TEXTE_MAX + 1),
            ),
        )
    assert "commentaire" in erreur.value.message_dict
    with pytest.raises(ValidationError) as erreur:
        commentaire_enregistrer(
            utilisateur=equipe,
            commentaire=CommentaireObjectif(annee=1990, objectif=Objectif.objects.get(numero=1)),
        )
    assert "supérieure ou égale à 2015" in erreur.value.message_dict["annee"][0]
    assert not CommentaireObjectif.objects.exists()


def test_a_partner_cannot_write_a_comment(partenaire):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        commentaire_enregistrer(
            utilisateur=partenaire("metropole"),
            commentaire=CommentaireObjectif(annee=2021, objectif=Objectif.objects.get(numero=1)),
        )
    assert not CommentaireObjectif.objects.exists()


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Chromium absent (apt-get install chromium)"
)
def test_the_pdf_has_a_cover_contents_with_true_page_numbers_and_numbered_pages(
    client, donnees_2021, settings, tmp_path
):
    from pypdf import PdfReader

    settings.RAPPORT_PDF_DOSSIER_VERROU = tmp_path / "verrou"
    reponse = client.get(reverse("rapport:pdf", args=[2021]))
    assert reponse.status_code == 200
    lecteur = PdfReader(io.BytesIO(reponse.content))
    pages = [re.sub(r"\s+", " ", p.extract_text()) for p in lecteur.pages]
    total = len(pages)
    tout = " ".join(pages)

    # Page 1 is the cover, not a blank page.
    assert "Rapport annuel 2021" in pages[0]
    assert "Philippe SAUREL" in pages[0]
    assert len(pages[0]) > 500
    # Every page is numbered.
    for numero, contenu in enumerate(pages, start=1):
        assert f"Page {numero} sur {total}" in contenu, numero

    # The contents give the page on which each heading landed.
    sommaire = next(i for i, p in enumerate(pages) if "Sommaire" in p)
    destinations = {
        str(nom).lstrip("/"): lecteur.get_destination_page_number(d) + 1
        for nom, d in lecteur.named_destinations.items()
    }
    for rang, (ancre, titre) in enumerate(SECTIONS, start=1):
        page = destinations[ancre]
        assert page > sommaire + 1, ancre
        libelle = titre if ancre == "annexe" else f"{rang}. {titre}"
        assert f"{libelle} {page}" in pages[sommaire], (ancre, page)
        # The heading is on that page (its first words: the PDF's text may
        # break a long heading across lines).
        assert titre.split(":")[0].strip() in pages[page - 1], (ancre, page)
    for numero in range(1, 6):
        page = destinations[f"objectif-{numero}"]
        assert f"Objectif {numero} :" in pages[page - 1]
        assert re.search(rf"Objectif {numero} : .*? {page}\b", pages[sommaire])

    # The summary's key figures, the charts (their data tables), the comment.
    assert "Indicateurs avec une valeur validée" in tout
    assert "Indicateurs avec une valeur validée, par objectif" in tout
    assert "Grilles de saisie 2021 par organisation" in tout
    assert "Indicateurs comparables 2020-2021, par quartier" in tout
    assert BILAN in tout and AVIS in tout
    assert "Douze ateliers tenus dans les quartiers." in tout
    assert "Brouillon jamais publié." not in tout
    assert "Anomalies du texte" not in tout
    assert "non renseignée" not in tout
    annexe = " ".join(pages[destinations["annexe"] - 1 :])
    assert "2019-1.1-5" in annexe


def test_an_unreadable_first_print_leaves_the_contents_without_numbers():
    from tableaux.rapport import pages_des_titres

    assert pages_des_titres(b"%PDF-1.4 pas un PDF") == {}


def test_staff_write_the_comment_in_the_admin_and_a_second_one_for_the_year_is_refused(
    staff_client,
):
    url = reverse("admin:tableaux_commentaireobjectif_add")
    donnees = {
        "annee": "2021",
        "objectif": Objectif.objects.get(numero=2).pk,
        "commentaire": "Bilan de l'objectif 2.",
        "perspectives": "",
        "avis_conseils_citoyens": "",
    }
    assert staff_client.post(url, donnees).status_code == 302
    commentaire = CommentaireObjectif.objects.get()
    assert (commentaire.annee, commentaire.commentaire) == (2021, "Bilan de l'objectif 2.")
    reponse = staff_client.post(url, {**donnees, "commentaire": "Un autre."})
    assert reponse.status_code == 200
    assert "existe déjà" in reponse.text
    assert CommentaireObjectif.objects.count() == 1
