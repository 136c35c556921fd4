from django.apps import AppConfig


class ContratConfig(AppConfig):
    name = "contrat"
    verbose_name = "Cadre du contrat"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_save

        # Importing the module registers its deploy check.
        from contrat import comptes

        post_save.connect(
            comptes.mot_de_passe_change,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="contrat.comptes.mot_de_passe_change",
        )
