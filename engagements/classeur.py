"""One workbook (XLSX) per organisation and campaign: every indicator value
the organisation owes for the year, laid out as the grid form shows it, and
imported back through a preview.

Sheets:

- « Instructions »: how to fill it, the statuses, what is locked, the deadline;
- « Valeurs »: one block per indicator (title, fiche, unit, target of the
  year, baseline, state), then its grid — a row per quartier (or « Tous les
  quartiers »), a column per sex (or « Valeur ») and the state of each row —
  then the grid's note. Yellow cells are to fill; grey ones are locked
  (submitted or validated values, a closed campaign) and the sheet is
  protected so that only the yellow ones take typing;
- « _cles » (hidden): one row per editable cell — sheet, cell, indicator,
  quartier, sex, version read — under a first row naming the organisation and
  the year and signing the whole sheet (``django.core.signing``): the import
  maps each cell back exactly and refuses a key sheet edited by hand.

The import (:func:`analyser`) never writes: it compares each cell with the
database and lists it as new, changed (old → new), deleted, unchanged or in
error. :func:`enregistrer` saves a preview the partner confirmed, grid by
grid through :func:`engagements.services.grille_enregistrer`, in one
transaction, after checking that the data did not change since the preview
(a fingerprint of the versions of every value of the workbook).
"""

import hashlib
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.datavalidation import DataValidation

from contrat.api.rendu import neutraliser
from contrat.erreurs import Conflit, ErreurMetier, Invalide
from contrat.models import Quartier
from contrat.nombres import ecrire_nombre, lire_entier, lire_nombre
from contrat.televersement import taille_lisible
from contrat.textes import normaliser_fins_de_ligne
from engagements import xlsx
from engagements.echange import Changements, compter_changements, etat_des_valeurs
from engagements.models import SuiviAction, SuiviActionQuerySet, Valeur
from engagements.services import (
    GrilleInvalide,
    cle,
    grille_cles,
    grille_enregistrer,
    verifier_unite,
)
from engagements.services_suivis import actions_a_suivre, suivi_enregistrer, suivi_soumettre
from fiches.models import Indicateur

FEUILLE_INSTRUCTIONS = "Instructions"
FEUILLE_VALEURS = "Valeurs"
FEUILLE_SUIVIS = "Suivi des actions"
FEUILLE_CLES = "_cles"
MARQUE = "classeur-campagne"
SEL = "engagements.classeur"
# An organisation owes up to ~230 indicators; a grid has up to 24 cells and a
# block up to 32 rows: 10 000 rows per sheet and 8 000 keyed cells leave room
# for every indicator by quartier and sex, and bound a forged file.
LIGNES_MAX = 10_000
CELLES_MAX = 8_000
COLONNES_MAX = 10
# A preview kept in the session is confirmed within this many seconds.
APERCU_DUREE = 30 * 60

VERROUILLES = {Valeur.Statut.SOUMISE, Valeur.Statut.VALIDEE}
SUIVIS_VERROUILLES = {SuiviAction.Statut.SOUMIS, SuiviAction.Statut.VALIDE}
# The follow-up sheet: its first row of actions and its columns (1-based).
SUIVIS_PREMIERE_LIGNE = 6
COL_AVANCEMENT, COL_PCT, COL_REALISE, COL_A_VENIR = 5, 6, 7, 8
CHAMPS_SUIVI = {
    "avancement": ("Statut d'avancement", COL_AVANCEMENT),
    "avancement_pct": ("Avancement (%)", COL_PCT),
    "realise": ("Ce qui a été réalisé", COL_REALISE),
    "a_venir": ("Ce qui vient ensuite", COL_A_VENIR),
}
FORMATS = {
    Indicateur.Unite.NOMBRE: "#,##0",
    Indicateur.Unite.POURCENTAGE: '0.0" %"',
    Indicateur.Unite.EUROS: '#,##0.00" €"',
}

_FIN = Side(style="thin", color="A6A6A6")
BORDURE = Border(left=_FIN, right=_FIN, top=_FIN, bottom=_FIN)
FOND_TITRE = PatternFill("solid", fgColor="DDEBF7")
FOND_SAISIE = PatternFill("solid", fgColor="FFF2CC")
FOND_VERROU = PatternFill("solid", fgColor="D9D9D9")
GRAS = Font(bold=True)
GRIS = Font(color="595959")
MANQUE = Font(italic=True, color="7F7F7F")
LIBRE = Protection(locked=False)


class ApercuPerime(Conflit):
    """The data changed between the preview and its confirmation: nothing saved."""


class ClasseurRefuse(ErreurMetier):
    """A grid of the workbook refused by the service at confirmation: nothing saved."""

    def __init__(self, erreurs):
        self.erreurs = erreurs  # [(indicator code, message)]
        super().__init__("Le classeur n'a pas été enregistré : rien n'a été modifié.")


# ---------------------------------------------------------------- reading the data


def indicateurs_dus(organisation):
    """The indicators the organisation (and its services) enter values for,
    in the partner's list order, with their yearly targets (2 queries)."""
    return list(
        Indicateur.objects.a_saisir()
        .pour_organisation(organisation)
        .select_related("fiche")
        .prefetch_related("cibles_annuelles")
        .order_by("fiche__version", "fiche__enjeu_numero", "fiche__rang", "ordre", "code")
    )


class _Valeurs(dict):
    """A dict that may carry its index by indicator (see :func:`_cles`)."""


def _valeurs(indicateurs, annee):
    """{(indicator id, cell key): Valeur} for the year (one query)."""
    return _Valeurs(
        {
            (v.indicateur_id, cle(v.quartier, v.sexe)): v
            for v in Valeur.objects.filter(indicateur__in=indicateurs, annee=annee).select_related(
                "quartier"
            )
        }
    )


def cle_action(action):
    """The key of a follow-up row in « _cles »: the fiche and its pilot, or
    the commitment (primary keys: stable, and the sheet is signed)."""
    if action.fiche is not None:
        return f"fiche:{action.fiche.pk}:{action.organisation.pk}"
    return f"engagement:{action.engagement.pk}"


def actions_dues(organisation, annee):
    """{key: ActionASuivre} of the fiches and commitments whose follow-up the
    organisation (or a service attached to it) owes for the year, in the
    order of its « Suivi des actions » page (4 queries)."""
    return {cle_action(a): a for a in actions_a_suivre(annee, organisation)}


def empreinte_donnees(indicateurs, campagne, organisation=None):
    """A fingerprint of every value of the workbook (its version), of the
    organisation's follow-ups (their versions) and of the campaign's status:
    any save, validation, deletion or closing changes it."""
    suivis = []
    if organisation is not None:
        suivis = sorted(
            SuiviAction.objects.filter(annee=campagne.annee)
            .filter(SuiviActionQuerySet.responsable(organisation))
            .values_list("pk", "version", "statut")
        )
    lignes = sorted(
        Valeur.objects.filter(indicateur__in=indicateurs, annee=campagne.annee).values_list(
            "indicateur__code", "quartier__slug", "sexe", "version"
        ),
        key=lambda x: tuple(str(v) for v in x),
    )
    texte = repr(
        (campagne.statut, [tuple(str(v or "") for v in ligne) for ligne in lignes], suivis)
    )
    return hashlib.sha256(texte.encode()).hexdigest()


def _empreinte_grille(indicateur, valeurs, cles):
    """The versions of one grid, as the note's key carries them."""
    texte = ";".join(
        f"{q}/{s}/{valeurs[(indicateur.pk, (q, s))].version}"
        for q, s in sorted(cles)
        if (indicateur.pk, (q, s)) in valeurs
    )
    return hashlib.sha256(texte.encode()).hexdigest()[:16]


def _verrouillee(valeur, campagne):
    return campagne.verrouillee or (valeur is not None and valeur.statut in VERROUILLES)


def _note_de(indicateur, valeurs, cles):
    for k in cles:
        valeur = valeurs.get((indicateur.pk, k))
        if valeur is not None:
            return valeur.note
    return ""


def _signature(lignes):
    texte = "\n".join("\t".join(str(c) for c in ligne) for ligne in lignes)
    empreinte = hashlib.sha256(texte.encode()).hexdigest()
    return signing.Signer(salt=SEL).signature(empreinte)


# ---------------------------------------------------------------- writing


def _texte_cellule(
    feuille,
    ligne,
    colonne,
    valeur,
    *,
    police=None,
    fond=None,
    libre=False,
    bordure=True,
    neutre=True,
):
    cellule = feuille.cell(row=ligne, column=colonne)
    if valeur is not None and valeur != "":
        if isinstance(valeur, (int, float)) and not isinstance(valeur, bool):
            cellule.value = valeur
        else:
            # Set as text explicitly: a text starting with "=" is not a
            # formula. Read-only texts are also neutralised as in every
            # export; a note is not (it is read back, and must come back as is).
            texte = neutraliser(str(valeur)) if neutre else str(valeur)
            cellule.value = ILLEGAL_CHARACTERS_RE.sub("", texte)
            cellule.data_type = "s"
    if police:
        cellule.font = police
    if fond:
        cellule.fill = fond
        if bordure:
            cellule.border = BORDURE
    if libre:
        cellule.protection = LIBRE
    return cellule


def _instructions(feuille, organisation, campagne):
    lignes = [
        (f"Classeur de saisie — {organisation.nom}", Font(bold=True, size=14)),
        (f"{campagne} — date limite de saisie : {campagne.date_limite:%d/%m/%Y}", GRAS),
        (
            "Campagne fermée : toutes les valeurs sont verrouillées, ce classeur se lit seulement."
            if campagne.verrouillee
            else "Campagne ouverte : saisissez vos valeurs puis déposez ce classeur sur la "
            "page « Classeur de la campagne » de l'application.",
            None,
        ),
        ("", None),
        ("Comment le remplir", GRAS),
        ("1. Feuille « Valeurs » : un bloc par indicateur dont votre organisation répond.", None),
        ("2. Saisissez chaque valeur dans une cellule jaune ; les cellules grises sont", None),
        (
            "   verrouillées (la feuille est protégée : seules les cellules jaunes s'écrivent).",
            None,
        ),
        (
            "3. Nombres au format de votre tableur (« 1 234,5 ») ; un pourcentage entre 0 et 100 ;",
            None,
        ),
        (
            "   un nombre (effectif) entier et positif. Videz une cellule pour retirer un brouillon.",
            None,
        ),
        ("4. La note d'un indicateur vaut pour toute sa grille ; elle est obligatoire pour", None),
        ("   soumettre une valeur qui s'écarte fortement de la cible de l'année.", None),
        (
            "5. Déposez le classeur dans l'application : un aperçu liste chaque valeur nouvelle,",
            None,
        ),
        ("   modifiée ou inchangée et chaque erreur ; rien n'est enregistré avant votre", None),
        ("   confirmation, et rien du tout tant qu'une erreur reste.", None),
        (
            "6. Ne modifiez ni l'ordre des lignes, ni la feuille masquée « _cles » : elle relie",
            None,
        ),
        (
            "   chaque cellule à sa valeur. Un classeur ne s'importe que pour son organisation.",
            None,
        ),
        (
            "7. Feuille « Suivi des actions » : une ligne par fiche ou engagement que vous suivez "
            "(statut",
            None,
        ),
        (
            "   d'avancement à choisir dans la liste, avancement en %, réalisé, à venir). Jalons,",
            None,
        ),
        ("   lignes de budget et pièces justificatives se saisissent dans l'application.", None),
        ("", None),
        ("Statuts", GRAS),
        ("À saisir : aucune valeur. Brouillon : enregistrée, modifiable, non transmise.", None),
        ("Soumise : transmise à l'équipe politique de la ville ; verrouillée en attendant.", None),
        ("Validée : acceptée par l'équipe ; verrouillée.", None),
        ("Rejetée : renvoyée avec un commentaire (à lire dans l'application) ; à corriger.", None),
        ("", None),
        (
            "« non renseignée » : l'avenant ne donne pas cette donnée et l'équipe ne l'a pas fixée.",
            None,
        ),
        (
            "Si quelqu'un modifie une valeur dans l'application après le téléchargement, "
            "l'import la signale : téléchargez un nouveau classeur.",
            None,
        ),
    ]
    for n, (texte, police) in enumerate(lignes, start=1):
        _texte_cellule(feuille, n, 1, texte, police=police)
    legende = len(lignes) + 2
    _texte_cellule(feuille, legende, 1, "Cellule à saisir", fond=FOND_SAISIE)
    _texte_cellule(feuille, legende + 1, 1, "Cellule verrouillée", fond=FOND_VERROU, police=GRIS)
    feuille.column_dimensions["A"].width = 95
    feuille.protection.sheet = True


def _bloc(feuille, n, indicateur, campagne, valeurs, quartiers, cles_feuille):
    """Write one indicator's block from row ``n``; returns the next free row."""
    annee = campagne.annee
    cellules = grille_cles(indicateur, quartiers)
    cles_grille = [cle(q, s) for q, s in cellules]
    titre = f"{indicateur.code} — {' '.join(indicateur.libelle.split())}"
    # No merged cells: openpyxl styles every cell of a merge, slowly; the
    # title overflows into the empty cells on its right, filled alike.
    _texte_cellule(feuille, n, 1, titre, police=GRAS, fond=FOND_TITRE, bordure=False)
    for colonne in (2, 3, 4):
        _texte_cellule(feuille, n, colonne, None, fond=FOND_TITRE, bordure=False)
    n += 1
    cible = indicateur.cible_de(annee)
    infos = [
        (
            "Fiche",
            f"{indicateur.fiche.numero} — {indicateur.fiche.titre}"
            if indicateur.fiche_id
            else "Engagement (annexe 1)",
        ),
        ("Unité", indicateur.get_unite_display() if indicateur.unite else None),
        (f"Cible {annee}", float(cible.valeur) if cible else None),
        (
            "Référence",
            f"{ecrire_nombre(indicateur.valeur_reference)} "
            f"({indicateur.annee_reference or 'année non précisée'})"
            if indicateur.valeur_reference is not None
            else None,
        ),
    ]
    format_ = FORMATS.get(indicateur.unite, "#,##0.00" if indicateur.unite else "General")
    for libelle, valeur in infos:
        _texte_cellule(feuille, n, 1, libelle, police=GRIS)
        if valeur is None:
            _texte_cellule(feuille, n, 2, "non renseignée", police=MANQUE)
        else:
            cellule = _texte_cellule(feuille, n, 2, valeur)
            if isinstance(valeur, float):
                cellule.number_format = format_
        n += 1
    sexes = [s for s in (Valeur.Sexe if indicateur.par_sexe else [""])]
    entete = [
        "Quartier" if indicateur.par_quartier else "Périmètre",
        *[Valeur.Sexe(s).label if s else "Valeur" for s in sexes],
        "État",
    ]
    for colonne, texte in enumerate(entete, start=1):
        _texte_cellule(feuille, n, colonne, texte, police=GRAS)
    n += 1
    editables = 0
    ligne_de = {}
    for quartier, sexe in cellules:
        q = quartier.slug if quartier else ""
        if q not in ligne_de:
            ligne_de[q] = n
            _texte_cellule(feuille, n, 1, quartier.nom if quartier else "Tous les quartiers")
            n += 1
        ligne = ligne_de[q]
        colonne = 2 + sexes.index(sexe)
        valeur = valeurs.get((indicateur.pk, (q, sexe)))
        verrouillee = _verrouillee(valeur, campagne)
        cellule = _texte_cellule(
            feuille,
            ligne,
            colonne,
            float(valeur.valeur) if valeur else None,
            fond=FOND_VERROU if verrouillee else FOND_SAISIE,
            police=GRIS if verrouillee else None,
            libre=not verrouillee,
        )
        cellule.number_format = format_
        # Locked cells are keyed too: a change made after unprotecting the
        # sheet is reported, not silently ignored.
        editables += not verrouillee
        cles_feuille.append(
            [
                FEUILLE_VALEURS,
                cellule.coordinate,
                "valeur",
                indicateur.code,
                q,
                sexe,
                valeur.version if valeur else 0,
            ]
        )
    # The state of each row: one status, or one per sex when they differ.
    for quartier_slug, ligne in ligne_de.items():
        etats = [(s, valeurs.get((indicateur.pk, (quartier_slug, s)))) for s in sexes]
        libelles = {v.get_statut_display() if v else "À saisir" for _s, v in etats}
        if len(libelles) == 1:
            texte = libelles.pop()
        else:
            texte = " ; ".join(
                f"{Valeur.Sexe(s).label} : {v.get_statut_display() if v else 'À saisir'}"
                for s, v in etats
            )
        _texte_cellule(feuille, ligne, len(entete), texte, police=GRIS)
    note = _note_de(indicateur, valeurs, _cles(indicateur, valeurs))
    _texte_cellule(feuille, n, 1, "Note (pour toute la grille)", police=GRIS)
    note_libre = editables > 0
    cellule = _texte_cellule(
        feuille,
        n,
        2,
        note,
        fond=FOND_SAISIE if note_libre else FOND_VERROU,
        police=None if note_libre else GRIS,
        libre=note_libre,
        neutre=False,
    )
    cles_feuille.append(
        [
            FEUILLE_VALEURS,
            cellule.coordinate,
            "note",
            indicateur.code,
            "",
            "",
            _empreinte_grille(indicateur, valeurs, cles_grille),
        ]
    )
    return n + 2


def _suivis(feuille, organisation, campagne, actions, cles_feuille):
    """The « Suivi des actions » sheet: a row per fiche (per pilot) or
    commitment the organisation follows, with its record's plain fields."""
    _texte_cellule(
        feuille,
        1,
        1,
        f"{organisation.nom} — suivi des actions {campagne.annee} "
        f"(date limite {campagne.date_limite:%d/%m/%Y})",
        police=Font(bold=True, size=12),
    )
    _texte_cellule(
        feuille,
        2,
        1,
        "Jalons, lignes de budget et pièces justificatives ne sont pas dans ce classeur : "
        "saisissez-les dans le formulaire de suivi de chaque action, dans l'application.",
        police=GRIS,
    )
    _texte_cellule(feuille, 3, 1, "Jaune : à saisir", fond=FOND_SAISIE)
    _texte_cellule(
        feuille, 3, 2, "Gris : verrouillé (soumis, validé)", fond=FOND_VERROU, police=GRIS
    )
    entete = [
        "Action",
        "Intitulé",
        "Organisation",
        "État",
        *(libelle for libelle, _c in CHAMPS_SUIVI.values()),
    ]
    for colonne, texte in enumerate(entete, start=1):
        _texte_cellule(feuille, SUIVIS_PREMIERE_LIGNE - 1, colonne, texte, police=GRAS)
    choix = DataValidation(
        type="list",
        formula1='"' + ",".join(SuiviAction.Avancement.labels) + '"',
        allow_blank=True,
        errorTitle="Statut d'avancement",
        error="Choisissez un statut de la liste (ou laissez la cellule vide).",
    )
    pourcentage = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        errorTitle="Avancement (%)",
        error="Un pourcentage entier de 0 à 100.",
    )
    feuille.add_data_validation(choix)
    feuille.add_data_validation(pourcentage)
    if not actions:
        _texte_cellule(
            feuille,
            SUIVIS_PREMIERE_LIGNE,
            1,
            "Aucune fiche ni aucun engagement à suivre pour votre organisation.",
            police=MANQUE,
        )
    haut = Alignment(vertical="top", wrap_text=True)
    for n, (cle_, action) in enumerate(actions.items(), start=SUIVIS_PREMIERE_LIGNE):
        suivi = action.suivi
        # A text longer than a cell may be imported would make the whole
        # workbook unreadable: such a row is shown, not editable, nor read back.
        trop_long = suivi is not None and any(
            len(t) > settings.IMPORT_CELLULE_MAX for t in (suivi.realise, suivi.a_venir)
        )
        verrouille = (
            campagne.verrouillee
            or trop_long
            or (suivi is not None and suivi.statut in SUIVIS_VERROUILLES)
        )
        if action.fiche is not None:
            nature, intitule = f"Fiche {action.fiche.numero}", action.fiche.titre
        else:
            nature, intitule = f"Engagement n° {action.engagement.ordre}", action.engagement.texte
        for colonne, texte in enumerate(
            [nature, " ".join(intitule.split()), action.organisation.nom, action.etat_libelle],
            start=1,
        ):
            _texte_cellule(feuille, n, colonne, texte, police=GRIS if colonne == 4 else None)
        champs = {
            COL_AVANCEMENT: suivi.get_avancement_display() if suivi and suivi.avancement else None,
            COL_PCT: suivi.avancement_pct if suivi else None,
            COL_REALISE: suivi.realise if suivi else None,
            COL_A_VENIR: suivi.a_venir if suivi else None,
        }
        if trop_long:
            for colonne in (COL_REALISE, COL_A_VENIR):
                champs[colonne] = (
                    f"(texte de {len(champs[colonne])} caractères : à modifier dans "
                    "l'application, pas dans ce classeur)"
                )
        for colonne, valeur in champs.items():
            cellule = _texte_cellule(
                feuille,
                n,
                colonne,
                valeur,
                fond=FOND_VERROU if verrouille else FOND_SAISIE,
                police=GRIS if verrouille else None,
                libre=not verrouille,
                neutre=False,  # read back: must come back as typed
            )
            cellule.alignment = haut
        for colonne in (2, 3, 4):
            feuille.cell(row=n, column=colonne).alignment = haut
        if not verrouille:
            choix.add(f"E{n}")
            pourcentage.add(f"F{n}")
        # One key per row, locked rows included (a change is reported).
        cles_feuille.append(
            [
                FEUILLE_SUIVIS,
                f"E{n}",
                "suivi",
                cle_,
                "lecture" if trop_long else "",
                "",
                suivi.version if suivi else 0,
            ]
        )
    for colonne, largeur in zip("ABCDEFGH", (16, 50, 24, 22, 20, 14, 50, 50), strict=True):
        feuille.column_dimensions[colonne].width = largeur
    feuille.freeze_panes = f"C{SUIVIS_PREMIERE_LIGNE}"
    feuille.protection.sheet = True
    feuille.protection.formatColumns = False
    feuille.protection.formatRows = False


def exporter(organisation, campagne):
    """The organisation's workbook for the campaign, as bytes (4 queries:
    indicators, targets, quartiers, values; then the follow-ups, see
    :func:`actions_dues`)."""
    indicateurs = indicateurs_dus(organisation)
    valeurs = _valeurs(indicateurs, campagne.annee)
    quartiers = list(Quartier.objects.all())
    classeur = Workbook()
    _instructions(classeur.active, organisation, campagne)
    classeur.active.title = FEUILLE_INSTRUCTIONS

    feuille = classeur.create_sheet(FEUILLE_VALEURS)
    _texte_cellule(
        feuille,
        1,
        1,
        f"{organisation.nom} — valeurs {campagne.annee} (date limite {campagne.date_limite:%d/%m/%Y})",
        police=Font(bold=True, size=12),
    )
    _texte_cellule(feuille, 2, 1, "Jaune : à saisir", fond=FOND_SAISIE)
    _texte_cellule(feuille, 2, 2, "Gris : verrouillée", fond=FOND_VERROU, police=GRIS)
    cles_feuille = [["feuille", "cellule", "type", "indicateur", "quartier", "sexe", "version"]]
    n = 4
    if not indicateurs:
        _texte_cellule(
            feuille, n, 1, "Aucun indicateur à saisir pour votre organisation.", police=MANQUE
        )
    for indicateur in indicateurs:
        n = _bloc(feuille, n, indicateur, campagne, valeurs, quartiers, cles_feuille)
    for colonne, largeur in zip("ABCD", (44, 16, 16, 34), strict=True):
        feuille.column_dimensions[colonne].width = largeur
    feuille.freeze_panes = "B3"
    feuille.protection.sheet = True
    feuille.protection.formatColumns = False  # widths stay adjustable
    feuille.protection.formatRows = False

    _suivis(
        classeur.create_sheet(FEUILLE_SUIVIS),
        organisation,
        campagne,
        actions_dues(organisation, campagne.annee),
        cles_feuille,
    )

    cles_ = classeur.create_sheet(FEUILLE_CLES)
    meta = [MARQUE, organisation.slug, campagne.annee, _signature(cles_feuille)]
    for r, ligne in enumerate([meta, *cles_feuille], start=1):
        for c, valeur in enumerate(ligne, start=1):
            cellule = cles_.cell(row=r, column=c, value=valeur)
            if isinstance(valeur, str):
                cellule.data_type = "s"
    cles_.sheet_state = "hidden"
    cles_.protection.sheet = True
    for colonne in range(1, 8):
        cles_.column_dimensions[get_column_letter(colonne)].width = 18
    classeur.active = 1  # opens on the values
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


# ---------------------------------------------------------------- the preview


@dataclass
class LigneApercu:
    etat: str  # nouvelle, modifiee, supprimee, inchangee, note, erreur
    sorte: str = "valeur"  # or "suivi": a follow-up row
    cellule: str = ""  # "Valeurs!C12"
    ligne: int | None = None
    code: str = ""
    libelle: str = ""
    avant: str = ""
    apres: str = ""
    message: str = ""

    @property
    def etat_libelle(self):
        return {
            "nouvelle": "Nouvelle",
            "modifiee": "Modifiée",
            "supprimee": "Supprimée",
            "inchangee": "Inchangée",
            "note": "Note modifiée",
            "erreur": "Erreur",
        }[self.etat]


@dataclass
class Apercu:
    lignes: list = field(default_factory=list)
    globales: list = field(default_factory=list)  # French messages of the file as a whole
    grilles: dict = field(default_factory=dict)  # code -> {"saisies": [...], "note": str}
    a_soumettre: int = 0  # grids with drafts or rejected values a "save and submit" sends
    suivis: list = field(default_factory=list)  # follow-ups to save, as enregistrer reads them
    suivis_a_soumettre: int = 0  # follow-ups a "save and submit" sends

    @property
    def ok(self):
        return not self.globales and not self.erreurs

    @property
    def a_enregistrer(self):
        return bool(self.grilles or self.suivis)

    def _comptes(self, sorte):
        comptes = dict.fromkeys(
            ["nouvelle", "modifiee", "supprimee", "inchangee", "note", "erreur"], 0
        )
        for ligne in self.lignes:
            if ligne.sorte == sorte:
                comptes[ligne.etat] += 1
        return comptes

    @property
    def comptes(self):
        """The counts of the « Valeurs » sheet."""
        return self._comptes("valeur")

    @property
    def comptes_suivis(self):
        """The counts of the « Suivi des actions » sheet."""
        return self._comptes("suivi")

    @property
    def changements(self):
        return [ligne for ligne in self.lignes if ligne.etat not in {"inchangee", "erreur"}]

    @property
    def erreurs(self):
        return [ligne for ligne in self.lignes if ligne.etat == "erreur"]


def _libelle_cellule(indicateur, quartiers, q, s):
    morceaux = []
    if indicateur.par_quartier:
        morceaux.append(quartiers.get(q, q))
    if s:
        morceaux.append(Valeur.Sexe(s).label)
    return " — ".join(morceaux)


def _lire_cles(brutes):
    """The meta row and the key rows of the « _cles » sheet, or a French error."""
    if not brutes or len(brutes[0]) < 4 or brutes[0][0] != MARQUE:
        return None, None, "La feuille « _cles » de ce classeur est illisible."
    meta, cles_feuille = brutes[0], [ligne + [""] * (7 - len(ligne)) for ligne in brutes[1:]]
    if len(cles_feuille) - 1 > CELLES_MAX:
        return None, None, f"Ce classeur compte plus de {CELLES_MAX} cellules : c'est la limite."
    # The ints of a read sheet come back as text ("0"), as they were signed.
    signees = [[str(c) for c in ligne[:7]] for ligne in cles_feuille]
    if not signing.constant_time_compare(_signature(signees), meta[3]):
        return (
            None,
            None,
            "La feuille masquée « _cles » a été modifiée : elle relie chaque cellule à sa "
            "valeur. Téléchargez un nouveau classeur.",
        )
    return meta, cles_feuille[1:], None


def analyser(*, organisation, campagne, nom, contenu):
    """The preview of a workbook for ``organisation`` and ``campagne``:
    nothing is written. Limits before the work: the file's size, then the
    archive (members, uncompressed sizes), then rows, columns and cells of the
    two sheets read, then the number of keyed cells."""
    apercu = Apercu()
    if len(contenu) > settings.IMPORT_TAILLE_MAX:
        apercu.globales.append(
            f"Le fichier fait {taille_lisible(len(contenu))} : la taille maximale est de "
            f"{taille_lisible(settings.IMPORT_TAILLE_MAX)}."
        )
        return apercu
    if not nom.lower().endswith(".xlsx"):
        apercu.globales.append(
            "Format non reconnu : déposez le classeur .xlsx téléchargé depuis cette page."
        )
        return apercu
    try:
        feuilles = xlsx.lire_feuilles(
            contenu,
            [FEUILLE_VALEURS, FEUILLE_SUIVIS, FEUILLE_CLES],
            lignes_max=LIGNES_MAX,
            colonnes_max=COLONNES_MAX,
        )
    except ValueError as exc:  # FichierIllisible and LimiteDepassee included
        apercu.globales.append(str(exc))
        return apercu
    if FEUILLE_CLES not in feuilles or FEUILLE_VALEURS not in feuilles:
        apercu.globales.append(
            "Ce fichier n'est pas un classeur de campagne exporté par l'application (feuilles "
            "« Valeurs » et « _cles » attendues) : téléchargez le classeur de votre organisation."
        )
        return apercu
    meta, cles_feuille, erreur = _lire_cles(feuilles[FEUILLE_CLES])
    if erreur:
        apercu.globales.append(erreur)
        return apercu
    if meta[1] != organisation.slug:
        apercu.globales.append(
            f"Ce classeur est celui d'une autre organisation (« {meta[1][:60]} ») : vous ne "
            f"pouvez importer ici que le classeur de {organisation.nom}. Rien n'a été enregistré."
        )
        return apercu
    if str(meta[2]) != str(campagne.annee):
        apercu.globales.append(
            f"Ce classeur porte sur la campagne {str(meta[2])[:10]} : déposez ici celui de la "
            f"campagne {campagne.annee}."
        )
        return apercu
    if campagne.verrouillee:
        apercu.globales.append(
            f"La campagne {campagne.annee} est fermée : ses valeurs sont verrouillées."
        )
        return apercu

    indicateurs = indicateurs_dus(organisation)
    par_code = {i.code: i for i in indicateurs}
    valeurs = _valeurs(indicateurs, campagne.annee)
    quartiers = dict(Quartier.objects.values_list("slug", "nom"))
    grille = feuilles[FEUILLE_VALEURS]
    vues = set()
    fichier = {}  # code -> {"valeurs": {k: (texte, version)}, "note": (texte, empreinte)}
    suivis_du_fichier = []  # (action key, version, row, cells)
    for feuille, coordonnee, type_, code, q, s, version in cles_feuille:
        try:
            ligne, colonne = coordinate_to_tuple(coordonnee)
        except (ValueError, TypeError):
            apercu.globales.append("La feuille « _cles » de ce classeur est illisible.")
            return apercu
        if type_ == "suivi":
            if feuille != FEUILLE_SUIVIS or (type_, code) in vues:
                apercu.globales.append("La feuille « _cles » de ce classeur est illisible.")
                return apercu
            vues.add((type_, code))
            if q == "lecture":
                continue  # a row too long for a cell, shown only (see _suivis)
            if FEUILLE_SUIVIS not in feuilles:
                apercu.globales.append(
                    f"La feuille « {FEUILLE_SUIVIS} » manque à ce classeur : téléchargez un "
                    "nouveau classeur."
                )
                return apercu
            rangee = (
                feuilles[FEUILLE_SUIVIS][ligne - 1]
                if ligne <= len(feuilles[FEUILLE_SUIVIS])
                else []
            )
            cellules = {
                champ: (rangee[c - 1].strip() if c <= len(rangee) else "")
                for champ, (_l, c) in CHAMPS_SUIVI.items()
            }
            suivis_du_fichier.append((code, version, ligne, cellules))
            continue
        texte = ""
        if ligne <= len(grille) and colonne <= len(grille[ligne - 1]):
            texte = grille[ligne - 1][colonne - 1].strip()
        base = LigneApercu(etat="erreur", cellule=f"{feuille}!{coordonnee}", ligne=ligne, code=code)
        indicateur = par_code.get(code)
        if indicateur is None:
            base.message = (
                f"L'indicateur {code[:40]} n'est plus à saisir par votre organisation : "
                "téléchargez un nouveau classeur."
            )
            apercu.lignes.append(base)
            continue
        base.libelle = _libelle_cellule(indicateur, quartiers, q, s)
        if (code, type_, q, s) in vues:
            apercu.globales.append("La feuille « _cles » de ce classeur est illisible.")
            return apercu
        vues.add((code, type_, q, s))
        entree = fichier.setdefault(code, {"valeurs": {}, "note": None, "lignes": {}})
        if type_ == "note":
            entree["note"] = (texte, version, base)
        else:
            entree["valeurs"][(q, s)] = (texte, version, base)

    for code, entree in fichier.items():
        _analyser_grille(apercu, par_code[code], entree, valeurs, campagne)
    actions = actions_dues(organisation, campagne.annee)
    for cle_, version, ligne, cellules in suivis_du_fichier:
        _analyser_suivi(apercu, actions, cle_, version, ligne, cellules, campagne)
    apercu.suivis_a_soumettre = len(
        {s["cle"] for s in apercu.suivis if s["avancement"]}
        | {
            k
            for k, a in actions.items()
            if a.suivi is not None
            and a.suivi.avancement
            and a.suivi.statut in {SuiviAction.Statut.BROUILLON, SuiviAction.Statut.REJETE}
        }
    )
    # "Save and submit" also submits the drafts of grids the file left alone.
    apercu.a_soumettre = len(
        {
            indicateur_id
            for (indicateur_id, _k), v in valeurs.items()
            if v.statut in {Valeur.Statut.BROUILLON, Valeur.Statut.REJETEE}
        }
        | {par_code[code].pk for code in apercu.grilles}
    )
    return apercu


def _analyser_grille(apercu, indicateur, entree, valeurs, campagne):
    saisies, changee = {}, False
    for k, (texte, version_texte, base) in entree["valeurs"].items():
        actuelle = valeurs.get((indicateur.pk, k))
        avant = ecrire_nombre(actuelle.valeur) if actuelle else ""
        base.avant = avant
        base.apres = texte
        try:
            version = lire_entier(version_texte or "0", minimum=0)
        except ValidationError:
            base.message = "Clé technique illisible : téléchargez un nouveau classeur."
            apercu.lignes.append(base)
            continue
        nombre = None
        if texte:
            try:
                nombre = lire_nombre(texte)
            except ValidationError as exc:
                base.message = " ".join(exc.messages)
                apercu.lignes.append(base)
                continue
            base.apres = ecrire_nombre(nombre)
        if nombre is None and actuelle is None:
            continue  # empty, and still empty: not a value
        if actuelle is not None and nombre is not None and nombre == actuelle.valeur:
            base.etat = "inchangee"
            apercu.lignes.append(base)
            continue
        if (actuelle.version if actuelle else 0) != version:
            base.message = (
                "Modifiée dans l'application depuis le téléchargement (valeur actuelle : "
                f"{avant or 'vide'}"
                f"{', ' + actuelle.get_statut_display().lower() if actuelle else ''}) : "
                "téléchargez un nouveau classeur."
            )
            apercu.lignes.append(base)
            continue
        if _verrouillee(actuelle, campagne):
            base.message = f"Valeur {actuelle.get_statut_display().lower()} : elle est verrouillée."
            apercu.lignes.append(base)
            continue
        if nombre is not None:
            messages = verifier_unite(indicateur, nombre)
            if messages:
                base.message = " ".join(messages)
                apercu.lignes.append(base)
                continue
        base.etat = (
            "nouvelle" if actuelle is None else ("supprimee" if nombre is None else "modifiee")
        )
        base.apres = base.apres if nombre is not None else "(vide)"
        apercu.lignes.append(base)
        saisies[k] = (ecrire_nombre(nombre) if nombre is not None else "", version)
        changee = True

    cles_grille = list(entree["valeurs"])
    note_actuelle = _note_de(indicateur, valeurs, _cles(indicateur, valeurs))
    note = note_actuelle
    if entree["note"] is not None:
        texte, empreinte, base = entree["note"]
        if texte != note_actuelle.strip():
            base.libelle = "Note"
            base.avant, base.apres = note_actuelle, texte
            cles_tous = _cles(indicateur, valeurs)
            if empreinte != _empreinte_grille(indicateur, valeurs, cles_tous):
                base.message = (
                    "Note modifiée dans l'application depuis le téléchargement : "
                    "téléchargez un nouveau classeur."
                )
                apercu.lignes.append(base)
            else:
                # The note is kept on the values: it goes with the editable
                # values the grid will hold.
                porteuses = [
                    k
                    for k in cles_grille
                    if saisies.get(k, ("",))[0]
                    or (
                        k not in saisies
                        and valeurs.get((indicateur.pk, k)) is not None
                        and not _verrouillee(valeurs[(indicateur.pk, k)], campagne)
                    )
                ]
                if not porteuses:
                    base.message = (
                        "Une note sans valeur modifiable ne s'enregistre pas : saisissez une "
                        "valeur ou videz la note."
                    )
                    apercu.lignes.append(base)
                else:
                    base.etat = "note"
                    apercu.lignes.append(base)
                    note = texte
                    changee = True
                    for k in porteuses:
                        if k not in saisies:
                            actuelle = valeurs[(indicateur.pk, k)]
                            saisies[k] = (ecrire_nombre(actuelle.valeur), actuelle.version)
    if changee:
        apercu.grilles[indicateur.code] = {
            "saisies": [[q, s, texte, version] for (q, s), (texte, version) in saisies.items()],
            "note": note,
        }


def _lire_avancement(texte):
    """The choice's value from its label (as the list offers it) or its value,
    whatever the case; "" for an empty cell; None when unknown."""
    if not texte:
        return ""
    cherche = " ".join(texte.split()).casefold()
    for valeur, libelle in SuiviAction.Avancement.choices:
        if cherche in {valeur.casefold(), libelle.casefold()}:
            return valeur
    return None


def _champs_suivi(suivi):
    """The plain fields of a record as the sheet shows them (None: no record)."""
    if suivi is None:
        return {"avancement": "", "avancement_pct": None, "realise": "", "a_venir": ""}
    return {
        "avancement": suivi.avancement,
        "avancement_pct": suivi.avancement_pct,
        "realise": suivi.realise.strip(),
        "a_venir": suivi.a_venir.strip(),
    }


def _montrer_champ(champ, valeur):
    if champ == "avancement":
        return SuiviAction.Avancement(valeur).label if valeur else "(vide)"
    if valeur is None or valeur == "":
        return "(vide)"
    texte = " ".join(str(valeur).split())
    return texte if len(texte) <= 80 else texte[:79] + "…"


def _analyser_suivi(apercu, actions, cle_, version_texte, ligne, cellules, campagne):
    """One row of « Suivi des actions »: unchanged, new, changed or an error."""
    base = LigneApercu(
        etat="erreur", sorte="suivi", cellule=f"{FEUILLE_SUIVIS}!E{ligne}", ligne=ligne
    )
    action = actions.get(cle_)
    if action is None:
        base.code = "Suivi"
        base.message = (
            "Cette action n'est pas suivie par votre organisation : téléchargez un nouveau "
            "classeur."
        )
        apercu.lignes.append(base)
        return
    base.code = (
        f"Fiche {action.fiche.numero}"
        if action.fiche is not None
        else f"Engagement n° {action.engagement.ordre}"
    )
    base.libelle = action.organisation.nom if action.fiche is not None else ""
    suivi = action.suivi
    actuels = _champs_suivi(suivi)
    messages = []
    avancement = _lire_avancement(cellules["avancement"])
    if avancement is None:
        messages.append(
            f"Statut d'avancement inconnu : « {cellules['avancement'][:40]} ». Choisissez "
            f"parmi : {', '.join(SuiviAction.Avancement.labels)} (ou laissez vide)."
        )
    pct = None
    if cellules["avancement_pct"]:
        try:
            pct = lire_entier(
                cellules["avancement_pct"], minimum=0, maximum=100, format_francais=True
            )
        except ValidationError:
            messages.append("L'avancement est un pourcentage entier de 0 à 100.")
    nouveaux = {
        "avancement": avancement,
        "avancement_pct": pct,
        "realise": normaliser_fins_de_ligne(cellules["realise"]),
        "a_venir": normaliser_fins_de_ligne(cellules["a_venir"]),
    }
    if messages:
        base.apres = cellules["avancement"] or cellules["avancement_pct"]
        base.message = " ".join(messages)
        apercu.lignes.append(base)
        return
    changes = [c for c in CHAMPS_SUIVI if nouveaux[c] != actuels[c]]
    if not changes:
        if suivi is not None:
            base.etat = "inchangee"
            apercu.lignes.append(base)
        return  # an empty row of an action never followed: nothing
    base.avant = " ; ".join(
        f"{CHAMPS_SUIVI[c][0]} : {_montrer_champ(c, actuels[c])}" for c in changes
    )
    base.apres = " ; ".join(
        f"{CHAMPS_SUIVI[c][0]} : {_montrer_champ(c, nouveaux[c])}" for c in changes
    )
    try:
        version = lire_entier(version_texte or "0", minimum=0)
    except ValidationError:
        base.message = "Clé technique illisible : téléchargez un nouveau classeur."
        apercu.lignes.append(base)
        return
    if (suivi.version if suivi else 0) != version:
        base.message = (
            "Suivi modifié dans l'application depuis le téléchargement"
            f"{' (' + action.etat_libelle.lower() + ')' if suivi else ''} : téléchargez un "
            "nouveau classeur."
        )
        apercu.lignes.append(base)
        return
    if campagne.verrouillee or (suivi is not None and suivi.statut in SUIVIS_VERROUILLES):
        base.message = (
            f"Suivi {suivi.get_statut_display().lower()} : il est verrouillé."
            if suivi is not None
            else f"La campagne {campagne.annee} est fermée : ce suivi est verrouillé."
        )
        apercu.lignes.append(base)
        return
    base.etat = "nouvelle" if suivi is None else "modifiee"
    apercu.lignes.append(base)
    apercu.suivis.append({"cle": cle_, "version": version, **nouveaux})


def _cles(indicateur, valeurs):
    """The cell keys of the grid that hold a value (``valeurs`` as
    :func:`_valeurs` returns it; its index by indicator is built once)."""
    index = getattr(valeurs, "par_indicateur", None)
    if index is None:
        index = {}
        for i, k in valeurs:
            index.setdefault(i, []).append(k)
        valeurs.par_indicateur = index
    return sorted(index.get(indicateur.pk, []))


# ---------------------------------------------------------------- saving


@transaction.atomic
def enregistrer(
    *, utilisateur, organisation, campagne, grilles, empreinte, suivis=(), soumettre=False
):
    """Save a confirmed preview: ``grilles`` and ``suivis`` as :func:`analyser`
    built them, ``empreinte`` the :func:`empreinte_donnees` taken at preview.
    All grids and follow-ups or none. Returns the
    :class:`~engagements.echange.Changements` really made."""
    indicateurs = indicateurs_dus(organisation)
    if empreinte_donnees(indicateurs, campagne, organisation) != empreinte:
        raise ApercuPerime(
            "Des valeurs ou des suivis de votre organisation ont changé depuis l'aperçu "
            "(saisie, validation ou fermeture de la campagne) : rien n'a été enregistré. "
            "Déposez le classeur à nouveau pour voir un aperçu à jour."
        )
    par_code = {i.code: i for i in indicateurs}
    codes = {i.pk: i.code for i in indicateurs}
    valeurs = _valeurs(indicateurs, campagne.annee)
    a_traiter = dict(grilles)
    if soumettre:
        for (indicateur_id, _k), v in valeurs.items():
            if v.statut in {Valeur.Statut.BROUILLON, Valeur.Statut.REJETEE}:
                a_traiter.setdefault(codes[indicateur_id], {"saisies": [], "note": None})
    total = Changements()
    erreurs = []
    for code, grille in a_traiter.items():
        indicateur = par_code.get(code)
        if indicateur is None:
            erreurs.append((code, "Cet indicateur n'est plus à saisir par votre organisation."))
            continue
        saisies = {(q, s): (texte, version) for q, s, texte, version in grille["saisies"]}
        note = grille["note"]
        if note is None:
            note = _note_de(indicateur, valeurs, _cles(indicateur, valeurs))
        avant = etat_des_valeurs(indicateur, campagne.annee)
        try:
            with transaction.atomic():
                grille_enregistrer(
                    utilisateur=utilisateur,
                    indicateur=indicateur,
                    annee=campagne.annee,
                    saisies=saisies,
                    note=note,
                    soumettre=soumettre,
                )
        except GrilleInvalide as exc:
            erreurs.append((code, str(exc)))
            continue
        except ErreurMetier as exc:
            erreurs.append((code, exc.message))
            continue
        except ValidationError as exc:
            erreurs.append((code, " ".join(exc.messages)))
            continue
        compte = compter_changements(avant, etat_des_valeurs(indicateur, campagne.annee), saisies)
        for nom in ("nouvelles", "modifiees", "supprimees", "soumises"):
            setattr(total, nom, getattr(total, nom) + getattr(compte, nom))
    _enregistrer_suivis(
        utilisateur=utilisateur,
        organisation=organisation,
        campagne=campagne,
        suivis=suivis,
        soumettre=soumettre,
        total=total,
        erreurs=erreurs,
    )
    if erreurs:
        raise ClasseurRefuse(erreurs)
    return total


def _enregistrer_suivis(*, utilisateur, organisation, campagne, suivis, soumettre, total, erreurs):
    """Save the previewed follow-ups through the follow-up service (inside
    :func:`enregistrer`'s transaction). "Save and submit" submits those the
    service accepts: a record without a status of progress stays a draft."""
    actions = actions_dues(organisation, campagne.annee)
    ecrits = set()
    for ligne in suivis:
        action = actions.get(ligne["cle"])
        if action is None:
            erreurs.append(("Suivi", "Cette action n'est pas suivie par votre organisation."))
            continue
        libelle = action.libelle[:60]
        try:
            with transaction.atomic():
                suivi_enregistrer(
                    utilisateur=utilisateur,
                    annee=campagne.annee,
                    version=ligne["version"],
                    fiche=action.fiche,
                    engagement=action.engagement,
                    organisation=action.organisation if action.fiche is not None else None,
                    avancement=ligne["avancement"],
                    avancement_pct=ligne["avancement_pct"],
                    realise=ligne["realise"],
                    a_venir=ligne["a_venir"],
                    soumettre=soumettre and bool(ligne["avancement"]),
                )
        except Invalide as exc:
            precisions = [
                m
                for messages in exc.details.values()
                if isinstance(messages, list)
                for m in messages
            ]
            erreurs.append((libelle, " ".join([exc.message, *precisions])))
            continue
        except ErreurMetier as exc:
            erreurs.append((libelle, exc.message))
            continue
        except ValidationError as exc:
            erreurs.append((libelle, " ".join(exc.messages)))
            continue
        ecrits.add(ligne["cle"])
        if action.suivi is None:
            total.suivis_nouveaux += 1
        else:
            total.suivis_modifies += 1
        total.suivis_soumis += soumettre and bool(ligne["avancement"])
    if not soumettre:
        return
    # Like the values: "save and submit" also submits the drafts (and rejected
    # records) the file left alone, when the service accepts them.
    for cle_, action in actions.items():
        suivi = action.suivi
        if (
            cle_ in ecrits
            or suivi is None
            or not suivi.avancement
            or suivi.statut not in {SuiviAction.Statut.BROUILLON, SuiviAction.Statut.REJETE}
        ):
            continue
        try:
            with transaction.atomic():
                suivi_soumettre(utilisateur=utilisateur, suivi=suivi, version=suivi.version)
        except ErreurMetier as exc:
            erreurs.append((action.libelle[:60], exc.message))
            continue
        total.suivis_soumis += 1
