"""Staff invite a partner's user: an account attached to its organisation,
with no password, and an e-mail holding a link to choose one.

The link carries a token of Django's generator (salted apart from password
resets): it dies when the password is set (the token hashes the password),
after ``INVITATION_DUREE_JOURS`` days, or with ``SECRET_KEY``. Re-inviting
sends a fresh link; the account stays as it was.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from contrat.erreurs import Invalide, PermissionRefusee
from contrat.models import Membre

journal = logging.getLogger("contrat.comptes")


class JetonsInvitation(PasswordResetTokenGenerator):
    """Django's password-reset tokens, with their own salt and lifetime."""

    key_salt = "contrat.invitations.JetonsInvitation"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            horodatage = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if len(token) > 100:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, horodatage, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        duree = settings.INVITATION_DUREE_JOURS * 24 * 3600
        return self._num_seconds(self._now()) - horodatage <= duree


jetons_invitation = JetonsInvitation()


def invitation_en_attente(utilisateur):
    """An invited account that has not chosen its password yet."""
    return utilisateur.is_active and not utilisateur.has_usable_password()


def lien_invitation(utilisateur, base):
    chemin = reverse(
        "comptes:activer",
        args=[
            urlsafe_base64_encode(force_bytes(utilisateur.pk)),
            jetons_invitation.make_token(utilisateur),
        ],
    )
    return base.rstrip("/") + chemin


def envoyer_invitation(utilisateur, *, auteur, base):
    contexte = {
        "utilisateur": utilisateur,
        "organisation": Membre.objects.get(utilisateur=utilisateur).organisation,
        "auteur": auteur,
        "lien": lien_invitation(utilisateur, base),
        "duree": settings.INVITATION_DUREE_JOURS,
        "identifiant": utilisateur.get_username(),
    }
    message = EmailMultiAlternatives(
        subject="[Contrat de ville] Invitation à la saisie des indicateurs",
        body=render_to_string("registration/invitation_courriel.txt", contexte),
        to=[utilisateur.email],
    )
    message.attach_alternative(
        render_to_string("registration/invitation_courriel.html", contexte), "text/html"
    )
    # Sent inside the caller's transaction: if the mail server refuses it,
    # the account is not created either (no account nobody was told about).
    message.send()


def _verifier_equipe(auteur):
    if not (auteur and auteur.is_authenticated and auteur.is_active and auteur.is_staff):
        raise PermissionRefusee("Seule l'équipe politique de la ville invite des partenaires.")


@transaction.atomic
def invitation_creer(*, auteur, email, prenom, nom, organisation, base):
    """Create the partner's account (no password yet) and e-mail the invitation."""
    _verifier_equipe(auteur)
    email = (email or "").strip().lower()
    Utilisateur = get_user_model()
    if Utilisateur.objects.filter(username__iexact=email).exists() or (
        Utilisateur.objects.filter(email__iexact=email).exists()
    ):
        raise Invalide(
            f"Un compte existe déjà pour {email} : renvoyez-lui l'invitation s'il ne l'a pas "
            "utilisée, ou modifiez-le dans l'administration."
        )
    utilisateur = Utilisateur(
        username=email, email=email, first_name=prenom.strip(), last_name=nom.strip()
    )
    utilisateur.set_unusable_password()
    utilisateur.full_clean()
    utilisateur.save()
    Membre.objects.create(utilisateur=utilisateur, organisation=organisation)
    envoyer_invitation(utilisateur, auteur=auteur, base=base)
    journal.info("invitation de %s (%s) par %s", email, organisation.slug, auteur)
    return utilisateur


@transaction.atomic
def invitation_renvoyer(*, auteur, utilisateur, base):
    """A fresh link for an account that has not chosen its password yet."""
    _verifier_equipe(auteur)
    if not invitation_en_attente(utilisateur):
        raise Invalide(
            f"{utilisateur.get_username()} a déjà choisi son mot de passe (ou son compte est "
            "désactivé) : rien à renvoyer. S'il l'a oublié, il le réinitialise depuis la page de "
            "connexion."
        )
    if not utilisateur.email:
        raise Invalide(f"{utilisateur.get_username()} n'a pas d'adresse électronique.")
    envoyer_invitation(utilisateur, auteur=auteur, base=base)
    journal.info("invitation renvoyée à %s par %s", utilisateur.email, auteur)
    return utilisateur
