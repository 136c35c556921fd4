from django.apps import AppConfig


class TableauxConfig(AppConfig):
    """The read side of the plan: public dashboards, the annual report and the
    aggregate API. It reads every other app and writes nothing."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tableaux"
    verbose_name = "Tableaux de bord et rapport"
