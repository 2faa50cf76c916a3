"""Restoring records from the admin: an earlier version through the history page (the
revert of django-simple-history), and a deleted record from its model's list of
deleted records."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from core.services import RESTORED_REASON
from missions.models import Meeting
from tests import factories

pytestmark = pytest.mark.django_db


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def submitted(page):
    """What the browser posts back from a rendered admin form: every field's value,
    the hidden version included."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = value
    return data


# -- revert to an earlier version -------------------------------------------------------


def first_version_url(record):
    first = record.history.order_by("history_date", "history_id").first()
    return admin_url(type(record), "simple_history", record.pk, first.history_id)


def test_revert_to_an_earlier_version_from_the_history_page(client, administrator_user):
    organization = factories.OrganizationFactory(name="Ministry of Roads", notes="first")
    organization.name = "Ministry of Roads and Highways"
    organization.notes = "second"
    organization.save()
    client.force_login(administrator_user)

    history_page = client.get(admin_url(organization, "history", organization.pk))
    assert first_version_url(organization) in history_page.content.decode()
    page = client.get(first_version_url(organization))
    assert page.status_code == 200
    # The form guards the record's current version, not the old one's.
    assert f'value="{organization.version}"' in page.content.decode()

    response = client.post(first_version_url(organization), submitted(page))
    assert response.status_code == 302, page.context["adminform"].form.errors
    organization.refresh_from_db()
    assert (organization.name, organization.notes) == ("Ministry of Roads", "first")
    assert organization.history.count() == 3
    # The revert says so, in the language of the page (Japanese), with the date.
    first = organization.history.order_by("history_date", "history_id").first()
    with translation.override("ja"):
        expected = gettext("Reverted to the version of %(date)s") % {
            "date": date_format(timezone.localtime(first.history_date), "DATETIME_FORMAT")
        }
    assert "年" in expected
    assert organization.history.first().history_change_reason == expected


def test_revert_brings_back_the_many_to_many_of_the_version(client, administrator_user):
    minister, director = factories.PersonFactory.create_batch(2)
    meeting = factories.MeetingFactory(counterparts=[minister])
    version_with_minister = meeting.history.order_by("-history_date", "-history_id").first()
    meeting.counterparts.set([director])
    client.force_login(administrator_user)
    url = admin_url(Meeting, "simple_history", meeting.pk, version_with_minister.history_id)

    page = client.get(url)
    response = client.post(url, submitted(page))

    assert response.status_code == 302
    assert list(meeting.counterparts.all()) == [minister]


def test_revert_is_refused_when_the_record_changed_after_the_page_was_opened(
    client, administrator_user
):
    organization = factories.OrganizationFactory(name="Ministry of Roads")
    organization.name = "Ministry of Roads and Highways"
    organization.save()
    client.force_login(administrator_user)
    page = client.get(first_version_url(organization))

    organization.notes = "Someone else's edit"
    organization.save()
    response = client.post(first_version_url(organization), submitted(page))

    assert response.status_code == 200
    assert "stale" in {
        error.code for error in response.context["adminform"].form.non_field_errors().as_data()
    }
    organization.refresh_from_db()
    assert organization.notes == "Someone else's edit"


# -- restore a deleted record -----------------------------------------------------------


def delete_in_admin(client, record):
    response = client.post(admin_url(type(record), "delete", record.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not type(record).objects.filter(pk=record.pk).exists()


def last_deletion(record, pk=None):
    """The history row of the record's deletion (`pk` once delete() has cleared it)."""
    pk = record.pk if pk is None else pk
    return type(record).history.filter(id=pk, history_type="-").latest("history_id")


def test_a_deleted_meeting_is_restored_with_its_fields_and_counterparts(client, administrator_user):
    counterparts = factories.PersonFactory.create_batch(2)
    organization = factories.OrganizationFactory()
    project = factories.ProjectFactory()
    meeting = factories.MeetingFactory(
        counterparts=counterparts,
        counterpart_organizations=[organization],
        projects=[project],
        topics="Urban railways",
        outcome="Agreed to a study",
    )
    meeting.refresh_from_db()
    fields = {field.attname: getattr(meeting, field.attname) for field in Meeting._meta.fields}
    client.force_login(administrator_user)
    delete_in_admin(client, meeting)

    listing = client.get(admin_url(Meeting, "deleted"))
    assert listing.status_code == 200
    restore_url = admin_url(Meeting, "restore", last_deletion(meeting).history_id)
    assert restore_url in listing.content.decode()
    assert str(meeting) in listing.content.decode()

    response = client.post(restore_url)

    assert response.status_code == 302
    assert response["Location"] == admin_url(Meeting, "change", meeting.pk)
    restored = Meeting.objects.get(pk=meeting.pk)
    now = {field.attname: getattr(restored, field.attname) for field in Meeting._meta.fields}
    assert {**now, "updated_at": None} == {**fields, "updated_at": None}
    assert set(restored.counterparts.all()) == set(counterparts)
    assert list(restored.counterpart_organizations.all()) == [organization]
    assert list(restored.projects.all()) == [project]
    # The history shows the deletion, then the restore, by whom.
    latest = restored.history.order_by("-history_date", "-history_id")
    restore = latest.filter(history_type="+", history_change_reason=RESTORED_REASON).first()
    assert restore is not None and restore.history_user == administrator_user
    assert restore.history_id > last_deletion(meeting).history_id
    assert set(latest.first().counterparts.values_list("person_id", flat=True)) == {
        person.pk for person in counterparts
    }
    # Restored, it is no longer listed as deleted.
    assert restore_url not in client.get(admin_url(Meeting, "deleted")).content.decode()


def test_data_entry_users_cannot_restore_deleted_records(client, data_entry_user):
    meeting = factories.MeetingFactory()
    pk = meeting.pk
    meeting.delete()
    client.force_login(data_entry_user)
    restore_url = admin_url(Meeting, "restore", last_deletion(meeting, pk).history_id)

    # They see what was deleted, without the button.
    listing = client.get(admin_url(Meeting, "deleted"))
    assert listing.status_code == 200
    assert restore_url not in listing.content.decode()
    assert client.post(restore_url).status_code == 403
    assert not Meeting.objects.filter(pk=pk).exists()


def test_analysts_cannot_restore_either(client, analyst_user):
    organization = factories.OrganizationFactory()
    pk = organization.pk
    organization.delete()
    client.force_login(analyst_user)
    response = client.post(
        admin_url(organization, "restore", last_deletion(organization, pk).history_id)
    )
    assert response.status_code == 403


def test_restore_needs_a_post(client, administrator_user):
    organization = factories.OrganizationFactory()
    pk = organization.pk
    organization.delete()
    client.force_login(administrator_user)
    url = admin_url(organization, "restore", last_deletion(organization, pk).history_id)
    assert client.get(url).status_code == 405


def test_a_record_whose_mission_is_gone_is_not_restored(client, administrator_user):
    meeting = factories.MeetingFactory()
    mission = meeting.mission
    meeting_pk, mission_pk = meeting.pk, mission.pk
    mission.delete()  # its meetings go with it
    client.force_login(administrator_user)
    restore_meeting = admin_url(Meeting, "restore", last_deletion(meeting, meeting_pk).history_id)

    response = client.post(restore_meeting, follow=True)

    assert not Meeting.objects.filter(pk=meeting_pk).exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    # The mission first, then its meeting.
    client.post(admin_url(mission, "restore", last_deletion(mission, mission_pk).history_id))
    client.post(restore_meeting)
    assert Meeting.objects.filter(pk=meeting_pk, mission_id=mission_pk).exists()


def test_the_list_of_records_links_to_the_deleted_ones(client, data_entry_user):
    client.force_login(data_entry_user)
    page = client.get(admin_url(Meeting, "changelist"))
    assert admin_url(Meeting, "deleted") in page.content.decode()


@pytest.mark.parametrize(
    ("make_row", "parent_of"),
    [
        (factories.ProjectParticipantFactory, lambda row: row.project),
        (factories.AgreementDocumentFactory, lambda row: row.agreement),
    ],
    ids=["project participant", "agreement document"],
)
def test_a_row_entered_inline_is_restored_from_its_parents_page(
    client, administrator_user, make_row, parent_of
):
    row = make_row()
    parent = parent_of(row)
    model = type(row)
    client.force_login(administrator_user)
    delete_in_admin(client, row)

    other = make_row()  # deleted from another record's page
    other_pk = other.pk
    delete_in_admin(client, other)

    page = client.get(admin_url(type(parent), "change", parent.pk)).content.decode()
    parent_field = next(
        field.name for field in model._meta.fields if field.related_model is type(parent)
    )
    deleted_list = f"{admin_url(model, 'deleted')}?{parent_field}={parent.pk}"
    assert f'href="{deleted_list}"' in page
    listing = client.get(deleted_list).content.decode()
    restore_url = admin_url(model, "restore", last_deletion(row).history_id)
    assert restore_url in listing
    other_restore = admin_url(model, "restore", last_deletion(other, other_pk).history_id)
    assert other_restore not in listing  # this record's deleted rows only
    assert client.get(admin_url(model, "deleted"), {parent_field: "²"}).status_code == 400

    assert client.post(restore_url).status_code == 302
    assert parent_of(model.objects.get(pk=row.pk)) == parent
