"""A value grid as a file (CSV or XLSX), in one shape both ways: what the app
exports, it imports back (round trip).

Columns: ``indicateur`` (code), ``libelle``, ``annee``, ``quartier`` (slug,
empty for all), ``nom_quartier``, ``sexe`` (F, H, empty for both),
``libelle_sexe``, ``valeur`` (French format), ``statut``, ``version``,
``note``. The descriptive columns are ignored on import.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from contrat.api.rendu import neutraliser
from contrat.nombres import ecrire_nombre, lire_entier
from contrat.televersement import taille_lisible
from engagements import xlsx
from engagements.models import Valeur
from engagements.services import GrilleInvalide, cle, grille_cles, grille_enregistrer

COLONNES = [
    "indicateur",
    "libelle",
    "annee",
    "quartier",
    "nom_quartier",
    "sexe",
    "libelle_sexe",
    "valeur",
    "statut",
    "version",
    "note",
]
REQUISES = {"indicateur", "annee", "quartier", "sexe", "valeur", "version"}


def lignes_grille(indicateur, annee):
    existantes = {
        cle(v.quartier, v.sexe): v
        for v in Valeur.objects.filter(indicateur=indicateur, annee=annee).select_related(
            "quartier"
        )
    }
    lignes = [COLONNES]
    for quartier, sexe in grille_cles(indicateur):
        valeur = existantes.get(cle(quartier, sexe))
        lignes.append(
            [
                indicateur.code,
                indicateur.libelle,
                annee,
                quartier.slug if quartier else "",
                quartier.nom if quartier else "Tous les quartiers",
                sexe,
                (Valeur.Sexe(sexe).label if sexe else "Ensemble"),
                valeur.valeur if valeur else "",
                valeur.get_statut_display() if valeur else "",
                valeur.version if valeur else 0,
                valeur.note if valeur else "",
            ]
        )
    return lignes


def exporter_csv(indicateur, annee):
    tampon = io.StringIO()
    # ";" and a BOM: what French spreadsheet programs expect.
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    for ligne in lignes_grille(indicateur, annee):
        # Text typed by users (notes) must not run as a formula in a spreadsheet.
        ecrivain.writerow(
            [ecrire_nombre(x) if isinstance(x, Decimal) else neutraliser(x) for x in ligne]
        )
    return ("\ufeff" + tampon.getvalue()).encode("utf-8")


def exporter_xlsx(indicateur, annee):
    lignes = [
        [float(x) if isinstance(x, Decimal) else neutraliser(x) for x in ligne]
        for ligne in lignes_grille(indicateur, annee)
    ]
    # Year and version are identifiers: no thousands separator.
    formats = {COLONNES.index("annee"): "0", COLONNES.index("version"): "0"}
    return xlsx.ecrire(lignes, titre=f"{indicateur.code} {annee}", formats=formats)


@dataclass
class Changements:
    """What a save really changed, counted on the database before and after
    (not on what the file held: an unchanged cell is not "saved")."""

    nouvelles: int = 0
    modifiees: int = 0
    supprimees: int = 0
    inchangees: int = 0
    soumises: int = 0
    # The campaign workbook's follow-ups (engagements/classeur.py).
    suivis_nouveaux: int = 0
    suivis_modifies: int = 0
    suivis_soumis: int = 0

    @property
    def total(self):
        return self.nouvelles + self.modifiees + self.supprimees

    def resume(self):
        """The French sentence of a success message."""
        morceaux = []
        if self.nouvelles:
            morceaux.append(f"{self.nouvelles} nouvelle(s) valeur(s)")
        if self.modifiees:
            morceaux.append(f"{self.modifiees} valeur(s) modifiée(s)")
        if self.supprimees:
            morceaux.append(f"{self.supprimees} valeur(s) supprimée(s)")
        texte = ", ".join(morceaux) if morceaux else "aucune valeur modifiée"
        if self.inchangees:
            texte += f", {self.inchangees} inchangée(s)"
        if self.soumises:
            texte += f" ; {self.soumises} valeur(s) soumise(s) à validation"
        suivis = []
        if self.suivis_nouveaux:
            suivis.append(f"{self.suivis_nouveaux} nouveau(x) suivi(s)")
        if self.suivis_modifies:
            suivis.append(f"{self.suivis_modifies} suivi(s) modifié(s)")
        if self.suivis_soumis:
            suivis.append(f"{self.suivis_soumis} suivi(s) soumis à validation")
        if suivis:
            texte += " ; " + ", ".join(suivis)
        return texte


def etat_des_valeurs(indicateur, annee):
    """{cell key: (value, note, status)} of a grid (one query)."""
    return {
        cle(v.quartier, v.sexe): (v.valeur, v.note, v.statut)
        for v in Valeur.objects.filter(indicateur=indicateur, annee=annee).select_related(
            "quartier"
        )
    }


def compter_changements(avant, apres, cles):
    """Compare two :func:`etat_des_valeurs` of a grid over the cells ``cles``
    (those the file named)."""
    resultat = Changements()
    for k in cles:
        a, b = avant.get(k), apres.get(k)
        if a is None and b is None:
            continue
        if a is None:
            resultat.nouvelles += 1
        elif b is None:
            resultat.supprimees += 1
        elif a[0] != b[0]:
            resultat.modifiees += 1
        else:
            resultat.inchangees += 1
        if b is not None and b[2] == Valeur.Statut.SOUMISE and (a is None or a[2] != b[2]):
            resultat.soumises += 1
    # Submitting also submits the drafts the file did not name.
    for k in set(apres) - set(cles):
        if apres[k][2] == Valeur.Statut.SOUMISE and avant.get(k, (0, 0, None))[2] != apres[k][2]:
            resultat.soumises += 1
    return resultat


@dataclass
class RapportImport:
    erreurs: list = field(default_factory=list)  # (line number or None, message)
    changements: Changements = field(default_factory=Changements)

    @property
    def ok(self):
        return not self.erreurs

    @property
    def enregistrees(self):
        """Values created or changed (not the unchanged ones)."""
        return self.changements.nouvelles + self.changements.modifiees


def _lire_csv(contenu):
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        texte = contenu.decode("cp1252", errors="replace")
    premiere = texte.split("\n", 1)[0]
    dialecte = ";" if premiere.count(";") >= premiere.count(",") else ","
    lignes_max = settings.IMPORT_LIGNES_MAX
    colonnes_max = settings.IMPORT_COLONNES_MAX
    cellule_max = settings.IMPORT_CELLULE_MAX
    lignes = []
    try:
        # Read row by row, each checked before the next is read.
        for ligne in csv.reader(io.StringIO(texte, newline=""), delimiter=dialecte):
            numero = len(lignes) + 1
            if numero > lignes_max:
                raise xlsx.LimiteDepassee(
                    f"Le fichier dépasse {lignes_max} lignes : la limite est de {lignes_max} lignes."
                )
            if len(ligne) > colonnes_max:
                raise xlsx.LimiteDepassee(
                    f"La ligne {numero} a {len(ligne)} colonnes : la limite est de "
                    f"{colonnes_max} colonnes."
                )
            if any(len(cellule) > cellule_max for cellule in ligne):
                raise xlsx.LimiteDepassee(
                    f"Une cellule de la ligne {numero} dépasse {cellule_max} caractères : "
                    f"la limite est de {cellule_max} caractères par cellule."
                )
            lignes.append(ligne)
    except csv.Error as exc:
        raise ValueError(f"Ce fichier CSV est illisible : {exc}.") from None
    return lignes


def _lire_lignes(nom, contenu):
    # The upload was already counted while it streamed in (the form refuses it
    # past the limit); this guards the other callers.
    if len(contenu) > settings.IMPORT_TAILLE_MAX:
        raise xlsx.LimiteDepassee(
            f"Le fichier fait {taille_lisible(len(contenu))} : la taille maximale est de "
            f"{taille_lisible(settings.IMPORT_TAILLE_MAX)}."
        )
    if nom.lower().endswith(".xlsx"):
        return xlsx.lire(contenu)
    if nom.lower().endswith(".csv"):
        return _lire_csv(contenu)
    raise ValueError(
        "Format non reconnu : déposez un fichier .csv ou .xlsx exporté par l'application."
    )


def _autre_grille(entetes, lignes, indicateur, annee):
    """One error, ``(line, message)``, when the file is another grid's (another
    indicator or year), else None: such a file is wrong as a whole, not cell
    by cell."""
    i_code, i_annee = entetes.index("indicateur"), entetes.index("annee")
    for numero, brute in enumerate(lignes[1:], start=2):
        if not any((x or "").strip() for x in brute):
            continue
        code = (brute[i_code] if i_code < len(brute) else "").strip()
        if code != indicateur.code:
            return (
                numero,
                f"Ce fichier porte sur l'indicateur « {code[:40]} », pas sur {indicateur.code} : "
                "déposez ici le fichier exporté depuis la grille de cet indicateur.",
            )
        texte = (brute[i_annee] if i_annee < len(brute) else "").strip()
        if texte.replace(",0", "") != str(annee):
            return (
                numero,
                f"Année « {texte[:10]} » : ce fichier doit porter sur {annee} "
                "(exportez la grille de cette campagne).",
            )
    return None


def importer(*, utilisateur, indicateur, annee, nom, contenu, soumettre=False):
    """Import a grid file. Every row is checked; any error and nothing is saved."""
    rapport = RapportImport()
    try:
        lignes = _lire_lignes(nom, contenu)
    except ValueError as exc:  # FichierIllisible and LimiteDepassee included
        rapport.erreurs.append((None, str(exc)))
        return rapport
    if not lignes or not lignes[0]:
        rapport.erreurs.append((None, "Le fichier est vide."))
        return rapport
    entetes = [h.strip().lower() for h in lignes[0]]
    manquantes = REQUISES - set(entetes)
    if manquantes:
        rapport.erreurs.append(
            (
                1,
                f"Colonnes manquantes : {', '.join(sorted(manquantes))} (utilisez le fichier exporté).",
            )
        )
        return rapport
    erreur = _autre_grille(entetes, lignes, indicateur, annee)
    if erreur:
        rapport.erreurs.append(erreur)
        return rapport
    cellules = {cle(q, s) for q, s in grille_cles(indicateur)}
    saisies, ligne_de, note = {}, {}, ""
    for numero, brute in enumerate(lignes[1:], start=2):
        if not any((x or "").strip() for x in brute):
            continue
        if any("\x00" in (x or "") for x in brute):
            # PostgreSQL text cannot hold a NUL: refused here, with its line.
            rapport.erreurs.append(
                (numero, "Cette ligne contient un caractère nul : il n'est pas accepté.")
            )
            continue
        ligne = {h: (brute[i] if i < len(brute) else "").strip() for i, h in enumerate(entetes)}
        k = (ligne["quartier"], ligne["sexe"].upper())
        if k not in cellules:
            rapport.erreurs.append(
                (
                    numero,
                    f"Cellule inconnue (quartier « {ligne['quartier']} », sexe « {ligne['sexe']} »).",
                )
            )
            continue
        if k in saisies:
            rapport.erreurs.append((numero, f"Cellule en double (déjà à la ligne {ligne_de[k]})."))
            continue
        try:
            version = lire_entier(ligne["version"] or "0", minimum=0, format_francais=True)
        except ValidationError as exc:
            rapport.erreurs.append(
                (
                    numero,
                    f"Version illisible ({exc.messages[0]}) : ne modifiez pas cette colonne.",
                )
            )
            continue
        saisies[k] = (ligne["valeur"], version)
        ligne_de[k] = numero
        note = note or ligne.get("note", "")
    if rapport.erreurs:
        return rapport
    try:
        with transaction.atomic():
            avant = etat_des_valeurs(indicateur, annee)
            grille_enregistrer(
                utilisateur=utilisateur,
                indicateur=indicateur,
                annee=annee,
                saisies=saisies,
                note=note,
                soumettre=soumettre,
            )
            rapport.changements = compter_changements(
                avant, etat_des_valeurs(indicateur, annee), saisies
            )
    except GrilleInvalide as exc:
        for message in exc.globales:
            rapport.erreurs.append((None, message))
        for k, messages in exc.erreurs.items():
            for message in messages:
                rapport.erreurs.append((ligne_de.get(k), message))
        rapport.erreurs.sort(key=lambda e: (e[0] is not None, e[0] or 0))
    return rapport
