"""Follow-up of actions (fiches and commitments): the same workflow, rules
and guarantees as values — permissions, closed campaigns, versions, history,
files checked by content, validation — and the CAF's acceptance scenario."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contrat.erreurs import Conflit, Invalide, PermissionRefusee, Verrouillee
from contrat.models import Modification, Organisation
from engagements.models import Engagement, LigneBudget, PieceJustificative, SuiviAction
from engagements.services import campagne_fermer
from engagements.services_suivis import (
    piece_ajouter,
    suivi_enregistrer,
    suivi_soumettre,
    suivis_statuer,
)
from fiches.models import Fiche

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
MARQUE = "MARQUE-SUIVI-BROUILLON-CAF"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _connecte(user):
    client = Client()
    client.force_login(user)
    return client


def _login(username, password):
    client = Client()
    reponse = client.post(reverse("connexion"), {"username": username, "password": password})
    assert reponse.status_code == 302, f"{username} could not log in"
    return client


def _engagement_caf():
    return Engagement.objects.filter(organisations__slug="caf-herault").order_by("ordre").first()


def _brouillon(user, engagement, **kwargs):
    return suivi_enregistrer(
        utilisateur=user,
        annee=2021,
        version=0,
        engagement=engagement,
        avancement="en_cours",
        realise=MARQUE,
        lignes_budget=[
            {
                "financeur": "caf-herault",
                "nature": "droit_commun",
                "montant_prevu": "12 000",
                "montant_depense": "9 500,50",
            }
        ],
        **kwargs,
    )


# ---------------------------------------------------------------- acceptance


def test_caf_partner_reports_on_its_seven_commitments_staff_validate_and_the_api_publishes(
    settings,
):
    """As the CAF's demo partner: see each of its 7 commitments, report on each
    (status, account, budget, a proof), submit; staff validate; the follow-ups
    are in the API; the drafts were never visible to anyone else."""
    from engagements.management.commands.create_demo_accounts import DEMO_PASSWORD

    call_command("create_demo_accounts", stdout=io.StringIO())
    caf, etat, equipe = (
        _login(nom, DEMO_PASSWORD) for nom in ("demo-caf", "demo-etat", "demo-equipe")
    )
    anonyme = Client()

    page = caf.get(reverse("saisie:suivis"), {"annee": 2021, "filtre": "a_saisir"})
    assert page.status_code == 200
    ordres = sorted(
        int(o) for o in re.findall(r"/saisie/suivis/2021/engagement/(\d+)/", page.content.decode())
    )
    attendus = sorted(
        Engagement.objects.filter(organisations__slug="caf-herault").values_list("ordre", flat=True)
    )
    assert len(attendus) == 7 and ordres == attendus
    # ... and the fiches it pilots, each "à saisir" too.
    fiches = Fiche.objects.en_vigueur().filter(pilotes__slug="caf-herault").count()
    assert page.content.decode().count("/saisie/suivis/2021/fiche/") == fiches
    assert f"<strong>{7 + fiches} à saisir</strong>" in page.content.decode()

    for ordre in ordres:
        url = reverse("saisie:suivi_engagement", args=[2021, ordre])
        assert caf.get(url).status_code == 200
        reponse = caf.post(
            url,
            {
                "version": 0,
                "avancement": "en_cours",
                "avancement_pct": "60",
                "realise": f"{MARQUE} — engagement {ordre} : permanences ouvertes.",
                "a_venir": "Bilan en fin d'année.",
                "jalons-TOTAL_FORMS": 2,
                "jalons-INITIAL_FORMS": 0,
                "jalons-0-libelle": "Ouverture",
                "jalons-0-date_prevue": "2021-03-01",
                "jalons-0-date_reelle": "2021-03-15",
                "budget-TOTAL_FORMS": 2,
                "budget-INITIAL_FORMS": 0,
                "budget-0-financeur": Organisation.objects.get(slug="caf-herault").pk,
                "budget-0-nature": "droit_commun",
                "budget-0-montant_prevu": "12 000",
                "budget-0-montant_depense": "9 500,50",
                "piece": SimpleUploadedFile(f"bilan-{ordre}.pdf", PDF, "application/pdf"),
                "action": "soumettre",
            },
        )
        assert reponse.status_code == 302, reponse.content.decode()[:2000]

    suivis = SuiviAction.objects.filter(annee=2021, engagement__ordre__in=ordres)
    assert suivis.count() == 7
    for suivi in suivis:
        assert suivi.statut == SuiviAction.Statut.SOUMIS
        assert suivi.organisation.slug == "caf-herault"
        assert suivi.avancement_pct == 60
        assert suivi.jalons.get().date_reelle.isoformat() == "2021-03-15"
        ligne = suivi.lignes_budget.get()
        assert (ligne.nature, str(ligne.montant_depense), ligne.annee) == (
            "droit_commun",
            "9500.50",
            2021,
        )
        assert suivi.pieces.count() == 1

    # Nobody else sees the submitted drafts: anonymous, another partner (API, pages, proofs).
    for client in (anonyme, etat):
        assert client.get("/api/suivis/").json()["count"] == 0
        csv = b"".join(client.get("/api/suivis/?format=csv").streaming_content)
        assert MARQUE.encode() not in csv
    piece = PieceJustificative.objects.filter(suivi__in=suivis).first()
    assert etat.get(reverse("saisie:piece", args=[piece.pk])).status_code == 404
    assert anonyme.get(reverse("saisie:piece", args=[piece.pk])).status_code == 302
    assert etat.get(reverse("saisie:suivi_engagement", args=[2021, ordres[0]])).status_code == 404
    assert MARQUE not in etat.get(reverse("saisie:suivis"), {"annee": 2021}).content.decode()
    assert caf.get("/api/suivis/").json()["count"] == 7

    # Staff validate the selection from their queue.
    file = equipe.get(reverse("saisie:validation_suivis"))
    assert file.status_code == 200 and file.content.decode().count('name="suivi"') == 7
    donnees = {"action": "valider", "suivi": [str(s.pk) for s in suivis]}
    donnees |= {f"ver_{s.pk}": s.version for s in suivis}
    assert equipe.post(reverse("saisie:validation_suivis"), donnees).status_code == 302
    assert set(suivis.values_list("statut", flat=True)) == {SuiviAction.Statut.VALIDE}

    # Now public, with the budget; the proofs never.
    publics = anonyme.get("/api/suivis/", {"annee": 2021, "organisation": "caf-herault"}).json()
    assert publics["count"] == 7
    for suivi in publics["results"]:
        assert suivi["statut"] == "valide" and suivi["avancement"] == "en_cours"
        assert float(suivi["lignes_budget"][0]["montant_depense"]) == 9500.5
        assert suivi["pieces"] == []
    assert len(caf.get(f"/api/suivis/{publics['results'][0]['id']}/").json()["pieces"]) == 1
    telechargement = caf.get(reverse("saisie:piece", args=[piece.pk]))
    assert telechargement.status_code == 200
    assert telechargement["Content-Disposition"].startswith("attachment")
    assert telechargement["X-Content-Type-Options"] == "nosniff"


# ---------------------------------------------------------------- rules


def test_closed_campaign_locks_follow_ups(partenaire, equipe, campagne):
    caf = partenaire("caf-herault")
    suivi = _brouillon(caf, _engagement_caf())
    campagne_fermer(utilisateur=equipe, campagne=campagne, motif="Campagne terminée")
    with pytest.raises(Verrouillee):
        suivi_soumettre(utilisateur=caf, suivi=suivi, version=suivi.version)
    reponse = _connecte(caf).patch(
        f"/api/suivis/{suivi.pk}/",
        {"version": suivi.version, "realise": "changé"},
        content_type="application/json",
    )
    assert reponse.status_code == 423 and reponse.json()["erreur"]["code"] == "verrouillee"
    page = _connecte(caf).post(
        reverse("saisie:suivi_engagement", args=[2021, suivi.engagement.ordre]),
        {"version": suivi.version, "realise": "changé", "action": "brouillon"},
    )
    assert page.status_code == 423 and "verrouillé" in page.content.decode()
    suivi.refresh_from_db()
    assert suivi.realise == MARQUE and suivi.version == 1


def test_stale_version_is_refused_with_the_current_record(partenaire, campagne):
    caf = partenaire("caf-herault")
    engagement = _engagement_caf()
    suivi = _brouillon(caf, engagement)
    client = _connecte(caf)
    premiere = client.patch(
        f"/api/suivis/{suivi.pk}/",
        {"version": 1, "avancement": "realise", "realise": "premier"},
        content_type="application/json",
    )
    assert premiere.status_code == 200 and premiere.json()["version"] == 2
    perdue = client.patch(
        f"/api/suivis/{suivi.pk}/",
        {"version": 1, "realise": "second, d'une version dépassée"},
        content_type="application/json",
    )
    assert perdue.status_code == 409
    assert perdue.json()["erreur"]["details"]["actuelle"]["realise"] == "premier"
    # A second creation from "nothing there" is a conflict too, not a duplicate.
    with pytest.raises(Conflit):
        _brouillon(caf, engagement)
    suivi.refresh_from_db()
    assert (suivi.realise, suivi.version) == ("premier", 2)


def test_only_the_responsible_organisation_and_staff_write(partenaire, equipe, campagne):
    caf, etat = partenaire("caf-herault"), partenaire("etat")
    engagement = _engagement_caf()
    with pytest.raises(PermissionRefusee):
        _brouillon(etat, engagement)
    reponse = _connecte(etat).post(
        "/api/suivis/",
        {"annee": 2021, "engagement": engagement.ordre, "avancement": "en_cours", "version": 0},
        content_type="application/json",
    )
    assert reponse.status_code == 403
    assert not SuiviAction.objects.exists()
    suivi = _brouillon(caf, engagement)
    # Another partner: the record does not exist for it (API and page), and it cannot submit it.
    assert _connecte(etat).get(f"/api/suivis/{suivi.pk}/").status_code == 404
    assert (
        _connecte(etat)
        .post(f"/api/suivis/{suivi.pk}/soumettre/", {"version": 1}, content_type="application/json")
        .status_code
        == 404
    )
    # A fiche's record: by one of its pilots only.
    fiche = Fiche.objects.en_vigueur().filter(pilotes__slug="metropole").first()
    metropole = partenaire("metropole")
    pilote = Organisation.objects.get(slug="metropole")
    suivi_fiche = suivi_enregistrer(
        utilisateur=metropole, annee=2021, version=0, fiche=fiche, organisation=pilote
    )
    assert suivi_fiche.organisation == pilote and suivi_fiche.statut == "brouillon"
    with pytest.raises(PermissionRefusee):
        suivi_enregistrer(utilisateur=caf, annee=2021, version=1, fiche=fiche, organisation=pilote)
    non_pilote = Organisation.objects.get(slug="caf-herault")
    if not fiche.pilotes.filter(pk=non_pilote.pk).exists():
        with pytest.raises(Invalide):
            suivi_enregistrer(
                utilisateur=caf, annee=2021, version=0, fiche=fiche, organisation=non_pilote
            )
    # Staff write anyone's.
    assert (
        suivi_enregistrer(
            utilisateur=equipe, annee=2021, version=1, engagement=engagement, realise="par l'équipe"
        ).version
        == 2
    )


def test_every_change_is_in_the_history(partenaire, equipe, campagne):
    caf = partenaire("caf-herault")
    suivi = _brouillon(caf, _engagement_caf())
    suivi = suivi_soumettre(utilisateur=caf, suivi=suivi, version=suivi.version)
    suivis_statuer(utilisateur=equipe, suivis=[(suivi, suivi.version)], valider=True)
    modifications = Modification.objects.pour_objet(suivi).order_by("id")
    assert [m.utilisateur for m in modifications] == [caf, caf, equipe]
    assert Modification.objects.filter(table="engagements_lignebudget").exists()


def test_a_proof_is_refused_by_content_and_nothing_is_saved(partenaire, campagne):
    caf = partenaire("caf-herault")
    engagement = _engagement_caf()
    client = _connecte(caf)
    reponse = client.post(
        reverse("saisie:suivi_engagement", args=[2021, engagement.ordre]),
        {
            "version": 0,
            "avancement": "en_cours",
            "realise": "avec une pièce piégée",
            "jalons-TOTAL_FORMS": 0,
            "jalons-INITIAL_FORMS": 0,
            "budget-TOTAL_FORMS": 0,
            "budget-INITIAL_FORMS": 0,
            "piece": SimpleUploadedFile("bilan.pdf", HTML, "application/pdf"),
            "action": "brouillon",
        },
    )
    assert reponse.status_code == 400
    assert "n&#x27;est pas d&#x27;un type accepté" in reponse.content.decode()
    # The record and the proof are one transaction: nothing was kept.
    assert not SuiviAction.objects.exists() and not PieceJustificative.objects.exists()
    suivi = _brouillon(caf, engagement)
    with pytest.raises(Invalide):
        piece_ajouter(
            utilisateur=caf,
            suivi=suivi,
            version=suivi.version,
            fichier=SimpleUploadedFile("page.html", HTML, "text/html"),
        )
    assert not PieceJustificative.objects.exists()


def test_validation_workflow(partenaire, equipe, campagne):
    caf = partenaire("caf-herault")
    engagement = _engagement_caf()
    vide = suivi_enregistrer(utilisateur=caf, annee=2021, version=0, engagement=engagement)
    assert vide.avancement == "" and vide.realise == ""  # nothing invented
    with pytest.raises(Invalide, match="statut d'avancement"):
        suivi_soumettre(utilisateur=caf, suivi=vide, version=vide.version)
    with pytest.raises(Invalide, match="soumis"):
        suivis_statuer(utilisateur=equipe, suivis=[(vide, vide.version)], valider=True)
    suivi = suivi_enregistrer(
        utilisateur=caf,
        annee=2021,
        version=vide.version,
        engagement=engagement,
        avancement="en_retard",
        soumettre=True,
    )
    with pytest.raises(PermissionRefusee):
        suivis_statuer(utilisateur=caf, suivis=[(suivi, suivi.version)], valider=True)
    with pytest.raises(Invalide, match="commentaire"):
        suivis_statuer(utilisateur=equipe, suivis=[(suivi, suivi.version)], valider=False)
    [rejete] = suivis_statuer(
        utilisateur=equipe,
        suivis=[(suivi, suivi.version)],
        valider=False,
        commentaire="Précisez le retard.",
    )
    assert rejete.statut == "rejete"
    page = _connecte(caf).get(reverse("saisie:suivi_engagement", args=[2021, engagement.ordre]))
    assert "Précisez le retard." in page.content.decode()
    corrige = suivi_enregistrer(
        utilisateur=caf,
        annee=2021,
        version=rejete.version,
        engagement=engagement,
        avancement="en_retard",
        realise="Retard dû au recrutement.",
        soumettre=True,
    )
    reponse = _connecte(equipe).post(
        f"/api/suivis/{corrige.pk}/valider/", {"version": corrige.version}, "application/json"
    )
    assert reponse.status_code == 200 and reponse.json()["statut"] == "valide"
    corrige.refresh_from_db()
    with pytest.raises(Invalide, match="validé"):
        suivi_enregistrer(
            utilisateur=caf, annee=2021, version=corrige.version, engagement=engagement
        )
    # The partner cannot validate through the API either.
    assert (
        _connecte(caf)
        .post(f"/api/suivis/{corrige.pk}/rejeter/", {"version": 1}, "application/json")
        .status_code
        == 403
    )


def test_draft_budget_is_not_public_and_rejected_input_saves_nothing(partenaire, campagne):
    caf = partenaire("caf-herault")
    engagement = _engagement_caf()
    with pytest.raises(Invalide) as refus:
        suivi_enregistrer(
            utilisateur=caf,
            annee=2021,
            version=0,
            engagement=engagement,
            avancement_pct=140,
            lignes_budget=[
                {"financeur": "caf-herault", "nature": "droit_commun", "montant_prevu": "-5"}
            ],
        )
    assert set(refus.value.details) == {"avancement_pct", "lignes_budget"}
    assert not SuiviAction.objects.exists() and not LigneBudget.objects.exists()
    _brouillon(caf, engagement)
    assert Client().get("/api/suivis/").json()["count"] == 0
    propre = _connecte(caf).get("/api/suivis/").json()["results"][0]
    assert propre["lignes_budget"][0]["financeur"] == "caf-herault"


def test_the_database_wants_exactly_one_of_fiche_or_engagement(partenaire):
    caf = partenaire("caf-herault")
    with pytest.raises(IntegrityError), transaction.atomic():
        SuiviAction.objects.create(
            annee=2021,
            fiche=Fiche.objects.en_vigueur().first(),
            engagement=_engagement_caf(),
            organisation=Organisation.objects.get(slug="caf-herault"),
            saisi_par=caf,
            saisi_le=timezone.now(),
        )


def test_api_list_of_follow_ups_runs_a_fixed_number_of_queries(
    partenaire, equipe, campagne, django_assert_num_queries
):
    caf = partenaire("caf-herault")
    for engagement in Engagement.objects.filter(organisations__slug="caf-herault")[:3]:
        suivi = _brouillon(caf, engagement, soumettre=True)
        [suivi] = suivis_statuer(utilisateur=equipe, suivis=[(suivi, suivi.version)], valider=True)
    client = Client()
    # 8 queries: the data generation (cache key), the count, the records (with
    # fiche, engagement, organisation), their milestones, budget lines, the
    # lines' funders, the proofs, the commitments' organisations
    with django_assert_num_queries(8):
        assert client.get("/api/suivis/").status_code == 200
    assert suivi.statut == "valide"


def test_the_form_shows_back_what_was_saved(partenaire, campagne):
    caf = partenaire("caf-herault")
    engagement = _engagement_caf()
    suivi_enregistrer(
        utilisateur=caf,
        annee=2021,
        version=0,
        engagement=engagement,
        avancement="en_cours",
        jalons=[{"libelle": "Convention signée", "date_prevue": "2021-03-01"}],
        lignes_budget=[
            {"financeur": "caf-herault", "nature": "droit_commun", "montant_prevu": "12 000,5"}
        ],
    )
    page = _connecte(caf).get(reverse("saisie:suivi_engagement", args=[2021, engagement.ordre]))
    html = page.content.decode()
    # An <input type="date"> reads ISO dates only; amounts are written the French way.
    assert 'value="2021-03-01"' in html
    assert 'value="12 000,5"' in html
    assert 'value="1"' in html  # the version read, sent back with the next save
