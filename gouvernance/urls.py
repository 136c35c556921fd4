from django.urls import path

from gouvernance import views

app_name = "gouvernance"

urlpatterns = [
    path("<path:nom>", views.document, name="document"),
]
