"""Bad input: the API fuzzed from its own OpenAPI schema (schemathesis), the
web grid and the file import fuzzed with hypothesis. Never a server error,
never a partial save."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagements.forms import nom_champ
from engagements.models import Valeur
from engagements.services import cle, grille_cles
from fiches.models import Indicateur

RACINE = Path(__file__).resolve().parent.parent


# Hundreds of generated requests from one address: the rate limits are raised
# out of reach here (they have their own tests, tests/test_limites.py).
pytestmark = pytest.mark.usefixtures("limites_hautes")


@pytest.mark.parametrize("identite", ["demo-metropole", None], ids=["partenaire", "anonyme"])
def test_schemathesis_passes_every_check_on_the_api(serveur, jeton_demo, identite):
    """Every schemathesis check (server errors, response schemas, status codes,
    content types, accepted and refused inputs, authentication, stateful
    links), as a partner and anonymously. ``schemathesis.toml`` says why the
    write operations may refuse a schema-valid body and why 414 is a refusal."""
    commande = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(RACINE / "schemathesis.toml"),
        "run",
        f"{serveur}/api/schema/",
        "--checks",
        "all",
        "--max-examples",
        "15",
        # One worker: hypothesis's lambda-source cache is not thread-safe and,
        # with two, sometimes aborts a run with an internal error.
        "--workers",
        "1",
        "--seed",
        "2019",
    ]
    if identite:
        commande += ["-H", f"Authorization: Token {jeton_demo(identite)}"]
    resultat = subprocess.run(commande, capture_output=True, text=True, timeout=1200)
    sortie = resultat.stdout + resultat.stderr
    assert resultat.returncode == 0, sortie[-4000:]
    # The closing line: "== N warnings in 21.4s ==", or "== 1 failure, 1 error ... ==".
    resume = [ligne for ligne in sortie.splitlines() if ligne.startswith("==") and " in " in ligne]
    assert resume and "failure" not in resume[-1] and "error" not in resume[-1], sortie[-4000:]
    assert " passed" in sortie


MAUVAIS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "=1+1",
            "@SUM(A1)",
            "1e309",
            "NaN",
            "∞",
            "1,2,3",
            "1.234",
            "--5",
            "5 %%",
            "\x00",
            "½",
            "٣",
            "１２３",
        ]
    ),
    st.text(alphabet="0123456789 ,.-", max_size=25),
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(saisies=st.lists(MAUVAIS, min_size=24, max_size=24))
def test_the_grid_form_never_breaks_and_never_saves_half(saisies):
    from django.contrib.auth import get_user_model

    from contrat.models import Membre, Organisation
    from engagements.models import Campagne

    if not Campagne.objects.filter(annee=2021).exists():
        Campagne.objects.create(annee=2021, date_limite="2022-03-31")
    user, _ = get_user_model().objects.get_or_create(username="fuzz")
    Membre.objects.get_or_create(
        utilisateur=user, defaults={"organisation": Organisation.objects.get(slug="metropole")}
    )
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    indicateur.desagregation = Indicateur.Desagregation.QUARTIER_SEXE
    indicateur.save()
    client = Client()
    client.force_login(user)
    avant = list(
        Valeur.objects.filter(indicateur=indicateur).values_list("pk", "valeur", "version")
    )
    data = {"action": "brouillon", "note": ""}
    for (q, s), texte in zip(grille_cles(indicateur), saisies, strict=True):
        k = cle(q, s)
        actuelle = Valeur.objects.filter(
            indicateur=indicateur, annee=2021, quartier=q, sexe=s
        ).first()
        data[nom_champ(k)] = texte
        data[f"ver_{nom_champ(k)}"] = actuelle.version if actuelle else 0
    reponse = client.post(reverse("saisie:grille", args=[2021, indicateur.code]), data)
    assert reponse.status_code in {302, 400}
    if reponse.status_code == 400:
        # Refused: nothing of the grid was saved, and what was typed is shown back.
        assert (
            list(
                Valeur.objects.filter(indicateur=indicateur).values_list("pk", "valeur", "version")
            )
            == avant
        )


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    contenu=st.one_of(
        st.binary(max_size=3000),
        st.text(max_size=2000).map(lambda t: t.encode("utf-8")),
        st.text(max_size=500).map(lambda t: t.encode("utf-16")),
        st.just(
            b"indicateur;annee;quartier;sexe;valeur;version\n2019-1.1-1;2021;;;=cmd|' /C calc'!A0;0\n"
        ),
        st.just(b"PK\x03\x04" + b"\x00" * 200),
    ),
    nom=st.sampled_from(["grille.csv", "grille.xlsx", "grille.txt", "GRILLE.CSV", ".csv"]),
)
def test_the_import_never_breaks_and_never_saves_from_a_bad_file(contenu, nom):
    from django.contrib.auth import get_user_model

    from contrat.models import Membre, Organisation
    from engagements.models import Campagne

    if not Campagne.objects.filter(annee=2021).exists():
        Campagne.objects.create(annee=2021, date_limite="2022-03-31")
    user, _ = get_user_model().objects.get_or_create(username="fuzz")
    Membre.objects.get_or_create(
        utilisateur=user, defaults={"organisation": Organisation.objects.get(slug="metropole")}
    )
    client = Client()
    client.force_login(user)
    avant = Valeur.objects.count()
    fichier = io.BytesIO(contenu)
    fichier.name = nom
    reponse = client.post(
        reverse("saisie:importer", args=[2021, "2019-1.1-1"]), {"fichier": fichier}
    )
    assert reponse.status_code in {302, 400}
    if reponse.status_code == 400:
        assert Valeur.objects.count() == avant


@pytest.mark.django_db
def test_a_huge_file_is_refused_whole(campagne, partenaire):
    client = Client()
    client.force_login(partenaire("metropole"))
    fichier = io.BytesIO(
        b"indicateur;annee;quartier;sexe;valeur;version\n" + b"x" * (3 * 1024 * 1024)
    )
    fichier.name = "grille.csv"
    reponse = client.post(
        reverse("saisie:importer", args=[2021, "2019-1.1-1"]), {"fichier": fichier}
    )
    assert reponse.status_code == 400
    assert "2 Mo" in reponse.content.decode()
    assert not Valeur.objects.exists()


@pytest.mark.django_db
def test_csv_exports_neutralise_formulas(campagne, partenaire):
    from engagements.services import grille_enregistrer

    user = partenaire("metropole")
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    grille_enregistrer(
        utilisateur=user,
        indicateur=indicateur,
        annee=2021,
        saisies={("", ""): ("3", 0)},
        note='=HYPERLINK("http://x")',
    )
    client = Client()
    client.force_login(user)
    contenu = client.get(
        reverse("saisie:exporter", args=[2021, indicateur.code, "csv"])
    ).content.decode("utf-8-sig")
    lignes = list(csv.DictReader(io.StringIO(contenu), delimiter=";"))
    assert lignes[0]["note"].startswith("'=")
    api = b"".join(client.get("/api/valeurs/", {"format": "csv"}).streaming_content).decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in api
