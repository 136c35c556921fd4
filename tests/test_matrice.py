"""Authorisation matrix derived from the URL configuration.

Every named route (web, admin, API) is collected from the resolver; each must
match a rule below, or the test fails — a new route cannot ship without
saying who may use it. Each rule gives, per caller (anonymous, the owner
partner, another partner, staff), the status codes allowed. Target: no
cross-organisation read or write; another partner's object answers 404.
"""

import json
import re
import time
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver

from contrat.models import Membre, Organisation
from engagements.forms import nom_champ
from engagements.models import Campagne, Valeur
from engagements.services import grille_enregistrer
from fiches.models import Indicateur

# Thousands of requests from one address: the rate limits are raised out of
# reach (they have their own tests, tests/test_limites.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("limites_hautes")]
ROLES = ["anonyme", "proprietaire", "autre", "equipe"]
LOGIN = {302}


def routes():
    def parcourir(motifs, ns=""):
        for motif in motifs:
            if isinstance(motif, URLResolver):
                yield from parcourir(
                    motif.url_patterns, ns + (f"{motif.namespace}:" if motif.namespace else "")
                )
            elif motif.name:
                yield ns + motif.name

    return sorted(set(parcourir(get_resolver().url_patterns)))


def tous(*codes):
    return dict.fromkeys(ROLES, set(codes))


def prive(proprietaire, autre, equipe, anonyme=LOGIN):
    return {
        "anonyme": set(anonyme),
        "proprietaire": set(proprietaire),
        "autre": set(autre),
        "equipe": set(equipe),
    }


# A staff page: the login form for the anonymous, the French 403 page (with
# its reason) for a signed-in partner.
EQUIPE_SEULE = prive({403}, {403}, {200})
# The admin sends everyone but staff to its own login page.
ADMIN_EQUIPE = prive({302}, {302}, {200})
PUBLIC = tous(200)
# name (or regex) -> (method, url builder, expected statuses per caller)
REGLES = {
    "accueil": ("get", lambda d: reverse("accueil"), PUBLIC),
    "connexion": ("get", lambda d: reverse("connexion"), PUBLIC),
    "deconnexion": ("get", lambda d: reverse("deconnexion"), tous(405)),
    "saisie:mes_indicateurs": (
        "get",
        lambda d: reverse("saisie:mes_indicateurs"),
        prive({200}, {200}, {200}),
    ),
    "saisie:grille": (
        "get",
        lambda d: reverse("saisie:grille", args=[2021, d["code"]]),
        prive({200}, {404}, {200}),
    ),
    "saisie:exporter": (
        "get",
        lambda d: reverse("saisie:exporter", args=[2021, d["code"], "csv"]),
        prive({200}, {404}, {200}),
    ),
    "saisie:importer": (
        "post",
        lambda d: reverse("saisie:importer", args=[2021, d["code"]]),
        prive({400}, {404}, {400}),
    ),
    # The campaign workbook: the organisation's own, or staff.
    "saisie:classeur": (
        "get",
        lambda d: reverse("saisie:classeur", args=[2021, "metropole"]),
        prive({200}, {404}, {200}),
    ),
    "saisie:classeur_exporter": (
        "get",
        lambda d: reverse("saisie:classeur_exporter", args=[2021, "metropole"]),
        prive({200}, {404}, {200}),
    ),
    "saisie:classeur_importer": (
        "post",
        lambda d: reverse("saisie:classeur_importer", args=[2021, "metropole"]),
        prive({400}, {404}, {400}),
    ),
    "saisie:classeur_confirmer": (
        "post",
        lambda d: reverse("saisie:classeur_confirmer", args=[2021, "metropole"]),
        prive({302}, {404}, {302}),
    ),
    "saisie:validation": ("get", lambda d: reverse("saisie:validation"), EQUIPE_SEULE),
    "saisie:valider_grille": (
        "get",
        lambda d: reverse("saisie:valider_grille", args=[2021, d["code"]]),
        EQUIPE_SEULE,
    ),
    "saisie:campagnes": ("get", lambda d: reverse("saisie:campagnes"), EQUIPE_SEULE),
    # The indicator set-up workspace: staff only.
    "saisie:parametrage": ("get", lambda d: reverse("saisie:parametrage"), EQUIPE_SEULE),
    "saisie:parametrage_exporter": (
        "get",
        lambda d: reverse("saisie:parametrage_exporter", args=["csv"]),
        EQUIPE_SEULE,
    ),
    "saisie:parametrage_importer": (
        "post",
        lambda d: reverse("saisie:parametrage_importer"),
        prive({403}, {403}, {400}),
    ),
    "saisie:parametrage_confirmer": (
        "post",
        lambda d: reverse("saisie:parametrage_confirmer"),
        prive({403}, {403}, {302}),
    ),
    "saisie:suivis": ("get", lambda d: reverse("saisie:suivis"), prive({200}, {200}, {200})),
    "saisie:suivi_fiche": (
        "get",
        lambda d: reverse("saisie:suivi_fiche", args=[2021, d["fiche"], "metropole"]),
        prive({200}, {404}, {200}),
    ),
    "saisie:suivi_engagement": (
        "get",
        lambda d: reverse("saisie:suivi_engagement", args=[2021, d["engagement"]]),
        prive({200}, {404}, {200}),
    ),
    "saisie:piece": (
        "get",
        lambda d: reverse("saisie:piece", args=[999999]),
        prive({404}, {404}, {404}),
    ),
    "saisie:validation_suivis": (
        "get",
        lambda d: reverse("saisie:validation_suivis"),
        EQUIPE_SEULE,
    ),
    "api:suivi-detail": (
        "get",
        lambda d: f"/api/suivis/{d['suivi']}/",
        prive({200}, {404}, {200}, anonyme={404}),
    ),
    "api:suivi-soumettre": (
        "post",
        lambda d: f"/api/suivis/{d['suivi']}/soumettre/",
        prive({400}, {404}, {400}, anonyme={401, 403}),
    ),
    "api:suivi-valider": (
        "post",
        lambda d: f"/api/suivis/{d['suivi']}/valider/",
        prive({403}, {404}, {400}, anonyme={401, 403}),
    ),
    "api:suivi-rejeter": (
        "post",
        lambda d: f"/api/suivis/{d['suivi']}/rejeter/",
        prive({403}, {404}, {400}, anonyme={401, 403}),
    ),
    # GET: the confirmation form (reason, confirmation or new deadline).
    "saisie:campagne_action": (
        "get",
        lambda d: reverse("saisie:campagne_action", args=[2022, "fermer"]),
        EQUIPE_SEULE,
    ),
    "api:valeur-detail": (
        "get",
        lambda d: f"/api/valeurs/{d['brouillon']}/",
        prive({200}, {404}, {200}, anonyme={404}),
    ),
    "api:valeur-list": ("get", lambda d: "/api/valeurs/", PUBLIC),
    "api:valeur-valider": (
        "post",
        lambda d: f"/api/valeurs/{d['brouillon']}/valider/",
        prive({403}, {404}, {400}, anonyme={401, 403}),
    ),
    "api:valeur-rejeter": (
        "post",
        lambda d: f"/api/valeurs/{d['brouillon']}/rejeter/",
        prive({403}, {404}, {400}, anonyme={401, 403}),
    ),
    "api:jeton": ("get", lambda d: "/api/jeton/", tous(405)),
    "api:datapackage": ("get", lambda d: "/api/datapackage.json", PUBLIC),
    # Series are public (the plan); declared and decided in the admin only.
    "api:serie-list": ("get", lambda d: "/api/series/", PUBLIC),
    "api:serie-detail": ("get", lambda d: f"/api/series/{d['serie']}/", PUBLIC),
    "api:agregat-repartition": (
        "get",
        lambda d: f"/api/agregats/repartition/?indicateur={d['code']}&annee=2021",
        PUBLIC,
    ),
    r"api:.*": ("get", None, PUBLIC),
    r"tableaux:.*": ("get", None, PUBLIC),
    "gouvernance:document": (
        "get",
        lambda d: reverse("gouvernance:document", args=["gouvernance/2021/absent.pdf"]),
        prive({403}, {403}, {404}),
    ),
    # Accounts: staff invite partners' users; anyone resets a password.
    "comptes:invitations": ("get", lambda d: reverse("comptes:invitations"), EQUIPE_SEULE),
    "comptes:renvoyer": (
        "post",
        lambda d: reverse("comptes:renvoyer", args=[999999]),
        prive({403}, {403}, {404}),
    ),
    # An invalid link answers its French page, to anyone.
    "comptes:activer": (
        "get",
        lambda d: reverse("comptes:activer", args=["MQ", "abc-123"]),
        PUBLIC,
    ),
    "comptes:mot_de_passe_nouveau": (
        "get",
        lambda d: reverse("comptes:mot_de_passe_nouveau", args=["MQ", "abc-123"]),
        PUBLIC,
    ),
    r"comptes:mot_de_passe_.*": ("get", None, PUBLIC),
    # Each user's own notifications; another's answers 404 (tested in notifications/tests).
    "notifications:liste": (
        "get",
        lambda d: reverse("notifications:liste"),
        prive({200}, {200}, {200}),
    ),
    "notifications:preferences": (
        "get",
        lambda d: reverse("notifications:preferences"),
        prive({200}, {200}, {200}),
    ),
    "notifications:lire": (
        "post",
        lambda d: reverse("notifications:lire", args=[999999]),
        prive({404}, {404}, {404}),
    ),
    "notifications:tout_lire": (
        "post",
        lambda d: reverse("notifications:tout_lire"),
        prive({302}, {302}, {302}),
    ),
    "rapport:pdf": ("get", lambda d: reverse("rapport:pdf", args=[2021]), tous(200, 503)),
    r"rapport:.*": ("get", None, PUBLIC),
    # The admin: staff only; everyone else is sent to its login page.
    "admin:login": (
        "get",
        lambda d: reverse("admin:login"),
        prive({200}, {200}, {302}, anonyme={200}),
    ),
    "admin:logout": ("get", lambda d: reverse("admin:logout"), prive({302}, {302}, {405})),
    "admin:jsi18n": ("get", lambda d: reverse("admin:jsi18n"), prive({302}, {302}, {200})),
    r"admin:.*_changelist": ("get", None, ADMIN_EQUIPE),
    r"admin:.*": ("get", None, None),  # checked through the changelists and the index
}

EXEMPLES = {
    "api": {
        "contrat-detail": "contrat-ville-mmm-2015-2022",
        "avenant-detail": 2,
        "organisation-detail": "metropole",
        "signataire-detail": 1,
        "pilier-detail": 1,
        "principe-detail": 1,
        "enjeu-detail": 1,
        "priorite-detail": 1,
        "objectif-detail": 1,
        "axe-detail": 1,
        "quartier-detail": "gely",
        "fiche-detail": "1.1",
        "fiche-initiale-detail": "1.1",
        "evolution-detail": 1,
        "indicateur-detail": "2019-1.1-1",
        "anomalie-detail": "compte-fiches-2019",
        "engagement-detail": 1,
        "campagne-detail": 2021,
        "instance-detail": "comite-pilotage",
        "evenement-detail": "world-cafe-2019-05-09",
        "conseil-citoyen-detail": "conseil-citoyen-gely",
        "preconisation-detail": 1,
    },
    "tableaux": {
        "objectif": [1],
        "fiche": ["1.1"],
        "partenaire": ["etat"],
        "quartier": ["gely"],
        "indicateur": ["2019-1.1-1"],
    },
    "rapport": {"html": [2021]},
}


def suivi_metropole(user, marque=""):
    """A draft follow-up of a fiche the Métropole alone pilots (a commitment
    of "Métropole / Ville" is the Ville's to write and read too), and the
    fiche and commitment the pages are built on."""
    from engagements.models import Engagement
    from engagements.services_suivis import suivi_enregistrer
    from fiches.models import Fiche

    metropole = Organisation.objects.get(slug="metropole")
    fiche = (
        Fiche.objects.en_vigueur()
        .filter(pilotes=metropole)
        .exclude(pilotes__slug__in=AUTRES)
        .order_by("pk")[0]
    )
    suivi = suivi_enregistrer(
        utilisateur=user, annee=2021, version=0, fiche=fiche, organisation=metropole, realise=marque
    )
    engagement = Engagement.objects.filter(organisations=metropole).order_by("ordre")[0]
    return {"suivi": suivi.pk, "engagement": engagement.ordre, "fiche": fiche.numero}


def regle(nom):
    if nom in REGLES:
        return REGLES[nom]
    for motif, valeur in REGLES.items():
        if any(c in motif for c in ".*") and re.fullmatch(motif, nom):
            return valeur
    return None


def url_generique(nom, donnees):
    ns, _, court = nom.partition(":")
    if ns == "api":
        if court == "cible-detail":
            return reverse(nom, args=[donnees["cible"]])
        if court.endswith("-detail"):
            return reverse(nom, args=[EXEMPLES["api"][court]])
        if court == "agregat-completude":
            return reverse(nom) + "?annee=2021"
        if court == "agregat-progression":
            return reverse(nom) + "?annee=2021"
        return reverse(nom)
    args = EXEMPLES.get(ns, {}).get(court, [])
    return reverse(nom, args=args)


@pytest.fixture
def clients(partenaire, equipe, campagne):
    from engagements.services import campagne_ouvrir

    # The policy unit's accounts have every permission (the demo one is a superuser).
    equipe.is_superuser = True
    equipe.save()

    campagne_ouvrir(utilisateur=equipe, annee=2022, date_limite="2023-03-31")
    proprietaire, autre = partenaire("metropole"), partenaire("etat")
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    [brouillon] = grille_enregistrer(
        utilisateur=proprietaire, indicateur=indicateur, annee=2021, saisies={("", ""): ("5", 0)}
    )
    from fiches.services import serie_declarer

    # A confirmed series of the État's fiche 1.2 (its follow-up item restates line 2).
    serie = serie_declarer(
        utilisateur=equipe,
        indicateur=Indicateur.objects.get(code="2019-1.2-7"),
        reference=Indicateur.objects.get(code="2019-1.2-2"),
    )
    sortie = {"anonyme": Client()}
    for role, user in [("proprietaire", proprietaire), ("autre", autre), ("equipe", equipe)]:
        client = Client()
        client.force_login(user)
        sortie[role] = client
    from engagements.models import Cible

    return sortie, {
        "code": indicateur.code,
        "brouillon": brouillon.pk,
        "cible": Cible.objects.first().pk,
        "serie": serie.reference.code,
        **suivi_metropole(proprietaire),
    }


def test_every_named_route_has_a_rule():
    sans_regle = [nom for nom in routes() if regle(nom) is None]
    assert sans_regle == []


def test_the_matrix(clients):
    clients, donnees = clients
    ecarts = []
    verifiees = 0
    for nom in routes():
        methode, fabrique, attendu = regle(nom)
        if attendu is None:
            continue
        url = fabrique(donnees) if fabrique else url_generique(nom, donnees)
        for role in ROLES:
            client = clients[role]
            reponse = client.post(url) if methode == "post" else client.get(url)
            verifiees += 1
            if reponse.status_code not in attendu[role]:
                ecarts.append(
                    f"{nom} {methode.upper()} {url} [{role}] : {reponse.status_code}, attendu {sorted(attendu[role])}"
                )
    assert ecarts == [], "\n".join(ecarts)
    assert verifiees > 150
    # Nothing crossed organisations.
    assert Valeur.objects.get(pk=donnees["brouillon"]).valeur == 5
    # Closing takes a reason and a confirmation: no empty request closes it, whoever sends it.
    assert not Campagne.objects.get(annee=2022).verrouillee
    from engagements.models import SuiviAction

    assert SuiviAction.objects.get(pk=donnees["suivi"]).statut == "brouillon"


def test_partners_cannot_enter_the_admin(clients):
    clients, _ = clients
    for role in ["anonyme", "proprietaire", "autre"]:
        reponse = clients[role].get(reverse("admin:index"))
        assert reponse.status_code == 302 and reverse("admin:login") in reponse["Location"]
    assert clients["equipe"].get(reverse("admin:index")).status_code == 200


def test_the_matrix_covers_staff_members_with_an_organisation_too(equipe, campagne):
    # A staff account attached to an organisation keeps staff rights everywhere.
    Membre.objects.create(
        utilisateur=equipe, organisation=Organisation.objects.get(slug="caf-herault")
    )
    client = Client()
    client.force_login(equipe)
    assert client.get(reverse("saisie:grille", args=[2021, "2019-1.1-1"])).status_code == 200


# ---------------------------------------------------------------------------
# Every route × every method × every caller, checked by invariants.

METHODES = ["GET", "POST", "PUT", "PATCH", "DELETE"]
AUTRES = ["ville-montpellier", "etat", "departement-herault", "region-occitanie", "caf-herault"]
# Tables that change by merely being called (sessions, login attempts, the
# annual report's PDF that any GET prints and stores once per data generation)
# or that only mirror the others (the change history).
VOLATILES = {"django_session", "contrat_modification", "tableaux_rapportpdf"}
MARQUE_METROPOLE = "MARQUE-BROUILLON-METROPOLE"
MARQUE_ETAT = "MARQUE-BROUILLON-ETAT"


def url_admin(nom):
    from django.contrib import admin
    from django.contrib.admin.utils import quote
    from django.contrib.contenttypes.models import ContentType
    from django.urls import NoReverseMatch

    from fiches.models import Fiche

    try:
        return reverse(nom)
    except NoReverseMatch:
        pass
    court = nom.partition(":")[2]
    if court == "app_list":
        return reverse(nom, args=["fiches"])
    if court == "view_on_site":
        fiche = Fiche.objects.first()
        return reverse(nom, args=[ContentType.objects.get_for_model(Fiche).pk, fiche.pk])
    for modele in admin.site._registry:
        prefixe = f"{modele._meta.app_label}_{modele._meta.model_name}_"
        if court.startswith(prefixe):
            objet = modele._default_manager.order_by("pk").first()
            return reverse(nom, args=[quote(objet.pk) if objet else "0"])
    raise AssertionError(f"no URL for {nom}")


def empreinte():
    """Row count and md5 of every table's content, by table."""
    from django.db import connection

    resultat = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table in VOLATILES or table.startswith("axes_"):
                continue
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f'FROM "{table}" t'
            )
            resultat[table] = cursor.fetchone()
    return resultat


def contenu(reponse):
    if reponse.streaming:
        return b"".join(reponse.streaming_content)
    return reponse.content


@pytest.fixture
def tous_les_appelants(partenaire, equipe, campagne):
    equipe.is_superuser = True
    equipe.save()
    proprietaire = partenaire("metropole")
    autres = {slug: partenaire(slug) for slug in AUTRES}
    brouillons = {}
    for user, indicateur, marque in [
        (proprietaire, Indicateur.objects.get(code="2019-1.1-1"), MARQUE_METROPOLE),
        (
            autres["etat"],
            Indicateur.objects.filter(organisation__slug="etat").order_by("code").first(),
            MARQUE_ETAT,
        ),
    ]:
        [brouillons[marque]] = grille_enregistrer(
            utilisateur=user,
            indicateur=indicateur,
            annee=2021,
            saisies={("", ""): ("5", 0)},
            note=marque,
        )
    appelants = [("anonyme", None)]
    appelants += [(f"autre:{slug}", user) for slug, user in autres.items()]
    appelants += [("proprietaire", proprietaire), ("equipe", equipe)]
    clients = []
    for role, user in appelants:
        client = Client()
        if user is not None:
            client.force_login(user)
        clients.append((role, client))
    return clients, {
        "code": "2019-1.1-1",
        "brouillon": brouillons[MARQUE_METROPOLE].pk,
        "brouillon_etat": brouillons[MARQUE_ETAT].pk,
        "cible": __import__("engagements.models").models.Cible.objects.first().pk,
        "serie": "2019-1.2-2",  # no series here: the detail answers 404, never a 500
        **suivi_metropole(proprietaire, MARQUE_METROPOLE),
    }


def test_every_route_every_method_every_caller(tous_les_appelants):
    """362 routes × 5 methods × 8 callers (anonymous, the 5 other partners,
    the owner, staff): never a server error; the admin only for staff;
    nothing written and no draft of another organisation shown to anyone but
    its organisation and staff."""
    from engagements.models import Valeur

    clients, donnees = tous_les_appelants
    urls = {}
    for nom in routes():
        if nom.startswith("admin:"):
            urls[nom] = url_admin(nom)
        else:
            _methode, fabrique, _attendu = regle(nom)
            urls[nom] = fabrique(donnees) if fabrique else url_generique(nom, donnees)
    # Each write carries a body that would change the Métropole's draft if it
    # were let through: JSON for the API, the grid's fields for the web
    # forms; none for the admin (staff may do anything there, and a filled
    # POST to a delete page would delete).
    version = Valeur.objects.get(pk=donnees["brouillon"]).version
    champ = nom_champ(("", ""))
    corps_api = json.dumps(
        {
            "indicateur": donnees["code"],
            "annee": 2021,
            "valeur": "999",
            "version": version,
            "note": "écrasé",
            "soumettre": True,
            "commentaire": "écrasé",
        }
    )
    corps_web = urlencode({champ: "999", f"ver_{champ}": version, "action": "soumettre"})
    ecarts, appels, durees = [], 0, {}
    brouillon_etat = list(
        Valeur.objects.filter(pk=donnees["brouillon_etat"]).values_list("valeur", "version", "note")
    )
    for role, client in clients:
        debut = time.monotonic()
        avant = empreinte()
        for nom, url in urls.items():
            for methode in METHODES:
                if methode == "GET":
                    reponse = client.get(url)
                elif methode == "DELETE":
                    reponse = client.delete(url)
                elif nom.startswith("api:"):
                    reponse = client.generic(methode, url, corps_api, "application/json")
                elif nom.startswith("admin:"):
                    reponse = client.generic(methode, url)
                else:
                    reponse = client.generic(
                        methode, url, corps_web, "application/x-www-form-urlencoded"
                    )
                appels += 1
                statut = reponse.status_code
                ou = f"{methode} {url} [{role}] : {statut}"
                if statut >= 500:
                    ecarts.append(f"{ou} — server error")
                corps = contenu(reponse)
                if (
                    role != "equipe"
                    and role != "proprietaire"
                    and MARQUE_METROPOLE.encode() in corps
                ):
                    ecarts.append(f"{ou} — shows the Métropole's draft")
                if role in {"anonyme", "proprietaire"} and MARQUE_ETAT.encode() in corps:
                    ecarts.append(f"{ou} — shows the État's draft")
                admin_public = nom in {"admin:login", "admin:logout"}
                if nom.startswith("admin:") and role != "equipe" and not admin_public:
                    if statut != 302 or reverse("admin:login") not in reponse["Location"]:
                        ecarts.append(f"{ou} — the admin must send non-staff to its login")
        apres = empreinte()
        changees = sorted(t for t in avant if avant[t] != apres.get(t))
        if role == "anonyme" or role.startswith("autre:"):
            if changees:
                ecarts.append(f"[{role}] wrote to {changees}")
        elif role == "proprietaire":
            # Only the owner's own entries (and what mirrors them) may change.
            permises = {
                "engagements_valeur",
                "engagements_synthesevaleurs",
                "engagements_suiviaction",
                "engagements_jalon",
                "engagements_lignebudget",
                "contrat_generation",
            }
            if set(changees) - permises:
                ecarts.append(f"[proprietaire] wrote to {sorted(set(changees) - permises)}")
            etat = list(
                Valeur.objects.filter(pk=donnees["brouillon_etat"]).values_list(
                    "valeur", "version", "note"
                )
            )
            if etat != brouillon_etat:
                ecarts.append("[proprietaire] changed the État's draft")
        durees[role] = round(time.monotonic() - debut, 1)
    print("seconds per caller:", durees)
    assert ecarts == [], "\n".join(ecarts[:40])
    assert appels == len(urls) * len(METHODES) * len(clients) >= 362 * 5 * 8
