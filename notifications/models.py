from django.conf import settings
from django.db import models


class NotificationQuerySet(models.QuerySet):
    def non_lues(self):
        return self.filter(lue_le__isnull=True)

    def a_envoyer(self):
        """E-mails due and not sent yet (a mail server that was down)."""
        return self.filter(par_courriel=True, envoyee_le__isnull=True)


class Notification(models.Model):
    """One message to one user: kept for the in-app list, e-mailed unless the
    user opted out. The unique constraint makes each message once, whoever
    runs the command and however often."""

    class Type(models.TextChoices):
        OUVERTURE = "ouverture", "Ouverture de campagne"
        RAPPEL_15 = "rappel_15", "Rappel : échéance dans 15 jours"
        RAPPEL_3 = "rappel_3", "Rappel : échéance dans 3 jours"
        RETARD = "retard", "Saisie en retard"
        REJET = "rejet", "Valeur rejetée"
        SYNTHESE = "synthese", "Synthèse quotidienne des soumissions"

    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="destinataire",
    )
    type = models.CharField("type", max_length=20, choices=Type.choices)
    cle = models.CharField(
        "objet",
        max_length=200,
        help_text="Ce dont parle le message (campagne et échéance, grille et rejet, jour).",
    )
    date = models.DateField("date", help_text="Le jour pour lequel le message a été produit.")
    titre = models.CharField("titre", max_length=300)
    texte = models.TextField("texte")
    lien = models.CharField("lien", max_length=500, blank=True)
    par_courriel = models.BooleanField(
        "à envoyer par courriel", default=True, help_text="Faux si le destinataire s'y est opposé."
    )
    creee_le = models.DateTimeField("créée le", auto_now_add=True)
    envoyee_le = models.DateTimeField("envoyée le", null=True, blank=True)
    lue_le = models.DateTimeField("lue le", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ["-creee_le", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["destinataire", "type", "cle"],
                name="%(app_label)s_%(class)s_unique_message",
            ),
        ]
        indexes = [
            # The header's unread count and the user's list.
            models.Index(fields=["destinataire", "lue_le"], name="notifications_dest_lue_idx"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} — {self.destinataire} ({self.date})"


class Preferences(models.Model):
    """What a user accepts to receive by e-mail (everything by default).
    The in-app list keeps every message either way."""

    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferences_notifications",
        verbose_name="utilisateur",
    )
    campagnes = models.BooleanField(
        "ouvertures, rappels d'échéance et retards de campagne", default=True
    )
    rejets = models.BooleanField("valeurs rejetées", default=True)
    synthese = models.BooleanField("synthèse quotidienne des soumissions (équipe)", default=True)

    class Meta:
        verbose_name = "préférences de notification"
        verbose_name_plural = "préférences de notification"
        ordering = ["utilisateur"]

    def __str__(self):
        return f"Préférences de {self.utilisateur}"

    CHAMP_PAR_TYPE = {
        Notification.Type.OUVERTURE: "campagnes",
        Notification.Type.RAPPEL_15: "campagnes",
        Notification.Type.RAPPEL_3: "campagnes",
        Notification.Type.RETARD: "campagnes",
        Notification.Type.REJET: "rejets",
        Notification.Type.SYNTHESE: "synthese",
    }

    def accepte(self, type_):
        return getattr(self, self.CHAMP_PAR_TYPE[type_])
