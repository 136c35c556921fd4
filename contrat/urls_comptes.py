from django.urls import path

from contrat import views_comptes

app_name = "comptes"

urlpatterns = [
    path("invitations/", views_comptes.invitations, name="invitations"),
    path("invitations/<int:pk>/renvoyer/", views_comptes.renvoyer, name="renvoyer"),
    path("activer/<uidb64>/<token>/", views_comptes.Activer.as_view(), name="activer"),
    path("mot-de-passe/", views_comptes.mot_de_passe_oubli, name="mot_de_passe_oubli"),
    path("mot-de-passe/envoye/", views_comptes.mot_de_passe_envoye, name="mot_de_passe_envoye"),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        views_comptes.mot_de_passe_nouveau,
        name="mot_de_passe_nouveau",
    ),
    path("mot-de-passe/change/", views_comptes.mot_de_passe_change, name="mot_de_passe_change"),
]
