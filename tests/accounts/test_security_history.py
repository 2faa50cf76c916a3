"""Who gave whom which rights: users' groups, API tokens and webhook subscriptions keep
a history, as the records do, written by the admin with the administrator's name."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import APIToken
from accounts.roles import ADMINISTRATOR, ANALYST
from missions.models import Meeting
from tests import factories
from webhooks.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client, administrator_user):
    client.force_login(administrator_user)
    return client


def test_issuing_and_revoking_a_token_is_recorded(administrator, administrator_user):
    analyst = factories.UserFactory()
    administrator.post(
        reverse("admin:accounts_apitoken_add"),
        {"name": "Statistics tool", "user": analyst.pk, "can_write": "on"},
    )
    token = APIToken.objects.get()
    administrator.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    history = list(token.history.order_by("history_date"))
    assert [entry.history_type for entry in history] == ["+", "~"]
    assert [entry.history_user for entry in history] == [administrator_user] * 2
    assert history[0].can_write is True and history[0].revoked_at is None
    assert history[1].revoked_at is not None


def test_using_a_token_is_no_change_to_record():
    token = APIToken(name="tool", user=factories.UserFactory(is_superuser=True))
    key = token.issue_key()
    token.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/meetings/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.history.count() == 1  # its creation only


def test_a_users_groups_are_recorded_with_who_changed_them(administrator, administrator_user):
    user = factories.UserFactory(username="tanaka")
    page = administrator.get(reverse("admin:accounts_user_change", args=[user.pk]))
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data |= {
        "groups": [Group.objects.get(name=ADMINISTRATOR).pk],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.pop("date_joined", None)
    data.pop("password", None)

    response = administrator.post(reverse("admin:accounts_user_change", args=[user.pk]), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    latest = user.history.latest()
    assert latest.history_user == administrator_user
    assert [row.group.name for row in latest.groups.all()] == [ADMINISTRATOR]
    assert list(user.history.earliest().groups.all()) == []


def test_a_subscription_is_recorded_without_its_secret(administrator, administrator_user):
    meeting_type = ContentType.objects.get_for_model(Meeting)
    response = administrator.post(
        reverse("admin:webhooks_subscription_add"),
        {
            "name": "Statistics office",
            "url": "https://stats.example.go.jp/hooks/crm",
            "secret": "a-secret-the-receiver-knows",
            "owner": administrator_user.pk,  # required since classification (level 3)
            "record_types": [meeting_type.pk],
            "on_created": "on",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    subscription = Subscription.objects.get()
    entry = subscription.history.latest()  # the row, then its record types
    assert {row.history_user for row in subscription.history.all()} == {administrator_user}
    assert [row.contenttype for row in entry.record_types.all()] == [meeting_type]

    history_table = Subscription.history.model._meta.db_table
    columns = {
        c.name
        for c in connection.introspection.get_table_description(connection.cursor(), history_table)
    }
    assert "secret" not in columns
    assert "url" in columns


def test_the_history_pages_of_users_tokens_and_subscriptions_open(administrator):
    token = APIToken(name="tool", user=factories.UserFactory())
    token.issue_key()
    token.save()
    subscription = Subscription.objects.create(name="hook", url="https://example.go.jp/hook")
    user = factories.UserFactory()
    user.groups.add(Group.objects.get(name=ANALYST))
    for name, record in (
        ("accounts_apitoken", token),
        ("webhooks_subscription", subscription),
        ("accounts_user", user),
    ):
        page = administrator.get(reverse(f"admin:{name}_history", args=[record.pk]))
        assert page.status_code == 200
        assert page.context["page_obj"].object_list


def _columns(model):
    with connection.cursor() as cursor:
        table = model.history.model._meta.db_table
        return {
            column.name for column in connection.introspection.get_table_description(cursor, table)
        }


def test_no_password_hash_or_key_hash_is_copied_into_the_history():
    from accounts.models import User

    assert "password" not in _columns(User) and "username" in _columns(User)
    assert "key_hash" not in _columns(APIToken) and "revoked_at" in _columns(APIToken)


def test_a_revoked_token_cannot_be_brought_back(administrator):
    token = APIToken(name="tool", user=factories.UserFactory())
    token.issue_key()
    token.save()
    first_version = token.history.get()
    administrator.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    # Not by reverting to the version before the revocation...
    revert = reverse(
        "admin:accounts_apitoken_simple_history", args=[token.pk, first_version.history_id]
    )
    assert administrator.get(revert).context["revert_disabled"] is True
    assert administrator.post(revert, {"name": "tool"}).status_code == 403
    # ...nor by editing the date away.
    page = administrator.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert "revoked_at" not in page.context["adminform"].form.fields

    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("admin_name", ["accounts_user", "webhooks_subscription"])
def test_users_and_subscriptions_are_not_reverted_either(administrator, admin_name):
    record = (
        factories.UserFactory()
        if admin_name == "accounts_user"
        else Subscription.objects.create(name="hook", url="https://example.go.jp/hook")
    )
    version = record.history.latest()
    url = reverse(f"admin:{admin_name}_simple_history", args=[record.pk, version.history_id])
    assert administrator.get(url).context["revert_disabled"] is True
    assert administrator.post(url, {}).status_code == 403


def test_logging_in_is_no_version_of_the_user(client):
    user = factories.UserFactory(username="tanaka", is_staff=True)
    user.set_password("a-long-passphrase-for-tests")
    user.save()
    versions = user.history.count()
    response = client.post(
        reverse("admin:login"),
        {"username": "tanaka", "password": "a-long-passphrase-for-tests"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == versions
