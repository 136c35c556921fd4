"""Open data carries what is meant to be public: the partner's note only when
the partner marked it public, the staff's validation comment never. Partners
read their own organisation's, staff read everything; JSON and CSV alike."""

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from engagements.forms import nom_champ
from engagements.models import Valeur
from engagements.services import cle, grille_enregistrer, valeurs_statuer
from fiches.models import Indicateur

NOTE_PRIVEE = "Note privée de la Métropole : chiffre provisoire"
NOTE_PUBLIQUE = "Note publique de la Métropole : source INSEE"
COMMENTAIRE = "Commentaire interne de l'équipe : à recouper"
TOUS = ("", "")


@pytest.fixture
def valeurs(campagne, partenaire, equipe):
    """Two validated Métropole values with a note and a staff comment, one
    note private and one public."""
    metropole, etat = partenaire("metropole"), partenaire("etat")
    ind_prive = Indicateur.objects.get(code="2019-1.1-1")
    ind_public = Indicateur.objects.get(code="2019-1.1-2")
    [privee] = grille_enregistrer(
        utilisateur=metropole,
        indicateur=ind_prive,
        annee=2021,
        saisies={TOUS: ("10", 0)},
        note=NOTE_PRIVEE,
        soumettre=True,
    )
    [publique] = grille_enregistrer(
        utilisateur=metropole,
        indicateur=ind_public,
        annee=2021,
        saisies={TOUS: ("20", 0)},
        note=NOTE_PUBLIQUE,
        note_publique=True,
        soumettre=True,
    )
    valeurs_statuer(
        utilisateur=equipe,
        valeurs=[(privee, privee.version), (publique, publique.version)],
        valider=True,
        commentaire=COMMENTAIRE,
    )
    return {
        "privee": privee,
        "publique": publique,
        "metropole": metropole,
        "etat": etat,
        "equipe": equipe,
    }


def _client(utilisateur):
    client = Client()
    if utilisateur is not None:
        client.force_login(utilisateur)
    return client


def _json(client, pk):
    """The value as the list gives it, and as its detail gives it."""
    liste = client.get("/api/valeurs/", {"indicateur": Valeur.objects.get(pk=pk).indicateur.code})
    assert liste.status_code == 200
    [ligne] = [v for v in liste.json()["results"] if v["id"] == pk]
    detail = client.get(f"/api/valeurs/{pk}/")
    assert detail.status_code == 200
    assert detail.json() == ligne
    return ligne


def _csv(client, pk):
    reponse = client.get("/api/valeurs/", {"format": "csv"})
    assert reponse.status_code == 200
    texte = b"".join(reponse.streaming_content).decode("utf-8-sig")
    [ligne] = [r for r in csv.DictReader(io.StringIO(texte, newline="")) if r["id"] == str(pk)]
    return ligne


# (audience, sees the private note, sees the staff comment)
AUDIENCES = [
    (None, False, False),
    ("etat", False, False),
    ("metropole", True, True),
    ("equipe", True, True),
]


@pytest.mark.parametrize(("audience", "note_privee", "commentaire"), AUDIENCES)
@pytest.mark.parametrize("lire", [_json, _csv], ids=["json", "csv"])
def test_each_audience_reads_the_notes_and_comments_it_may_read(
    valeurs, audience, note_privee, commentaire, lire
):
    client = _client(valeurs[audience] if audience else None)
    privee = lire(client, valeurs["privee"].pk)
    publique = lire(client, valeurs["publique"].pk)
    assert privee["note"] == (NOTE_PRIVEE if note_privee else "")
    # A note its partner made public is open data, for everyone.
    assert publique["note"] == NOTE_PUBLIQUE
    # The staff's comment is never public, public note or not.
    for ligne in (privee, publique):
        assert ligne["commentaire_validation"] == (COMMENTAIRE if commentaire else "")
    assert str(privee["note_publique"]) in {"False", "false"}
    assert str(publique["note_publique"]) in {"True", "true"}


def test_the_anonymous_export_file_holds_no_private_text(valeurs, settings):
    client = Client()
    for _ in range(2):  # written, then served from its file
        corps = b"".join(client.get("/api/valeurs/", {"format": "csv"}).streaming_content)
        texte = corps.decode("utf-8-sig")
        assert NOTE_PUBLIQUE in texte
        assert NOTE_PRIVEE not in texte and COMMENTAIRE not in texte
    [fichier] = settings.EXPORTS_DIR.glob("*.csv")
    assert NOTE_PRIVEE.encode() not in fichier.read_bytes()


def test_public_dashboards_and_the_report_never_show_a_private_note(valeurs):
    client = Client()
    pages = [
        reverse("tableaux:indicateur", args=["2019-1.1-1"]),
        reverse("tableaux:fiche", args=["1.1"]),
        reverse("tableaux:apercu"),
        "/rapport/2021/",
    ]
    for page in pages:
        reponse = client.get(page)
        assert reponse.status_code == 200, page
        contenu = reponse.content.decode()
        assert NOTE_PRIVEE not in contenu and COMMENTAIRE not in contenu, page


def test_the_grid_form_has_a_labelled_public_note_box_saved_with_the_values(campagne, partenaire):
    metropole = partenaire("metropole")
    indicateur = Indicateur.objects.get(code="2019-1.1-1")
    client = _client(metropole)
    url = reverse("saisie:grille", args=[2021, indicateur.code])
    page = client.get(url).content.decode()
    assert 'name="note_publique"' in page
    assert "Publier la note avec les valeurs validées" in page
    champ = nom_champ(cle(None, ""))
    donnees = {"action": "brouillon", "note": "Ma note", champ: "4", f"ver_{champ}": 0}
    assert client.post(url, {**donnees, "note_publique": "on"}).status_code == 302
    valeur = Valeur.objects.get(indicateur=indicateur, annee=2021)
    assert valeur.note_publique is True
    [case] = re.findall(r'<input[^>]*name="note_publique"[^>]*>', client.get(url).content.decode())
    assert "checked" in case
    # Unticked: the note becomes internal again.
    donnees[f"ver_{champ}"] = valeur.version
    assert client.post(url, donnees).status_code == 302
    valeur.refresh_from_db()
    assert valeur.note_publique is False


def test_a_new_value_s_note_is_internal_by_default(campagne, partenaire):
    [valeur] = grille_enregistrer(
        utilisateur=partenaire("metropole"),
        indicateur=Indicateur.objects.get(code="2019-1.1-1"),
        annee=2021,
        saisies={TOUS: ("3", 0)},
        note="Une note",
    )
    valeur.refresh_from_db()
    assert valeur.note_publique is False


def test_the_api_write_sets_the_public_note_and_keeps_it_when_not_sent(campagne, partenaire):
    client = _client(partenaire("metropole"))
    reponse = client.post(
        "/api/valeurs/",
        {
            "indicateur": "2019-1.1-1",
            "annee": 2021,
            "valeur": "5",
            "note": "Publiable",
            "note_publique": True,
            "version": 0,
        },
        content_type="application/json",
    )
    assert reponse.status_code == 201, reponse.content
    assert reponse.json()["note_publique"] is True
    assert reponse.json()["note"] == "Publiable"
    valeur = Valeur.objects.get(pk=reponse.json()["id"])
    assert valeur.note_publique is True
    # A PATCH that does not send it keeps it; one that sends false clears it.
    reponse = client.patch(
        f"/api/valeurs/{valeur.pk}/",
        {"valeur": "6", "note": "Publiable", "version": valeur.version},
        content_type="application/json",
    )
    assert reponse.status_code == 200, reponse.content
    valeur.refresh_from_db()
    assert valeur.note_publique is True and valeur.valeur == 6
    reponse = client.patch(
        f"/api/valeurs/{valeur.pk}/",
        {"valeur": "6", "note": "Publiable", "note_publique": False, "version": valeur.version},
        content_type="application/json",
    )
    assert reponse.status_code == 200, reponse.content
    valeur.refresh_from_db()
    assert valeur.note_publique is False
