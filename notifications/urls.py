from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<int:pk>/lue/", views.lire, name="lire"),
    path("tout-lu/", views.tout_lire, name="tout_lire"),
    path("preferences/", views.preferences, name="preferences"),
]
