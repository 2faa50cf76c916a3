"""The bureau's roles, as the migrations leave them on a fresh database."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation

from accounts.admin import GroupFilter
from accounts.roles import ADMINISTRATOR, ANALYST, DATA_ENTRY, GROUP_LABELS, TAG_PERMISSIONS
from agreements.models import Agreement, AgreementDocument
from tests.factories import AgreementDocumentFactory, UserFactory
from tests.rules import record_models

pytestmark = pytest.mark.django_db

RECORD_APPS = ("contacts", "projects", "missions", "agreements", "followups", "notes")
ACTIONS = ("add", "change", "delete", "view")


def perms_of(group_name):
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("content_type__app_label", "codename").order_by())


def actions_on(perms, model):
    """The actions among `perms` that apply to `model`."""
    return {
        action
        for action in ACTIONS
        if (model._meta.app_label, f"{action}_{model._meta.model_name}") in perms
    }


def test_the_three_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Data entry",
        "Analyst",
        "Administrator",
    }
    assert (DATA_ENTRY, ANALYST, ADMINISTRATOR) == ("Data entry", "Analyst", "Administrator")


@pytest.mark.parametrize("model", record_models(), ids=lambda model: model._meta.label)
def test_analyst_views_every_record_and_changes_none(model):
    assert actions_on(perms_of(ANALYST), model) == {"view"}


def test_analyst_holds_nothing_but_view_permissions_on_record_apps():
    perms = perms_of(ANALYST)
    assert perms
    for app_label, codename in perms:
        if app_label == "core":  # tags: core.Tag
            assert (app_label, codename) in TAG_PERMISSIONS[ANALYST], codename
            continue
        assert app_label in RECORD_APPS, codename
        assert codename.startswith("view_"), codename
        assert "historical" not in codename, codename


@pytest.mark.parametrize("model", record_models(), ids=lambda model: model._meta.label)
def test_data_entry_keeps_every_record_and_deletes_all_but_agreements(model):
    expected = {"add", "change", "view"}
    if model._meta.label != "agreements.Agreement":
        expected.add("delete")
    assert actions_on(perms_of(DATA_ENTRY), model) == expected


def test_data_entry_holds_nothing_outside_the_record_apps():
    perms = perms_of(DATA_ENTRY)
    for app_label, codename in perms:
        if app_label == "core":  # tags: added, never renamed, merged or deleted
            assert (app_label, codename) in TAG_PERMISSIONS[DATA_ENTRY], codename
            continue
        assert app_label in RECORD_APPS, codename
        assert "historical" not in codename, codename
        assert (app_label, codename) != ("agreements", "delete_agreement"), codename
    assert ("auth", "change_group") not in perms


def test_administrator_holds_every_permission():
    every = set(Permission.objects.values_list("content_type__app_label", "codename"))
    assert perms_of(ADMINISTRATOR) == every
    assert {("auth", "change_group"), ("agreements", "delete_agreement")} <= every
    assert {("admin", "view_logentry"), ("sessions", "delete_session")} <= every


def test_a_member_gets_the_permissions_of_the_group():
    analyst = UserFactory()
    analyst.groups.add(Group.objects.get(name=ANALYST))
    assert analyst.has_perm("missions.view_mission")
    assert not analyst.has_perm("missions.change_mission")

    clerk = UserFactory()
    clerk.groups.add(Group.objects.get(name=DATA_ENTRY))
    assert clerk.has_perm("missions.delete_meeting")
    assert clerk.has_perm("agreements.change_agreement")
    assert not clerk.has_perm("agreements.delete_agreement")
    assert not clerk.has_perm("agreements.delete_expiryalert")  # it would be sent again
    assert clerk.has_perm("agreements.delete_agreementdocument")
    assert not clerk.has_perm("auth.change_group")


def test_data_entry_deletes_a_wrongly_uploaded_agreement_document(data_entry_client):
    document = AgreementDocumentFactory()
    url = reverse("admin:agreements_agreementdocument_delete", args=[document.pk])

    response = data_entry_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not AgreementDocument.objects.filter(pk=document.pk).exists()
    assert Agreement.objects.filter(pk=document.agreement_id).exists()


@pytest.mark.django_db
def test_the_admin_names_the_roles_in_the_readers_language(client, administrator_user):
    client.force_login(administrator_user)
    clerk = UserFactory(username="clerk")
    clerk.groups.add(Group.objects.get(name=DATA_ENTRY))

    groups = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "データ入力" in groups and "分析担当" in groups
    assert "Data entry</a>" not in groups  # the column names the role in Japanese

    users = client.get(reverse("admin:accounts_user_changelist")).context["cl"]
    [group_filter] = [spec for spec in users.filter_specs if isinstance(spec, GroupFilter)]
    with translation.override("ja"):
        expected = [str(GROUP_LABELS[name]) for name in sorted(GROUP_LABELS)]
    assert [choice["display"] for choice in group_filter.choices(users)][1:] == expected
    data_entry = Group.objects.get(name=DATA_ENTRY)
    filtered = client.get(
        reverse("admin:accounts_user_changelist"), {"group": data_entry.pk}
    ).context["cl"]
    assert list(filtered.result_list) == [clerk]

    for value in ("²", "9" * 23, "abc"):  # not a group offered: nobody, and no error
        listed = client.get(reverse("admin:accounts_user_changelist"), {"group": value})
        assert listed.status_code == 200 and list(listed.context["cl"].result_list) == []

    page = client.get(reverse("admin:accounts_user_change", args=[clerk.pk]))
    choices = dict(page.context["adminform"].form.fields["groups"].choices)
    assert choices[data_entry.pk] == "データ入力"
