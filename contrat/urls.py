from django.contrib import admin
from django.urls import path

from contrat import views

admin.site.site_header = "Contrat de ville de Montpellier Méditerranée Métropole"
admin.site.site_title = "Contrat de ville — administration"
admin.site.index_title = "Administration du contrat de ville"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("admin/", admin.site.urls),
]
