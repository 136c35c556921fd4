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


@pytest.fixture
def equipe(django_user_model):
    """A staff member of the policy unit."""
    return django_user_model.objects.create_user(
        username="equipe", password="mot-de-passe-solide-42", is_staff=True
    )


@pytest.fixture
def partenaire(django_user_model):
    """Factory: a partner user of the organisation with this slug."""
    from contrat.models import Membre, Organisation

    def creer(slug, username=None):
        user = django_user_model.objects.create_user(
            username=username or f"partenaire-{slug}", password="mot-de-passe-solide-42"
        )
        Membre.objects.create(utilisateur=user, organisation=Organisation.objects.get(slug=slug))
        return user

    return creer


@pytest.fixture
def campagne(equipe):
    """The 2021 data-entry campaign, open."""
    import datetime

    from engagements.services import campagne_ouvrir

    return campagne_ouvrir(utilisateur=equipe, annee=2021, date_limite=datetime.date(2022, 3, 31))


@pytest.fixture(autouse=True)
def _hachage_rapide(settings):
    # Tests log in hundreds of times: a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sans_cache_api(settings):
    # Each test rolls its transaction back, which rewinds the data generation:
    # a response cached by one test could match another's. The cache has its
    # own test (tests/test_api_cache.py).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
