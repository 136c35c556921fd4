"""Project-wide pytest fixtures.

The test database (PostgreSQL, created by pytest-django) is seeded once per
session with the committed fixtures, exactly as ``manage.py seed`` does; each
test then runs in a transaction that is rolled back.
"""

import pytest

from contrat.seeding import seed


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed()


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="agent", password="mot-de-passe-solide-42", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    return client
