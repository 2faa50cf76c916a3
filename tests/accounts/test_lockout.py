"""Repeated failed logins lock the account and the address for a while, on the admin's
and the analysts' login pages; weak passwords are refused; sessions end after a period
without requests."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.lockout import client_ip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """A request activates its language for the rest of the thread; put it back."""
    with translation.override(translation.get_language()):
        yield


PASSWORD = "correct horse battery staple"
LOGIN = reverse("admin:login")


@pytest.fixture
def staff(django_user_model):
    def make(username):
        return django_user_model.objects.create_user(
            username=username, password=PASSWORD, is_staff=True
        )

    return make


def log_in(client, username, password=PASSWORD, address="192.0.2.1", url=LOGIN):
    return client.post(
        url,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def fail(client, username, times, address="192.0.2.1"):
    for _attempt in range(times):
        response = log_in(client, username, password="wrong", address=address)
        assert response.status_code in (200, 429)


def is_logged_in(client):
    return "_auth_user_id" in client.session


def test_a_correct_password_logs_in(client, staff):
    staff("sato")
    assert log_in(client, "sato").status_code == 302
    assert is_logged_in(client)


def test_the_account_is_locked_after_the_failure_limit_from_any_address(client, staff, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    staff("sato")
    fail(client, "sato", 4, address="192.0.2.1")
    # Four failures: the fifth try with the right password still works.
    assert log_in(client, "sato", address="192.0.2.1").status_code == 302
    client.logout()

    fail(client, "sato", 1, address="198.51.100.7")
    # Five failures for the account, from two addresses: locked, even from a third one.
    response = log_in(client, "sato", address="203.0.113.9")
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_address_is_locked_after_failures_on_several_accounts(client, staff):
    staff("tanaka")
    for name in ("a", "b", "c", "d", "e"):
        fail(client, name, 1, address="192.0.2.66")

    response = log_in(client, "tanaka", address="192.0.2.66")
    assert response.status_code == 429
    assert not is_logged_in(client)
    # The account itself is not locked: from elsewhere it logs in.
    assert log_in(client, "tanaka", address="192.0.2.1").status_code == 302


def test_the_lockout_page_says_why_in_japanese_and_for_how_long(client, staff):
    staff("sato")
    fail(client, "sato", 5)
    page = log_in(client, "sato").content.decode()
    assert "ログインの失敗が多すぎる" in page
    assert "60" in page


def test_the_lockout_page_in_english(client, staff):
    staff("sato")
    fail(client, "sato", 5)
    response = client.post(
        LOGIN,
        {"username": "sato", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.1",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 429
    assert "Try again in 60 minutes" in response.content.decode()


def test_the_lock_ends_after_the_cool_off(client, staff, settings):
    staff("sato")
    fail(client, "sato", 5)
    assert log_in(client, "sato").status_code == 429

    an_hour_ago = datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=an_hour_ago - datetime.timedelta(seconds=1))
    assert log_in(client, "sato").status_code == 302
    assert is_logged_in(client)


def test_the_api_login_page_is_protected_too(client, staff):
    staff("sato")
    fail(client, "sato", 5)
    response = log_in(client, "sato", url=reverse("rest_framework:login"))
    assert response.status_code == 429
    assert not is_logged_in(client)


ANALYSTS_LOGIN = reverse("login")


def test_the_analysts_login_page_locks_after_the_failure_limit(client, staff):
    staff("sato")
    for _attempt in range(4):
        response = log_in(client, "sato", password="wrong", url=ANALYSTS_LOGIN)
        assert response.status_code == 200  # the form again, with its error
    # The fifth failure reaches the limit.
    assert log_in(client, "sato", password="wrong", url=ANALYSTS_LOGIN).status_code == 429

    response = log_in(client, "sato", url=ANALYSTS_LOGIN)
    assert response.status_code == 429
    assert "ログインの失敗が多すぎる" in response.content.decode()
    assert not is_logged_in(client)
    # The lock is the account's, whichever page the next try comes from.
    assert log_in(client, "sato", address="198.51.100.7").status_code == 429


def test_failures_on_both_login_pages_count_together(client, staff):
    staff("sato")
    fail(client, "sato", 3)
    for _attempt in range(2):
        log_in(client, "sato", password="wrong", url=ANALYSTS_LOGIN)

    assert log_in(client, "sato", url=ANALYSTS_LOGIN).status_code == 429
    assert not is_logged_in(client)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Xy3#kq", "too short"),  # fewer than 8 characters
        ("password123", "too common"),
        ("8204917365512", "entirely numeric"),
        ("sato.hanako", "too similar"),  # to the username
    ],
)
def test_weak_passwords_are_refused(django_user_model, password, rule):
    user = django_user_model(username="sato.hanako", email="sato@example.go.jp")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert rule in " ".join(refused.value.messages)


def test_the_admin_password_change_refuses_a_weak_password(client, staff):
    user = staff("sato")
    client.force_login(user)
    new = "12345678"

    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not user.check_password(new)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.1"),  # no proxy: the header is the client's to forge
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # a prepended entry is ignored
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (2, "", "10.0.0.1"),  # misconfigured: fall back to the connection
    ],
)
def test_the_client_address_behind_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_sessions_expire_after_inactivity_not_at_a_fixed_time(client, staff, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    staff("sato")
    log_in(client, "sato")
    # Every request renews the session for another SESSION_COOKIE_AGE.
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 8 * 60 * 60
