"""The operational fiches, their indicators, and how the plan evolves.

The plan has versions: the 79 fiches of the 2015 contract and the fiches of
the 2019 avenant (PERR) are two :class:`VersionPlan` of one plan. A later
avenant is added as data: a new version, its fiches, and the
:class:`Evolution` rows that say what became of each earlier fiche.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from contrat.annees import condition_annee
from contrat.models import Avenant, AxeTransversal, Enjeu, Objectif, Organisation, Pilier, Quartier
from contrat.nombres import lire_entier
from contrat.textes import TexteField

# A PositiveSmallIntegerField holds up to this.
SMALLINT_MAX = 32767


class VersionPlanManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def en_vigueur(self):
        """The version in force (the 2019 avenant until a later one lands)."""
        return self.get(en_vigueur=True)


class VersionPlan(models.Model):
    """A version of the plan of fiches (the 2015 contract, the 2019 avenant...)."""

    code = models.SlugField("code", max_length=20, unique=True)
    libelle = models.CharField("libellé", max_length=255)
    avenant = models.ForeignKey(
        Avenant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
        verbose_name="avenant",
        help_text="Vide pour le contrat cadre initial.",
    )
    annee_debut = models.PositiveSmallIntegerField("année de début")
    annee_fin = models.PositiveSmallIntegerField("année de fin")
    precedente = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suivantes",
        verbose_name="version précédente",
    )
    en_vigueur = models.BooleanField("en vigueur", default=False)
    nb_fiches_annonce = models.PositiveSmallIntegerField(
        "nombre de fiches annoncé par le texte", null=True, blank=True
    )
    sorts_annonces = models.JSONField(
        "sorts annoncés par le texte",
        default=dict,
        blank=True,
        help_text="Par sort (maintien, ajustement, suppression, nouvelle), le nombre de fiches "
        'que le texte annonce, par exemple {"suppression": 22}.',
    )
    source_annonce = TexteField("source des nombres annoncés", blank=True)

    objects = VersionPlanManager()

    class Meta:
        verbose_name = "version du plan"
        verbose_name_plural = "versions du plan"
        ordering = ["annee_debut", "code"]
        constraints = [
            # Dashboards and /api/fiches/<numero>/ read "the" version in force.
            models.UniqueConstraint(
                fields=["en_vigueur"],
                condition=Q(en_vigueur=True),
                name="%(app_label)s_%(class)s_unique_en_vigueur",
            ),
        ]

    def __str__(self):
        return self.libelle

    def natural_key(self):
        return (self.code,)


class FicheQuerySet(models.QuerySet):
    def en_vigueur(self):
        return self.filter(version__en_vigueur=True)

    def avec_liens(self):
        # The admin changelist and the API list read these on every row.
        return self.select_related("version", "objectif", "pilier").prefetch_related(
            "enjeux", "pilotes"
        )


class FicheManager(models.Manager.from_queryset(FicheQuerySet)):
    def get_by_natural_key(self, version_code, numero):
        return self.get(version__code=version_code, numero=numero)


class Fiche(models.Model):
    """An operational fiche (action sheet), numbered ``<enjeu>.<rang>``.

    Every section is kept as the avenant writes it (PDF debris removed); the
    links to organisations, quartiers and axes are read from that text and
    stored beside it, so both can be checked against each other.
    """

    version = models.ForeignKey(
        VersionPlan, on_delete=models.PROTECT, related_name="fiches", verbose_name="version"
    )
    numero = models.CharField("numéro", max_length=10)
    enjeu_numero = models.PositiveSmallIntegerField("n° d'enjeu (tri)", editable=False)
    rang = models.PositiveSmallIntegerField("rang dans l'enjeu (tri)", editable=False)
    titre = models.CharField("titre", max_length=500)
    titre_sommaire = models.CharField(
        "titre dans le sommaire",
        max_length=500,
        blank=True,
        help_text="Le titre de la liste en tête de groupe, quand il diffère du titre de la fiche.",
    )
    objectif = models.ForeignKey(
        Objectif,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fiches",
        verbose_name="objectif opérationnel",
        help_text="Vide pour les fiches transversales 12.x, reliées aux axes.",
    )
    enjeux = models.ManyToManyField(Enjeu, related_name="fiches", verbose_name="enjeux", blank=True)
    groupe_texte = models.CharField("groupe (tel qu'écrit)", max_length=500, blank=True)
    pilier = models.ForeignKey(
        Pilier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fiches",
        verbose_name="pilier",
    )
    pilier_texte = models.CharField("pilier (tel qu'écrit)", max_length=500, blank=True)
    principes_texte = models.CharField("principes (tels qu'écrits)", max_length=500, blank=True)
    enjeux_texte = TexteField("enjeux (tels qu'écrits)", blank=True)
    thematique_texte = TexteField("thématique (telle qu'écrite)", blank=True)
    diagnostic = TexteField("diagnostic", blank=True)
    elements_contexte_actualises = TexteField("éléments de contexte actualisés", blank=True)
    objectifs = TexteField("objectifs", blank=True)
    resultats_attendus = TexteField("résultats attendus", blank=True)
    descriptif = TexteField("descriptif de l'action", blank=True)
    pilote_libelle = models.CharField(
        "intitulé de la rubrique pilote",
        max_length=100,
        blank=True,
        help_text="« PILOTE », « MAITRE D'OUVRAGE »... tel qu'écrit.",
    )
    pilote_texte = TexteField("pilote / maître d'ouvrage (tel qu'écrit)", blank=True)
    maitre_oeuvre_texte = TexteField(
        "maître d'œuvre (tel qu'écrit)",
        blank=True,
        help_text="La ligne « Maître d'œuvre » ou « Maîtrise d'œuvre » de la rubrique pilote.",
    )
    pilotes = models.ManyToManyField(
        Organisation, related_name="fiches_pilotees", verbose_name="pilotes", blank=True
    )
    partenaires_texte = TexteField("partenaires associés (tels qu'écrits)", blank=True)
    partenaires = models.ManyToManyField(
        Organisation, related_name="fiches_partenaire", verbose_name="partenaires", blank=True
    )
    perimetre_texte = TexteField("périmètre (tel qu'écrit)", blank=True)
    tous_qpv = models.BooleanField("tous les QPV", default=False)
    quartiers = models.ManyToManyField(
        Quartier,
        through="FicheQuartier",
        related_name="fiches",
        verbose_name="quartiers",
        blank=True,
    )
    publics_vises = TexteField("publics visés", blank=True)
    date_debut_texte = TexteField("date de début (telle qu'écrite)", blank=True)
    date_fin_texte = TexteField("date de fin (telle qu'écrite)", blank=True)
    calendrier_texte = TexteField(
        "calendrier, autres mentions (telles qu'écrites)",
        blank=True,
        help_text="Ce que le calendrier prévisionnel dit hors des lignes « Date de début » et "
        "« Date de fin ».",
    )
    annee_debut = models.PositiveSmallIntegerField("année de début", null=True, blank=True)
    annee_fin = models.PositiveSmallIntegerField("année de fin", null=True, blank=True)
    approches_transversales_texte = TexteField(
        "approches transversales (telles qu'écrites)", blank=True
    )
    axes = models.ManyToManyField(
        AxeTransversal, related_name="fiches", verbose_name="axes transversaux", blank=True
    )
    lignes_source = models.CharField("lignes dans le texte source", max_length=30, blank=True)

    objects = FicheManager()

    # Sections whose absence the integrity report lists.
    SECTIONS = [
        "diagnostic",
        "objectifs",
        "resultats_attendus",
        "descriptif",
        "pilote_texte",
        "partenaires_texte",
        "perimetre_texte",
        "publics_vises",
        "date_debut_texte",
        "date_fin_texte",
        "approches_transversales_texte",
    ]

    class Meta:
        verbose_name = "fiche opérationnelle"
        verbose_name_plural = "fiches opérationnelles"
        ordering = ["version", "enjeu_numero", "rang"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "numero"], name="%(app_label)s_%(class)s_unique_numero"
            ),
            models.CheckConstraint(
                condition=Q(annee_fin__isnull=True)
                | Q(annee_debut__isnull=True)
                | Q(annee_fin__gte=models.F("annee_debut")),
                name="%(app_label)s_%(class)s_annees_ordonnees",
            ),
        ]
        indexes = [
            # /api/fiches/?objectif=N and the admin's objective filter.
            models.Index(fields=["version", "objectif"], name="fiches_fiche_version_obj_idx"),
        ]

    def __str__(self):
        return f"{self.numero} {self.titre}"

    def save(self, *args, **kwargs):
        self.enjeu_numero, self.rang = self.cles_de_tri(self.numero)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (*self.version.natural_key(), self.numero)

    natural_key.dependencies = ["fiches.versionplan"]

    def clean(self):
        try:
            self.cles_de_tri(self.numero)
        except ValueError:
            raise ValidationError(
                {"numero": "Le numéro doit s'écrire « enjeu.rang », par exemple « 1.1 »."}
            ) from None
        if (
            self.annee_debut is not None
            and self.annee_fin is not None
            and self.annee_fin < self.annee_debut
        ):
            raise ValidationError({"annee_fin": "L'année de fin précède l'année de début."})

    @staticmethod
    def cles_de_tri(numero):
        """(enjeu, rang) of "enjeu.rang"; ``ValueError`` if it is not that.
        Read by the one parser: ASCII digits, within the smallint columns
        they are stored in (int() took "٣.١", and "99999.1" failed on save)."""
        enjeu, _, rang = (numero or "").strip().partition(".")
        try:
            return (
                lire_entier(enjeu, minimum=0, maximum=SMALLINT_MAX),
                lire_entier(rang or "0", minimum=0, maximum=SMALLINT_MAX),
            )
        except ValidationError:
            raise ValueError(numero) from None

    @staticmethod
    def vecteur_recherche():
        """Every section, weighted (number and titles first), in French."""
        from django.contrib.postgres.search import SearchVector

        return (
            SearchVector("numero", "titre", "titre_sommaire", weight="A", config="french")
            + SearchVector(
                "objectifs",
                "resultats_attendus",
                "pilote_texte",
                "partenaires_texte",
                weight="B",
                config="french",
            )
            + SearchVector(
                "diagnostic",
                "elements_contexte_actualises",
                "descriptif",
                "perimetre_texte",
                "publics_vises",
                "approches_transversales_texte",
                "enjeux_texte",
                "thematique_texte",
                weight="C",
                config="french",
            )
        )

    def sections_vides(self):
        return [name for name in self.SECTIONS if not (getattr(self, name) or "").strip()]


class FicheQuartierManager(models.Manager):
    def get_by_natural_key(self, version_code, numero, quartier_slug):
        return self.get(
            fiche__version__code=version_code, fiche__numero=numero, quartier__slug=quartier_slug
        )


class FicheQuartier(models.Model):
    """A link between a fiche and a quartier it concerns.

    Most links are read from the périmètre's words (``fiches/liens.py``, the
    fiche fixture's ``quartiers`` list). A few are **deduced**: the text names a
    place (Saint-Martin, Paul Valéry) that it ties to a quartier elsewhere; such
    a link keeps the place as written and the sentences that justify it,
    verbatim, and has a fixture row of its own (the fiche's list neither counts
    nor removes it, see ``HORS_LISTE_M2M``).
    """

    fiche = models.ForeignKey(
        Fiche, on_delete=models.CASCADE, related_name="liens_quartiers", verbose_name="fiche"
    )
    quartier = models.ForeignKey(
        Quartier, on_delete=models.CASCADE, related_name="liens_fiches", verbose_name="quartier"
    )
    deduit = models.BooleanField(
        "lien déduit",
        default=False,
        help_text="Le périmètre ne nomme pas le quartier : il nomme un lieu que le texte y "
        "rattache ailleurs.",
    )
    lieu = models.CharField("lieu nommé (tel qu'écrit)", max_length=200, blank=True)
    justification = TexteField(
        "justification (phrases du texte)",
        blank=True,
        help_text="Les phrases de l'avenant dont le lien est déduit, telles qu'écrites.",
    )

    objects = FicheQuartierManager()

    # Links the fiche fixture's ``quartiers`` list does not stand for: they come
    # from their own fixture rows (read by contrat.seeding).
    HORS_LISTE_M2M = {"deduit": True}

    class Meta:
        db_table = "fiches_fiche_quartiers"
        verbose_name = "lien fiche – quartier"
        verbose_name_plural = "liens fiches – quartiers"
        ordering = ["fiche", "quartier__ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiche", "quartier"], name="%(app_label)s_%(class)s_unique_lien"
            ),
            models.CheckConstraint(
                condition=Q(deduit=False) | ~Q(justification=""),
                name="%(app_label)s_%(class)s_deduit_justifie",
            ),
        ]

    def __str__(self):
        suffixe = f" (déduit de « {self.lieu} »)" if self.deduit else ""
        return f"{self.fiche.numero} — {self.quartier.nom}{suffixe}"

    def natural_key(self):
        return (*self.fiche.natural_key(), self.quartier.slug)

    natural_key.dependencies = ["fiches.fiche", "contrat.quartier"]


class SousPartieManager(models.Manager):
    def get_by_natural_key(self, version_code, numero, ordre):
        return self.get(fiche__version__code=version_code, fiche__numero=numero, ordre=ordre)


class SousPartie(models.Model):
    """A named sub-part of a fiche's descriptif (11.1's fiches action, the
    "exemples de déclinaison opérationnelle" of 6.9, 6.10, 6.12...)."""

    fiche = models.ForeignKey(
        Fiche, on_delete=models.CASCADE, related_name="sous_parties", verbose_name="fiche"
    )
    ordre = models.PositiveSmallIntegerField("ordre")
    numero = models.CharField("numéro", max_length=20, blank=True)
    titre = models.CharField("titre", max_length=500, blank=True)
    texte = TexteField("texte", blank=True)

    objects = SousPartieManager()

    class Meta:
        verbose_name = "sous-partie du descriptif"
        verbose_name_plural = "sous-parties du descriptif"
        ordering = ["fiche", "ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiche", "ordre"], name="%(app_label)s_%(class)s_unique_ordre"
            ),
        ]

    def __str__(self):
        return f"{self.fiche.numero} — {self.numero} {self.titre}".strip()

    def natural_key(self):
        return (*self.fiche.natural_key(), self.ordre)

    natural_key.dependencies = ["fiches.fiche"]


class IndicateurQuerySet(models.QuerySet):
    def pour_organisation(self, organisation):
        """Indicators the organisation (or one of its services) reports on."""
        return self.filter(organisation__in=Organisation.objects.perimetre(organisation))

    def a_saisir(self):
        """Indicators partners enter values for (those with a responsible
        organisation), less the members of a confirmed series: their values
        are entered once, under the series' reference."""
        return self.filter(organisation__isnull=False, actif=True).hors_serie()

    def hors_serie(self):
        """Without the indicators read under another one (confirmed series members)."""
        return self.exclude(liens_serie__statut=LienSerie.Statut.CONFIRME)


class IndicateurManager(models.Manager.from_queryset(IndicateurQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Indicateur(models.Model):
    """Something a partner reports on: an indicator line of a fiche (in the
    fiche's order), or the target of a partner's engagement (Annexe 1).

    The avenant names indicators but gives almost no figures: unit, baseline
    and target stay empty until staff fill them, and values until partners
    enter them.
    """

    class Type(models.TextChoices):
        REALISATION = "realisation", "Indicateur de réalisation"
        RESULTAT = "resultat", "Indicateur de résultat"
        NON_QUALIFIE = "non_qualifie", "Indicateur (non qualifié)"
        SUIVI = "suivi", "Indicateur de suivi (tableau d'évolution)"
        ENGAGEMENT = "engagement", "Cible d'un engagement (annexe 1)"

    class Unite(models.TextChoices):
        NOMBRE = "nombre", "Nombre"
        POURCENTAGE = "pourcentage", "Pourcentage (%)"
        EUROS = "euros", "Euros (€)"
        HEURES = "heures", "Heures"
        JOURS = "jours", "Jours"
        AUTRE = "autre", "Autre (valeur décimale)"

    class Sens(models.TextChoices):
        HAUSSE = "hausse", "Plus c'est haut, mieux c'est"
        BAISSE = "baisse", "Plus c'est bas, mieux c'est"

    class Desagregation(models.TextChoices):
        AUCUNE = "aucune", "Aucune (une valeur)"
        QUARTIER = "quartier", "Par quartier (12 QPV)"
        SEXE = "sexe", "Par sexe"
        QUARTIER_SEXE = "quartier_sexe", "Par quartier et par sexe"

    code = models.CharField(
        "code",
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[-\w.]+$", "Lettres, chiffres, points et tirets seulement.")],
        help_text="« 2019-1.1-3 » : 3e indicateur de la fiche 1.1 de 2019 ; « E12-1 » : "
        "1re cible de l'engagement n° 12.",
    )
    fiche = models.ForeignKey(
        Fiche,
        on_delete=models.CASCADE,
        related_name="indicateurs",
        verbose_name="fiche",
        null=True,
        blank=True,
        help_text="Vide pour la cible d'un engagement.",
    )
    ordre = models.PositiveSmallIntegerField("ordre")
    libelle = TexteField("libellé")
    rubrique = models.CharField(
        "rubrique (telle qu'écrite)",
        max_length=200,
        blank=True,
        help_text="L'intitulé sous lequel la cellule range l'indicateur (« Objectifs chiffrés : »).",
    )
    type = models.CharField("type", max_length=20, choices=Type.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicateurs",
        verbose_name="organisation responsable",
        help_text="Qui saisit les valeurs ; par défaut, le premier pilote de la fiche.",
    )
    unite = models.CharField("unité", max_length=20, choices=Unite.choices, blank=True)
    sens = models.CharField("sens souhaité", max_length=10, choices=Sens.choices, blank=True)
    desagregation = models.CharField(
        "ventilation", max_length=20, choices=Desagregation.choices, default=Desagregation.AUCUNE
    )
    ventilation_decidee = models.BooleanField(
        "ventilation décidée",
        default=False,
        help_text="Cochée quand l'équipe a choisi la ventilation (même « aucune ») : "
        "la valeur par défaut n'est pas une décision.",
    )
    valeur_reference = models.DecimalField(
        "valeur de référence", max_digits=16, decimal_places=2, null=True, blank=True
    )
    annee_reference = models.PositiveSmallIntegerField("année de référence", null=True, blank=True)
    actif = models.BooleanField(
        "à renseigner", default=True, help_text="Décochez pour ne plus demander de valeurs."
    )

    objects = IndicateurManager()

    # Added to the fixtures after a first seed: filled when empty (contrat.seeding).
    SEED_REMPLIR_SI_VIDE = ["rubrique"]

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["fiche", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiche", "ordre"],
                condition=Q(fiche__isnull=False),
                name="%(app_label)s_%(class)s_unique_ordre",
            ),
            models.CheckConstraint(
                condition=Q(fiche__isnull=False) | Q(type="engagement"),
                name="%(app_label)s_%(class)s_fiche_sauf_engagement",
            ),
        ]
        indexes = [
            # "My indicators": WHERE organisation_id IN (...) AND actif.
            models.Index(fields=["organisation", "actif"], name="fiches_indic_org_idx"),
        ]

    def __str__(self):
        prefixe = f"{self.fiche.numero} — " if self.fiche_id else ""
        return f"{prefixe}{self.libelle}"

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["fiches.fiche", "contrat.organisation"]

    # Units whose cell values add up to a total (a percentage does not).
    UNITES_ADDITIVES = ("nombre", "euros", "heures", "jours")

    @property
    def additive(self):
        return self.unite in self.UNITES_ADDITIVES

    @property
    def par_quartier(self):
        return self.desagregation in {self.Desagregation.QUARTIER, self.Desagregation.QUARTIER_SEXE}

    @property
    def par_sexe(self):
        return self.desagregation in {self.Desagregation.SEXE, self.Desagregation.QUARTIER_SEXE}

    def cible_de(self, annee):
        """The target of ``annee`` (a ``CibleAnnuelle``), or None. Reads
        ``cibles_annuelles`` (one query, none when prefetched)."""
        for cible in self.cibles_annuelles.all():
            if cible.annee == annee:
                return cible
        return None

    def reference_de_serie(self):
        """The indicator this one is read under (a confirmed series), or None.
        One query."""
        lien = (
            LienSerie.objects.confirmes()
            .filter(indicateur=self)
            .select_related("reference")
            .first()
        )
        return lien.reference if lien else None

    def source_des_valeurs(self):
        """The indicator whose values this one reads: its series' reference, or itself."""
        return self.reference_de_serie() or self


class LienSerieQuerySet(models.QuerySet):
    def confirmes(self):
        return self.filter(statut=LienSerie.Statut.CONFIRME)


class LienSerie(models.Model):
    """ "``indicateur`` is the same series as ``reference``": one fact, told
    twice by the avenant (an Annexe 2 follow-up indicator restating a fiche
    indicator, or an indicator carried over through the evolution table).

    The app proposes links (``propose``, with a score and the reason); staff
    confirm or reject them. Once confirmed, values are entered and stored
    under the reference only; the member reads them. A series is flat: a
    reference is never itself a member (no chains, no cycles), and an
    indicator belongs to at most one confirmed series.
    """

    class Statut(models.TextChoices):
        PROPOSE = "propose", "Proposé (par l'application)"
        CONFIRME = "confirme", "Confirmé"
        REJETE = "rejete", "Rejeté"

    class Origine(models.TextChoices):
        MEME_FICHE = "meme_fiche", "Même fiche (annexe 2 et annexe 3)"
        FILIATION = "filiation", "Filiation 2015 → 2019 (tableau d'évolution)"
        MANUELLE = "manuelle", "Déclaré par l'équipe"

    indicateur = models.ForeignKey(
        Indicateur,
        on_delete=models.CASCADE,
        related_name="liens_serie",
        verbose_name="indicateur lu sous la référence",
    )
    reference = models.ForeignKey(
        Indicateur,
        on_delete=models.CASCADE,
        related_name="liens_serie_membres",
        verbose_name="indicateur de référence (saisi)",
    )
    origine = models.CharField("origine", max_length=20, choices=Origine.choices)
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.PROPOSE
    )
    score = models.DecimalField(
        "score de similarité", max_digits=4, decimal_places=3, null=True, blank=True
    )
    raison = TexteField("raison", blank=True)
    cree_le = models.DateTimeField("proposé le", auto_now_add=True)
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidé par",
    )
    decide_le = models.DateTimeField("décidé le", null=True, blank=True)

    objects = LienSerieQuerySet.as_manager()

    class Meta:
        verbose_name = "lien de série"
        verbose_name_plural = "séries d'indicateurs (liens)"
        ordering = ["reference__fiche", "reference__ordre", "indicateur__ordre", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "reference"], name="%(app_label)s_%(class)s_unique_paire"
            ),
            # One confirmed series per indicator.
            models.UniqueConstraint(
                fields=["indicateur"],
                condition=Q(statut="confirme"),
                name="%(app_label)s_%(class)s_unique_confirme",
            ),
            models.CheckConstraint(
                condition=~Q(indicateur=models.F("reference")),
                name="%(app_label)s_%(class)s_pas_soi_meme",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1),
                name="%(app_label)s_%(class)s_score_0_1",
            ),
        ]
        indexes = [
            # The series of a reference: WHERE reference_id = ... AND statut = 'confirme'.
            models.Index(fields=["reference", "statut"], name="fiches_lienserie_ref_idx"),
        ]

    def __str__(self):
        return f"{self.indicateur.code} → {self.reference.code} ({self.get_statut_display()})"


def verifier_cible(unite, valeur):
    """The unit rules of a target or a baseline; returns French messages."""
    if valeur is None:
        return []
    if valeur.normalize().as_tuple().exponent < -2:
        return ["Deux décimales au plus."]
    if unite == Indicateur.Unite.POURCENTAGE and not (0 <= valeur <= 100):
        return ["Une cible en pourcentage doit être comprise entre 0 et 100."]
    if unite in Indicateur.UNITES_ADDITIVES and valeur < 0:
        return ["Une cible de cette unité ne peut pas être négative."]
    return []


class CibleAnnuelleManager(models.Manager):
    def get_by_natural_key(self, code, annee):
        return self.get(indicateur__code=code, annee=annee)


class CibleAnnuelle(models.Model):
    """The target of an indicator for one year: together, its trajectory over
    the contract's years. A value is compared with the target of its own year
    only (``engagements.services``).

    The 0–100 bound of a percentage lives in ``clean()`` and the services:
    a check constraint cannot read the indicator's unit."""

    indicateur = models.ForeignKey(
        Indicateur,
        on_delete=models.CASCADE,
        related_name="cibles_annuelles",
        verbose_name="indicateur",
    )
    annee = models.PositiveSmallIntegerField("année")
    valeur = models.DecimalField("valeur cible", max_digits=16, decimal_places=2)
    commentaire = models.CharField("commentaire", max_length=500, blank=True)

    objects = CibleAnnuelleManager()

    class Meta:
        verbose_name = "cible annuelle"
        verbose_name_plural = "cibles annuelles"
        ordering = ["indicateur", "annee"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "annee"], name="%(app_label)s_%(class)s_unique_annee"
            ),
            models.CheckConstraint(
                condition=condition_annee(), name="%(app_label)s_%(class)s_annee_du_contrat"
            ),
        ]

    def __str__(self):
        return f"{self.indicateur.code} — {self.annee} : {self.valeur}"

    def natural_key(self):
        return (self.indicateur.code, self.annee)

    natural_key.dependencies = ["fiches.indicateur"]

    def clean(self):
        if self.indicateur_id is not None and self.valeur is not None:
            messages = verifier_cible(self.indicateur.unite, self.valeur)
            if messages:
                raise ValidationError({"valeur": messages})


class EvolutionManager(models.Manager):
    def get_by_natural_key(self, version_code, ordre):
        return self.get(version__code=version_code, ordre=ordre)


class Evolution(models.Model):
    """A row of the evolution table (Annexe 2): what became of an earlier fiche.

    The PDF's colours, which coded the fate, are lost: the fate is read from
    the comment, and ``sort_deduit`` says when the comment does not name it
    in so many words.
    """

    class Sort(models.TextChoices):
        MAINTIEN = "maintien", "Maintien"
        AJUSTEMENT = "ajustement", "Ajustement"
        SUPPRESSION = "suppression", "Suppression"
        NOUVELLE = "nouvelle", "Nouvelle fiche"

    version = models.ForeignKey(
        VersionPlan,
        on_delete=models.PROTECT,
        related_name="evolutions",
        verbose_name="version issue de l'évolution",
    )
    ordre = models.PositiveSmallIntegerField("ordre dans le tableau")
    groupe_texte = models.CharField("groupe (tel qu'écrit)", max_length=500, blank=True)
    fiche_initiale = models.ForeignKey(
        Fiche,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devenir",
        verbose_name="fiche initiale",
    )
    sort = models.CharField("sort", max_length=20, choices=Sort.choices)
    sort_deduit = models.BooleanField(
        "sort déduit du commentaire",
        default=False,
        help_text="Le commentaire ne nomme pas le sort : il a été déduit de ses termes.",
    )
    sort_deduit_de = models.CharField("termes d'où le sort est lu", max_length=500, blank=True)
    fragment_initial = TexteField(
        "fragment de la fiche initiale",
        blank=True,
        help_text="Ce que le texte garde d'une fiche initiale qu'il ne permet pas d'identifier "
        "(ligne coupée par la mise en page).",
    )
    commentaire = TexteField("commentaire (évolution)", blank=True)
    fiches_nouvelles = models.ManyToManyField(
        Fiche, related_name="origines", verbose_name="fiches de la nouvelle version", blank=True
    )
    lien_deduit = models.BooleanField(
        "lien déduit du commentaire",
        default=False,
        help_text="La ligne ne donne pas de nouveau numéro : la fiche où l'initiale est "
        "fusionnée est lue dans les commentaires.",
    )
    lien_deduit_de = TexteField("termes d'où le lien est lu", blank=True)
    nouveau_numero_texte = models.CharField("nouveau n° (tel qu'écrit)", max_length=255, blank=True)
    nouvel_intitule = TexteField("nouvel intitulé (tel qu'écrit)", blank=True)
    nouveaux_objectifs = TexteField("objectifs (nouvelle fiche)", blank=True)
    nouveau_pilote = TexteField("pilote (nouvelle fiche)", blank=True)
    exemples_actions = TexteField("exemples d'actions à développer", blank=True)
    indicateurs_suivi_texte = TexteField(
        "indicateurs de suivi (tels qu'écrits)",
        blank=True,
        help_text="La cellule telle que le texte l'imprime, un élément par ligne ; les "
        "indicateurs de suivi de la nouvelle fiche en sont tirés, un par élément.",
    )
    lignes_source = models.CharField("lignes dans le texte source", max_length=60, blank=True)

    objects = EvolutionManager()

    # Added to the fixtures after a first seed: filled when empty (contrat.seeding).
    SEED_REMPLIR_SI_VIDE = ["indicateurs_suivi_texte"]

    class Meta:
        verbose_name = "évolution de fiche"
        verbose_name_plural = "évolutions des fiches (annexe 2)"
        ordering = ["version", "ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "ordre"], name="%(app_label)s_%(class)s_unique_ordre"
            ),
        ]

    def __str__(self):
        origine = self.fiche_initiale.numero if self.fiche_initiale_id else "—"
        return f"{origine} → {self.nouveau_numero_texte or '—'} ({self.get_sort_display()})"

    def natural_key(self):
        return (*self.version.natural_key(), self.ordre)

    natural_key.dependencies = ["fiches.versionplan", "fiches.fiche"]

    def clean(self):
        if self.sort in {self.Sort.SUPPRESSION, self.Sort.MAINTIEN} and not self.fiche_initiale_id:
            raise ValidationError(
                {
                    "fiche_initiale": "Une fiche supprimée ou maintenue est une fiche initiale : indiquez-la."
                }
            )


class AnomalieManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Anomalie(models.Model):
    """A place where the avenant contradicts itself, recorded as data so staff
    can annotate and resolve it. The text itself is never corrected."""

    class Categorie(models.TextChoices):
        COMPTE = "compte", "Comptes qui ne concordent pas"
        DOUBLON = "doublon", "Ligne en double ou contradictoire"
        TITRE = "titre", "Titres divergents"
        NUMERO = "numero", "Numérotation"
        LIBELLE = "libelle", "Libellés divergents"
        SECTION = "section", "Section vide ou manquante"
        AUTRE = "autre", "Autre"

    class Statut(models.TextChoices):
        OUVERTE = "ouverte", "À examiner"
        EXPLIQUEE = "expliquee", "Expliquée"
        RESOLUE = "resolue", "Résolue"

    code = models.CharField(
        "code",
        max_length=120,
        unique=True,
        validators=[RegexValidator(r"^[-\w.]+$", "Lettres, chiffres, points et tirets seulement.")],
    )
    categorie = models.CharField("catégorie", max_length=20, choices=Categorie.choices)
    description = TexteField("description")
    localisation = models.CharField("emplacement dans le texte", max_length=500)
    fiches = models.ManyToManyField(
        Fiche, related_name="anomalies", verbose_name="fiches", blank=True
    )
    statut = models.CharField(
        "statut", max_length=20, choices=Statut.choices, default=Statut.OUVERTE
    )
    annotation = TexteField("annotation de l'équipe", blank=True)

    objects = AnomalieManager()

    class Meta:
        verbose_name = "anomalie du texte"
        verbose_name_plural = "anomalies du texte"
        ordering = ["categorie", "code"]

    def __str__(self):
        return self.description[:120]

    def natural_key(self):
        return (self.code,)
