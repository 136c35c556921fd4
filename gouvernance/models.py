"""Who steers the contract and what happened when: governance bodies, dated
meetings and events (with their decisions and documents), the 12 conseils
citoyens, and the mid-term evaluation's préconisations with their follow-up.

Dates are kept exactly as precise as the avenant gives them: a day, a month,
a year, or a day with no year (``precision``), with the year deduced from
context flagged as such.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum

from contrat.models import Organisation, Quartier
from contrat.textes import TexteField
from fiches.models import Fiche
from gouvernance.documents import stockage_documents, valider_document


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Portee(models.TextChoices):
    CONTRAT = "contrat", "Contrat de ville"
    PODEM = "podem", "PODEM"
    PARTENAIRE = "partenaire", "Instance d'un partenaire"
    FICHE = "fiche", "Nommée dans une fiche"
    NATIONAL = "national", "Nationale"


class Theme(models.Model):
    """One of the 5 programmes of the national mobilisation for the inhabitants
    of the quartiers (the government's roadmap of July 2018, Article 1): the
    themes the world café's workshops were held on, and which the State's
    commitment names (Article 4.1). Named as the avenant writes them."""

    slug = models.SlugField("identifiant", max_length=50, unique=True)
    ordre = models.PositiveSmallIntegerField("ordre", unique=True)
    nom = models.CharField("nom (tel qu'écrit)", max_length=100)
    lignes_source = models.CharField("lignes dans le texte source", max_length=200, blank=True)

    objects = SlugManager()

    class Meta:
        verbose_name = "thème (programme de la mobilisation nationale)"
        verbose_name_plural = "thèmes : les 5 programmes de la mobilisation nationale"
        ordering = ["ordre"]

    def __str__(self):
        return self.nom

    def natural_key(self):
        return (self.slug,)


class Instance(models.Model):
    """A governance body (comité de pilotage, comité technique, GTP, ateliers,
    équipe projet, conseils citoyens, PODEM bodies...) and its role as the
    avenant states it."""

    class Type(models.TextChoices):
        COMITE_PILOTAGE = "comite_pilotage", "Comité de pilotage"
        COMITE_TECHNIQUE = "comite_technique", "Comité technique"
        GROUPE_TRAVAIL = "groupe_travail", "Groupe de travail"
        ATELIER = "atelier", "Atelier"
        EQUIPE = "equipe", "Équipe"
        COORDINATION = "coordination", "Coordination"
        CONSEIL_CITOYEN = "conseil_citoyen", "Conseil citoyen"
        AUTRE = "autre", "Autre"

    slug = models.SlugField("identifiant", max_length=100, unique=True)
    nom = models.CharField("nom", max_length=300)
    type = models.CharField("type", max_length=30, choices=Type.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enfants",
        verbose_name="rattachée à",
    )
    portee = models.CharField("portée", max_length=20, choices=Portee.choices)
    statut_texte = models.CharField("statut (tel qu'écrit)", max_length=200, blank=True)
    role = TexteField("rôle (tel qu'écrit)", blank=True)
    composition = TexteField("composition (telle qu'écrite)", blank=True)
    moyens_texte = TexteField(
        "moyens (tels qu'écrits)",
        blank=True,
        help_text="Le détail structuré est dans « moyens » (nature, montants).",
    )
    fiches = models.ManyToManyField(
        Fiche, related_name="instances", verbose_name="fiches", blank=True
    )
    lignes_source = models.CharField("lignes dans le texte source", max_length=200, blank=True)
    notes = TexteField("notes de transcription", blank=True)

    objects = SlugManager()

    class Meta:
        verbose_name = "instance de gouvernance"
        verbose_name_plural = "instances de gouvernance"
        ordering = ["portee", "nom"]

    def __str__(self):
        return self.nom

    def natural_key(self):
        return (self.slug,)


class EvenementQuerySet(models.QuerySet):
    def de_l_annee(self, annee):
        """Events of a year, including those whose year is only deduced."""
        return self.filter(annee=annee)


class EvenementManager(SlugManager.from_queryset(EvenementQuerySet)):
    pass


class Evenement(models.Model):
    """A dated meeting or event: a comité de pilotage, the world café, a
    council vote, a PODEM milestone, an official text..."""

    class Type(models.TextChoices):
        COMITE_PILOTAGE = "comite_pilotage", "Comité de pilotage"
        COMITE_TECHNIQUE = "comite_technique", "Comité technique"
        GROUPE_TRAVAIL = "groupe_travail", "Groupe de travail"
        ATELIER = "atelier", "Atelier"
        CONSULTATION = "consultation", "Consultation"
        DELIBERATION = "deliberation", "Délibération"
        EVENEMENT = "evenement", "Événement"
        TEXTE_OFFICIEL = "texte_officiel", "Texte officiel"
        FORMATION = "formation", "Formation"
        AUTRE = "autre", "Autre"

    class Precision(models.TextChoices):
        JOUR = "jour", "Au jour près"
        MOIS = "mois", "Au mois près"
        ANNEE = "annee", "À l'année près"
        JOUR_SANS_ANNEE = "jour_sans_annee", "Jour et mois, sans année"

    class Statut(models.TextChoices):
        REALISE = "realise", "Réalisé"
        PREVU = "prevu", "Prévu"
        INCONNU = "inconnu", "Non précisé"

    slug = models.SlugField("identifiant", max_length=120, unique=True)
    titre = models.CharField("titre", max_length=300)
    type = models.CharField("type", max_length=30, choices=Type.choices)
    instance = models.ForeignKey(
        Instance,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evenements",
        verbose_name="instance",
    )
    portee = models.CharField(
        "portée", max_length=20, choices=Portee.choices, default=Portee.CONTRAT
    )
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.REALISE
    )
    date_texte = models.CharField("date (telle qu'écrite)", max_length=200)
    precision = models.CharField("précision de la date", max_length=20, choices=Precision.choices)
    date_debut = models.DateField(
        "début", null=True, blank=True, help_text="Vide si le jour n'est pas connu."
    )
    date_fin = models.DateField("fin", null=True, blank=True)
    annee = models.PositiveSmallIntegerField("année", null=True, blank=True)
    annee_deduite = models.BooleanField(
        "année déduite du contexte",
        default=False,
        help_text="Le texte ne donne pas l'année : elle est lue dans le contexte.",
    )
    annee_deduite_raison = TexteField("pourquoi cette année", blank=True)
    description = TexteField("description (telle qu'écrite)", blank=True)
    participants_texte = models.CharField(
        "participants (tels qu'écrits)", max_length=300, blank=True
    )
    # "plus de 100 personnes" is a lower bound, not a count: the text says
    # more than 100 and no more; 100 is stored and the words stay beside it.
    participants_min = models.PositiveIntegerField(
        "participants, au moins",
        null=True,
        blank=True,
        help_text="Borne inférieure : « plus de 100 » est noté 100. Vide si le texte ne dit rien.",
    )
    conseillers_citoyens = models.PositiveIntegerField(
        "dont conseillers citoyens",
        null=True,
        blank=True,
        help_text="Vide si le texte ne dit rien.",
    )
    themes = models.ManyToManyField(
        Theme,
        related_name="evenements",
        verbose_name="thèmes (programmes de la mobilisation nationale)",
        blank=True,
    )
    fiches = models.ManyToManyField(
        Fiche, related_name="evenements", verbose_name="fiches", blank=True
    )
    temps_fort_podem = models.BooleanField("temps fort du PODEM", default=False)
    lignes_source = models.CharField("lignes dans le texte source", max_length=200, blank=True)
    notes = TexteField("notes de transcription", blank=True)

    objects = EvenementManager()

    class Meta:
        verbose_name = "réunion ou événement"
        verbose_name_plural = "réunions et événements"
        ordering = ["annee", "date_debut", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True)
                | Q(date_debut__isnull=True)
                | Q(date_fin__gte=models.F("date_debut")),
                name="%(app_label)s_%(class)s_dates_ordonnees",
            ),
        ]
        indexes = [
            # The annual report: events of a year.
            models.Index(fields=["annee"], name="gouvernance_evt_annee_idx"),
        ]

    def __str__(self):
        return f"{self.titre} ({self.date_texte})"

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        if self.precision == self.Precision.JOUR and self.date_debut is None:
            raise ValidationError({"date_debut": "Une date « au jour près » a besoin de son jour."})
        if self.date_debut and self.annee and self.date_debut.year != self.annee:
            raise ValidationError({"annee": "L'année ne correspond pas à la date de début."})
        if (
            self.participants_min is not None
            and self.conseillers_citoyens is not None
            and self.conseillers_citoyens > self.participants_min
        ):
            raise ValidationError(
                {"conseillers_citoyens": "Plus de conseillers citoyens que de participants."}
            )


class PointEvenementManager(models.Manager):
    def get_by_natural_key(self, slug, type_, ordre):
        return self.get(evenement__slug=slug, type=type_, ordre=ordre)


class PointEvenement(models.Model):
    """An item of an event: a workshop held during it, a question debated, a
    decision. (The world café's five themes are not workshops: they are the
    national programmes, ``Theme``, linked to the event.)"""

    class Type(models.TextChoices):
        ATELIER = "atelier", "Atelier"
        QUESTION = "question", "Question débattue"
        DECISION = "decision", "Décision"

    evenement = models.ForeignKey(
        Evenement, on_delete=models.CASCADE, related_name="points", verbose_name="événement"
    )
    type = models.CharField("type", max_length=20, choices=Type.choices)
    ordre = models.PositiveSmallIntegerField("ordre")
    texte = TexteField("texte")

    objects = PointEvenementManager()

    class Meta:
        verbose_name = "point (atelier, question, décision)"
        verbose_name_plural = "points (ateliers, questions, décisions)"
        ordering = ["evenement", "type", "ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["evenement", "type", "ordre"], name="%(app_label)s_%(class)s_unique_ordre"
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.ordre} : {self.texte[:80]}"

    def natural_key(self):
        return (*self.evenement.natural_key(), self.type, self.ordre)

    natural_key.dependencies = ["gouvernance.evenement"]


class Document(models.Model):
    """A document staff attach to a meeting (minutes, presentation, report)."""

    evenement = models.ForeignKey(
        Evenement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="événement",
    )
    titre = models.CharField("titre", max_length=300)
    # Accepted by content (PDF, office files, images) and served by the app as
    # a download, never from /media/: see gouvernance/documents.py.
    fichier = models.FileField(
        "fichier",
        upload_to="gouvernance/%Y/",
        blank=True,
        storage=stockage_documents,
        validators=[valider_document],
        help_text="PDF, Word, Excel, PowerPoint, OpenDocument ou image (PNG, JPEG, GIF, WebP).",
    )
    lien = models.URLField("lien", blank=True)
    date = models.DateField("date", null=True, blank=True)

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documents"
        ordering = ["-date", "titre"]

    def __str__(self):
        return self.titre

    def clean(self):
        if not self.fichier and not self.lien:
            raise ValidationError("Joignez un fichier ou indiquez un lien.")


class MoyenManager(models.Manager):
    def get_by_natural_key(self, slug, ordre):
        return self.get(instance__slug=slug, ordre=ordre)


class MoyenConseilCitoyen(models.Model):
    """A means given to the conseils citoyens (Article 5.4, "Des moyens
    dédiés"): premises, equipment, the operating grant and its range, the
    annual budget. The text verbatim, the amounts as it writes them."""

    class Nature(models.TextChoices):
        LOCAUX = "locaux", "Locaux"
        EQUIPEMENT = "equipement", "Équipement"
        SUBVENTION = "subvention_fonctionnement", "Subvention de fonctionnement"
        BUDGET = "budget_annuel", "Budget annuel"

    instance = models.ForeignKey(
        Instance, on_delete=models.CASCADE, related_name="moyens", verbose_name="instance"
    )
    ordre = models.PositiveSmallIntegerField("ordre")
    nature = models.CharField("nature", max_length=30, choices=Nature.choices)
    texte = TexteField("texte (tel qu'écrit)")
    montant_min = models.PositiveIntegerField(
        "montant minimum (€)", null=True, blank=True, help_text="Vide si le texte n'en donne pas."
    )
    montant_max = models.PositiveIntegerField(
        "montant maximum (€)", null=True, blank=True, help_text="Vide si le texte n'en donne pas."
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moyens_conseils_citoyens",
        verbose_name="apporté par",
    )
    ligne_source = models.PositiveIntegerField("ligne dans le texte source", null=True, blank=True)

    objects = MoyenManager()

    class Meta:
        verbose_name = "moyen des conseils citoyens"
        verbose_name_plural = "moyens des conseils citoyens"
        ordering = ["instance", "ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "ordre"], name="%(app_label)s_%(class)s_unique_ordre"
            ),
            models.CheckConstraint(
                condition=Q(montant_min__isnull=True)
                | Q(montant_max__isnull=True)
                | Q(montant_max__gte=models.F("montant_min")),
                name="%(app_label)s_%(class)s_montants_ordonnes",
            ),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} : {self.texte[:80]}"

    def natural_key(self):
        return (*self.instance.natural_key(), self.ordre)

    natural_key.dependencies = ["gouvernance.instance", "contrat.organisation"]

    @property
    def montant_texte(self):
        """The amounts for display: "3 000 € à 4 000 €", "40 000 €", or ""."""

        def euros(n):
            return f"{n:,} €".replace(",", "\u00a0")

        if self.montant_min is None and self.montant_max is None:
            return ""
        if self.montant_min == self.montant_max or self.montant_max is None:
            return euros(self.montant_min)
        if self.montant_min is None:
            return f"jusqu'à {euros(self.montant_max)}"
        return f"{euros(self.montant_min)} à {euros(self.montant_max)}"


class ConseilCitoyenQuerySet(models.QuerySet):
    def lignes(self):
        return self.filter(est_total=False)

    def sommes(self):
        return self.lignes().aggregate(
            population=Sum("population"),
            tires_au_sort=Sum("tires_au_sort"),
            jeunes=Sum("jeunes"),
            volontaires=Sum("volontaires"),
            associations=Sum("associations"),
            total=Sum("total"),
        )


class ConseilCitoyenManager(SlugManager.from_queryset(ConseilCitoyenQuerySet)):
    pass


class ConseilCitoyen(models.Model):
    """A conseil citoyen and its composition by college (Article 5.4's table).
    The table's written totals row is kept too (``est_total``), so that the
    app checks it against the rows rather than trusting either."""

    COLLEGES = ["tires_au_sort", "jeunes", "volontaires", "associations"]

    slug = models.SlugField("identifiant", max_length=100, unique=True)
    quartier = models.OneToOneField(
        Quartier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conseil_citoyen",
        verbose_name="quartier",
    )
    est_total = models.BooleanField("ligne des totaux du tableau", default=False)
    ordre = models.PositiveSmallIntegerField("ordre dans le tableau")
    quartier_texte = models.CharField("quartier (tel qu'écrit)", max_length=200, blank=True)
    population = models.PositiveIntegerField("population")
    tires_au_sort = models.PositiveSmallIntegerField("habitants tirés au sort")
    jeunes = models.PositiveSmallIntegerField("jeunes de moins de 25 ans")
    volontaires = models.PositiveSmallIntegerField("habitants volontaires")
    associations = models.PositiveSmallIntegerField("associations, socio-professionnels, usagers")
    total = models.PositiveSmallIntegerField("total (tel qu'écrit)")

    objects = ConseilCitoyenManager()

    class Meta:
        verbose_name = "conseil citoyen"
        verbose_name_plural = "conseils citoyens"
        ordering = ["ordre"]
        constraints = [
            models.CheckConstraint(
                condition=Q(est_total=True, quartier__isnull=True)
                | Q(est_total=False, quartier__isnull=False),
                name="%(app_label)s_%(class)s_quartier_sauf_total",
            ),
            models.UniqueConstraint(
                fields=["est_total"],
                condition=Q(est_total=True),
                name="%(app_label)s_%(class)s_un_total",
            ),
        ]

    def __str__(self):
        return "Total" if self.est_total else f"Conseil citoyen {self.quartier_texte}"

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["contrat.quartier"]

    @property
    def somme_colleges(self):
        return sum(getattr(self, c) for c in self.COLLEGES)

    def ecarts(self):
        """Where this row's written total differs from the sum of its colleges."""
        if self.somme_colleges != self.total:
            return [f"{self}: total écrit {self.total}, somme des collèges {self.somme_colleges}"]
        return []

    @classmethod
    def controle_des_totaux(cls):
        """Every discrepancy in the table: rows, and the totals row against the column sums."""
        ecarts = [e for ligne in cls.objects.lignes() for e in ligne.ecarts()]
        total = cls.objects.filter(est_total=True).first()
        if total is not None:
            sommes = cls.objects.sommes()
            for champ, valeur in sommes.items():
                if getattr(total, champ) != valeur:
                    libelle = cls._meta.get_field(champ).verbose_name
                    ecarts.append(
                        f"Ligne des totaux, {libelle} : {getattr(total, champ)} écrit, {valeur} en additionnant les lignes"
                    )
        return ecarts


class PreconisationManager(models.Manager):
    def get_by_natural_key(self, ordre):
        return self.get(ordre=ordre)


class Preconisation(models.Model):
    """A recommendation of the mid-term evaluation (Article 3.2), by volet,
    with its follow-up and the fiches that answer it."""

    class Suivi(models.TextChoices):
        A_ENGAGER = "a_engager", "À engager"
        EN_COURS = "en_cours", "En cours"
        REALISEE = "realisee", "Réalisée"
        ABANDONNEE = "abandonnee", "Abandonnée"

    ordre = models.PositiveSmallIntegerField("n°", unique=True)
    volet = models.CharField("volet", max_length=200)
    sous_titre = models.CharField("sous-titre", max_length=300, blank=True)
    texte = TexteField("préconisation")
    suivi = models.CharField(
        "suivi",
        max_length=20,
        choices=Suivi.choices,
        blank=True,
        help_text="Vide : pas encore renseigné.",
    )
    commentaire_suivi = TexteField("commentaire de suivi", blank=True)
    fiches = models.ManyToManyField(
        Fiche,
        through="ReponsePreconisation",
        related_name="preconisations",
        verbose_name="fiches qui y répondent",
        blank=True,
    )
    ligne_source = models.PositiveIntegerField("ligne dans le texte source", null=True, blank=True)

    objects = PreconisationManager()

    class Meta:
        verbose_name = "préconisation de l'évaluation"
        verbose_name_plural = "préconisations de l'évaluation"
        ordering = ["ordre"]

    def __str__(self):
        return f"{self.ordre}. {self.texte[:100]}"

    def natural_key(self):
        return (self.ordre,)


class ReponsePreconisationManager(models.Manager):
    def get_by_natural_key(self, ordre, version_code, numero):
        return self.get(
            preconisation__ordre=ordre, fiche__version__code=version_code, fiche__numero=numero
        )


class ReponsePreconisation(models.Model):
    """A fiche that answers a préconisation, and why we say so."""

    class Force(models.TextChoices):
        EVIDENT = "evident", "Évident (la fiche nomme la même chose)"
        PROBABLE = "probable", "Probable"

    preconisation = models.ForeignKey(
        Preconisation,
        on_delete=models.CASCADE,
        related_name="reponses",
        verbose_name="préconisation",
    )
    fiche = models.ForeignKey(
        Fiche,
        on_delete=models.CASCADE,
        related_name="reponses_preconisations",
        verbose_name="fiche",
    )
    force = models.CharField("force du lien", max_length=10, choices=Force.choices)
    justification = TexteField("justification (texte de l'avenant)")

    objects = ReponsePreconisationManager()

    class Meta:
        verbose_name = "fiche répondant à une préconisation"
        verbose_name_plural = "fiches répondant aux préconisations"
        ordering = ["preconisation", "fiche"]
        constraints = [
            models.UniqueConstraint(
                fields=["preconisation", "fiche"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self):
        return f"{self.preconisation.ordre} → {self.fiche.numero}"

    def natural_key(self):
        return (*self.preconisation.natural_key(), *self.fiche.natural_key())

    natural_key.dependencies = ["gouvernance.preconisation", "fiches.fiche"]
