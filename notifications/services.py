"""Notifications: who is told what, recorded once, e-mailed unless refused.

- The daily command (``manage.py notifier``) plans, for a given day, the
  campaign messages (opening, 15 and 3 days before the deadline, late) to the
  partner users whose organisation still has something to enter, submit or
  correct, and the staff's digest of the previous day's submissions.
- A rejection is told at once: ``engagements.services.valeurs_statuer`` sends
  a signal after its commit (``engagements.signaux``), handled here.

Each message is a :class:`~notifications.models.Notification` row, unique
per (recipient, type, object key): planning the same day twice, or two
servers running the command together, records and sends it once. The row is
written (and committed) before the e-mail leaves; an e-mail that failed stays
unsent and is tried again by the next run.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from contrat.erreurs import Invalide, PermissionRefusee
from contrat.models import Membre, Organisation
from engagements.models import Campagne, Valeur
from engagements.suivi import etats_des_grilles
from fiches.models import Indicateur
from notifications.models import Notification, Preferences

journal = logging.getLogger("notifications")
Type = Notification.Type

# Reminders: (days left at most, type), the nearest deadline first.
RAPPELS = [(3, Type.RAPPEL_3), (15, Type.RAPPEL_15)]
# Unsent e-mails (a mail server down) are tried again this long.
REESSAI_JOURS = 7
# A digest lists this many grids at most (the rest is counted).
SYNTHESE_LIGNES_MAX = 50


@dataclass
class Message:
    destinataire: object
    type: str
    cle: str
    titre: str
    texte: str
    lien: str = ""


def url_absolue(chemin):
    return settings.SITE_URL.rstrip("/") + chemin


def date_fr(jour):
    with translation.override("fr"):
        return date_format(jour, "j F Y")


# ---------------------------------------------------------------- recipients


def perimetres():
    """{organisation id: ids of it and its services at any depth}, from one query."""
    enfants = defaultdict(list)
    ids = []
    for pk, parent in Organisation.objects.values_list("pk", "rattachement_id"):
        ids.append(pk)
        if parent:
            enfants[parent].append(pk)
    resultat = {}
    for pk in ids:
        vus, pile = set(), [pk]
        while pile:
            courant = pile.pop()
            if courant not in vus:
                vus.add(courant)
                pile.extend(enfants[courant])
        resultat[pk] = vus
    return resultat


def membres_actifs():
    """[(user, organisation)] of the active partner accounts, one query."""
    return [
        (m.utilisateur, m.organisation)
        for m in Membre.objects.select_related("utilisateur", "organisation").filter(
            utilisateur__is_active=True
        )
    ]


def equipe_active():
    return list(get_user_model().objects.filter(is_active=True, is_staff=True).order_by("pk"))


def grilles_par_organisation(campagne):
    """{organisation id: (grids due, grids with something to do)} for the campaign."""
    comptes = defaultdict(lambda: [0, 0])
    for etat in etats_des_grilles(Indicateur.objects.a_saisir(), campagne):
        ligne = comptes[etat.indicateur.organisation_id]
        ligne[0] += 1
        ligne[1] += etat.a_faire
    return comptes


def situation_des_membres(campagne):
    """[(user, organisation, grids due, grids to do)] for each active partner account."""
    comptes = grilles_par_organisation(campagne)
    perimetre = perimetres()
    sortie = []
    for utilisateur, organisation in membres_actifs():
        dues = afaire = 0
        for pk in perimetre.get(organisation.pk, {organisation.pk}):
            dues += comptes[pk][0] if pk in comptes else 0
            afaire += comptes[pk][1] if pk in comptes else 0
        sortie.append((utilisateur, organisation, dues, afaire))
    return sortie


# ---------------------------------------------------------------- the messages


def _rendre(type_, contexte):
    return render_to_string(f"notifications/messages/{type_}.txt", contexte).strip()


def messages_ouverture(campagne, situation):
    lien = url_absolue(reverse("saisie:mes_indicateurs") + f"?annee={campagne.annee}")
    sortie = []
    for utilisateur, organisation, dues, _ in situation:
        if not dues:
            continue
        contexte = {
            "campagne": campagne,
            "organisation": organisation,
            "dues": dues,
            "date_limite": date_fr(campagne.date_limite),
        }
        sortie.append(
            Message(
                utilisateur,
                Type.OUVERTURE,
                f"campagne:{campagne.annee}",
                f"Campagne de saisie {campagne.annee} ouverte",
                _rendre(Type.OUVERTURE, contexte),
                lien,
            )
        )
    return sortie


def messages_echeance(campagne, situation, jour):
    """The reminder or the late notice due on ``jour``, to members with
    something to do; keyed by the deadline (a deadline moved later gets its
    own reminders)."""
    restants = (campagne.date_limite - jour).days
    if restants < 0:
        type_ = Type.RETARD
    else:
        type_ = next((t for seuil, t in RAPPELS if restants <= seuil), None)
        if type_ is None:
            return []
    lien = url_absolue(
        reverse("saisie:mes_indicateurs") + f"?annee={campagne.annee}&filtre=a_faire"
    )
    sortie = []
    for utilisateur, organisation, _, afaire in situation:
        if not afaire:
            continue
        contexte = {
            "campagne": campagne,
            "organisation": organisation,
            "afaire": afaire,
            "restants": restants,
            "retard": -restants,
            "date_limite": date_fr(campagne.date_limite),
        }
        if type_ == Type.RETARD:
            titre = f"Campagne {campagne.annee} : date limite dépassée"
        else:
            titre = f"Campagne {campagne.annee} : plus que {restants} jour{'s' if restants > 1 else ''} pour saisir"
        sortie.append(
            Message(
                utilisateur,
                type_,
                f"campagne:{campagne.annee}:{campagne.date_limite.isoformat()}",
                titre,
                _rendre(type_, contexte),
                lien,
            )
        )
    return sortie


def messages_synthese(jour):
    """The staff's digest of the values submitted on ``jour`` (none if none)."""
    debut = timezone.make_aware(datetime.datetime.combine(jour, datetime.time.min))
    fin = debut + datetime.timedelta(days=1)
    lignes = list(
        Valeur.objects.filter(soumise_le__gte=debut, soumise_le__lt=fin)
        .values(
            "indicateur__code",
            "indicateur__libelle",
            "indicateur__organisation__nom",
            "annee",
        )
        .order_by("indicateur__organisation__nom", "indicateur__code", "annee")
        .annotate(nb=Count("pk"))
    )
    if not lignes:
        return []
    total = sum(ligne["nb"] for ligne in lignes)
    contexte = {
        "jour": date_fr(jour),
        "total": total,
        "lignes": lignes[:SYNTHESE_LIGNES_MAX],
        "reste": max(0, len(lignes) - SYNTHESE_LIGNES_MAX),
    }
    texte = _rendre(Type.SYNTHESE, contexte)
    titre = f"Soumissions du {date_fr(jour)} : {total} valeur{'s' if total > 1 else ''}"
    lien = url_absolue(reverse("saisie:validation"))
    return [
        Message(u, Type.SYNTHESE, f"synthese:{jour.isoformat()}", titre, texte, lien)
        for u in equipe_active()
    ]


def planifier(jour):
    """Every message due on ``jour`` (recorded or not yet)."""
    messages = []
    for campagne in Campagne.objects.filter(statut=Campagne.Statut.OUVERTE).order_by("annee"):
        situation = situation_des_membres(campagne)
        if jour <= campagne.date_limite:
            messages += messages_ouverture(campagne, situation)
        messages += messages_echeance(campagne, situation, jour)
    messages += messages_synthese(jour - datetime.timedelta(days=1))
    return messages


def nouveaux(messages):
    """The messages not recorded yet (one query)."""
    if not messages:
        return []
    deja = set(
        Notification.objects.filter(
            destinataire__in={m.destinataire.pk for m in messages},
            cle__in={m.cle for m in messages},
        ).values_list("destinataire_id", "type", "cle")
    )
    return [m for m in messages if (m.destinataire.pk, m.type, m.cle) not in deja]


# ---------------------------------------------------------------- recording and sending


def preferences_de(utilisateurs):
    """{user id: Preferences}, the defaults (everything) for users without a row."""
    trouvees = {
        p.utilisateur_id: p
        for p in Preferences.objects.filter(utilisateur__in=[u.pk for u in utilisateurs])
    }
    return {u.pk: trouvees.get(u.pk) or Preferences(utilisateur=u) for u in utilisateurs}


def deposer(messages, *, jour):
    """Record each message not recorded yet, then e-mail the new ones; returns
    the new notifications. A message another run recorded meanwhile is skipped."""
    messages = nouveaux(messages)
    preferences = preferences_de({m.destinataire.pk: m.destinataire for m in messages}.values())
    creees = []
    for m in messages:
        notification = Notification(
            destinataire=m.destinataire,
            type=m.type,
            cle=m.cle,
            date=jour,
            titre=m.titre[:300],
            texte=m.texte,
            lien=m.lien[:500],
            par_courriel=bool(m.destinataire.email)
            and preferences[m.destinataire.pk].accepte(m.type),
        )
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            continue  # recorded by a concurrent run: it sends it
        creees.append(notification)
    envoyer([n for n in creees if n.par_courriel])
    return creees


def courriel(notification):
    contexte = {
        "notification": notification,
        "preferences": url_absolue(reverse("notifications:preferences")),
    }
    message = EmailMultiAlternatives(
        subject=f"[Contrat de ville] {notification.titre}",
        body=render_to_string("notifications/courriel.txt", contexte),
        to=[notification.destinataire.email],
    )
    message.attach_alternative(
        render_to_string("notifications/courriel.html", contexte), "text/html"
    )
    return message


def envoyer(notifications):
    """E-mail each notification; a failure is logged and left for the next run."""
    envoyees = 0
    for notification in notifications:
        try:
            courriel(notification).send()
        except Exception:  # SMTP errors come in many classes: none may stop the others.
            journal.exception("Courriel non envoyé : notification %s", notification.pk)
            continue
        notification.envoyee_le = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(envoyee_le=notification.envoyee_le)
        envoyees += 1
    return envoyees


def reessayer(jour):
    """Send again the e-mails of the last days that failed."""
    depuis = jour - datetime.timedelta(days=REESSAI_JOURS)
    return envoyer(
        Notification.objects.a_envoyer()
        .filter(date__gte=depuis, date__lte=jour)
        .select_related("destinataire")
    )


def notifier(*, jour, dry_run=False):
    """The daily run: returns the new messages (planned only, with ``dry_run``)."""
    with translation.override("fr"):
        messages = planifier(jour)
        if dry_run:
            return nouveaux(messages)
        creees = deposer(messages, jour=jour)
        reessayer(jour)
        return creees


# ---------------------------------------------------------------- signals from engagements


def sur_valeurs_rejetees(sender, *, valeurs, commentaire, auteur=None, **kwargs):
    """Tell the users of the indicator's organisation (and of the organisations
    it is a service of) which values were rejected, why, and where to correct."""
    rejetees = list(
        Valeur.objects.filter(pk__in=valeurs, statut=Valeur.Statut.REJETEE).select_related(
            "indicateur"
        )
    )
    if not rejetees:
        return []
    par_grille = defaultdict(list)
    for valeur in rejetees:
        par_grille[(valeur.indicateur, valeur.annee)].append(valeur)
    perimetre = perimetres()
    membres = membres_actifs()
    messages = []
    with translation.override("fr"):
        for (indicateur, annee), liste in par_grille.items():
            quand = max(v.validee_le or timezone.now() for v in liste)
            destinataires = [
                u for u, org in membres if indicateur.organisation_id in perimetre.get(org.pk, ())
            ]
            contexte = {
                "indicateur": indicateur,
                "annee": annee,
                "nb": len(liste),
                "commentaire": commentaire,
            }
            texte = _rendre(Type.REJET, contexte)
            lien = url_absolue(reverse("saisie:grille", args=[annee, indicateur.code]))
            for utilisateur in destinataires:
                messages.append(
                    Message(
                        utilisateur,
                        Type.REJET,
                        f"rejet:{indicateur.code}:{annee}:{quand.isoformat()}",
                        f"Valeur rejetée : {indicateur.code} ({annee})",
                        texte,
                        lien,
                    )
                )
        return deposer(messages, jour=timezone.localdate())


def sur_campagne_ouverte(sender, *, campagne, **kwargs):
    """Tell the partners at once; the daily command would otherwise do it the next morning."""
    campagne = Campagne.objects.filter(pk=campagne).first()
    if campagne is None or campagne.verrouillee:
        return []
    with translation.override("fr"):
        return deposer(
            messages_ouverture(campagne, situation_des_membres(campagne)),
            jour=timezone.localdate(),
        )


# ---------------------------------------------------------------- the user's side


def notification_lire(*, utilisateur, notification):
    if notification.destinataire_id != utilisateur.pk:
        raise PermissionRefusee("Cette notification ne vous est pas adressée.")
    if notification.lue_le is None:
        notification.lue_le = timezone.now()
        notification.save(update_fields=["lue_le"])
    return notification


def notifications_tout_lire(*, utilisateur):
    return Notification.objects.filter(destinataire=utilisateur, lue_le__isnull=True).update(
        lue_le=timezone.now()
    )


@transaction.atomic
def preferences_enregistrer(*, utilisateur, campagnes, rejets, synthese):
    if not utilisateur.is_authenticated:
        raise Invalide("Connectez-vous pour choisir vos notifications.")
    preferences, _ = Preferences.objects.select_for_update().get_or_create(utilisateur=utilisateur)
    preferences.campagnes, preferences.rejets, preferences.synthese = (
        bool(campagnes),
        bool(rejets),
        bool(synthese),
    )
    preferences.full_clean()
    preferences.save()
    return preferences
