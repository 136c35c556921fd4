"""Accounts: demo accounts kept out of production, API tokens that expire and
die with the password.

- The demo accounts (``manage.py create_demo_accounts``) share a password the
  README publishes. In production they cannot log in (web, admin, API token,
  an existing session), and ``check --deploy`` fails while one is active.
- An API token expires after ``API_JETON_DUREE_JOURS`` days, and a password
  change deletes the user's tokens: the next ``POST /api/jeton/`` gets a new one.
"""

import datetime

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core import checks
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone

# The demo accounts, defined here (the ground floor) so that the login check
# needs no upper app; the command that creates them lives in engagements.
DEMO_PASSWORD = "contrat-de-ville-2019"
COMPTE_DEMO_EQUIPE = "demo-equipe"
# One account per funding partner of the contract (Article 2: État, Ville,
# Métropole, CAF, Département, Région), with its organisation's slug.
COMPTES_DEMO_PARTENAIRES = [
    ("demo-metropole", "metropole"),
    ("demo-ville", "ville-montpellier"),
    ("demo-etat", "etat"),
    ("demo-departement", "departement-herault"),
    ("demo-region", "region-occitanie"),
    ("demo-caf", "caf-herault"),
]
NOMS_COMPTES_DEMO = [COMPTE_DEMO_EQUIPE, *(nom for nom, _ in COMPTES_DEMO_PARTENAIRES)]
# The command puts its accounts in this group; staff may add any other
# throw-away account (a training session's) to it.
GROUPE_DEMO = "Comptes de démonstration"


def filtre_comptes_demo():
    """The demo accounts: the command's usernames (also when created before
    the group existed) or members of the demo group."""
    return Q(username__in=NOMS_COMPTES_DEMO) | Q(groups__name=GROUPE_DEMO)


def est_compte_demo(utilisateur):
    if utilisateur.get_username() in NOMS_COMPTES_DEMO:
        return True
    # One query; only asked in production (see compte_autorise).
    return utilisateur.groups.filter(name=GROUPE_DEMO).exists()


def compte_autorise(utilisateur):
    """May this account authenticate at all? Not a demo account in production."""
    return not (getattr(settings, "PRODUCTION", False) and est_compte_demo(utilisateur))


class ComptesBackend(ModelBackend):
    """Django's username/password backend, refusing demo accounts in production.

    ``user_can_authenticate`` is asked both at login and when a session is
    read back (``get_user``): a demo session opened before the switch to
    production ends too."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and compte_autorise(user)


@checks.register(checks.Tags.security, deploy=True)
def verifier_comptes_demo(app_configs=None, **kwargs):
    """``check --deploy``: an error while an active demo account exists in production."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    from django.contrib.auth import get_user_model

    try:
        noms = sorted(
            get_user_model()
            .objects.filter(filtre_comptes_demo(), is_active=True)
            .values_list("username", flat=True)
            .distinct()
        )
    except DatabaseError as exc:
        return [
            checks.Warning(
                f"Impossible de vérifier l'absence de comptes de démonstration : {exc}",
                id="contrat.W001",
            )
        ]
    if not noms:
        return []
    return [
        checks.Error(
            f"Comptes de démonstration actifs en production : {', '.join(noms)}.",
            hint=(
                "Leur mot de passe est public (README) et ils ne peuvent pas se connecter en "
                "production : supprimez-les ou désactivez-les dans l'administration "
                f"(Utilisateurs ; groupe « {GROUPE_DEMO} »)."
            ),
            id="contrat.E001",
        )
    ]


# ---------------------------------------------------------------- API tokens


def duree_jeton():
    return datetime.timedelta(days=settings.API_JETON_DUREE_JOURS)


def expiration_jeton(jeton):
    return jeton.created + duree_jeton()


def jeton_expire(jeton):
    return expiration_jeton(jeton) <= timezone.now()


def jeton_pour(utilisateur):
    """The user's valid token: the current one, or a new one if it expired."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=utilisateur, created__lte=timezone.now() - duree_jeton()).delete()
    # get_or_create: two simultaneous requests get the same token, not a 500
    # on the one-token-per-user constraint.
    jeton, _ = Token.objects.get_or_create(user=utilisateur)
    return jeton


def revoquer_jetons(utilisateurs):
    """Delete the API tokens of these users (a queryset or a list); returns how many."""
    from rest_framework.authtoken.models import Token

    supprimes, _ = Token.objects.filter(user__in=utilisateurs).delete()
    return supprimes


def mot_de_passe_change(sender, instance, created, **kwargs):
    """post_save of the user model: a new password revokes the API tokens.

    ``set_password`` leaves the raw password in ``_password`` until the save
    that follows; Django's own rehash at login (a stronger hasher) clears it
    before saving, so an upgrade of the hash revokes nothing."""
    if not created and getattr(instance, "_password", None) is not None:
        revoquer_jetons([instance])
