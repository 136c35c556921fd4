"""Partner commitments (Annexe 1), their targets, and the indicator values
partners enter by campaign.

Writes that carry rules go through :mod:`engagements.services`; forms, the
admin, imports and the API all call it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When

from contrat.annees import condition_annee
from contrat.models import AxeTransversal, Enjeu, Objectif, Organisation, Quartier
from contrat.textes import TexteField
from fiches.models import Indicateur


class EngagementManager(models.Manager):
    def get_by_natural_key(self, ordre):
        return self.get(ordre=ordre)


class Engagement(models.Model):
    """One commitment of a funding partner: a non-empty cell of Annexe 1,
    its fragments across page breaks joined back."""

    class Partenaire(models.TextChoices):
        METROPOLE_VILLE = "metropole-ville", "Métropole / Ville de Montpellier"
        ETAT = "etat", "État"
        DEPARTEMENT = "departement", "Département"
        REGION = "region", "Région"
        CAF = "caf", "CAF"

    ordre = models.PositiveSmallIntegerField("n°", unique=True)
    partenaire = models.CharField("partenaire", max_length=20, choices=Partenaire.choices)
    organisations = models.ManyToManyField(
        Organisation, related_name="engagements", verbose_name="organisations"
    )
    objectif = models.ForeignKey(
        Objectif,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagements",
        verbose_name="objectif opérationnel",
        help_text="Vide pour les engagements au titre des axes transversaux.",
    )
    axes_transversaux = models.BooleanField("au titre des axes transversaux", default=False)
    axes = models.ManyToManyField(
        AxeTransversal, related_name="engagements", verbose_name="axes transversaux", blank=True
    )
    enjeux = models.ManyToManyField(
        Enjeu, related_name="engagements", verbose_name="enjeux", blank=True
    )
    objectif_texte = TexteField("objectif (tel qu'écrit)", blank=True)
    enjeux_texte = TexteField("enjeux (tels qu'écrits)", blank=True)
    texte = TexteField("texte de l'engagement")
    colonne_imprimee = models.CharField(
        "colonne où le texte est imprimé", max_length=20, choices=Partenaire.choices
    )
    deplace = models.BooleanField("déplacé vers le partenaire concerné", default=False)
    motif_deplacement = TexteField("motif du déplacement", blank=True)
    lignes_source = models.CharField("lignes dans le texte source", max_length=60, blank=True)

    objects = EngagementManager()

    class Meta:
        verbose_name = "engagement"
        verbose_name_plural = "engagements"
        ordering = ["ordre"]
        constraints = [
            models.CheckConstraint(
                condition=Q(objectif__isnull=False) | Q(axes_transversaux=True),
                name="%(app_label)s_%(class)s_objectif_ou_axes",
            ),
        ]

    def __str__(self):
        return f"n° {self.ordre} — {self.get_partenaire_display()} — {self.texte[:80]}"

    def natural_key(self):
        return (self.ordre,)


class CibleManager(models.Manager):
    def get_by_natural_key(self, engagement_ordre, ordre):
        return self.get(engagement__ordre=engagement_ordre, ordre=ordre)


class Cible(models.Model):
    """A figure in an engagement: a target to reach, or a figure already
    reported. Each target is followed by an :class:`~fiches.models.Indicateur`."""

    class Nature(models.TextChoices):
        CIBLE = "cible", "Cible (objectif à atteindre)"
        CONSTAT = "constat", "Constat (chiffre déjà atteint ou observé)"

    class Portee(models.TextChoices):
        NATIONAL = "national", "Nationale"
        REGIONAL = "regional", "Régionale"
        DEPARTEMENTAL = "departemental", "Départementale"
        LOCAL = "local", "Locale"

    class Comparateur(models.TextChoices):
        EGAL = "=", "="
        SUPERIEUR = ">", "plus de"
        SUPERIEUR_EGAL = ">=", "au moins"
        INFERIEUR = "<", "moins de"
        INFERIEUR_EGAL = "<=", "au plus"
        ENVIRON = "~", "environ"

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="cibles", verbose_name="engagement"
    )
    ordre = models.PositiveSmallIntegerField("ordre")
    phrase = TexteField("phrase d'où vient le chiffre")
    nature = models.CharField("nature", max_length=10, choices=Nature.choices)
    valeur = models.DecimalField("valeur", max_digits=16, decimal_places=2)
    valeur_texte = models.CharField("valeur (telle qu'écrite)", max_length=100)
    valeur_max = models.DecimalField(
        "valeur haute (fourchette)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    comparateur = models.CharField(
        "comparateur", max_length=2, choices=Comparateur.choices, default=Comparateur.EGAL
    )
    unite = models.CharField("unité (telle qu'écrite)", max_length=50)
    objet = models.CharField("ce qui est compté", max_length=500)
    annee = models.PositiveSmallIntegerField("année", null=True, blank=True)
    echeance_texte = models.CharField("échéance (telle qu'écrite)", max_length=200, blank=True)
    portee = models.CharField("portée", max_length=20, choices=Portee.choices)
    indicateur = models.OneToOneField(
        Indicateur,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cible_engagement",
        verbose_name="indicateur de suivi",
    )

    objects = CibleManager()

    class Meta:
        verbose_name = "cible ou chiffre d'un engagement"
        verbose_name_plural = "cibles et chiffres des engagements"
        ordering = ["engagement", "ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "ordre"], name="%(app_label)s_%(class)s_unique_ordre"
            ),
            models.CheckConstraint(
                condition=Q(valeur_max__isnull=True) | Q(valeur_max__gte=models.F("valeur")),
                name="%(app_label)s_%(class)s_fourchette_ordonnee",
            ),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} : {self.phrase[:100]}"

    def natural_key(self):
        return (*self.engagement.natural_key(), self.ordre)

    natural_key.dependencies = ["engagements.engagement", "fiches.indicateur"]


class CampagneQuerySet(models.QuerySet):
    def ouvertes(self):
        return self.filter(statut=Campagne.Statut.OUVERTE)


class CampagneManager(models.Manager.from_queryset(CampagneQuerySet)):
    def get_by_natural_key(self, annee):
        return self.get(annee=annee)


class Campagne(models.Model):
    """A data-entry campaign for one year: open until staff close it, which
    locks its values; reopening is explicit and recorded."""

    class Statut(models.TextChoices):
        OUVERTE = "ouverte", "Ouverte"
        FERMEE = "fermee", "Fermée (valeurs verrouillées)"

    annee = models.PositiveSmallIntegerField("année (période)", unique=True)
    libelle = models.CharField("libellé", max_length=200, blank=True)
    date_limite = models.DateField("date limite de saisie")
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.OUVERTE
    )

    objects = CampagneManager()

    class Meta:
        verbose_name = "campagne de saisie"
        verbose_name_plural = "campagnes de saisie"
        ordering = ["-annee"]
        constraints = [
            models.CheckConstraint(
                condition=condition_annee(),
                name="%(app_label)s_%(class)s_annee_du_contrat",
            ),
        ]

    def __str__(self):
        return self.libelle or f"Campagne {self.annee}"

    def natural_key(self):
        return (self.annee,)

    @property
    def verrouillee(self):
        return self.statut == self.Statut.FERMEE


class EvenementCampagne(models.Model):
    """Opening, closing and reopening of a campaign: who, when, why, and the
    deadline an opening or a reopening set."""

    class Action(models.TextChoices):
        OUVERTURE = "ouverture", "Ouverture"
        FERMETURE = "fermeture", "Fermeture"
        REOUVERTURE = "reouverture", "Réouverture"

    campagne = models.ForeignKey(
        Campagne, on_delete=models.CASCADE, related_name="evenements", verbose_name="campagne"
    )
    action = models.CharField("action", max_length=20, choices=Action.choices)
    motif = TexteField("motif", blank=True)
    date_limite = models.DateField(
        "date limite fixée",
        null=True,
        blank=True,
        help_text="La date limite de saisie fixée par une ouverture ou une réouverture.",
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    date = models.DateTimeField("date", auto_now_add=True)

    class Meta:
        verbose_name = "événement de campagne"
        verbose_name_plural = "événements de campagne"
        ordering = ["campagne", "date"]

    def __str__(self):
        return f"{self.get_action_display()} de {self.campagne} le {self.date:%d/%m/%Y}"


class ValeurQuerySet(models.QuerySet):
    def visibles_par(self, utilisateur):
        """Everything for staff; for a partner, its organisation's values;
        for everyone else, validated values only (open data)."""
        from contrat.models import organisation_de

        if utilisateur is not None and utilisateur.is_authenticated and utilisateur.is_staff:
            return self
        organisation = organisation_de(utilisateur)
        publiques = Q(statut=Valeur.Statut.VALIDEE)
        if organisation is None:
            return self.filter(publiques)
        perimetre = Organisation.objects.perimetre(organisation)
        return self.filter(publiques | Q(indicateur__organisation__in=perimetre))

    def avec_textes_visibles(self, utilisateur):
        """Annotate ``note_visible`` and ``commentaire_visible``: the partner's
        note and the staff's comment as this caller may read them, "" otherwise.

        Staff read everything; a partner reads its organisation's (and the
        services attached to it); everyone else reads a note only where its
        partner marked it public, and never the staff's comment. This is the
        one definition: the API's JSON, its CSV (as SQL, through COPY) and the
        serializer all read these two annotations.
        """
        from contrat.models import organisation_de

        if utilisateur is not None and utilisateur.is_authenticated and utilisateur.is_staff:
            return self.annotate(
                note_visible=F("note"), commentaire_visible=F("commentaire_validation")
            )
        organisation = organisation_de(utilisateur)
        vide = Value("", output_field=models.TextField())
        if organisation is None:
            return self.annotate(
                note_visible=Case(
                    When(note_publique=True, then=F("note")),
                    default=vide,
                    output_field=models.TextField(),
                ),
                commentaire_visible=vide,
            )
        internes = Q(indicateur__organisation__in=Organisation.objects.perimetre(organisation))
        return self.annotate(
            note_visible=Case(
                When(internes | Q(note_publique=True), then=F("note")),
                default=vide,
                output_field=models.TextField(),
            ),
            commentaire_visible=Case(
                When(internes, then=F("commentaire_validation")),
                default=vide,
                output_field=models.TextField(),
            ),
        )


class Valeur(models.Model):
    """One fact: an indicator's value for a year, a quartier (or all) and a
    sex (or both). The database forbids two facts for the same key."""

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        SOUMISE = "soumise", "Soumise"
        VALIDEE = "validee", "Validée"
        REJETEE = "rejetee", "Rejetée"

    class Sexe(models.TextChoices):
        FEMMES = "F", "Femmes"
        HOMMES = "H", "Hommes"

    indicateur = models.ForeignKey(
        Indicateur, on_delete=models.PROTECT, related_name="valeurs", verbose_name="indicateur"
    )
    annee = models.PositiveSmallIntegerField("année")
    quartier = models.ForeignKey(
        Quartier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="valeurs",
        verbose_name="quartier",
        help_text="Vide : tous les quartiers.",
    )
    sexe = models.CharField(
        "sexe",
        max_length=1,
        choices=Sexe.choices,
        blank=True,
        default="",
        help_text="Vide : ensemble.",
    )
    valeur = models.DecimalField("valeur", max_digits=16, decimal_places=2)
    note = TexteField("note du partenaire", blank=True)
    note_publique = models.BooleanField(
        "note publique",
        default=False,
        # Also the database's default: a row written by SQL (the benchmark,
        # a restore of an older dump) is internal unless it says otherwise.
        db_default=False,
        help_text="Cochée : la note paraît dans les données ouvertes ; sinon elle reste interne "
        "(le partenaire et l'équipe).",
    )
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.BROUILLON
    )
    commentaire_validation = TexteField("commentaire de l'équipe", blank=True)
    saisie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="saisie par",
    )
    saisie_le = models.DateTimeField("saisie le")
    soumise_le = models.DateTimeField("soumise le", null=True, blank=True)
    validee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validée ou rejetée par",
    )
    validee_le = models.DateTimeField("validée ou rejetée le", null=True, blank=True)
    version = models.PositiveIntegerField(
        "version",
        default=1,
        help_text="Augmente à chaque écriture : refuse les mises à jour perdues.",
    )
    synthetique = models.BooleanField(
        "valeur synthétique (démonstration)",
        default=False,
        help_text="Générée pour une démonstration ou un banc d'essai, jamais saisie.",
    )

    objects = ValeurQuerySet.as_manager()

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        ordering = ["indicateur", "annee", "quartier", "sexe"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "annee", "quartier", "sexe"],
                nulls_distinct=False,
                name="%(app_label)s_%(class)s_unique_fait",
            ),
            models.CheckConstraint(
                condition=condition_annee(),
                name="%(app_label)s_%(class)s_annee_du_contrat",
            ),
            models.CheckConstraint(
                condition=~Q(statut="rejetee") | ~Q(commentaire_validation=""),
                name="%(app_label)s_%(class)s_rejet_commente",
            ),
        ]
        indexes = [
            # Campaign completeness and the validation queue: WHERE annee = ... AND statut = ...
            models.Index(fields=["annee", "statut"], name="engagements_valeur_annee_idx"),
        ]

    def __str__(self):
        return f"{self.indicateur.code} {self.annee} {self.cellule_libelle} = {self.valeur}"

    @property
    def cellule_libelle(self):
        quartier = self.quartier.nom if self.quartier_id else "tous quartiers"
        sexe = self.get_sexe_display() if self.sexe else "ensemble"
        return f"{quartier} / {sexe}"


class SyntheseValeurs(models.Model):
    """Values counted and summed per indicator, year and status, kept up to
    date by a PostgreSQL trigger on every write to :class:`Valeur` (see the
    migration ``0004_synthese``). Dashboards' aggregates and campaign
    completeness read these few thousand rows instead of a million values."""

    indicateur = models.ForeignKey(
        Indicateur,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        verbose_name="indicateur",
    )
    annee = models.PositiveSmallIntegerField("année")
    statut = models.CharField("statut", max_length=10, choices=Valeur.Statut.choices)
    nb = models.IntegerField("nombre de valeurs", default=0)
    somme = models.DecimalField("somme", max_digits=20, decimal_places=2, default=0)
    nb_global = models.IntegerField("valeurs « tous quartiers, ensemble »", default=0)
    somme_global = models.DecimalField(
        "valeur « tous quartiers, ensemble »", max_digits=20, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = "synthèse des valeurs"
        verbose_name_plural = "synthèses des valeurs"
        ordering = ["indicateur", "annee", "statut"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "annee", "statut"], name="%(app_label)s_%(class)s_unique_cle"
            ),
        ]
        indexes = [
            # Completeness and progress for a year: WHERE annee = ... (AND statut = 'validee').
            models.Index(fields=["annee", "statut"], name="engagements_synth_annee_idx"),
        ]

    def __str__(self):
        return f"{self.indicateur_id} {self.annee} {self.statut}: {self.nb}"


# ---------------------------------------------------------------- follow-up of actions


def stockage_pieces():
    # A callable, so the migration records this function and not a path.
    from engagements.pieces import StockagePieces

    return StockagePieces()


def valider_piece(fichier):
    """Model field validator: the governance documents' allow-list, checked
    by content, and their size limit (``contrat.fichiers``)."""
    from contrat.fichiers import valider_document

    valider_document(fichier)


class SuiviActionQuerySet(models.QuerySet):
    def visibles_par(self, utilisateur):
        """Everything for staff; for a partner, its organisation's follow-ups
        (drafts included); for everyone else, validated ones only (open data)."""
        from contrat.models import organisation_de

        if utilisateur is not None and utilisateur.is_authenticated and utilisateur.is_staff:
            return self
        publics = Q(statut=SuiviAction.Statut.VALIDE)
        organisation = organisation_de(utilisateur)
        if organisation is None:
            return self.filter(publics)
        return self.filter(publics | self.responsable(organisation))

    @staticmethod
    def responsable(organisation):
        """The follow-ups ``organisation`` (or a service attached to it) writes:
        its fiches' records, and its commitments' (any of the commitment's
        organisations). An Exists, not a join: no duplicate rows."""
        perimetre = Organisation.objects.perimetre(organisation)
        return Q(organisation__in=perimetre) | Q(
            models.Exists(
                Engagement.organisations.through.objects.filter(
                    engagement_id=models.OuterRef("engagement_id"),
                    organisation__in=perimetre,
                )
            )
        )


class SuiviAction(models.Model):
    """The follow-up of one action for one campaign year: a fiche (one record
    per pilot organisation) or a commitment (one record). What was done, what
    comes next, milestones, budget and proofs, entered by the responsible
    organisation and validated by staff, as values are. Created on the first
    save, never pre-filled: until then the action is "à saisir"."""

    class Avancement(models.TextChoices):
        A_VENIR = "a_venir", "À venir"
        EN_COURS = "en_cours", "En cours"
        REALISE = "realise", "Réalisé"
        EN_RETARD = "en_retard", "En retard"
        SUSPENDU = "suspendu", "Suspendu"
        ABANDONNE = "abandonne", "Abandonné"

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        SOUMIS = "soumis", "Soumis"
        VALIDE = "valide", "Validé"
        REJETE = "rejete", "Rejeté"

    annee = models.PositiveSmallIntegerField("année (campagne)")
    fiche = models.ForeignKey(
        "fiches.Fiche",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suivis",
        verbose_name="fiche",
    )
    engagement = models.ForeignKey(
        Engagement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suivis",
        verbose_name="engagement",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="suivis_actions",
        verbose_name="organisation responsable",
        help_text="Le pilote de la fiche ; pour un engagement, son organisation (la première).",
    )
    avancement = models.CharField(
        "statut d'avancement",
        max_length=12,
        choices=Avancement.choices,
        blank=True,
        help_text="Vide : non renseigné (obligatoire pour soumettre).",
    )
    avancement_pct = models.PositiveSmallIntegerField(
        "avancement (%)", null=True, blank=True, help_text="De 0 à 100 ; vide : non renseigné."
    )
    realise = TexteField("ce qui a été réalisé", blank=True)
    a_venir = TexteField("ce qui vient ensuite", blank=True)
    statut = models.CharField(
        "statut de validation", max_length=10, choices=Statut.choices, default=Statut.BROUILLON
    )
    commentaire_validation = TexteField("commentaire de l'équipe", blank=True)
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="saisi par",
    )
    saisi_le = models.DateTimeField("saisi le")
    soumis_le = models.DateTimeField("soumis le", null=True, blank=True)
    valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validé ou rejeté par",
    )
    valide_le = models.DateTimeField("validé ou rejeté le", null=True, blank=True)
    version = models.PositiveIntegerField(
        "version",
        default=1,
        help_text="Augmente à chaque écriture : refuse les mises à jour perdues.",
    )

    objects = SuiviActionQuerySet.as_manager()

    class Meta:
        verbose_name = "suivi d'action"
        verbose_name_plural = "suivis des actions"
        ordering = ["-annee", "fiche", "engagement", "organisation"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(fiche__isnull=False) & Q(engagement__isnull=True))
                | (Q(fiche__isnull=True) & Q(engagement__isnull=False)),
                name="%(app_label)s_%(class)s_fiche_ou_engagement",
            ),
            models.UniqueConstraint(
                fields=["annee", "fiche", "organisation"],
                condition=Q(fiche__isnull=False),
                name="%(app_label)s_%(class)s_unique_fiche",
            ),
            models.UniqueConstraint(
                fields=["annee", "engagement"],
                condition=Q(engagement__isnull=False),
                name="%(app_label)s_%(class)s_unique_engagement",
            ),
            models.CheckConstraint(
                condition=condition_annee(), name="%(app_label)s_%(class)s_annee_du_contrat"
            ),
            models.CheckConstraint(
                condition=Q(avancement_pct__isnull=True) | Q(avancement_pct__lte=100),
                name="%(app_label)s_%(class)s_pourcentage",
            ),
            models.CheckConstraint(
                condition=~Q(statut="rejete") | ~Q(commentaire_validation=""),
                name="%(app_label)s_%(class)s_rejet_commente",
            ),
        ]
        indexes = [
            # The validation queue and the partner's list: WHERE annee = ... AND statut = ...
            models.Index(fields=["annee", "statut"], name="engagements_suivi_annee_idx"),
        ]

    def __str__(self):
        return f"Suivi {self.annee} — {self.action_libelle} — {self.organisation}"

    @property
    def action_libelle(self):
        if self.fiche_id:
            return f"fiche {self.fiche.numero}"
        return f"engagement n° {self.engagement.ordre}"


class Jalon(models.Model):
    """A milestone of a followed action: planned date, actual date."""

    suivi = models.ForeignKey(
        SuiviAction, on_delete=models.CASCADE, related_name="jalons", verbose_name="suivi"
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    libelle = models.CharField("libellé", max_length=300)
    date_prevue = models.DateField("date prévue", null=True, blank=True)
    date_reelle = models.DateField("date réelle", null=True, blank=True)

    class Meta:
        verbose_name = "jalon"
        verbose_name_plural = "jalons"
        ordering = ["suivi", "ordre", "pk"]

    def __str__(self):
        return self.libelle


class LigneBudget(models.Model):
    """Money planned and spent on a followed action, per funder, kind of
    funds and year."""

    class Nature(models.TextChoices):
        CREDITS_SPECIFIQUES = (
            "credits_specifiques",
            "Crédits spécifiques politique de la ville",
        )
        DROIT_COMMUN = "droit_commun", "Droit commun"
        AUTRE = "autre", "Autre"

    suivi = models.ForeignKey(
        SuiviAction, on_delete=models.CASCADE, related_name="lignes_budget", verbose_name="suivi"
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    financeur = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="financeur"
    )
    nature = models.CharField("nature des fonds", max_length=20, choices=Nature.choices)
    annee = models.PositiveSmallIntegerField("année")
    montant_prevu = models.DecimalField(
        "montant prévu (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    montant_depense = models.DecimalField(
        "montant dépensé (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = "ligne de budget"
        verbose_name_plural = "lignes de budget"
        ordering = ["suivi", "ordre", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=condition_annee(), name="%(app_label)s_%(class)s_annee_du_contrat"
            ),
            models.CheckConstraint(
                condition=(Q(montant_prevu__isnull=True) | Q(montant_prevu__gte=0))
                & (Q(montant_depense__isnull=True) | Q(montant_depense__gte=0)),
                name="%(app_label)s_%(class)s_montants_positifs",
            ),
        ]

    def __str__(self):
        return f"{self.financeur} — {self.get_nature_display()} {self.annee}"


class PieceJustificative(models.Model):
    """A proof attached to a follow-up: accepted by content (the governance
    documents' allow-list), served only to its organisation and staff, as a
    download (``engagements.pieces``), never from /media/ and never public."""

    suivi = models.ForeignKey(
        SuiviAction, on_delete=models.CASCADE, related_name="pieces", verbose_name="suivi"
    )
    fichier = models.FileField(
        "fichier",
        upload_to="pieces/%Y/",
        storage=stockage_pieces,
        validators=[valider_piece],
        help_text="PDF, Word, Excel, PowerPoint, OpenDocument ou image (PNG, JPEG, GIF, WebP).",
    )
    nom = models.CharField("nom du fichier", max_length=255)
    ajoutee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="ajoutée par",
    )
    ajoutee_le = models.DateTimeField("ajoutée le")

    class Meta:
        verbose_name = "pièce justificative"
        verbose_name_plural = "pièces justificatives"
        ordering = ["suivi", "ajoutee_le", "pk"]

    def __str__(self):
        return self.nom
