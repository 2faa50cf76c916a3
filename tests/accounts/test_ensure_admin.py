"""`manage.py ensure_admin` (run by `make run`): the first run creates the administrator
with a generated password shown once; later runs leave the account alone."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.test import RequestFactory

from accounts.roles import ADMINISTRATOR

pytestmark = pytest.mark.django_db


def ensure_admin(*args):
    out = StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


def printed_password(output):
    [password] = re.findall(r"with password: (\S+)", output)
    return password


def log_in(username, password):
    # Through the project's backends, django-axes included, which wants the request.
    return authenticate(
        RequestFactory().post("/admin/login/"), username=username, password=password
    )


def test_the_first_run_creates_a_superuser_with_a_password_shown_once(django_user_model):
    output = ensure_admin()

    password = printed_password(output)
    admin = django_user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert list(admin.groups.values_list("name", flat=True)) == [ADMINISTRATOR]
    assert output.count(password) == 1
    assert log_in("admin", password) == admin
    # Long and random enough to pass the project's own password rules.
    assert len(password) >= 16
    validate_password(password, admin)


def test_every_installation_gets_its_own_password(django_user_model):
    first = printed_password(ensure_admin())
    django_user_model.objects.all().delete()  # another fresh installation

    second = printed_password(ensure_admin())

    assert first != second
    assert log_in("admin", first) is None
    assert log_in("admin", second) is not None


def test_a_second_run_prints_no_password_and_keeps_the_account(django_user_model):
    password = printed_password(ensure_admin())
    stored = django_user_model.objects.get(username="admin").password

    output = ensure_admin()

    assert "already exists" in output
    assert "with password" not in output
    assert password not in output
    assert django_user_model.objects.get(username="admin").password == stored
    assert django_user_model.objects.count() == 1


def test_another_username(django_user_model):
    password = printed_password(ensure_admin("--username", "kanri"))

    assert log_in("kanri", password).is_superuser
    assert not django_user_model.objects.filter(username="admin").exists()
