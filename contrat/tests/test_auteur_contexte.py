"""Who and what the history records as the origin of a change, inside a request.

The request (method and path) is the default context; a service that names
its own with ``auteur(...)`` keeps it, and the request's default comes back
after the service's block.
"""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from contrat.historique import AuteurMiddleware, auteur
from contrat.models import Modification, Quartier


def ecrire(slug, population):
    Quartier.objects.filter(slug=slug).update(population=population)


def origines(*slugs):
    """(user id, context) of the last change of each quartier."""
    resultat = []
    for slug in slugs:
        pk = str(Quartier.objects.get(slug=slug).pk)
        m = Modification.objects.filter(table="contrat_quartier", objet_id=pk).first()
        resultat.append((m.utilisateur_id, m.contexte))
    return resultat


def servir(vue, utilisateur):
    requete = RequestFactory().post("/saisie/essai/")
    requete.user = utilisateur
    return AuteurMiddleware(vue)(requete)


@pytest.mark.django_db
def test_a_context_set_by_a_service_wins_over_the_request_path(equipe):
    def vue(request):
        with auteur(request.user, "validation"):  # as engagements.services does
            ecrire("gely", 101)
        ecrire("lemasson", 102)
        return HttpResponse()

    servir(vue, equipe)
    assert origines("gely", "lemasson") == [
        (equipe.pk, "validation"),
        (equipe.pk, "POST /saisie/essai/"),
    ]


@pytest.mark.django_db
def test_the_request_path_is_the_default_before_and_after_a_service(equipe):
    def vue(request):
        ecrire("gely", 201)
        with auteur(request.user, "ouverture de campagne"):
            ecrire("lemasson", 202)
        ecrire("cevennes", 203)
        return HttpResponse()

    servir(vue, equipe)
    assert origines("gely", "lemasson", "cevennes") == [
        (equipe.pk, "POST /saisie/essai/"),
        (equipe.pk, "ouverture de campagne"),
        (equipe.pk, "POST /saisie/essai/"),
    ]


@pytest.mark.django_db
def test_nested_declarations_come_back_in_order(equipe):
    with auteur(None, "seed"):
        with auteur(equipe, "import CSV"):
            ecrire("gely", 301)
        ecrire("lemasson", 302)
    ecrire("cevennes", 303)
    assert origines("gely", "lemasson", "cevennes") == [
        (equipe.pk, "import CSV"),
        (None, "seed"),
        (None, ""),
    ]


@pytest.mark.django_db
def test_a_connection_lost_during_the_request_leaves_the_answer_standing(equipe, monkeypatch):
    # PostgreSQL restarting under load: the view wrote (so the request's
    # author was declared), then the connection broke. Resetting the
    # declaration fails; the answer (a 503 in real life) must still go out,
    # not become a 500 raised by the middleware.
    from django.db import InterfaceError

    import contrat.historique as historique

    declarer = historique._declarer
    appels = []

    def declarer_puis_couper(curseur, *args):
        appels.append(args)
        if len(appels) > 1:
            raise InterfaceError("connection already closed")
        return declarer(curseur, *args)

    monkeypatch.setattr(historique, "_declarer", declarer_puis_couper)

    def vue(request):
        ecrire("gely", 301)
        return HttpResponse(status=503)

    assert servir(vue, equipe).status_code == 503
    assert len(appels) == 2  # declared, then the reset was tried
