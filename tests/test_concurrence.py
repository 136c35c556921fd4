"""Concurrent writers on the same value, through the API of a real server
(threads released together): no lost update, each refused write told why,
one row for a fact created concurrently."""

import json
import threading
import urllib.error
import urllib.request

import pytest


def appel(base, methode, chemin, donnees=None, jeton=None):
    requete = urllib.request.Request(
        base + chemin,
        data=json.dumps(donnees).encode() if donnees is not None else None,
        method=methode,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    if jeton:
        requete.add_header("Authorization", f"Token {jeton}")
    try:
        with urllib.request.urlopen(requete, timeout=60) as reponse:
            return reponse.status, json.loads(reponse.read() or b"null")
    except urllib.error.HTTPError as erreur:
        return erreur.code, json.loads(erreur.read() or b"null")


def ensemble(n, travail):
    """Run ``travail(i)`` in n threads released at the same instant."""
    barriere = threading.Barrier(n)
    resultats = [None] * n

    def lancer(i):
        barriere.wait()
        resultats[i] = travail(i)

    threads = [threading.Thread(target=lancer, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return resultats


@pytest.mark.parametrize(("ecrivains", "code"), [(8, "2019-1.1-3"), (32, "2019-1.1-4")])
def test_concurrent_writers_lose_nothing(serveur, jeton_demo, ecrivains, code):
    cle = jeton_demo("demo-metropole")

    # Concurrent creation of the same fact: one row, the others told why.
    creations = ensemble(
        ecrivains,
        lambda i: appel(
            serveur,
            "POST",
            "/api/valeurs/",
            {"indicateur": code, "annee": 2021, "valeur": str(100 + i), "version": 0},
            cle,
        ),
    )
    statuts = sorted(s for s, _ in creations)
    assert statuts.count(201) == 1, statuts
    assert statuts.count(409) == ecrivains - 1, statuts
    gagnant = next(corps for s, corps in creations if s == 201)
    for statut, corps in creations:
        if statut == 409:
            assert corps["erreur"]["details"]["actuelle"]["valeur"] == gagnant["valeur"]
    statut, liste = appel(serveur, "GET", f"/api/valeurs/?indicateur={code}", jeton=cle)
    assert statut == 200 and liste["count"] == 1

    # Concurrent updates from the same version read: one wins, nothing lost.
    version = gagnant["version"]
    mises_a_jour = ensemble(
        ecrivains,
        lambda i: appel(
            serveur,
            "PATCH",
            f"/api/valeurs/{gagnant['id']}/",
            {"valeur": str(500 + i), "version": version},
            cle,
        ),
    )
    reussies = [corps for s, corps in mises_a_jour if s == 200]
    assert len(reussies) == 1, sorted(s for s, _ in mises_a_jour)
    assert sorted(s for s, _ in mises_a_jour).count(409) == ecrivains - 1
    statut, finale = appel(serveur, "GET", f"/api/valeurs/{gagnant['id']}/", jeton=cle)
    assert finale["valeur"] == reussies[0]["valeur"]
    assert finale["version"] == version + 1
