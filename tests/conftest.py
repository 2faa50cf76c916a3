from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from accounts.roles import ADMINISTRATOR, ANALYST, DATA_ENTRY
from tests.api import client_for


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "api_language(code): the Accept-Language of the `api` and `analyst_api` clients "
        "(None: no header, so the site's default, Japanese); English when not marked",
    )


@pytest.fixture(autouse=True)
def _rows_from_migrations(request):
    """A transactional test (live server, real worker, backup) empties every table when
    it ends, the rows that data migrations made included, and content types come back
    under new ids; put it all back first, so that such a test finds the roles, sectors
    and content types whatever ran before it."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from accounts.roles import sync_groups
    from core.models import Sector
    from core.sectors import SectorCode

    # The flush also made the content types anew, under new ids.
    ContentType.objects.clear_cache()
    sync_groups(apps)
    Sector.objects.bulk_create(
        [Sector(code=code) for code in SectorCode.values], ignore_conflicts=True
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests make many users; a deliberately slow hash would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to a folder of its own, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the project's language: a test that activates another one
    (a request's middleware does, and leaves it active) must not change the next's."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """The API's throttles count requests in the cache: every test starts from zero."""
    cache.clear()


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


def _api_language(request):
    marker = request.node.get_closest_marker("api_language")
    return "en" if marker is None else marker.args[0]


@pytest.fixture
def api(request, data_entry_user):
    """An API client signed in as the Data entry user, in English (see api_language)."""
    return client_for(data_entry_user, _api_language(request))


@pytest.fixture
def analyst_api(request, analyst_user):
    """An API client signed in as the Analyst, in English (see api_language)."""
    return client_for(analyst_user, _api_language(request))


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """`load_demo`, once for a test module (it takes seconds): the tests run inside
    this transaction and the whole load is rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)
