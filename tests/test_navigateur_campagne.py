"""Issue #14's acceptance, walked in a real browser (Debian's Chromium, as
tests/test_navigateur.py) by a new partner and the policy unit, against the app
served by its own gunicorn, which writes its e-mails as files into a private
folder (the file backend of development) and links them to its own address:

1. staff invite a user of the Département on /comptes/invitations/;
2. the invitation e-mail is read from the folder, its link opened; the user
   chooses a password and logs in;
3. on the home, the user downloads the campaign workbook, fills two cells
   offline (openpyxl), imports it back, reads the preview (2 new values),
   saves and submits;
4. staff open the validation queue, read each grid's context, validate one
   value and reject the other with a reason;
5. the rejection e-mail (sent on commit of the rejection) brings the user to
   the grid, who corrects the value and submits it again.

Every page is checked for French (no English giveaway, ``lang="fr"``), every
console for errors. ``CAPTURES_NAVIGATEUR=/tmp/la-`` keeps the screenshots
(``/tmp/la-01-invitation.png``...); by default they go to the test's folder.
"""

import email
import email.policy
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import psycopg2
import pytest

from scripts.instances import instance_servie, port_libre
from tests.test_navigateur import CHROMIUM, MOT_DE_PASSE

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent (apt-get install chromium)"),
    pytest.mark.navigateur,
]

ORGANISATION = "Département de l'Hérault"
CHOIX = "Département de l'Hérault (CD34)"  # as the invitation form lists it
SLUG = "departement-herault"
ANNEE = 2022  # the open demo campaign whose deadline is nearest: the home's default
# Two of the Département's commitment indicators, counted without
# disaggregation, with a unit and a 2022 target (13 and 476).
VALIDEE, REJETEE = "E78-1", "E78-2"
MOTIF = "Le bilan de l'office compte 476 logements : corrigez la valeur."
# What English pages (Django's defaults, a forgotten template) would show.
ANGLAIS = re.compile(
    r"\b(the|this field|required|password|submit|save|error|invalid|please|your|"
    r"forbidden|not found|download|upload|log ?in|sign in|welcome)\b",
    re.IGNORECASE,
)
SEPARATEUR = b"-" * 79 + b"\n"  # between two messages of Django's file backend


@pytest.fixture(scope="module")
def application(base_e2e, tmp_path_factory):
    """The served app (its URL) and the folder where it writes its e-mails."""
    dossier = tmp_path_factory.mktemp("courriels")
    port = port_libre()
    env = {
        "DEBUG": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(dossier),
        # The links of notifications are built on SITE_URL: this server's own.
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    with instance_servie(base_e2e, port=port, workers=1, threads=4, env=env) as instance:
        yield instance.url, dossier


@pytest.fixture
def onglet(navigateur, application):
    """Factory: the page of a new browser context (one per user), its console watched."""
    contextes = []

    def ouvrir():
        contexte = navigateur.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        contextes.append(contexte)
        page = contexte.new_page()
        page.set_default_timeout(20_000)
        page.erreurs_console = []
        page.hotes = set()
        page.on("console", lambda m: m.type == "error" and page.erreurs_console.append(m.text))
        page.on("pageerror", lambda e: page.erreurs_console.append(str(e)))
        page.on("request", lambda r: page.hotes.add(urlparse(r.url).hostname))
        page.base = application[0]
        return page

    yield ouvrir
    for contexte in contextes:
        contexte.close()


def courriels(dossier, destinataire):
    """The messages of the file backend's folder sent to ``destinataire``, oldest first."""
    trouves = []
    for fichier in sorted(dossier.glob("*.log"), key=lambda f: f.stat().st_mtime_ns):
        for brut in fichier.read_bytes().split(SEPARATEUR):
            if brut.strip():
                message = email.message_from_bytes(brut, policy=email.policy.default)
                if message["To"] == destinataire:
                    trouves.append(message)
    return trouves


def sujet(message):
    # A folded encoded subject parses with the fold's leading space.
    return str(message["Subject"]).strip()


def texte_et_liens(message, base):
    """The plain-text body and the links to the app it holds, in order."""
    texte = message.get_body(preferencelist=("plain",)).get_content()
    return texte, re.findall(re.escape(base) + r"/\S+", texte)


def en_francais(page):
    """The page is French: its language, and no English giveaway in its text."""
    assert page.locator("html").get_attribute("lang").startswith("fr")
    texte = page.locator("body").inner_text()
    assert ANGLAIS.search(texte) is None, ANGLAIS.search(texte)
    return texte


def message(page):
    return page.locator(".messages").inner_text()


def capture(page, nom, tmp_path):
    prefixe = os.environ.get("CAPTURES_NAVIGATEUR")
    chemin = Path(f"{prefixe}{nom}.png") if prefixe else tmp_path / f"{nom}.png"
    page.screenshot(path=chemin, full_page=True)
    return chemin


def largeur_debordante(page):
    """How far the main content overflows its box on this viewport (0: none)."""
    return page.evaluate(
        "() => { const m = document.querySelector('main');"
        " return Math.max(0, m.scrollWidth - m.clientWidth); }"
    )


def au_telephone(page, nom, tmp_path):
    """A 390 px wide screenshot of the page, which must not overflow."""
    page.set_viewport_size({"width": 390, "height": 844})
    capture(page, nom, tmp_path)
    assert largeur_debordante(page) == 0
    page.set_viewport_size({"width": 1280, "height": 900})


def remplir_classeur(chemin, valeurs):
    """Type ``{indicator code: value}`` in the workbook as a partner would: in
    the yellow cell of the block titled by the code, row « Tous les quartiers »."""
    classeur = openpyxl.load_workbook(chemin)
    feuille = classeur["Valeurs"]
    assert classeur["_cles"].sheet_state == "hidden"
    restants = dict(valeurs)
    code = None
    for ligne in feuille.iter_rows(min_col=1, max_col=2):
        texte = str(ligne[0].value or "")
        titre = re.match(r"(\S+) — ", texte)
        if titre:
            code = titre.group(1)
        elif texte == "Tous les quartiers" and code in restants:
            cellule = ligne[1]
            assert cellule.value is None  # nothing entered yet
            assert cellule.protection.locked is False  # a cell to fill
            cellule.value = restants.pop(code)
    assert restants == {}, f"blocs introuvables : {restants}"
    classeur.save(chemin)


def valeurs_en_base(base_e2e):
    """{indicator code: (value, status)} of the served database, for the two grids."""
    with psycopg2.connect(base_e2e) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT i.code, v.valeur, v.statut FROM engagements_valeur v"
            " JOIN fiches_indicateur i ON i.id = v.indicateur_id"
            " WHERE v.annee = %s AND i.code IN %s",
            [ANNEE, (VALIDEE, REJETEE)],
        )
        resultat = {code: (float(valeur), statut) for code, valeur, statut in cur.fetchall()}
    conn.close()
    return resultat


def test_a_new_partner_is_invited_fills_the_workbook_and_corrects_a_rejection(
    onglet, application, base_e2e, tmp_path
):
    base, dossier = application
    adresse = f"claire.martin.{secrets.token_hex(3)}@herault.example"
    mot_de_passe = "Saisie-des-indicateurs-2022"
    assert valeurs_en_base(base_e2e) == {}

    # 1. Staff invite a user of the Département.
    equipe = onglet()
    equipe.goto(base + "/connexion/")
    equipe.get_by_label("Identifiant").fill("demo-equipe")
    equipe.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    equipe.get_by_role("button", name="Se connecter").click()
    equipe.get_by_role("button", name="Se déconnecter (demo-equipe)").wait_for()
    equipe.goto(base + "/comptes/invitations/")
    equipe.get_by_label("Adresse électronique").fill(adresse)
    equipe.get_by_label("Prénom").fill("Claire")
    equipe.get_by_label("Nom :", exact=True).fill("Martin")
    equipe.get_by_label("Organisation").select_option(label=CHOIX)
    equipe.get_by_role("button", name="Créer le compte et envoyer l'invitation").click()
    assert f"Invitation envoyée à {adresse} ({ORGANISATION})." in message(equipe)
    attente = equipe.locator("table.liste tr", has=equipe.get_by_text(adresse, exact=True))
    assert "Claire Martin" in attente.inner_text()
    en_francais(equipe)
    capture(equipe, "01-invitation", tmp_path)

    # 2. The invitation e-mail, its link; the user chooses a password and logs in.
    (invitation,) = courriels(dossier, adresse)
    assert sujet(invitation) == "[Contrat de ville] Invitation à la saisie des indicateurs"
    texte, (lien,) = texte_et_liens(invitation, base)
    assert lien.startswith(f"{base}/comptes/")
    assert "Bonjour Claire," in texte
    assert f"pour {ORGANISATION}." in texte
    assert f"Votre identifiant : {adresse}" in texte
    partenaire = onglet()
    partenaire.goto(lien)
    assert partenaire.locator("h1").inner_text() == "Choisir votre mot de passe"
    assert f"Identifiant : {adresse}" in en_francais(partenaire)
    partenaire.get_by_label("Nouveau mot de passe").fill(mot_de_passe)
    partenaire.get_by_label("Confirmation du mot de passe").fill(mot_de_passe)
    capture(partenaire, "02-mot-de-passe", tmp_path)
    partenaire.get_by_role("button", name="Enregistrer le mot de passe").click()
    assert f"Mot de passe enregistré : connectez-vous avec l'identifiant {adresse}." in message(
        partenaire
    )
    partenaire.get_by_label("Identifiant").fill(adresse)
    partenaire.get_by_label("Mot de passe").fill(mot_de_passe)
    partenaire.get_by_role("button", name="Se connecter").click()
    partenaire.get_by_role("button", name=f"Se déconnecter ({adresse})").wait_for()

    # 3. The home, the workbook downloaded, filled offline, imported, previewed, submitted.
    partenaire.goto(base + "/saisie/")
    assert partenaire.locator("h1").inner_text() == f"Mes indicateurs — {ORGANISATION}"
    assert partenaire.get_by_label("Campagne", exact=True).input_value() == str(ANNEE)
    assert "Soumis ou validés : 0 sur" in en_francais(partenaire)
    capture(partenaire, "03-accueil", tmp_path)
    partenaire.get_by_role("link", name=f"Classeur de la campagne {ANNEE}").click()
    assert (
        partenaire.locator("h1").inner_text() == f"Classeur de la campagne {ANNEE} — {ORGANISATION}"
    )
    with partenaire.expect_download() as telechargement:
        partenaire.get_by_role("link", name=f"Télécharger le classeur {ANNEE} (.xlsx)").click()
    assert telechargement.value.suggested_filename == f"classeur-{SLUG}-{ANNEE}.xlsx"
    fichier = tmp_path / telechargement.value.suggested_filename
    telechargement.value.save_as(fichier)
    remplir_classeur(fichier, {VALIDEE: 12, REJETEE: 470})

    partenaire.get_by_label("Classeur rempli (.xlsx, tel que téléchargé ici)").set_input_files(
        fichier
    )
    partenaire.get_by_role("button", name="Voir l'aperçu").click()
    partenaire.locator("#comptes").wait_for()  # the preview's page, not the form's
    assert (
        partenaire.get_by_role("heading", level=2).first.inner_text()
        == "Aperçu de l'import : rien n'est encore enregistré"
    )
    assert (
        partenaire.locator("#comptes")
        .inner_text()
        .startswith(
            "Valeurs : 2 nouvelle(s), 0 modifiée(s), 0 supprimée(s), 0 note(s) modifiée(s), "
        )
    )
    assert partenaire.locator("#comptes").inner_text().endswith(", 0 erreur(s).")
    changements = partenaire.locator("#changements tbody tr")
    assert changements.count() == 2
    for ligne, (code, apres) in zip(
        changements.all(), [(VALIDEE, "12"), (REJETEE, "470")], strict=True
    ):
        cellules = [c.inner_text() for c in ligne.locator("td").all()]
        assert cellules[1].startswith(code) and cellules[2:] == ["Nouvelle", "(vide)", apres]
    en_francais(partenaire)
    capture(partenaire, "04-apercu", tmp_path)
    au_telephone(partenaire, "04-apercu-telephone", tmp_path)
    partenaire.get_by_role("button", name="Enregistrer et soumettre à validation").click()
    enregistre = message(partenaire)
    assert enregistre.startswith("Classeur enregistré : 2 nouvelle(s) valeur(s)")
    assert enregistre.endswith("; 2 valeur(s) soumise(s) à validation.")
    assert valeurs_en_base(base_e2e) == {VALIDEE: (12, "soumise"), REJETEE: (470, "soumise")}
    partenaire.get_by_role("link", name="← Mes indicateurs").click()
    partenaire.locator("progress#progression").wait_for()  # the home, loaded
    assert "Soumis ou validés : 2 sur" in en_francais(partenaire)

    # 4. Staff: the queue, each grid with its context; validate one, reject the other.
    equipe.goto(base + "/saisie/validation/")
    equipe.get_by_label("Campagne").select_option(str(ANNEE))
    equipe.get_by_label("Organisation").select_option(label=ORGANISATION)
    equipe.get_by_role("button", name="Filtrer").click()
    equipe.wait_for_url(f"**organisation={SLUG}**")
    file = equipe.locator("form.file-validation tbody tr")
    assert sorted(re.search(r"E\d+-\d+", t).group() for t in file.all_inner_texts()) == [
        VALIDEE,
        REJETEE,
    ]
    assert "2 grilles" in en_francais(equipe)
    capture(equipe, "05-file", tmp_path)
    for code, cible, total, decision in [
        (VALIDEE, "13", "12", "Valider"),
        (REJETEE, "476", "470", "Rejeter"),
    ]:
        file.filter(has_text=code).get_by_role("link").click()
        contexte = equipe.locator("dl.contexte-validation")
        contexte.wait_for()  # read below without waiting (all_inner_texts)
        rubriques = dict(
            zip(
                contexte.locator("dt").all_inner_texts(),
                contexte.locator("dd").all_inner_texts(),
                strict=True,
            )
        )
        assert rubriques["Unité"] == "Nombre"
        assert rubriques[f"Cible {ANNEE}"].startswith(f"{cible} (Échéance non précisée")
        assert rubriques["Valeur de référence"] == "non renseignée"
        assert rubriques[f"Total {ANNEE}"].startswith(f"{total} (statut des valeurs : soumise)")
        assert rubriques["Soumission"].startswith(f"1 valeur par {adresse} le ")
        precedentes = equipe.locator("table.annees-precedentes")
        assert (
            precedentes.locator("caption").inner_text() == "Années précédentes (valeurs validées)"
        )
        assert f"Aucune valeur validée avant {ANNEE}." in precedentes.inner_text()
        en_francais(equipe)
        if decision == "Rejeter":
            equipe.get_by_label("Commentaire pour le partenaire (obligatoire pour un rejet)").fill(
                MOTIF
            )
            capture(equipe, "06-grille-rejet", tmp_path)
            au_telephone(equipe, "06-grille-rejet-telephone", tmp_path)
        equipe.get_by_role("button", name=decision, exact=True).click()
        verbe = "validée(s)" if decision == "Valider" else "rejetée(s)"
        assert f"1 valeur(s) {verbe}." in message(equipe)
        equipe.goto(base + f"/saisie/validation/?annee={ANNEE}&organisation={SLUG}")
    assert valeurs_en_base(base_e2e) == {VALIDEE: (12, "validee"), REJETEE: (470, "rejetee")}

    # 5. The rejection e-mail brings the partner to the grid: corrected, submitted again.
    (_invitation, rejet) = courriels(dossier, adresse)
    assert sujet(rejet) == f"[Contrat de ville] Valeur rejetée : {REJETEE} ({ANNEE})"
    texte, (lien, preferences) = texte_et_liens(rejet, base)
    assert f"Motif : {MOTIF}" in texte
    assert lien == f"{base}/saisie/{ANNEE}/{REJETEE}/"
    assert preferences == f"{base}/notifications/preferences/"
    partenaire.goto(lien)
    # The same message waits in the app: the header counts it unread.
    assert partenaire.locator("header .pastille").text_content() == "1 non lue"
    commentaire = partenaire.locator(".commentaire").inner_text()
    assert commentaire.startswith("Rejeté par l'équipe (demo-equipe, le ")
    assert commentaire.endswith(f" : {MOTIF}")
    en_francais(partenaire)
    capture(partenaire, "07-grille-rejetee", tmp_path)
    au_telephone(partenaire, "07-grille-rejetee-telephone", tmp_path)
    partenaire.get_by_label("Valeur", exact=True).fill("476")
    partenaire.get_by_role("button", name="Soumettre à validation").click()
    assert "Valeurs soumises à l'équipe politique de la ville." in message(partenaire)
    en_francais(partenaire)
    capture(partenaire, "08-grille-corrigee", tmp_path)
    assert valeurs_en_base(base_e2e) == {VALIDEE: (12, "validee"), REJETEE: (476, "soumise")}
    partenaire.get_by_role("link", name="← Mes indicateurs").click()
    partenaire.locator("progress#progression").wait_for()  # the home, loaded
    accueil = en_francais(partenaire)
    assert "Soumis ou validés : 2 sur" in accueil
    assert partenaire.locator(".compteur.etat-valide").inner_text() == "Validé 1"
    assert partenaire.locator(".compteur.etat-rejete").inner_text() == "Rejeté 0"

    for page in (equipe, partenaire):
        assert page.erreurs_console == []
        assert page.hotes == {"127.0.0.1"}
