"""Every admin page answers staff in French and sends anonymous users to the login."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOCAL_APPS = {"contrat", "fiches", "engagements", "gouvernance"}
MODEL_ADMINS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in LOCAL_APPS
)


def test_every_local_model_is_in_the_admin():
    for label in LOCAL_APPS:
        for model in apps.get_app_config(label).get_models():
            assert model in admin.site._registry, f"{model._meta.label} has no admin"


@pytest.mark.parametrize(("app_label", "model_name"), MODEL_ADMINS)
def test_changelist_and_change_page_answer_staff(staff_client, app_label, model_name):
    model = apps.get_model(app_label, model_name)
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    response = staff_client.get(changelist)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr-fr" or 'lang="fr' in response.text
    # Search box and filters must not crash.
    assert staff_client.get(changelist, {"q": "Montpellier"}).status_code == 200
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        pytest.skip(f"no seeded {model._meta.label} to open")
    change = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])
    assert staff_client.get(change).status_code == 200
    add = staff_client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    model_admin = admin.site._registry[model]
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)


@pytest.mark.parametrize(("app_label", "model_name"), MODEL_ADMINS)
def test_anonymous_user_is_sent_to_the_login(client, app_label, model_name):
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    response = client.get(changelist)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_speaks_french(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert "Administration du contrat de ville" in response.text
    assert "Quartiers prioritaires" in response.text
    assert "Déconnexion" in response.text


def test_organisation_changelist_needs_constant_queries(
    staff_client, django_assert_max_num_queries
):
    # session, user, count, page of organisations with annotated alias and signature counts,
    # filter choices (rattachement): nothing per row.
    with django_assert_max_num_queries(8):
        staff_client.get(reverse("admin:contrat_organisation_changelist"))
