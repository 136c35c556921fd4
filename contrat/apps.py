from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _installer_triggers(sender, using, verbosity=1, **kwargs):
    # Why a post_migrate handler: see the "triggers" section of contrat/historique.py.
    from contrat.historique import installer_triggers

    crees = installer_triggers(using)
    if crees and verbosity >= 1:
        print(f"  Triggers created: {', '.join(f'{t} ({g})' for t, g in crees)}")


class ContratConfig(AppConfig):
    name = "contrat"
    verbose_name = "Cadre du contrat"

    def ready(self):
        # sender=self: once per migrate, after every app's migrations ran.
        post_migrate.connect(_installer_triggers, sender=self, dispatch_uid="contrat_triggers")
        from django.conf import settings
        from django.db.models.signals import post_save

        # Importing the module registers its deploy check.
        from contrat import comptes

        post_save.connect(
            comptes.mot_de_passe_change,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="contrat.comptes.mot_de_passe_change",
        )
