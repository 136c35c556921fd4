"""The read side keeps two things of its own: the annual report's PDF, printed
once per year and data generation and shared by every worker and server
(tableaux/rapport.py), and the staff's comments that the report prints."""

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models

from contrat.annees import ANNEE_MAX, ANNEE_MIN, condition_annee
from contrat.textes import TexteField

# The most characters of one field of a report comment (a few pages of text).
TEXTE_MAX = 20_000


class RapportPdf(models.Model):
    """The annual report of ``annee`` printed as PDF from the data of
    ``generation`` (the counter of contrat.historique). A row is a cache entry:
    it is never edited; it is replaced when the data move on (the rows of older
    generations of the year are deleted when a new one is stored), and staff
    may delete it to have the PDF printed again on the next request.

    Its table carries neither the history nor the generation trigger
    (contrat.historique.SANS_TRIGGERS): storing a PDF must not make it stale."""

    annee = models.PositiveSmallIntegerField("année")
    generation = models.BigIntegerField("génération des données")
    contenu = models.BinaryField("contenu PDF")
    taille = models.PositiveIntegerField("taille (octets)")
    duree_rendu = models.FloatField("durée du rendu (s)")
    cree_le = models.DateTimeField("produit le", auto_now_add=True)

    class Meta:
        verbose_name = "rapport annuel en PDF"
        verbose_name_plural = "rapports annuels en PDF"
        ordering = ["-annee", "-generation"]
        constraints = [
            # Also the index of the one query that reads it: the PDF of a year
            # for the current generation (tableaux.rapport._pdf_stocke).
            models.UniqueConstraint(
                fields=["annee", "generation"],
                name="%(app_label)s_%(class)s_unique_annee_generation",
            )
        ]

    def __str__(self):
        return f"Rapport annuel {self.annee} (génération {self.generation})"


class CommentaireObjectif(models.Model):
    """What the policy unit writes in the annual report of ``annee`` about an
    operational objective: the assessment of the actions carried out, the
    outlook, and the conseils citoyens' opinion (décret n° 2015-1118: the
    report carries them). Written by staff in the admin; an empty field is
    left out of the public report (staff see "commentaire à rédiger")."""

    annee = models.PositiveSmallIntegerField(
        "année du rapport",
        # The constraint below holds in the database; these say it in French in the admin.
        validators=[MinValueValidator(ANNEE_MIN), MaxValueValidator(ANNEE_MAX)],
    )
    objectif = models.ForeignKey(
        "contrat.Objectif",
        on_delete=models.PROTECT,
        related_name="commentaires_rapport",
        verbose_name="objectif opérationnel",
    )
    commentaire = TexteField(
        "bilan des actions menées",
        blank=True,
        max_length=TEXTE_MAX,
        validators=[MaxLengthValidator(TEXTE_MAX)],
        help_text="Le commentaire de l'équipe politique de la ville sur l'année.",
    )
    perspectives = TexteField(
        "perspectives",
        blank=True,
        max_length=TEXTE_MAX,
        validators=[MaxLengthValidator(TEXTE_MAX)],
    )
    avis_conseils_citoyens = TexteField(
        "avis des conseils citoyens",
        blank=True,
        max_length=TEXTE_MAX,
        validators=[MaxLengthValidator(TEXTE_MAX)],
        help_text="L'avis tel que les conseils citoyens l'ont rendu ; vide s'il n'y en a pas.",
    )
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "commentaire du rapport annuel"
        verbose_name_plural = "commentaires du rapport annuel"
        ordering = ["-annee", "objectif__numero"]
        constraints = [
            # Also the index of the report's read: the year's comments.
            models.UniqueConstraint(
                fields=["annee", "objectif"], name="%(app_label)s_%(class)s_unique_annee_objectif"
            ),
            models.CheckConstraint(
                condition=condition_annee(), name="%(app_label)s_%(class)s_annee_du_contrat"
            ),
        ]

    def __str__(self):
        return f"Rapport {self.annee} — objectif {self.objectif.numero}"
