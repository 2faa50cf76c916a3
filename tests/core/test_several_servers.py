"""Two app servers (gunicorn, production settings) on one PostgreSQL and one Redis
behave as one: with CACHE_URL set, an API token's throttle is counted once across
both, and a session opened through one is valid on the other.

Needs PostgreSQL (the server processes open the test database) and the Redis server
this machine runs (database 14, emptied before and after).
"""

import os

import pytest
import redis
import requests

from accounts.models import APIToken
from tests.servers import ON_POSTGRESQL, Gunicorn

REDIS_URL = os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/14")

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL, reason="needs PostgreSQL so that gunicorn sees the test database"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def shared_cache():
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    yield REDIS_URL
    store.flushdb()


@pytest.fixture
def two_servers(shared_cache, tmp_path):
    environment = {"CACHE_URL": shared_cache, "API_THROTTLE_TOKEN": "6/hour"}
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    with (
        Gunicorn("--workers", "1", environment=environment, home=first) as one,
        Gunicorn("--workers", "1", environment=environment, home=second) as other,
    ):
        yield one, other


def test_a_tokens_throttle_is_counted_once_across_servers(two_servers, analyst_user):
    one, other = two_servers
    holder = APIToken(name="two servers", user=analyst_user)
    key = holder.issue_key()
    holder.save()
    headers = {"Authorization": f"Token {key}"}

    statuses = [
        requests.get(f"{server.url}/api/v1/missions/", headers=headers, timeout=30).status_code
        for server in (one, other, one, other, one, other)
    ]
    assert statuses == [200] * 6
    # Six requests in all: the seventh is over the budget on either server, where a
    # cache per process would have let each server allow six.
    for server in (one, other):
        refused = requests.get(f"{server.url}/api/v1/missions/", headers=headers, timeout=30)
        assert refused.status_code == 429, server.url


def test_a_session_opened_on_one_server_is_valid_on_the_other(two_servers, analyst_user, settings):
    one, other = two_servers
    # The servers know the production hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    analyst_user.set_password("two-servers-password")
    analyst_user.save()
    browser = requests.Session()
    login_page = browser.get(f"{one.url}/accounts/login/", timeout=30)
    assert login_page.status_code == 200
    signed_in = browser.post(
        f"{one.url}/accounts/login/",
        data={
            "username": analyst_user.username,
            "password": "two-servers-password",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": f"{one.url}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]

    # The cookies go to the other server (same host, another port: cookies ignore ports).
    answer = browser.get(f"{other.url}/api/v1/missions/", timeout=30)
    assert answer.status_code == 200
