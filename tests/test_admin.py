"""Every admin page answers staff in French and sends anonymous users to the login."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOCAL_APPS = {"contrat", "fiches", "engagements", "gouvernance", "tableaux"}
MODEL_ADMINS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in LOCAL_APPS
)


def test_every_local_model_is_in_the_admin():
    for label in LOCAL_APPS:
        for model in apps.get_app_config(label).get_models():
            assert model in admin.site._registry, f"{model._meta.label} has no admin"


@pytest.fixture
def lignes_non_semees(campagne, partenaire, settings, tmp_path):
    """One row of each admin model the seed leaves empty (accounts, campaigns,
    values, documents, series links, stored PDFs), made the way the app makes them, so that every change
    page is opened: the campaign fixture opens 2021 (campaign and its opening
    event), a partner account is a Membre, a saved value fills the synthesis
    table through its trigger."""
    from contrat.historique import generation
    from engagements.models import Indicateur
    from engagements.services import grille_enregistrer
    from gouvernance.models import Document
    from tableaux.models import RapportPdf

    metropole = partenaire("metropole")
    grille_enregistrer(
        utilisateur=metropole,
        indicateur=Indicateur.objects.get(code="2019-1.1-1"),
        annee=campagne.annee,
        saisies={("", ""): ("12", 0)},
        soumettre=True,
    )
    # A follow-up of a commitment with a milestone, a budget line and a proof.
    from django.core.files.base import ContentFile

    from engagements.models import Engagement
    from engagements.services_suivis import piece_ajouter, suivi_enregistrer

    settings.MEDIA_ROOT = tmp_path
    suivi = suivi_enregistrer(
        utilisateur=metropole,
        annee=campagne.annee,
        version=0,
        engagement=Engagement.objects.filter(organisations__slug="metropole").first(),
        avancement="en_cours",
        jalons=[{"libelle": "Lancement"}],
        lignes_budget=[{"financeur": "metropole", "nature": "droit_commun", "montant_prevu": "10"}],
    )
    fichier = ContentFile(b"%PDF-1.4\n%%EOF\n", name="bilan.pdf")
    piece_ajouter(utilisateur=metropole, suivi=suivi, version=suivi.version, fichier=fichier)
    document = Document(titre="Compte rendu du comité de pilotage", lien="https://example.org/cr")
    document.full_clean()
    document.save()
    # A series candidate, as `manage.py proposer_series` stores them.
    from fiches.models import LienSerie

    LienSerie.objects.create(
        indicateur=Indicateur.objects.get(code="2019-1.1-9"),
        reference=Indicateur.objects.get(code="2019-1.1-1"),
        origine=LienSerie.Origine.MEME_FICHE,
        score="1",
        raison="Libellés semblables.",
    )
    # A stored PDF of the annual report (tableaux/rapport.py prints and stores them).
    RapportPdf.objects.create(
        annee=2021, generation=generation(), contenu=b"%PDF-", taille=5, duree_rendu=1.5
    )
    # A staff comment of the annual report, through its service as the admin saves it.
    from django.contrib.auth import get_user_model

    from contrat.models import Objectif
    from tableaux.models import CommentaireObjectif
    from tableaux.services import commentaire_enregistrer

    commentaire_enregistrer(
        utilisateur=get_user_model().objects.filter(is_staff=True).first(),
        commentaire=CommentaireObjectif(
            annee=2021, objectif=Objectif.objects.get(numero=1), commentaire="Bilan."
        ),
    )


@pytest.mark.parametrize(("app_label", "model_name"), MODEL_ADMINS)
def test_changelist_and_change_page_answer_staff(
    staff_client, lignes_non_semees, app_label, model_name
):
    model = apps.get_model(app_label, model_name)
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    response = staff_client.get(changelist)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr-fr" or 'lang="fr' in response.text
    # Search box and filters must not crash.
    assert staff_client.get(changelist, {"q": "Montpellier"}).status_code == 200
    obj = model._default_manager.order_by("pk").first()
    # A model neither seeded nor made by `lignes_non_semees` fails here: add a row there.
    assert obj is not None, f"no {model._meta.label} row to open: create one in lignes_non_semees"
    change = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])
    assert staff_client.get(change).status_code == 200
    add = staff_client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    model_admin = admin.site._registry[model]
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)


@pytest.mark.parametrize(("app_label", "model_name"), MODEL_ADMINS)
def test_anonymous_user_is_sent_to_the_login(client, app_label, model_name):
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    response = client.get(changelist)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_speaks_french(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert "Administration du contrat de ville" in response.text
    assert "Quartiers prioritaires" in response.text
    assert "Déconnexion" in response.text


def test_organisation_changelist_needs_constant_queries(
    staff_client, django_assert_max_num_queries
):
    # session, user, count, page of organisations with annotated alias and signature counts,
    # filter choices (rattachement): nothing per row.
    with django_assert_max_num_queries(8):
        staff_client.get(reverse("admin:contrat_organisation_changelist"))


@pytest.mark.parametrize(
    ("modele", "champ"),
    [("fiches.Indicateur", "valeur_reference"), ("engagements.Cible", "valeur_max")],
)
def test_admin_reads_numbers_with_the_one_parser(rf, equipe, modele, champ):
    model = apps.get_model(modele)
    requete = rf.get("/admin/")
    requete.user = equipe
    champ_form = admin.site._registry[model].formfield_for_dbfield(
        model._meta.get_field(champ), requete
    )
    assert champ_form.clean("1 234,5") == Decimal("1234.5")
    for texte in ["NaN", "-Infinity", "1e1000000", "9" * 5000]:
        with pytest.raises(ValidationError):
            champ_form.clean(texte)
