"""One error path: each domain error carries its status and code, and the
API's handler (the same builder for the 404 page and the 503 middleware)
answers it as the documented body. The service layer's own errors, raised
under the API's views: engagements/tests/test_erreurs_api.py."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import Http404
from django.test import Client, RequestFactory

from contrat.api.base import gestionnaire_erreurs
from contrat.erreurs import (
    Conflit,
    ErreurMetier,
    Indisponible,
    Introuvable,
    Invalide,
    PermissionRefusee,
    Verrouillee,
)
from contrat.securite import BaseIndisponibleMiddleware


def corps(statut, code, message, details=None):
    return {
        "erreur": {"code": code, "statut": statut, "message": message, "details": details or {}}
    }


@pytest.mark.parametrize(
    ("exc", "statut", "code"),
    [
        (Invalide("Regroupement inconnu.", details={"par": ["?"]}), 400, "invalide"),
        (Invalide("Pas de campagne.", code="sans_campagne"), 400, "sans_campagne"),
        (PermissionRefusee("Pas à vous."), 403, "permission_denied"),
        (Introuvable("Aucune campagne."), 404, "not_found"),
        (Conflit("Déjà changé.", details={"actuelle": None}), 409, "conflit"),
        (Verrouillee("Campagne fermée."), 423, "verrouillee"),
        (ErreurMetier("Trop d'échecs.", statut=429, code="verrouille"), 429, "verrouille"),
        (Indisponible("La base redémarre."), 503, "indisponible"),
    ],
)
def test_the_handler_answers_each_domain_error_with_its_status_and_body(exc, statut, code):
    reponse = gestionnaire_erreurs(exc, {})
    assert reponse.status_code == statut
    assert reponse.data == corps(statut, code, exc.message, exc.details)
    # Nothing else than what was raised: the message and details travel as they are.
    assert reponse.data["erreur"]["message"] == exc.args[0]


def test_default_messages():
    assert gestionnaire_erreurs(Introuvable(), {}).data == corps(
        404, "not_found", "Ressource introuvable."
    )
    assert gestionnaire_erreurs(Invalide(), {}).data == corps(
        400, "invalide", "Les données envoyées ne sont pas valides."
    )


def test_domain_errors_stay_django_exceptions_for_forms():
    # Forms, the admin and the import catch Django's exceptions and read .messages.
    for exc in (Invalide("Indiquez un motif."), Verrouillee("Campagne fermée.")):
        with pytest.raises(ValidationError) as excinfo:
            raise exc
        assert excinfo.value.messages == [exc.message]
    assert Verrouillee("x").code == "verrouillee"
    assert Invalide("x").code == "invalide"
    assert isinstance(PermissionRefusee("x"), PermissionDenied)
    assert str(PermissionRefusee("Pas à vous.")) == "Pas à vous."
    assert isinstance(Introuvable(), Http404)


def test_plain_django_and_drf_errors_keep_their_answers():
    reponse = gestionnaire_erreurs(ValidationError({"annee": ["Année invalide."]}), {})
    assert reponse.status_code == 400
    assert reponse.data == corps(
        400, "invalid", "Les données envoyées ne sont pas valides.", {"annee": ["Année invalide."]}
    )
    reponse = gestionnaire_erreurs(PermissionDenied("Non."), {})
    assert (reponse.status_code, reponse.data) == (403, corps(403, "permission_denied", "Non."))
    reponse = gestionnaire_erreurs(Http404(), {})
    assert (reponse.status_code, reponse.data) == (
        404,
        corps(404, "not_found", "Ressource introuvable."),
    )


def test_the_503_middleware_and_the_404_page_use_the_same_builder(db):
    requete = RequestFactory().get("/api/fiches/")
    reponse = BaseIndisponibleMiddleware(lambda r: None).process_exception(
        requete, OperationalError("connexion perdue")
    )
    assert reponse.status_code == 503 and reponse["Retry-After"] == "5"
    attendu = corps(
        503,
        "indisponible",
        "Service momentanément indisponible : la base de données redémarre. "
        "Réessayez dans quelques secondes.",
    )
    assert json.loads(reponse.content) == attendu
    reponse = Client().get("/api/pas-de-route-ici/")
    assert reponse.status_code == 404
    assert reponse.json() == corps(404, "not_found", "Ressource introuvable.")
