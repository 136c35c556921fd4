"""The contract frame: the contrat de ville, its avenants, the signatories,
the organisations the avenant names, and the strategic frame (piliers,
principes intégrateurs, enjeux, priorités, objectifs opérationnels, axes
transversaux) with the 12 quartiers prioritaires.

Every model seeded from the avenant has a natural key, so fixtures stay
readable (a quartier is ``"mosson-paillade-celleneuve"``, not an id).
"""

from django.conf import settings
from django.db import models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from contrat.textes import TexteField, difference_html
from lecture.textes import normaliser_libelle as normaliser_libelle  # one definition, see lecture/


class NaturalKeyManager(models.Manager):
    """A manager whose natural key is a single unique field named by the model."""

    def get_by_natural_key(self, key):
        return self.get(**{self.model.NATURAL_KEY: key})


class NaturalKeyMixin:
    def natural_key(self):
        return (getattr(self, self.NATURAL_KEY),)


class Contrat(NaturalKeyMixin, models.Model):
    """The contrat de ville (contrat cadre) that the avenants amend."""

    NATURAL_KEY = "slug"

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    titre = models.CharField("titre", max_length=255)
    sous_titre = models.CharField("devise", max_length=255, blank=True)
    territoire = models.CharField("territoire", max_length=255)
    annee_debut = models.PositiveSmallIntegerField("année de début")
    annee_fin = models.PositiveSmallIntegerField("année de fin")
    date_signature = models.DateField("date de signature", null=True, blank=True)
    date_signature_texte = models.CharField(
        "date de signature (telle qu'écrite)", max_length=255, blank=True
    )
    source = TexteField("source dans l'avenant", blank=True)

    objects = NaturalKeyManager()

    class Meta:
        verbose_name = "contrat de ville"
        verbose_name_plural = "contrats de ville"
        ordering = ["annee_debut", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annee_fin__gte=models.F("annee_debut")),
                name="%(app_label)s_%(class)s_annees_ordonnees",
            ),
        ]

    def __str__(self):
        return f"{self.titre} ({self.annee_debut}-{self.annee_fin})"


class AvenantManager(models.Manager):
    def get_by_natural_key(self, contrat_slug, numero):
        return self.get(contrat__slug=contrat_slug, numero=numero)


class Avenant(models.Model):
    """An amendment to the contrat de ville (n° 1 in 2016, n° 2 = the PERR in 2019).

    Dates are kept exactly as precise as the text: avenant n° 2 says
    "Signé à Montpellier, le 2019" (no day), so its signature date stays empty
    and the text is kept beside it.
    """

    contrat = models.ForeignKey(
        Contrat, on_delete=models.PROTECT, related_name="avenants", verbose_name="contrat"
    )
    numero = models.PositiveSmallIntegerField("numéro")
    titre = models.CharField("titre", max_length=255)
    date_signature = models.DateField("date de signature", null=True, blank=True)
    date_signature_texte = models.CharField(
        "date de signature (telle qu'écrite)", max_length=255, blank=True
    )
    date_approbation_texte = models.CharField(
        "approbation (telle qu'écrite)", max_length=500, blank=True
    )
    annee = models.PositiveSmallIntegerField("année")
    periode_debut = models.PositiveSmallIntegerField("début de période", null=True, blank=True)
    periode_fin = models.PositiveSmallIntegerField("fin de période", null=True, blank=True)
    objet = TexteField("objet", blank=True)
    source = TexteField("source dans l'avenant", blank=True)

    objects = AvenantManager()

    class Meta:
        verbose_name = "avenant"
        verbose_name_plural = "avenants"
        ordering = ["contrat", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["contrat", "numero"], name="%(app_label)s_%(class)s_unique_numero"
            ),
        ]

    def __str__(self):
        return f"Avenant n° {self.numero} ({self.annee})"

    def natural_key(self):
        return (*self.contrat.natural_key(), self.numero)

    natural_key.dependencies = ["contrat.contrat"]


class OrganisationQuerySet(models.QuerySet):
    def perimetre(self, organisation):
        """The organisation and every service attached to it, at any depth
        (the État and its DDCS, DIRECCTE...), in one query."""
        return self.filter(
            pk__in=RawSQL(
                "WITH RECURSIVE perimetre(id) AS ("
                " SELECT %s::bigint"
                " UNION SELECT o.id FROM contrat_organisation o"
                " JOIN perimetre p ON o.rattachement_id = p.id"
                ") SELECT id FROM perimetre",
                [organisation.pk],
            )
        )

    def par_libelle(self, libelle):
        """Organisations whose name, short name or alias matches ``libelle``."""
        cle = normaliser_libelle(libelle)
        return self.filter(aliases__cle=cle).distinct()


class OrganisationManager(NaturalKeyManager.from_queryset(OrganisationQuerySet)):
    pass


class Organisation(NaturalKeyMixin, models.Model):
    """An organisation the avenant names as signatory, pilot, maître d'ouvrage,
    partner or funder. The text names the same body in many ways; each way is an
    :class:`AliasOrganisation` so free text links to one organisation."""

    NATURAL_KEY = "slug"

    class Type(models.TextChoices):
        COLLECTIVITE = "collectivite", "Collectivité territoriale"
        ETAT = "etat", "État et services de l'État"
        ETABLISSEMENT_PUBLIC = "etablissement_public", "Établissement public"
        BAILLEUR = "bailleur", "Bailleur social"
        ORGANISME_SOCIAL = "organisme_social", "Organisme de protection sociale"
        CHAMBRE_CONSULAIRE = "chambre_consulaire", "Chambre consulaire"
        ASSOCIATION = "association", "Association"
        ENTREPRISE = "entreprise", "Entreprise"
        AUTRE = "autre", "Autre"

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    nom = models.CharField("nom", max_length=255)
    sigle = models.CharField("sigle ou nom court", max_length=80, blank=True)
    type = models.CharField("type", max_length=30, choices=Type.choices)
    rattachement = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name="rattachée à",
        help_text="Par exemple, un service de l'État est rattaché à l'État.",
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(Lower("nom"), name="%(app_label)s_%(class)s_unique_nom"),
        ]

    def __str__(self):
        if self.sigle and self.sigle != self.nom:
            return f"{self.nom} ({self.sigle})"
        return self.nom


class AliasOrganisationManager(models.Manager):
    def get_by_natural_key(self, libelle):
        return self.get(libelle=libelle)


class AliasOrganisation(models.Model):
    """One way the avenant writes an organisation's name ("MMM", "METROPOLE"...).

    ``cle`` is the normalised form; it is unique, so an alias resolves to
    exactly one organisation.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name="organisation",
    )
    libelle = models.CharField("libellé tel qu'écrit", max_length=255, unique=True)
    cle = models.CharField("clé normalisée", max_length=255, unique=True, editable=False)

    objects = AliasOrganisationManager()

    class Meta:
        verbose_name = "alias d'organisation"
        verbose_name_plural = "alias d'organisations"
        ordering = ["organisation", "libelle"]

    def __str__(self):
        return self.libelle

    def save(self, *args, **kwargs):
        self.cle = normaliser_libelle(self.libelle)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.libelle,)

    natural_key.dependencies = ["contrat.organisation"]

    def clean(self):
        from django.core.exceptions import ValidationError

        self.cle = normaliser_libelle(self.libelle)
        autre = AliasOrganisation.objects.filter(cle=self.cle).exclude(pk=self.pk).first()
        if autre is not None:
            raise ValidationError(
                {
                    "libelle": f"« {self.libelle} » désigne déjà {autre.organisation} "
                    f"(alias « {autre.libelle} »)."
                }
            )


class Membre(models.Model):
    """A user account of a partner organisation: what it may read and write
    is scoped to that organisation (and the services attached to it)."""

    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membre",
        verbose_name="utilisateur",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="membres", verbose_name="organisation"
    )

    class Meta:
        verbose_name = "membre d'une organisation partenaire"
        verbose_name_plural = "membres des organisations partenaires"
        ordering = ["organisation", "utilisateur"]

    def __str__(self):
        return f"{self.utilisateur} ({self.organisation})"


def organisation_de(utilisateur):
    """The partner organisation of a user account, or None (staff, anonymous)."""
    if utilisateur is None or not utilisateur.is_authenticated:
        return None
    try:
        return utilisateur.membre.organisation
    except Membre.DoesNotExist:
        return None


class SectionTexteManager(models.Manager):
    def get_by_natural_key(self, contrat_slug, avenant_numero, numero):
        return self.get(
            avenant__contrat__slug=contrat_slug, avenant__numero=avenant_numero, numero=numero
        )


class SectionTexte(models.Model):
    """A part of an avenant's body (its preamble, articles and sub-articles),
    verbatim: the prose that the structured tables (enjeux, préconisations,
    instances, conseils citoyens...) do not hold, so that nothing of the text
    is lost. Tables printed inside a section are not repeated here."""

    avenant = models.ForeignKey(
        Avenant, on_delete=models.CASCADE, related_name="sections", verbose_name="avenant"
    )
    numero = models.CharField("numéro", max_length=20, help_text="« preambule », « 1 », « 3.1 »...")
    ordre = models.PositiveSmallIntegerField("ordre dans le texte")
    titre = models.CharField("titre (tel qu'écrit)", max_length=500)
    texte = TexteField("texte", blank=True)
    lignes_source = models.CharField("lignes dans le texte source", max_length=30, blank=True)

    objects = SectionTexteManager()

    class Meta:
        verbose_name = "section du texte de l'avenant"
        verbose_name_plural = "sections du texte de l'avenant"
        ordering = ["avenant", "ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["avenant", "numero"], name="%(app_label)s_%(class)s_unique_numero"
            ),
        ]

    def __str__(self):
        return self.titre

    def natural_key(self):
        return (*self.avenant.natural_key(), self.numero)

    natural_key.dependencies = ["contrat.avenant"]


class SignataireManager(models.Manager):
    def get_by_natural_key(self, contrat_slug, avenant_numero, ordre):
        return self.get(
            avenant__contrat__slug=contrat_slug, avenant__numero=avenant_numero, ordre=ordre
        )


class Signataire(models.Model):
    """A signatory of an avenant: an organisation and the person who signs for it."""

    avenant = models.ForeignKey(
        Avenant, on_delete=models.CASCADE, related_name="signataires", verbose_name="avenant"
    )
    ordre = models.PositiveSmallIntegerField("ordre dans le texte")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name="organisation",
    )
    designation = models.CharField("désignation telle qu'écrite", max_length=255)
    representant = models.CharField("représentant", max_length=255)
    qualite = models.CharField("qualité du représentant", max_length=255)
    texte = TexteField("mention complète")

    objects = SignataireManager()

    class Meta:
        verbose_name = "signataire"
        verbose_name_plural = "signataires"
        ordering = ["avenant", "ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["avenant", "ordre"], name="%(app_label)s_%(class)s_unique_ordre"
            ),
            models.UniqueConstraint(
                fields=["avenant", "organisation"],
                name="%(app_label)s_%(class)s_unique_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.ordre}. {self.designation} — {self.representant}"

    def natural_key(self):
        return (*self.avenant.natural_key(), self.ordre)

    natural_key.dependencies = ["contrat.avenant", "contrat.organisation"]


class NumeroManager(models.Manager):
    def get_by_natural_key(self, numero):
        return self.get(numero=numero)


class NumeroMixin:
    def natural_key(self):
        return (self.numero,)


class Pilier(NumeroMixin, models.Model):
    """One of the 3 piliers of the loi Lamy, numbered as the fiches number them."""

    numero = models.PositiveSmallIntegerField("numéro", unique=True)
    intitule = models.CharField("intitulé", max_length=255)
    intitule_fiches = models.CharField("intitulé dans les fiches", max_length=255, blank=True)

    objects = NumeroManager()

    class Meta:
        verbose_name = "pilier"
        verbose_name_plural = "piliers"
        ordering = ["numero"]

    def __str__(self):
        return f"Pilier {self.numero} : {self.intitule}"


class PrincipeIntegrateur(NumeroMixin, models.Model):
    """One of the 3 principes intégrateurs of the Métropole's policy."""

    numero = models.PositiveSmallIntegerField("numéro", unique=True)
    intitule = models.CharField("intitulé", max_length=255)

    objects = NumeroManager()

    class Meta:
        verbose_name = "principe intégrateur"
        verbose_name_plural = "principes intégrateurs"
        ordering = ["numero"]

    def __str__(self):
        return self.intitule


class Enjeu(NumeroMixin, models.Model):
    """A strategic enjeu (1-12). The preamble lays 11 in a pilier × principe
    grid; enjeu 12 (axes transversaux) appears only in Annexes 2 and 3."""

    numero = models.PositiveSmallIntegerField("numéro", unique=True)
    intitule = models.CharField("intitulé", max_length=500)
    pilier = models.ForeignKey(
        Pilier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enjeux",
        verbose_name="pilier",
    )
    principe = models.ForeignKey(
        PrincipeIntegrateur,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enjeux",
        verbose_name="principe intégrateur",
    )
    source = TexteField("source dans l'avenant", blank=True)

    objects = NumeroManager()

    class Meta:
        verbose_name = "enjeu"
        verbose_name_plural = "enjeux"
        ordering = ["numero"]

    def __str__(self):
        return f"Enjeu {self.numero} : {self.intitule}"


class Priorite(NumeroMixin, models.Model):
    """One of the 7 priorités stratégiques the signatories share."""

    numero = models.PositiveSmallIntegerField("numéro", unique=True)
    intitule = TexteField("intitulé")

    objects = NumeroManager()

    class Meta:
        verbose_name = "priorité stratégique"
        verbose_name_plural = "priorités stratégiques"
        ordering = ["numero"]

    def __str__(self):
        return f"Priorité {self.numero} : {self.intitule}"


class Objectif(NumeroMixin, models.Model):
    """One of the 5 objectifs opérationnels, numbered in Article 4.1's order."""

    numero = models.PositiveSmallIntegerField("numéro", unique=True)
    intitule = models.CharField("intitulé", max_length=500)
    enjeux = models.ManyToManyField(Enjeu, related_name="objectifs", verbose_name="enjeux")

    objects = NumeroManager()

    class Meta:
        verbose_name = "objectif opérationnel"
        verbose_name_plural = "objectifs opérationnels"
        ordering = ["numero"]

    def __str__(self):
        return f"Objectif {self.numero} : {self.intitule}"


class AxeTransversal(NumeroMixin, models.Model):
    """One of the 4 axes transversaux of the contract."""

    numero = models.PositiveSmallIntegerField("numéro", unique=True)
    intitule = models.CharField("intitulé", max_length=255)

    objects = NumeroManager()

    class Meta:
        verbose_name = "axe transversal"
        verbose_name_plural = "axes transversaux"
        ordering = ["numero"]

    def __str__(self):
        return self.intitule


class Quartier(NaturalKeyMixin, models.Model):
    """A quartier prioritaire de la politique de la ville (QPV), as the
    conseils citoyens table of Article 5.4 lists them."""

    NATURAL_KEY = "slug"

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    nom = models.CharField("nom", max_length=255, unique=True)
    ordre = models.PositiveSmallIntegerField("ordre dans le texte")
    population = models.PositiveIntegerField("population", null=True, blank=True)

    objects = NaturalKeyManager()

    class Meta:
        verbose_name = "quartier prioritaire"
        verbose_name_plural = "quartiers prioritaires"
        ordering = ["ordre"]

    def __str__(self):
        return self.nom


class ModificationQuerySet(models.QuerySet):
    def pour_objet(self, instance):
        return self.filter(table=instance._meta.db_table, objet_id=str(instance.pk))


class Modification(models.Model):
    """One change of one row, written by a PostgreSQL trigger (see
    ``contrat/historique.py``), so that nothing escapes it: admin edits, forms,
    the API, imports, and ``QuerySet.update()`` alike.

    ``avant`` and ``apres`` are the whole row before and after (JSON); the
    author is whoever the request or the service declared to the database.
    """

    class Operation(models.TextChoices):
        CREATION = "INSERT", "Création"
        MODIFICATION = "UPDATE", "Modification"
        SUPPRESSION = "DELETE", "Suppression"

    table = models.CharField("table", max_length=100)
    objet_id = models.CharField("identifiant de la ligne", max_length=100)
    operation = models.CharField("opération", max_length=10, choices=Operation.choices)
    avant = models.JSONField("avant", null=True, blank=True)
    apres = models.JSONField("après", null=True, blank=True)
    champs = models.JSONField("champs modifiés", default=list, blank=True)
    utilisateur = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name="auteur",
    )
    contexte = models.CharField("contexte", max_length=500, blank=True)
    date = models.DateTimeField("date")

    objects = ModificationQuerySet.as_manager()

    class Meta:
        verbose_name = "modification (historique)"
        verbose_name_plural = "historique des modifications"
        ordering = ["-date", "-id"]
        indexes = [
            # The history page of one fiche: WHERE table = ... AND objet_id = ... ORDER BY date.
            models.Index(fields=["table", "objet_id", "date"], name="contrat_modif_objet_idx"),
        ]

    def __str__(self):
        return f"{self.get_operation_display()} {self.table} #{self.objet_id} ({self.date:%d/%m/%Y %H:%M})"

    def differences(self):
        """(field, before, after) for each changed column."""
        avant, apres = self.avant or {}, self.apres or {}
        noms = self.champs or sorted(set(avant) | set(apres))
        return [(nom, avant.get(nom), apres.get(nom)) for nom in noms]

    def differences_lisibles(self):
        """(field, HTML) for each changed column: the changed words in context."""
        return [(nom, difference_html(avant, apres)) for nom, avant, apres in self.differences()]
