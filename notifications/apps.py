from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from engagements import signaux
        from notifications import services

        signaux.valeurs_rejetees.connect(
            services.sur_valeurs_rejetees, dispatch_uid="notifications.rejet"
        )
        signaux.campagne_ouverte.connect(
            services.sur_campagne_ouverte, dispatch_uid="notifications.ouverture"
        )
