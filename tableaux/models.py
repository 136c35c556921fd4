"""The read side keeps one thing of its own: the annual report's PDF, printed
once per year and data generation and shared by every worker and server
(tableaux/rapport.py)."""

from django.db import models


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
