from django.urls import path, register_converter

from engagements import views


class CodeIndicateur:
    """Indicator codes carry dots ("2019-1.1-3")."""

    regex = r"[-\w.]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CodeIndicateur, "code")

app_name = "saisie"

urlpatterns = [
    path("", views.mes_indicateurs, name="mes_indicateurs"),
    path("<int:annee>/<code:code>/", views.grille, name="grille"),
    path("<int:annee>/<code:code>/export.<str:format>", views.exporter, name="exporter"),
    path("<int:annee>/<code:code>/import/", views.importer, name="importer"),
    path("validation/", views.file_validation, name="validation"),
    path("validation/<int:annee>/<code:code>/", views.valider_grille, name="valider_grille"),
    path("campagnes/", views.campagnes, name="campagnes"),
    path("campagnes/<int:annee>/<str:action>/", views.campagne_action, name="campagne_action"),
]
