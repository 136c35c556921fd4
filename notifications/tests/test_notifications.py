import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from contrat.models import Organisation
from engagements.models import Valeur
from engagements.services import cle, grille_cles, grille_enregistrer, valeurs_statuer
from fiches.models import Indicateur
from notifications.models import Notification, Preferences

pytestmark = pytest.mark.django_db
T = Notification.Type


def soumettre_tout(utilisateur, organisation, annee=2021):
    """Submit one cell of every grid the organisation has to enter."""
    for indicateur in Indicateur.objects.a_saisir().pour_organisation(organisation):
        q, s = grille_cles(indicateur)[0]
        grille_enregistrer(
            utilisateur=utilisateur,
            indicateur=indicateur,
            annee=annee,
            saisies={cle(q, s): ("5", 0)},
            note="test",
            soumettre=True,
        )


def organisation_la_plus_petite():
    """A leaf organisation with a few grids to enter (none of its own services)."""
    candidates = [
        o
        for o in Organisation.objects.filter(services__isnull=True, rattachement__isnull=True)
        if 0 < Indicateur.objects.a_saisir().pour_organisation(o).count() <= 15
    ]
    assert candidates, "the seeded plan has small organisations"
    return candidates[0]


@pytest.fixture
def acteurs(partenaire, equipe, campagne):
    metropole = partenaire("metropole")
    metropole.email = "metropole@example.org"
    metropole.save()
    etat = partenaire("etat")
    etat.email = "etat@example.org"
    etat.save()
    Preferences.objects.create(utilisateur=etat, campagnes=False)
    petite = organisation_la_plus_petite()
    complet = partenaire(petite.slug, username="complet")
    complet.email = "complet@example.org"
    complet.save()
    soumettre_tout(complet, petite)
    equipe.email = "equipe@example.org"
    equipe.save()
    return {"metropole": metropole, "etat": etat, "complet": complet, "equipe": equipe}


def jours(debut, fin):
    jour = debut
    while jour <= fin:
        yield jour
        jour += datetime.timedelta(days=1)


def courriels_a(adresse):
    return [m for m in mail.outbox if adresse in m.to]


def test_the_daily_command_run_day_by_day_sends_each_message_once_to_the_right_people(
    acteurs,
):
    # The 2021 campaign's deadline is 31 March 2022 (conftest); run every day
    # from a month before to ten days after, twice on some days.
    for jour in jours(datetime.date(2022, 3, 1), datetime.date(2022, 4, 10)):
        call_command("notifier", date=jour.isoformat(), stdout=open("/dev/null", "w"))
    for jour in ["2022-03-16", "2022-03-28", "2022-04-01"]:
        call_command("notifier", date=jour, stdout=open("/dev/null", "w"))

    recues = {
        (n.type, n.date.isoformat())
        for n in Notification.objects.filter(destinataire=acteurs["metropole"])
    }
    assert recues == {
        (T.OUVERTURE, "2022-03-01"),
        (T.RAPPEL_15, "2022-03-16"),
        (T.RAPPEL_3, "2022-03-28"),
        (T.RETARD, "2022-04-01"),
    }
    sujets = sorted(m.subject for m in courriels_a("metropole@example.org"))
    assert sujets == sorted(
        [
            "[Contrat de ville] Campagne de saisie 2021 ouverte",
            "[Contrat de ville] Campagne 2021 : plus que 15 jours pour saisir",
            "[Contrat de ville] Campagne 2021 : plus que 3 jours pour saisir",
            "[Contrat de ville] Campagne 2021 : date limite dépassée",
        ]
    )
    rappel = next(m for m in courriels_a("metropole@example.org") if "15 jours" in m.subject)
    assert "31 mars 2022" in rappel.body and "Métropole" in rappel.body
    assert "/saisie/?annee=2021" in rappel.body
    html, type_ = rappel.alternatives[0]
    assert type_ == "text/html" and "<a href=" in html
    assert all(n.envoyee_le for n in Notification.objects.filter(destinataire=acteurs["metropole"]))

    # Opted out of campaign e-mails: the messages are in the app, not in the mailbox.
    etat = Notification.objects.filter(destinataire=acteurs["etat"])
    assert etat.count() == 4 and not etat.filter(par_courriel=True).exists()
    assert courriels_a("etat@example.org") == []
    # Nothing missing: told of the opening, never reminded nor late.
    assert list(
        Notification.objects.filter(destinataire=acteurs["complet"]).values_list("type", flat=True)
    ) == [T.OUVERTURE]
    assert len(courriels_a("complet@example.org")) == 1
    # Staff are not partners: no campaign messages; no submission in 2022: no digest.
    assert not Notification.objects.filter(destinataire=acteurs["equipe"]).exists()


def test_a_deadline_moved_later_gets_its_own_reminders(acteurs, campagne):
    call_command("notifier", date="2022-03-28", stdout=open("/dev/null", "w"))
    campagne.date_limite = datetime.date(2022, 4, 30)
    campagne.save()
    call_command("notifier", date="2022-04-27", stdout=open("/dev/null", "w"))
    rappels = Notification.objects.filter(destinataire=acteurs["metropole"], type=T.RAPPEL_3)
    assert sorted(n.cle for n in rappels) == [
        "campagne:2021:2022-03-31",
        "campagne:2021:2022-04-30",
    ]


def test_dry_run_records_and_sends_nothing(acteurs, capsys):
    call_command("notifier", date="2022-03-16", dry_run=True)
    sortie = capsys.readouterr().out
    assert "rappel_15\tpartenaire-metropole" in sortie and "à envoyer" in sortie
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="Date invalide"):
        call_command("notifier", date="2022-02-30")


def test_the_daily_digest_lists_yesterdays_submissions_to_staff_only(acteurs, django_user_model):
    autre_agent = django_user_model.objects.create_user(
        username="agent2", email="agent2@example.org", is_staff=True
    )
    Preferences.objects.create(utilisateur=autre_agent, synthese=False)
    soumises = Valeur.objects.filter(statut=Valeur.Statut.SOUMISE)
    assert soumises.exists()
    jour = soumises.first().soumise_le.astimezone().date()
    demain = (jour + datetime.timedelta(days=1)).isoformat()
    call_command("notifier", date=demain, stdout=open("/dev/null", "w"))
    call_command("notifier", date=demain, stdout=open("/dev/null", "w"))
    [synthese] = courriels_a("equipe@example.org")
    assert f"{soumises.count()} valeur" in synthese.subject
    assert "/saisie/validation/" in synthese.body
    assert courriels_a("agent2@example.org") == []
    assert Notification.objects.filter(destinataire=autre_agent, type=T.SYNTHESE).count() == 1
    assert not Notification.objects.filter(
        type=T.SYNTHESE, destinataire__in=[acteurs["metropole"], acteurs["complet"]]
    ).exists()
    # The day after: nothing was submitted the day before, no digest.
    mail.outbox.clear()
    call_command(
        "notifier",
        date=(jour + datetime.timedelta(days=2)).isoformat(),
        stdout=open("/dev/null", "w"),
    )
    assert courriels_a("equipe@example.org") == []


def test_a_failed_email_is_sent_again_by_the_next_run(acteurs, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    envoyer = EmailMultiAlternatives.send

    def en_panne(self, *a, **k):
        raise OSError("serveur injoignable")

    monkeypatch.setattr(EmailMultiAlternatives, "send", en_panne)
    call_command("notifier", date="2022-03-16", stdout=open("/dev/null", "w"))
    assert mail.outbox == []
    assert Notification.objects.filter(envoyee_le__isnull=True, par_courriel=True).exists()
    monkeypatch.setattr(EmailMultiAlternatives, "send", envoyer)
    call_command("notifier", date="2022-03-17", stdout=open("/dev/null", "w"))
    assert len(courriels_a("metropole@example.org")) == 2  # opening and reminder, once each
    assert not Notification.objects.filter(envoyee_le__isnull=True, par_courriel=True).exists()


# ---------------------------------------------------------------- rejection


@pytest.fixture
def soumise(partenaire, campagne):
    metropole = partenaire("metropole")
    metropole.email = "metropole@example.org"
    metropole.save()
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    [valeur] = grille_enregistrer(
        utilisateur=metropole,
        indicateur=indicateur,
        annee=2021,
        saisies={("", ""): ("5", 0)},
        note="n",
        soumettre=True,
    )
    return valeur


def test_a_rejection_is_emailed_on_commit_only(
    soumise, equipe, partenaire, django_capture_on_commit_callbacks
):
    etat = partenaire("etat")
    etat.email = "etat@example.org"
    etat.save()
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        valeurs_statuer(
            utilisateur=equipe,
            valeurs=[(soumise, soumise.version)],
            valider=False,
            commentaire="Chiffre de 2020 recopié",
        )
    # Not sent before the commit...
    assert mail.outbox == [] and not Notification.objects.exists()
    assert len(rappels) == 1
    rappels[0]()
    # ...then once, to the Métropole's users only, with the reason and the grid.
    [courriel] = mail.outbox
    assert courriel.to == ["metropole@example.org"]
    assert courriel.subject == "[Contrat de ville] Valeur rejetée : 2019-1.1-1 (2021)"
    assert "Motif : Chiffre de 2020 recopié" in courriel.body
    assert reverse("saisie:grille", args=[2021, "2019-1.1-1"]) in courriel.body
    assert Notification.objects.get().destinataire.username == "partenaire-metropole"


def test_a_rejection_rolled_back_or_refused_announces_nothing(
    soumise, equipe, django_capture_on_commit_callbacks
):
    from contrat.erreurs import Invalide

    with django_capture_on_commit_callbacks(execute=True) as rappels:
        with pytest.raises(RuntimeError), transaction.atomic():
            valeurs_statuer(
                utilisateur=equipe,
                valeurs=[(soumise, soumise.version)],
                valider=False,
                commentaire="motif",
            )
            raise RuntimeError("the caller's transaction fails after the service")
        with pytest.raises(Invalide):
            valeurs_statuer(utilisateur=equipe, valeurs=[(soumise, soumise.version)], valider=False)
    assert rappels == []
    assert mail.outbox == []
    soumise.refresh_from_db()
    assert soumise.statut == Valeur.Statut.SOUMISE


def test_a_validation_sends_nothing(soumise, equipe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        valeurs_statuer(utilisateur=equipe, valeurs=[(soumise, soumise.version)], valider=True)
    assert mail.outbox == []


def test_opening_a_campaign_tells_the_partners_on_commit(
    equipe, partenaire, django_capture_on_commit_callbacks
):
    from engagements.services import campagne_ouvrir

    metropole = partenaire("metropole")
    metropole.email = "metropole@example.org"
    metropole.save()
    with django_capture_on_commit_callbacks(execute=True):
        campagne_ouvrir(utilisateur=equipe, annee=2022, date_limite=datetime.date(2023, 3, 31))
    [courriel] = mail.outbox
    assert courriel.subject == "[Contrat de ville] Campagne de saisie 2022 ouverte"
    assert "31 mars 2023" in courriel.body
    # The daily command does not tell them again.
    call_command("notifier", date="2023-01-02", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1


# ---------------------------------------------------------------- pages


@pytest.fixture
def deux_boites(django_user_model):
    a = django_user_model.objects.create_user(username="a", password="mot-de-passe-solide-42")
    b = django_user_model.objects.create_user(username="b", password="mot-de-passe-solide-42")
    commun = {"type": T.REJET, "date": datetime.date(2022, 3, 1), "texte": "Motif : x"}
    na = Notification.objects.create(
        destinataire=a, cle="k1", titre="Pour A", lien="/saisie/", **commun
    )
    nb = Notification.objects.create(destinataire=b, cle="k1", titre="Pour B", **commun)
    return a, b, na, nb


def test_the_list_shows_only_the_users_notifications_and_the_header_counts_them(
    client, deux_boites
):
    a, _b, _na, _nb = deux_boites
    client.force_login(a)
    page = client.get(reverse("notifications:liste")).content.decode()
    assert "Pour A" in page and "Pour B" not in page
    assert 'class="pastille">1<' in client.get("/").content.decode()


def test_marking_read_and_another_users_notification_is_404(client, deux_boites):
    a, _b, na, nb = deux_boites
    client.force_login(a)
    assert client.post(reverse("notifications:lire", args=[nb.pk])).status_code == 404
    nb.refresh_from_db()
    assert nb.lue_le is None
    reponse = client.post(reverse("notifications:lire", args=[na.pk]), {"ouvrir": "1"})
    assert reponse.status_code == 302 and reponse["Location"] == "/saisie/"
    na.refresh_from_db()
    assert na.lue_le is not None
    assert "pastille" not in client.get("/").content.decode()


def test_mark_all_read_touches_only_the_users_own(client, deux_boites):
    a, _b, na, nb = deux_boites
    client.force_login(a)
    client.post(reverse("notifications:tout_lire"))
    na.refresh_from_db()
    nb.refresh_from_db()
    assert na.lue_le is not None and nb.lue_le is None


def test_preferences_page_saves_the_opt_out(client, deux_boites):
    a, *_ = deux_boites
    client.force_login(a)
    assert (
        "Recevoir par courriel" in client.get(reverse("notifications:preferences")).content.decode()
    )
    reponse = client.post(
        reverse("notifications:preferences"), {"formulaire": "preferences", "rejets": "on"}
    )
    assert reponse.status_code == 302
    preferences = Preferences.objects.get(utilisateur=a)
    assert (preferences.campagnes, preferences.rejets, preferences.synthese) == (
        False,
        True,
        False,
    )
    # A body that is not the form's changes nothing.
    reponse = client.post(reverse("notifications:preferences"), {"campagnes": "on"})
    assert reponse.status_code == 400
    preferences.refresh_from_db()
    assert preferences.campagnes is False


def test_the_anonymous_are_sent_to_log_in(client):
    reponse = client.get(reverse("notifications:liste"))
    assert reponse.status_code == 302 and reverse("connexion") in reponse["Location"]


def test_a_mail_server_down_at_rejection_keeps_the_rejection_and_retries_the_email(
    soumise, equipe, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail import EmailMultiAlternatives

    envoyer = EmailMultiAlternatives.send

    def en_panne(self, *a, **k):
        raise OSError("serveur injoignable")

    monkeypatch.setattr(EmailMultiAlternatives, "send", en_panne)
    with django_capture_on_commit_callbacks(execute=True):
        valeurs_statuer(
            utilisateur=equipe,
            valeurs=[(soumise, soumise.version)],
            valider=False,
            commentaire="motif",
        )
    soumise.refresh_from_db()
    assert soumise.statut == Valeur.Statut.REJETEE
    notification = Notification.objects.get(type=T.REJET)
    assert notification.envoyee_le is None and mail.outbox == []
    monkeypatch.setattr(EmailMultiAlternatives, "send", envoyer)
    call_command("notifier", date=notification.date.isoformat(), stdout=open("/dev/null", "w"))
    assert [m.subject for m in mail.outbox if "Valeur rejetée" in m.subject] == [
        "[Contrat de ville] Valeur rejetée : 2019-1.1-1 (2021)"
    ]
