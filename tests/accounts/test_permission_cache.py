"""A user's permissions kept in the cache between requests (accounts.permissions): read
from the database once, and every change of who holds which seen by the next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts import permissions
from accounts.models import APIToken
from accounts.roles import ANALYST

pytestmark = pytest.mark.django_db

URL = "/api/v1/meetings/"


def _token_client(user):
    # A token, not force_authenticate: each request then reads its user anew, as a
    # served one does (a user object kept between requests keeps Django's own cache).
    token = APIToken(name="tool", user=user)
    key = token.issue_key()
    token.save()
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def _get(client):
    """(status, how many queries read permissions)"""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(URL).status_code
    return status, sum(1 for query in queries.captured_queries if "auth_permission" in query["sql"])


def _view_meeting():
    return Permission.objects.get(content_type__app_label="missions", codename="view_meeting")


@pytest.fixture(autouse=True)
def _kept(settings):
    # The tests' cache is the process's own; the tests run in one process.
    settings.PERMISSIONS_CACHE = True


@pytest.fixture
def reader(django_user_model):
    user = django_user_model.objects.create_user(username="reader", password="x")
    user.groups.add(Group.objects.get(name=ANALYST))
    return user


def test_the_permissions_are_read_once_then_kept(reader):
    client = _token_client(reader)
    assert _get(client) == (200, 2)
    assert _get(client) == (200, 0)
    assert _get(client) == (200, 0)


def test_leaving_and_joining_a_group_is_seen_by_the_next_request(reader):
    client = _token_client(reader)
    analysts = Group.objects.get(name=ANALYST)
    assert _get(client)[0] == 200
    reader.groups.remove(analysts)
    assert _get(client)[0] == 403
    reader.groups.add(analysts)
    assert _get(client)[0] == 200
    reader.groups.clear()
    assert _get(client)[0] == 403


def test_a_group_losing_or_gaining_a_permission_is_seen_by_the_next_request(reader):
    client = _token_client(reader)
    analysts = Group.objects.get(name=ANALYST)
    assert _get(client)[0] == 200
    analysts.permissions.remove(_view_meeting())
    assert _get(client)[0] == 403
    _view_meeting().group_set.add(analysts)
    assert _get(client)[0] == 200


def test_a_permission_of_ones_own_is_seen_by_the_next_request(django_user_model):
    user = django_user_model.objects.create_user(username="nobody", password="x")
    client = _token_client(user)
    assert _get(client)[0] == 403
    user.user_permissions.add(_view_meeting())
    assert _get(client)[0] == 200
    user.user_permissions.remove(_view_meeting())
    assert _get(client)[0] == 403


def test_deleting_the_group_or_the_permission_is_seen_by_the_next_request(reader):
    client = _token_client(reader)
    assert _get(client)[0] == 200
    Group.objects.filter(name=ANALYST).delete()
    assert _get(client)[0] == 403

    other = Group.objects.create(name="readers")
    other.permissions.add(_view_meeting())
    reader.groups.add(other)
    assert _get(client)[0] == 200
    Permission.objects.filter(pk=_view_meeting().pk).delete()
    assert _get(client)[0] == 403


def test_forget_all_moves_every_user_on(reader):
    # What a change past the ORM calls for (a row of a link table deleted directly).
    client = _token_client(reader)
    assert _get(client)[0] == 200
    type(reader).groups.through.objects.filter(user=reader).delete()
    permissions.forget_all()
    assert _get(client)[0] == 403


def test_a_change_in_a_transaction_moves_the_generation_again_when_it_commits(
    reader, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    _get(_token_client(reader))
    before = cache.get(permissions.GENERATION)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reader.groups.clear()
        during = cache.get(permissions.GENERATION)
    assert during != before
    assert len(callbacks) >= 1
    assert cache.get(permissions.GENERATION) != during


def test_an_evicted_generation_starts_a_new_one(reader):
    from django.core.cache import cache

    client = _token_client(reader)
    assert _get(client) == (200, 2)
    cache.delete(permissions.GENERATION)
    # Whatever was kept under the lost generation is read again, never trusted.
    assert _get(client) == (200, 2)
    assert _get(client) == (200, 0)


def test_not_kept_with_a_cache_of_each_process(reader, settings):
    """Without a shared cache a change made through one worker would not reach the
    others: each request reads the permissions, as Django does."""
    settings.PERMISSIONS_CACHE = None
    client = _token_client(reader)
    assert _get(client) == (200, 2)
    assert _get(client) == (200, 2)
    assert not permissions.enabled()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    assert permissions.enabled()
