import pytest
from django.contrib.auth.models import Group

from accounts.roles import ADMINISTRATOR, ANALYST, DATA_ENTRY


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests make many users; a deliberately slow hash would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to a folder of its own, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _member_of(django_user_model, group_name):
    user = django_user_model.objects.create_user(
        username=f"{group_name.lower().replace(' ', '-')}-user",
        password="unused-in-tests",
        is_staff=True,
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def data_entry_user(db, django_user_model):
    return _member_of(django_user_model, DATA_ENTRY)


@pytest.fixture
def analyst_user(db, django_user_model):
    return _member_of(django_user_model, ANALYST)


@pytest.fixture
def administrator_user(db, django_user_model):
    return _member_of(django_user_model, ADMINISTRATOR)


@pytest.fixture
def data_entry_client(client, data_entry_user):
    client.force_login(data_entry_user)
    return client


@pytest.fixture
def analyst_client(client, analyst_user):
    client.force_login(analyst_user)
    return client
