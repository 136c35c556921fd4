from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from contrat import views

admin.site.site_header = "Contrat de ville de Montpellier Méditerranée Métropole"
admin.site.site_title = "Contrat de ville — administration"
admin.site.index_title = "Administration du contrat de ville"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(template_name="registration/connexion.html"),
        name="connexion",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    path("saisie/", include("engagements.urls")),
    path("api/", include(("contrat.api.urls", "api"))),
    path("admin/", admin.site.urls),
]
