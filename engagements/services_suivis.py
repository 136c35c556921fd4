"""Writes on the follow-up of actions (fiches and commitments), with the same
rules and guarantees as indicator values (:mod:`engagements.services`):

- only the responsible organisation (or a service attached to it) and staff
  write: a fiche's record by one of its pilots, a commitment's by one of its
  organisations;
- a closed campaign refuses every write (423);
- **no lost update**: each write carries the version it read (0: "there was
  no record"); an older version is refused with the current record (409);
- draft → submitted → validated, or rejected with the staff's comment; a
  validated record is frozen until staff reject it;
- nothing invented: a record exists only once someone saved it; until then
  the action is "à saisir".

Every function runs in one transaction: a refused write saves nothing, its
milestones, budget lines and proofs included.
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contrat.erreurs import Conflit, Invalide, PermissionRefusee
from contrat.historique import auteur
from contrat.models import Organisation, organisation_de
from contrat.nombres import lire_entier, lire_nombre
from engagements.models import (
    Engagement,
    Jalon,
    LigneBudget,
    PieceJustificative,
    SuiviAction,
)
from engagements.services import VALIDATION_RESERVEE, campagne_ouverte, peut_valider
from fiches.models import Fiche

NON_RESPONSABLE = "Cette action ne relève pas de votre organisation."


class ConflitSuivi(Conflit):
    """Someone saved the same follow-up since it was read: nothing was written.
    409; ``details.actuelle`` is the record as the API shows it (None if none)."""

    def __init__(self, actuel):
        self.actuel = actuel
        if actuel is None:
            message = "Ce suivi a été supprimé entre-temps ; votre saisie n'a pas été enregistrée."
        else:
            message = (
                "Quelqu'un a modifié ce suivi depuis que vous l'avez ouvert ; votre saisie n'a "
                f"pas été enregistrée. Version actuelle : {actuel.version} "
                f"({actuel.get_statut_display().lower()}, enregistrée par {actuel.saisi_par} "
                f"le {timezone.localtime(actuel.saisi_le):%d/%m/%Y à %H:%M})."
            )
        super().__init__(message)

    @property
    def details(self):
        # The API's representation (imported here: only the API reads it).
        from engagements.api.serializers import SuiviActionSerializer

        if self.actuel is None:
            return {"actuelle": None}
        return {"actuelle": SuiviActionSerializer(self.actuel, context={"complet": True}).data}


# ---------------------------------------------------------------- who answers for what


def _perimetre(utilisateur):
    organisation = organisation_de(utilisateur)
    if organisation is None:
        return None
    return Organisation.objects.perimetre(organisation)


def organisation_engagement(engagement):
    """The organisation a commitment's record is filed under: the first of its
    organisations (by name); any of them may write it."""
    return engagement.organisations.order_by("nom", "pk").first()


def peut_ecrire(utilisateur, *, fiche=None, engagement=None, organisation=None):
    """May ``utilisateur`` write the record of this fiche (for ``organisation``,
    one of its pilots) or of this commitment?"""
    if utilisateur is None or not utilisateur.is_authenticated or not utilisateur.is_active:
        return False
    if utilisateur.is_staff:
        return True
    perimetre = _perimetre(utilisateur)
    if perimetre is None:
        return False
    if engagement is not None:
        return engagement.organisations.filter(pk__in=perimetre).exists()
    return organisation is not None and perimetre.filter(pk=organisation.pk).exists()


def responsables(utilisateur):
    """A test ``suivi -> bool``: does ``utilisateur`` answer for it? The
    perimeter is read once (one query), then each record is checked in
    memory (its commitment's organisations prefetched): for API lists."""
    if utilisateur is None or not utilisateur.is_authenticated or not utilisateur.is_active:
        return lambda suivi: False
    if utilisateur.is_staff:
        return lambda suivi: True
    perimetre = _perimetre(utilisateur)
    ids = set(perimetre.values_list("pk", flat=True)) if perimetre is not None else set()

    def responsable(suivi):
        if suivi.engagement_id is not None:
            return any(o.pk in ids for o in suivi.engagement.organisations.all())
        return suivi.organisation_id in ids

    return responsable


def peut_ecrire_suivi(utilisateur, suivi):
    return peut_ecrire(
        utilisateur, fiche=suivi.fiche, engagement=suivi.engagement, organisation=suivi.organisation
    )


# ---------------------------------------------------------------- what a partner follows


@dataclass
class ActionASuivre:
    """One line of a partner's "Suivi des actions": a fiche (for one of its
    pilots) or a commitment, and its record for the campaign if any."""

    fiche: Fiche | None
    engagement: Engagement | None
    organisation: Organisation
    suivi: SuiviAction | None = None

    @property
    def etat(self):
        return self.suivi.statut if self.suivi else "a_saisir"

    @property
    def etat_libelle(self):
        if self.suivi is None:
            return "À saisir"
        return {
            SuiviAction.Statut.REJETE: "Rejeté — à corriger",
            SuiviAction.Statut.SOUMIS: "Soumis, en attente de validation",
        }.get(self.suivi.statut, self.suivi.get_statut_display())

    @property
    def libelle(self):
        if self.fiche is not None:
            return f"Fiche {self.fiche.numero} — {self.fiche.titre}"
        return f"Engagement n° {self.engagement.ordre} — {self.engagement.texte}"


def actions_a_suivre(annee, organisation=None):
    """Every fiche in force (one line per pilot) and every commitment, with
    its record for ``annee``; only those of ``organisation``'s perimeter when
    given. Three queries whatever the number of lines."""
    fiches = (
        Fiche.objects.en_vigueur()
        .select_related("objectif")
        .prefetch_related("pilotes")
        .order_by("enjeu_numero", "rang")
    )
    engagements = (
        Engagement.objects.select_related("objectif")
        .prefetch_related("organisations")
        .order_by("ordre")
    )
    perimetre = set()
    if organisation is not None:
        perimetre = set(Organisation.objects.perimetre(organisation).values_list("pk", flat=True))
    suivis = SuiviAction.objects.filter(annee=annee).select_related("saisi_par")
    par_fiche = {(s.fiche_id, s.organisation_id): s for s in suivis if s.fiche_id}
    par_engagement = {s.engagement_id: s for s in suivis if s.engagement_id}
    lignes = []
    for fiche in fiches:
        for pilote in sorted(fiche.pilotes.all(), key=lambda o: (o.nom, o.pk)):
            if organisation is None or pilote.pk in perimetre:
                lignes.append(
                    ActionASuivre(fiche, None, pilote, par_fiche.get((fiche.pk, pilote.pk)))
                )
    for engagement in engagements:
        organisations = sorted(engagement.organisations.all(), key=lambda o: (o.nom, o.pk))
        if not organisations:
            continue
        if organisation is None or any(o.pk in perimetre for o in organisations):
            lignes.append(
                ActionASuivre(None, engagement, organisations[0], par_engagement.get(engagement.pk))
            )
    return lignes


# ---------------------------------------------------------------- writing


def _montant(texte, champ, erreurs):
    if texte is None or (isinstance(texte, str) and not texte.strip()):
        return None
    try:
        montant = texte if isinstance(texte, Decimal) else lire_nombre(str(texte))
    except ValidationError as exc:
        erreurs.setdefault(champ, []).extend(exc.messages)
        return None
    if montant < 0:
        erreurs.setdefault(champ, []).append("Un montant ne peut pas être négatif.")
    return montant


def _lire_jalons(jalons, erreurs):
    lus = []
    for i, jalon in enumerate(jalons):
        libelle = (jalon.get("libelle") or "").strip()
        if not libelle:
            erreurs.setdefault("jalons", []).append(f"Jalon {i + 1} : indiquez son libellé.")
            continue
        lus.append(
            Jalon(
                ordre=i,
                libelle=libelle,
                date_prevue=jalon.get("date_prevue"),
                date_reelle=jalon.get("date_reelle"),
            )
        )
    return lus


def _lire_lignes(lignes, annee, erreurs):
    lues = []
    for i, ligne in enumerate(lignes):
        financeur = ligne.get("financeur")
        if isinstance(financeur, str):
            financeur = Organisation.objects.filter(slug=financeur).first()
        if financeur is None:
            erreurs.setdefault("lignes_budget", []).append(
                f"Ligne de budget {i + 1} : indiquez un financeur connu."
            )
            continue
        nature = ligne.get("nature") or ""
        if nature not in LigneBudget.Nature.values:
            erreurs.setdefault("lignes_budget", []).append(
                f"Ligne de budget {i + 1} : nature des fonds inconnue."
            )
            continue
        lues.append(
            LigneBudget(
                ordre=i,
                financeur=financeur,
                nature=nature,
                annee=ligne.get("annee") or annee,
                montant_prevu=_montant(ligne.get("montant_prevu"), "lignes_budget", erreurs),
                montant_depense=_montant(ligne.get("montant_depense"), "lignes_budget", erreurs),
            )
        )
    return lues


def _verrouiller_existant(*, annee, fiche, engagement, organisation):
    filtre = {"annee": annee}
    if fiche is not None:
        filtre |= {"fiche": fiche, "organisation": organisation}
    else:
        filtre |= {"engagement": engagement}
    return (
        SuiviAction.objects.select_for_update(of=("self",))
        .select_related("saisi_par")
        .filter(**filtre)
        .first()
    )


def _verifier_cible(*, fiche, engagement, organisation):
    if (fiche is None) == (engagement is None):
        raise Invalide("Indiquez soit une fiche, soit un engagement.", code="cible_suivi")
    if fiche is not None:
        if organisation is None or not fiche.pilotes.filter(pk=organisation.pk).exists():
            raise Invalide(
                "Cette organisation n'est pas pilote de la fiche.",
                details={"organisation": ["Choisissez un des pilotes de la fiche."]},
            )
        return organisation
    organisation = organisation_engagement(engagement)
    if organisation is None:
        raise Invalide("Cet engagement n'est rattaché à aucune organisation.")
    return organisation


@transaction.atomic
def suivi_enregistrer(
    *,
    utilisateur,
    annee,
    version,
    fiche=None,
    engagement=None,
    organisation=None,
    avancement="",
    avancement_pct=None,
    realise="",
    a_venir="",
    jalons=None,
    lignes_budget=None,
    soumettre=False,
):
    """Create or update the follow-up of a fiche (for ``organisation``, one of
    its pilots) or of a commitment, for the campaign ``annee``.

    ``version`` is the version read (0: there was no record). ``jalons`` and
    ``lignes_budget`` (lists of dicts) replace the record's when given; None
    keeps them. Raises ``PermissionRefusee``, ``Invalide``, ``Verrouillee``
    or ``ConflitSuivi``; writes nothing in any of those cases."""
    organisation = _verifier_cible(fiche=fiche, engagement=engagement, organisation=organisation)
    if not peut_ecrire(utilisateur, fiche=fiche, engagement=engagement, organisation=organisation):
        raise PermissionRefusee(NON_RESPONSABLE)
    campagne_ouverte(annee)
    version = lire_entier(version if version not in (None, "") else 0, minimum=0)
    actuel = _verrouiller_existant(
        annee=annee, fiche=fiche, engagement=engagement, organisation=organisation
    )
    if (actuel.version if actuel else 0) != version:
        raise ConflitSuivi(actuel)
    if actuel is not None and actuel.statut == SuiviAction.Statut.VALIDE:
        raise Invalide(
            "Suivi validé : il ne peut plus être modifié (l'équipe peut le rejeter pour le rouvrir)."
        )

    erreurs = {}
    if avancement and avancement not in SuiviAction.Avancement.values:
        erreurs["avancement"] = ["Statut d'avancement inconnu."]
    if avancement_pct not in (None, ""):
        try:
            avancement_pct = lire_entier(avancement_pct, minimum=0, maximum=100)
        except ValidationError:
            erreurs["avancement_pct"] = ["L'avancement est un pourcentage entier de 0 à 100."]
    else:
        avancement_pct = None
    nouveaux_jalons = _lire_jalons(jalons, erreurs) if jalons is not None else None
    nouvelles_lignes = (
        _lire_lignes(lignes_budget, annee, erreurs) if lignes_budget is not None else None
    )
    if soumettre and not avancement:
        erreurs.setdefault("avancement", []).append(
            "Indiquez le statut d'avancement avant de soumettre."
        )
    if erreurs:
        raise Invalide("Le suivi n'est pas valide : rien n'a été enregistré.", details=erreurs)

    maintenant = timezone.now()
    suivi = actuel or SuiviAction(
        annee=annee, fiche=fiche, engagement=engagement, organisation=organisation, version=0
    )
    suivi.avancement = avancement or ""
    suivi.avancement_pct = avancement_pct
    suivi.realise = (realise or "").strip()
    suivi.a_venir = (a_venir or "").strip()
    suivi.statut = SuiviAction.Statut.SOUMIS if soumettre else SuiviAction.Statut.BROUILLON
    suivi.saisi_par = utilisateur
    suivi.saisi_le = maintenant
    suivi.soumis_le = maintenant if soumettre else None
    suivi.version += 1
    libelle = f"fiche {fiche.numero}" if fiche else f"engagement {engagement.ordre}"
    with auteur(utilisateur, f"suivi {libelle} {annee}"):
        try:
            suivi.full_clean(validate_unique=False, validate_constraints=False)
            with transaction.atomic():
                suivi.save()
        except ValidationError as exc:
            raise Invalide(
                "Le suivi n'est pas valide : rien n'a été enregistré.",
                details=exc.message_dict,
            ) from None
        except IntegrityError:
            # Another save created the same record between our read and our write.
            raise ConflitSuivi(
                _verrouiller_existant(
                    annee=annee, fiche=fiche, engagement=engagement, organisation=organisation
                )
            ) from None
        if nouveaux_jalons is not None:
            suivi.jalons.all().delete()
            for jalon in nouveaux_jalons:
                jalon.suivi = suivi
                jalon.full_clean()
            Jalon.objects.bulk_create(nouveaux_jalons)
        if nouvelles_lignes is not None:
            suivi.lignes_budget.all().delete()
            for ligne in nouvelles_lignes:
                ligne.suivi = suivi
                try:
                    ligne.full_clean()
                except ValidationError as exc:
                    raise Invalide(
                        "Une ligne de budget n'est pas valide : rien n'a été enregistré.",
                        details={"lignes_budget": exc.messages},
                    ) from None
            LigneBudget.objects.bulk_create(nouvelles_lignes)
    return suivi


def _suivi_verrouille(suivi, version):
    actuel = (
        SuiviAction.objects.select_for_update(of=("self",))
        .select_related("saisi_par", "fiche", "engagement", "organisation")
        .filter(pk=suivi.pk)
        .first()
    )
    if actuel is None or actuel.version != lire_entier(version, minimum=0):
        raise ConflitSuivi(actuel)
    return actuel


@transaction.atomic
def suivi_soumettre(*, utilisateur, suivi, version):
    """Submit a draft (or a rejected record) as it stands."""
    if not peut_ecrire_suivi(utilisateur, suivi):
        raise PermissionRefusee(NON_RESPONSABLE)
    campagne_ouverte(suivi.annee)
    suivi = _suivi_verrouille(suivi, version)
    if suivi.statut not in {SuiviAction.Statut.BROUILLON, SuiviAction.Statut.REJETE}:
        raise Invalide(f"Ce suivi est déjà {suivi.get_statut_display().lower()}.")
    if not suivi.avancement:
        raise Invalide(
            "Indiquez le statut d'avancement avant de soumettre.",
            details={"avancement": ["Indiquez le statut d'avancement avant de soumettre."]},
        )
    with auteur(utilisateur, f"soumission du suivi {suivi.pk}"):
        suivi.statut = SuiviAction.Statut.SOUMIS
        suivi.soumis_le = timezone.now()
        suivi.version += 1
        suivi.save(update_fields=["statut", "soumis_le", "version"])
    return suivi


@transaction.atomic
def suivis_statuer(*, utilisateur, suivis, valider, commentaire=""):
    """Validate (``valider=True``) or reject submitted follow-ups;
    ``suivis`` is an iterable of ``(SuiviAction, version read)``. A
    rejection needs a comment. All or nothing."""
    if not peut_valider(utilisateur):
        raise PermissionRefusee(VALIDATION_RESERVEE)
    if not valider and not (commentaire or "").strip():
        raise Invalide("Expliquez le rejet dans le commentaire : le partenaire le lira.")
    actuels = [_suivi_verrouille(s, version) for s, version in suivis]
    if not actuels:
        raise Invalide("Aucun suivi à traiter.")
    for annee in {s.annee for s in actuels}:
        campagne_ouverte(annee)
    non_soumis = [s for s in actuels if s.statut != SuiviAction.Statut.SOUMIS]
    if non_soumis:
        raise Invalide(
            "Seuls les suivis soumis se valident ou se rejettent "
            f"({len(non_soumis)} ne le sont pas)."
        )
    maintenant = timezone.now()
    with auteur(utilisateur, "validation" if valider else "rejet"):
        for suivi in actuels:
            suivi.statut = SuiviAction.Statut.VALIDE if valider else SuiviAction.Statut.REJETE
            suivi.commentaire_validation = (commentaire or "").strip()
            suivi.valide_par = utilisateur
            suivi.valide_le = maintenant
            suivi.version += 1
            suivi.save()
    return actuels


@transaction.atomic
def piece_ajouter(*, utilisateur, suivi, version, fichier):
    """Attach a proof to a follow-up (the record's version moves: a proof is
    part of what staff validate). The file is checked by content and size."""
    if not peut_ecrire_suivi(utilisateur, suivi):
        raise PermissionRefusee(NON_RESPONSABLE)
    campagne_ouverte(suivi.annee)
    suivi = _suivi_verrouille(suivi, version)
    if suivi.statut == SuiviAction.Statut.VALIDE:
        raise Invalide("Suivi validé : on ne peut plus y joindre de pièce.")
    piece = PieceJustificative(
        suivi=suivi,
        fichier=fichier,
        nom=PurePosixPath(fichier.name).name[:255],
        ajoutee_par=utilisateur,
        ajoutee_le=timezone.now(),
    )
    try:
        piece.full_clean()
    except ValidationError as exc:
        raise Invalide(
            " ".join(exc.messages), details={"fichier": exc.message_dict.get("fichier", [])}
        ) from None
    with auteur(utilisateur, f"pièce du suivi {suivi.pk}"):
        piece.save()
        suivi.version += 1
        # A new proof changes what staff would validate: back to draft.
        suivi.statut = SuiviAction.Statut.BROUILLON
        suivi.save(update_fields=["version", "statut"])
    return piece
