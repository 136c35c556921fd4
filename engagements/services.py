"""Writes on indicator values and campaigns.

Every entry point — the partners' web forms, file imports, the admin and the
API — calls these functions, so the rules hold everywhere:

- numbers typed the French way ("1 234,5");
- unit rules (a percentage between 0 and 100, a count whole and not negative);
- a note required, at submission, when a value is far from its target of
  the same year (a draft always saves);
- a closed campaign refuses every write;
- a partner writes only its own organisation's indicators;
- **no lost update**: each cell carries the version it was read at; a save
  from an older version is refused with the newer value, never overwritten;
- a grid is saved whole or not at all.

Refusals are domain errors (``contrat.erreurs``) that carry their HTTP status
and code: the API answers them as they are, forms show their messages.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from contrat.erreurs import Conflit, ErreurMetier, Invalide, PermissionRefusee, Verrouillee
from contrat.historique import auteur
from contrat.models import Organisation, Quartier, organisation_de
from contrat.nombres import ecrire_nombre, lire_entier, lire_nombre
from engagements import signaux
from engagements.models import Campagne, EvenementCampagne, Valeur
from fiches.models import Indicateur

# A value further than this from its target (relative gap) needs a note.
SEUIL_ECART_CIBLE = Decimal(getattr(settings, "SEUIL_ECART_CIBLE", "0.5"))


class ConflitEdition(Conflit):
    """Someone saved the same value since it was read: nothing was written.

    409; ``details.actuelle`` is the first value in conflict as the API shows
    it (None when it was deleted)."""

    def __init__(self, conflits):
        self.conflits = conflits  # list of (cle, Valeur or None)
        super().__init__(self._message())

    @property
    def details(self):
        # The API's representation of a value (imported here: only the API
        # reads it, and the serializer module imports the models).
        from engagements.api.serializers import ValeurSerializer

        actuelle = self.conflits[0][1] if self.conflits else None
        if actuelle is None:
            return {"actuelle": None}
        # The writer passed verifier_permission: the value is its organisation's
        # (or it is staff), so it reads the note and comment in full.
        actuelle.note_visible = actuelle.note
        actuelle.commentaire_visible = actuelle.commentaire_validation
        return {"actuelle": ValeurSerializer(actuelle).data}

    def _message(self):
        morceaux = []
        for _cle, valeur in self.conflits:
            if valeur is None:
                morceaux.append("une valeur a été supprimée entre-temps")
            else:
                morceaux.append(
                    f"{valeur.cellule_libelle} : {ecrire_nombre(valeur.valeur)} "
                    f"({valeur.get_statut_display().lower()}, enregistrée par "
                    f"{valeur.saisie_par} le {timezone.localtime(valeur.saisie_le):%d/%m/%Y à %H:%M})"
                )
        return (
            "Quelqu'un a modifié ces valeurs depuis que vous les avez ouvertes ; votre saisie "
            "n'a pas été enregistrée. Valeurs actuelles : " + " ; ".join(morceaux) + "."
        )


@dataclass
class GrilleInvalide(ErreurMetier):
    """A grid with errors: nothing was saved.

    400; the API puts every cell's messages under ``details.valeur`` and the
    grid's own under ``details.non_field_errors``. (Not a ValidationError:
    forms and the import place each message on its cell.)"""

    erreurs: dict = field(default_factory=dict)  # cle -> [messages]
    globales: list = field(default_factory=list)

    @property
    def details(self):
        details = {}
        for messages in self.erreurs.values():
            details.setdefault("valeur", []).extend(messages)
        if self.globales:
            details["non_field_errors"] = self.globales
        return details

    @property
    def message(self):
        return self.message_par_defaut

    def __str__(self):
        return "; ".join(self.globales + [m for ms in self.erreurs.values() for m in ms])


# ---------------------------------------------------------------- the grid


class GrilleEnregistree(list):
    """What :func:`grille_enregistrer` returns: the values the save wrote or
    kept (a list, as callers always read it), and ``changees``, the cells
    really changed (created, modified, emptied or submitted): 0 when the save
    wrote nothing."""

    def __init__(self, valeurs=(), *, changees=0):
        super().__init__(valeurs)
        self.changees = changees


def cle(quartier, sexe):
    """The key of a grid cell: (quartier slug or "", sex or "")."""
    return (quartier.slug if quartier else "", sexe or "")


def grille_cles(indicateur, quartiers=None):
    """The cells a value grid has, in display order."""
    if indicateur.par_quartier:
        quartiers = list(quartiers if quartiers is not None else Quartier.objects.all())
    else:
        quartiers = [None]
    sexes = list(Valeur.Sexe) if indicateur.par_sexe else [""]
    return [(q, s) for q in quartiers for s in sexes]


def peut_saisir(utilisateur, indicateur):
    if utilisateur is None or not utilisateur.is_authenticated or not utilisateur.is_active:
        return False
    if utilisateur.is_staff:
        return True
    organisation = organisation_de(utilisateur)
    if organisation is None or indicateur.organisation_id is None:
        return False
    return (
        Organisation.objects.perimetre(organisation).filter(pk=indicateur.organisation_id).exists()
    )


def verifier_permission(utilisateur, indicateur):
    if not peut_saisir(utilisateur, indicateur):
        raise PermissionRefusee("Cet indicateur ne relève pas de votre organisation.")


def verifier_hors_serie(indicateur):
    """A member of a confirmed series is not entered: its values are the
    reference's (a value is entered once).

    Called inside the save's transaction: the indicator's row is share-locked
    first, so a confirmation (``fiches.services.lien_serie_confirmer`` locks
    it FOR UPDATE, then looks for values) either waits for this save and sees
    its value, or commits first and this check sees the link. Saves of one
    indicator share the lock and do not wait for each other."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM fiches_indicateur WHERE id = %s FOR SHARE", [indicateur.pk])
    reference = indicateur.reference_de_serie()
    if reference is not None:
        raise Invalide(
            f"L'indicateur {indicateur.code} est saisi sous l'indicateur {reference.code} "
            f"(même série) : saisissez la valeur sous {reference.code}.",
            code="saisi_sous_serie",
            details={"reference": reference.code},
        )


def campagne_ouverte(annee):
    """The open campaign for ``annee``, or a clear refusal."""
    campagne = Campagne.objects.filter(annee=annee).first()
    if campagne is None:
        raise Invalide(f"Aucune campagne de saisie n'existe pour {annee}.", code="sans_campagne")
    if campagne.verrouillee:
        raise Verrouillee(
            f"La campagne {annee} est fermée : ses valeurs sont verrouillées. "
            "Demandez à l'équipe politique de la ville de la rouvrir."
        )
    return campagne


def verifier_unite(indicateur, valeur):
    """Unit rules; returns the list of French error messages."""
    unite = indicateur.unite
    if unite == Indicateur.Unite.POURCENTAGE and not (0 <= valeur <= 100):
        return ["Un pourcentage doit être compris entre 0 et 100."]
    if unite == Indicateur.Unite.NOMBRE:
        if valeur != valeur.to_integral_value():
            return ["Un nombre (effectif) doit être entier."]
        if valeur < 0:
            return ["Un nombre (effectif) ne peut pas être négatif."]
    if (
        unite in {Indicateur.Unite.EUROS, Indicateur.Unite.HEURES, Indicateur.Unite.JOURS}
        and valeur < 0
    ):
        return [
            f"Une valeur en {indicateur.get_unite_display().lower()} ne peut pas être négative."
        ]
    return []


def ecart_a_la_cible(indicateur, annee, valeurs_par_cellule):
    """``(value, target, relative gap)`` between the grid of ``annee`` and the
    indicator's target **of the same year** — the single value, or the grid's
    total where the unit adds up — or None when there is nothing to compare
    (no target that year: a 2021 value is never compared with a 2022 target)."""
    cible = indicateur.cible_de(annee)
    if cible is None or not valeurs_par_cellule:
        return None
    if (None, "") in valeurs_par_cellule:
        total = valeurs_par_cellule[(None, "")]
    elif indicateur.additive:
        total = sum(valeurs_par_cellule.values(), Decimal(0))
    else:
        return None
    return total, cible.valeur, abs(total - cible.valeur) / max(abs(cible.valeur), Decimal(1))


@transaction.atomic
def grille_enregistrer(
    *, utilisateur, indicateur, annee, saisies, note="", note_publique=None, soumettre=False
):
    """Save a value grid: ``saisies`` maps each cell key (see :func:`cle`) to
    ``(typed text, version read)``; version 0 means "was empty when read".

    ``note_publique``: whether the note may appear in open data (True/False);
    None keeps each saved value's setting (False for a new value), so a grid
    file, which has no such column, does not change it.

    An empty text removes the value (unless validated). Raises
    ``PermissionRefusee``, ``Invalide`` or ``Verrouillee`` (campaign),
    ``GrilleInvalide`` (per-cell errors) or ``ConflitEdition``; writes nothing
    in any of those cases. Returns a :class:`GrilleEnregistree`.
    """
    verifier_permission(utilisateur, indicateur)
    verifier_hors_serie(indicateur)
    campagne_ouverte(annee)
    cellules = {cle(q, s): (q, s) for q, s in grille_cles(indicateur)}
    inconnues = set(saisies) - set(cellules)
    if inconnues:
        raise GrilleInvalide(
            globales=[f"Cellules inconnues pour cet indicateur : {sorted(inconnues)}."]
        )

    # Lock the grid's rows: two saves of one grid run one after the other.
    existantes = {
        cle(v.quartier, v.sexe): v
        for v in Valeur.objects.select_for_update(of=("self",))
        .select_related("quartier", "saisie_par")
        .filter(indicateur=indicateur, annee=annee)
    }

    erreurs, lues, conflits = {}, {}, []
    for k, (texte, version) in saisies.items():
        texte = (texte or "").strip()
        actuelle = existantes.get(k)
        # The version read comes from a form or a file: the one parser, bounded.
        if (actuelle.version if actuelle else 0) != lire_entier(version or 0, minimum=0):
            conflits.append((k, actuelle))
            continue
        if actuelle is not None and actuelle.statut == Valeur.Statut.VALIDEE:
            if texte != ecrire_nombre(actuelle.valeur):
                erreurs.setdefault(k, []).append(
                    "Valeur validée : elle ne peut plus être modifiée (l'équipe peut la rejeter pour la rouvrir)."
                )
            continue
        if not texte:
            lues[k] = None
            continue
        try:
            valeur = lire_nombre(texte)
        except ValidationError as exc:
            erreurs.setdefault(k, []).extend(exc.messages)
            continue
        messages = verifier_unite(indicateur, valeur)
        if messages:
            erreurs.setdefault(k, []).extend(messages)
            continue
        lues[k] = valeur
    if conflits:
        raise ConflitEdition(conflits)

    # What the grid will hold once saved, for the target check.
    apres = {cellules[k]: v.valeur for k, v in existantes.items() if k not in saisies} | {
        cellules[k]: v for k, v in lues.items() if v is not None
    }
    # Asked at submission only: a draft always saves, far from its target or not.
    ecart = ecart_a_la_cible(indicateur, annee, apres) if soumettre else None
    globales = []
    if ecart and ecart[2] > SEUIL_ECART_CIBLE and not note.strip():
        globales.append(
            f"La valeur ({ecrire_nombre(ecart[0])}) s'écarte de plus de "
            f"{int(SEUIL_ECART_CIBLE * 100)} % de la cible {annee} ({ecrire_nombre(ecart[1])}) : "
            "expliquez-la dans la note avant de soumettre."
        )
    if erreurs or globales:
        raise GrilleInvalide(erreurs=erreurs, globales=globales)

    maintenant = timezone.now()
    statut = Valeur.Statut.SOUMISE if soumettre else Valeur.Statut.BROUILLON
    enregistrees = GrilleEnregistree()
    with auteur(utilisateur, f"saisie {indicateur.code} {annee}"):
        for k, valeur in lues.items():
            actuelle = existantes.get(k)
            quartier, sexe = cellules[k]
            if valeur is None:
                if actuelle is not None:
                    actuelle.delete()
                    enregistrees.changees += 1
                continue
            if actuelle is None:
                actuelle = Valeur(
                    indicateur=indicateur, annee=annee, quartier=quartier, sexe=sexe, version=0
                )
            elif (
                actuelle.valeur == valeur
                and actuelle.note == note
                and (note_publique is None or actuelle.note_publique == note_publique)
                and actuelle.statut == statut
            ):
                enregistrees.append(actuelle)
                continue
            actuelle.valeur = valeur
            actuelle.note = note
            if note_publique is not None:
                actuelle.note_publique = note_publique
            actuelle.statut = statut
            actuelle.saisie_par = utilisateur
            actuelle.saisie_le = maintenant
            actuelle.soumise_le = maintenant if soumettre else None
            actuelle.version += 1
            try:
                # The fact's uniqueness is the database's to enforce (below):
                # a check here would turn a concurrent creation into a 400.
                actuelle.full_clean(validate_unique=False, validate_constraints=False)
                actuelle.validate_constraints(exclude={"indicateur", "annee", "quartier", "sexe"})
                with transaction.atomic():
                    actuelle.save()
            except IntegrityError:
                # Another save created the same fact between our read and our write.
                raise ConflitEdition(
                    [
                        (
                            k,
                            Valeur.objects.filter(
                                indicateur=indicateur, annee=annee, quartier=quartier, sexe=sexe
                            ).first(),
                        )
                    ]
                ) from None
            enregistrees.append(actuelle)
            enregistrees.changees += 1
        if soumettre:
            # Submitting the grid also submits the drafts it did not touch.
            for k, actuelle in existantes.items():
                if k not in lues and actuelle.statut in {
                    Valeur.Statut.BROUILLON,
                    Valeur.Statut.REJETEE,
                }:
                    actuelle.statut = Valeur.Statut.SOUMISE
                    actuelle.soumise_le = maintenant
                    actuelle.version += 1
                    actuelle.save(update_fields=["statut", "soumise_le", "version"])
                    enregistrees.changees += 1
    return enregistrees


# ---------------------------------------------------------------- validation


VALIDATION_RESERVEE = "Seule l'équipe politique de la ville valide les valeurs."


def peut_valider(utilisateur):
    """Only the policy unit's staff validate or reject values (the service,
    and the API before it reads the request's body)."""
    return bool(utilisateur and utilisateur.is_authenticated and utilisateur.is_staff)


def _verifier_equipe(utilisateur):
    if not peut_valider(utilisateur):
        raise PermissionRefusee(VALIDATION_RESERVEE)


# One request validates or rejects at most this many values (a selection of
# grids on the queue: 24 cells each): bounded before any row is read.
VALIDATION_LOT_MAX = 2000


@transaction.atomic
def valeurs_statuer(*, utilisateur, valeurs, valider, commentaire=""):
    """Validate (``valider=True``) or reject submitted values: one cell, a
    grid, or a selection across indicators and years.

    ``valeurs`` is an iterable of ``(Valeur or its id, version read)``. A
    rejection needs a comment (the partner reads it). Only submitted values
    are decided; all or nothing; stale versions raise ``ConflitEdition``; a
    closed campaign refuses (``Verrouillee``). Returns the values decided.
    """
    _verifier_equipe(utilisateur)
    commentaire = (commentaire or "").strip()
    if not valider and not commentaire:
        raise Invalide(
            "Expliquez le rejet dans le commentaire : le partenaire le lira.",
            code="motif_requis",
        )
    demandees = {}
    for n, (valeur, version) in enumerate(valeurs):
        if n >= VALIDATION_LOT_MAX:
            raise Invalide(
                f"Trop de valeurs à la fois : {VALIDATION_LOT_MAX} au plus par envoi.",
                code="trop_de_valeurs",
            )
        # Ids and versions come from a page's fields: the one parser, bounded.
        pk = valeur.pk if isinstance(valeur, Valeur) else lire_entier(valeur, minimum=1)
        demandees[pk] = lire_entier(version, minimum=0)
    if not demandees:
        raise Invalide(
            "Aucune valeur sélectionnée : cochez au moins une valeur soumise.",
            code="selection_vide",
        )
    # Locked in id order: two decisions over overlapping selections never deadlock.
    actuelles = {
        v.pk: v
        for v in Valeur.objects.select_for_update(of=("self",))
        .select_related("indicateur", "quartier", "saisie_par")
        .filter(pk__in=demandees)
        .order_by("pk")
    }
    conflits = [
        (
            cle(actuelles[pk].quartier, actuelles[pk].sexe) if pk in actuelles else None,
            actuelles.get(pk),
        )
        for pk, version in demandees.items()
        if pk not in actuelles or actuelles[pk].version != version
    ]
    if conflits:
        raise ConflitEdition(conflits)
    for annee in sorted({v.annee for v in actuelles.values()}):
        campagne_ouverte(annee)
    non_soumises = [v for v in actuelles.values() if v.statut != Valeur.Statut.SOUMISE]
    if non_soumises:
        exemples = " ; ".join(
            f"{v.indicateur.code} {v.annee}, {v.cellule_libelle} ({v.get_statut_display().lower()})"
            for v in non_soumises[:5]
        )
        suite = " ..." if len(non_soumises) > 5 else ""
        raise Invalide(
            "Seules les valeurs soumises se valident ou se rejettent ; "
            f"{len(non_soumises)} valeur(s) sélectionnée(s) ne le sont pas : {exemples}{suite}. "
            "Rien n'a été enregistré.",
            code="non_soumise",
            details={"valeurs": [v.pk for v in non_soumises[:50]]},
        )
    maintenant = timezone.now()
    with auteur(utilisateur, "validation" if valider else "rejet"):
        for valeur in actuelles.values():
            valeur.statut = Valeur.Statut.VALIDEE if valider else Valeur.Statut.REJETEE
            valeur.commentaire_validation = commentaire
            valeur.validee_par = utilisateur
            valeur.validee_le = maintenant
            valeur.version += 1
            valeur.save()
    if not valider:
        # The partner's users are told by e-mail, once the rejection is committed.
        signaux.annoncer(
            signaux.valeurs_rejetees,
            valeurs=sorted(actuelles),
            commentaire=commentaire.strip(),
            auteur=utilisateur.pk,
        )
    return list(actuelles.values())


# ---------------------------------------------------------------- campaigns


def _lire_date(date_limite):
    """A deadline as a date: a ``date``, or ISO text (an API body, a form)."""
    if isinstance(date_limite, datetime.date):
        return date_limite
    try:
        return datetime.date.fromisoformat(str(date_limite or "").strip()[:10])
    except ValueError:
        raise Invalide(
            "Indiquez la date limite au format AAAA-MM-JJ.",
            code="date_limite_invalide",
            details={"date_limite": ["Date illisible."]},
        ) from None


@transaction.atomic
def campagne_ouvrir(*, utilisateur, annee, date_limite, libelle=""):
    _verifier_equipe(utilisateur)
    if Campagne.objects.filter(annee=annee).exists():
        raise Invalide(f"Une campagne existe déjà pour {annee}.")
    campagne = Campagne(
        annee=annee, date_limite=_lire_date(date_limite), libelle=libelle or f"Campagne {annee}"
    )
    campagne.full_clean()
    with auteur(utilisateur, "ouverture de campagne"):
        campagne.save()
        EvenementCampagne.objects.create(
            campagne=campagne,
            action=EvenementCampagne.Action.OUVERTURE,
            auteur=utilisateur,
            date_limite=campagne.date_limite,
        )
    signaux.annoncer(signaux.campagne_ouverte, campagne=campagne.pk)
    return campagne


@transaction.atomic
def campagne_fermer(*, utilisateur, campagne, motif=""):
    """Closing locks the campaign's values: it needs a reason, recorded in
    the campaign's journal (the page asks for a confirmation first)."""
    _verifier_equipe(utilisateur)
    motif = (motif or "").strip()
    if not motif:
        raise Invalide(
            "Indiquez pourquoi la campagne est fermée : le motif est inscrit au journal.",
            code="motif_requis",
            details={"motif": ["Obligatoire pour fermer une campagne."]},
        )
    campagne = Campagne.objects.select_for_update().get(pk=campagne.pk)
    if campagne.verrouillee:
        raise Invalide(f"La campagne {campagne.annee} est déjà fermée.")
    with auteur(utilisateur, "fermeture de campagne"):
        campagne.statut = Campagne.Statut.FERMEE
        campagne.save(update_fields=["statut"])
        EvenementCampagne.objects.create(
            campagne=campagne,
            action=EvenementCampagne.Action.FERMETURE,
            auteur=utilisateur,
            motif=motif,
        )
    return campagne


@transaction.atomic
def campagne_rouvrir(*, utilisateur, campagne, motif, date_limite=None):
    """Reopening is explicit: it needs a reason and a new deadline, in the
    future and after the campaign's opening (a reopened campaign never keeps
    a past deadline); both are recorded."""
    _verifier_equipe(utilisateur)
    erreurs = {}
    motif = (motif or "").strip()
    if not motif:
        erreurs["motif"] = ["Indiquez pourquoi la campagne est rouverte."]
    if date_limite in (None, ""):
        erreurs["date_limite"] = ["Indiquez la nouvelle date limite de saisie."]
    if erreurs:
        raise Invalide(
            " ".join(m for ms in erreurs.values() for m in ms),
            code="reouverture_incomplete",
            details=erreurs,
        )
    date_limite = _lire_date(date_limite)
    campagne = Campagne.objects.select_for_update().get(pk=campagne.pk)
    if not campagne.verrouillee:
        raise Invalide(f"La campagne {campagne.annee} est déjà ouverte.")
    aujourdhui = timezone.localdate()
    if date_limite <= aujourdhui:
        raise Invalide(
            f"La nouvelle date limite ({date_limite:%d/%m/%Y}) doit être dans le futur "
            f"(après le {aujourdhui:%d/%m/%Y}).",
            code="date_limite_passee",
            details={"date_limite": ["Date passée."]},
        )
    ouverture = (
        campagne.evenements.filter(action=EvenementCampagne.Action.OUVERTURE)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    if ouverture is not None and date_limite <= timezone.localdate(ouverture):
        raise Invalide(
            f"La nouvelle date limite ({date_limite:%d/%m/%Y}) doit suivre l'ouverture de la "
            f"campagne ({timezone.localdate(ouverture):%d/%m/%Y}).",
            code="date_limite_avant_ouverture",
            details={"date_limite": ["Avant l'ouverture."]},
        )
    with auteur(utilisateur, "réouverture de campagne"):
        campagne.statut = Campagne.Statut.OUVERTE
        campagne.date_limite = date_limite
        campagne.save(update_fields=["statut", "date_limite"])
        EvenementCampagne.objects.create(
            campagne=campagne,
            action=EvenementCampagne.Action.REOUVERTURE,
            auteur=utilisateur,
            motif=motif,
            date_limite=date_limite,
        )
    return campagne
