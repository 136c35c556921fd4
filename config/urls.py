from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from contrat import views
from tableaux.urls import rapport_urls, tableaux_urls

admin.site.site_header = "Contrat de ville de Montpellier Méditerranée Métropole"
admin.site.site_title = "Contrat de ville — administration"
admin.site.index_title = "Administration du contrat de ville"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path(
        "connexion/",
        auth_views.LoginView.as_view(template_name="registration/connexion.html"),
        name="connexion",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    # Invitations, password reset by e-mail, choosing a password.
    path("comptes/", include("contrat.urls_comptes")),
    path("notifications/", include("notifications.urls")),
    path("saisie/", include("engagements.urls")),
    path("api/", include(("config.api", "api"))),
    path("tableaux/", include(tableaux_urls)),
    path("rapport/", include(rapport_urls)),
    # Meeting documents, served as downloads (never from /media/).
    path("documents/", include("gouvernance.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "contrat.views.introuvable"
