from django.apps import AppConfig


class FichesConfig(AppConfig):
    name = "fiches"
    verbose_name = "Fiches opérationnelles"

    def reprendre_avant_seed(self, *, report, reset):
        """Called by ``manage.py seed`` before it reads the fixtures: indicators
        of an earlier fixture that were split since (fiches/reprises.py)."""
        from fiches.reprises import reprendre

        reprendre(report=report, reset=reset)
