"""Token authentication of the API: DRF's, plus expiry and the production
refusal of demo accounts (``contrat.comptes``)."""

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from contrat.comptes import compte_autorise, jeton_expire


class JetonExpire(AuthenticationFailed):
    default_code = "jeton_expire"


class CompteRefuse(AuthenticationFailed):
    default_code = "compte_refuse"


class AuthentificationJeton(TokenAuthentication):
    """``Authorization: Token <clé>``; an expired token is refused with 401
    (the API's JSON error, code ``jeton_expire``): ask ``POST /api/jeton/``
    for a new one."""

    def authenticate_credentials(self, key):
        utilisateur, jeton = super().authenticate_credentials(key)
        if jeton_expire(jeton):
            raise JetonExpire(
                "Jeton expiré : demandez-en un nouveau (POST /api/jeton/ avec vos identifiants)."
            )
        if not compte_autorise(utilisateur):
            raise CompteRefuse("Les comptes de démonstration sont refusés en production.")
        return utilisateur, jeton
