"""Saved filters: /api/v1/saved-filters/, the analysts' lists and page, the alert e-mails."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ANALYST, DATA_ENTRY
from search import services
from search.models import SavedFilter, SavedFilterDigest
from tests.api import client_for
from tests.factories import MeetingFactory, OrganizationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/saved-filters/"
MONDAY = datetime.date(2030, 6, 3)
TUESDAY = datetime.date(2030, 6, 4)


def at(day, hour=7):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def save(user, **fields):
    values = {"name": "Ghana projects", "resource": "projects", "filters": {"country": ["GH"]}}
    return services.saved_filter_create(owner=user, **{**values, **fields})


# -- API ----------------------------------------------------------------------------------


def test_create_reopen_rename_delete_through_the_api(analyst_api):
    response = analyst_api.post(
        LIST,
        {
            "name": "Ports in Ghana",
            "resource": "projects",
            "filters": {"country": ["GH"], "q": "port"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["filters"] == {"country": ["GH"], "q": "port"}
    assert body["shared_with"] is None and body["alert"] == ""
    assert body["list_url"].endswith("/reports/projects/?country=GH&q=port")

    url = body["url"]
    assert (
        analyst_api.patch(url, {"name": "Ghana ports"}, format="json").json()["name"]
        == "Ghana ports"
    )
    assert [item["name"] for item in analyst_api.get(LIST).json()] == ["Ghana ports"]
    assert analyst_api.delete(url).status_code == 204
    assert analyst_api.get(LIST).json() == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"resource": "ships"}, "resource"),
        ({"filters": {"countree": "GH"}}, "filters"),
        ({"filters": {"year": "last"}}, "filters"),
        ({"filters": {"country": {"nested": 1}}}, "filters"),
        ({"alert": "hourly"}, "alert"),
        ({"name": ""}, "name"),
        # A name no group may have: refused before the lookup (a NUL was a 500 on
        # PostgreSQL, found by the schema fuzzer).
        ({"shared_with": "team\u0000"}, "shared_with"),
        ({"filters": {"country": "G\u0000H"}}, "filters"),
    ],
)
def test_wrong_saved_filters_are_refused_with_the_field_named(analyst_api, payload, field):
    values = {"name": "x", "resource": "projects", "filters": {}}
    response = analyst_api.post(LIST, {**values, **payload}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not SavedFilter.objects.exists()


def test_the_same_name_twice_for_one_list_is_refused(analyst_api, analyst_user):
    save(analyst_user)
    response = analyst_api.post(
        LIST, {"name": "Ghana projects", "resource": "projects", "filters": {}}, format="json"
    )
    assert response.status_code == 400
    assert SavedFilter.objects.count() == 1


def test_shared_with_a_group_others_see_it_but_only_the_owner_changes_it(
    analyst_user, data_entry_user, django_user_model
):
    analyst_group = Group.objects.get(name=ANALYST)
    shared = save(analyst_user, shared_with=analyst_group)
    private = save(analyst_user, name="Mine only")
    colleague = django_user_model.objects.create_user("colleague", is_staff=True)
    colleague.groups.add(analyst_group)

    api = client_for(colleague)
    assert [item["name"] for item in api.get(LIST).json()] == ["Ghana projects"]
    assert api.patch(f"{LIST}{shared.pk}/", {"name": "Taken"}, format="json").status_code == 403
    assert api.delete(f"{LIST}{shared.pk}/").status_code == 403
    assert api.get(f"{LIST}{private.pk}/").status_code == 404
    assert client_for(data_entry_user).get(LIST).json() == []  # not in the group


def test_sharing_with_a_group_one_is_not_in_is_refused(analyst_api):
    response = analyst_api.post(
        LIST,
        {"name": "x", "resource": "projects", "filters": {}, "shared_with": DATA_ENTRY},
        format="json",
    )
    assert response.status_code == 400
    assert "shared_with" in response.json()


def test_a_list_the_user_may_not_view_cannot_be_saved(django_user_model):
    user = django_user_model.objects.create_user("outsider")
    response = client_for(user).post(
        LIST, {"name": "x", "resource": "projects", "filters": {}}, format="json"
    )
    assert response.status_code == 400
    assert "resource" in response.json()


def test_a_read_only_token_cannot_save(analyst_user):
    from rest_framework.test import APIClient

    from accounts.models import APIToken

    token = APIToken(name="reader", user=analyst_user, can_write=False)
    key = token.issue_key()
    token.save()
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(
        LIST, {"name": "x", "resource": "projects", "filters": {}}, format="json"
    )
    assert response.status_code == 403


# -- pages --------------------------------------------------------------------------------


def test_a_list_page_saves_its_filters_and_offers_them_again(analyst_client, analyst_user):
    ProjectFactory(name="Tema Port", country="GH")
    page = analyst_client.get(reverse("reports:project-list"), {"country": "GH", "page": "1"})
    assert 'data-testid="saved-filters"' in page.content.decode()

    response = analyst_client.post(
        reverse("search:saved-filters"),
        {"name": "Ghana", "resource": "projects", "query": "country=GH&page=1", "alert": "weekly"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/reports/projects/?country=GH"
    saved = SavedFilter.objects.get()
    assert (saved.owner, saved.filters, saved.alert) == (analyst_user, {"country": "GH"}, "weekly")
    page = analyst_client.get(reverse("reports:project-list")).content.decode()
    assert 'href="/reports/projects/?country=GH">Ghana</a>' in page


def test_a_page_refuses_a_filter_the_list_does_not_take(analyst_client):
    response = analyst_client.post(
        reverse("search:saved-filters"),
        {"name": "Wrong", "resource": "projects", "query": "year=last"},
    )
    assert response.status_code == 400
    assert not SavedFilter.objects.exists()


def test_the_page_renames_and_deletes(analyst_client, analyst_user):
    saved = save(analyst_user)
    change = reverse("search:saved-filter-change", args=[saved.pk])

    response = analyst_client.post(
        change, {f"f{saved.pk}-name": "Renamed", f"f{saved.pk}-alert": "daily"}
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.alert) == ("Renamed", "daily")
    assert "Renamed" in analyst_client.get(reverse("search:saved-filters")).content.decode()

    assert analyst_client.post(change, {"delete": "1"}).status_code == 302
    assert not SavedFilter.objects.exists()


def test_the_page_does_not_change_someone_elses(client, analyst_user, django_user_model):
    saved = save(analyst_user)
    other = django_user_model.objects.create_user("other", is_staff=True)
    other.groups.add(Group.objects.get(name=ANALYST))
    client.force_login(other)
    response = client.post(reverse("search:saved-filter-change", args=[saved.pk]), {"delete": "1"})
    assert response.status_code == 404
    assert SavedFilter.objects.exists()


# -- alerts -------------------------------------------------------------------------------


@pytest.fixture
def reader(analyst_user):
    analyst_user.email = "analyst@example.org"
    analyst_user.save()
    return analyst_user


def _saved_at(user, when, **fields):
    saved = save(user, **fields)
    SavedFilter.objects.filter(pk=saved.pk).update(alerted_until=when)
    return saved


def _touch(record, when):
    type(record).objects.filter(pk=record.pk).update(updated_at=when)


def test_a_daily_alert_lists_new_and_changed_matching_records_once(reader):
    _saved_at(reader, at(MONDAY), alert="daily")
    old = ProjectFactory(name="Old Ghana road", country="GH")
    type(old).objects.filter(pk=old.pk).update(created_at=at(MONDAY, 1), updated_at=at(MONDAY, 12))
    new = ProjectFactory(name="New Ghana port", country="GH")
    type(new).objects.filter(pk=new.pk).update(created_at=at(MONDAY, 13), updated_at=at(MONDAY, 13))
    untouched = ProjectFactory(name="Untouched Ghana rail", country="GH")
    _touch(untouched, at(MONDAY, 1))
    _touch(ProjectFactory(name="Kenya port", country="KE"), at(MONDAY, 12))

    assert services.saved_filters_send_digests(today=TUESDAY, now=at(TUESDAY)) == 1
    assert services.saved_filters_send_digests(today=TUESDAY, now=at(TUESDAY, 8)) == 0

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].to == ["analyst@example.org"]
    assert "Ghana projects" in body
    assert "New Ghana port" in body and "Old Ghana road" in body
    assert "Untouched Ghana rail" not in body and "Kenya port" not in body
    # Japanese first (the user's language), then English.
    assert body.index("新規") < body.index("[new]")
    assert SavedFilterDigest.objects.get().item_count == 2
    # The links land on the analysts' pages: the list with the filters applied, and
    # each record's page.
    site = django_settings.SITE_URL
    assert f"{site}/reports/projects/?country=GH\n" in body
    assert f"{site}/reports/projects/{new.pk}/\n" in body
    assert "/admin/" not in body

    # The next day lists only what changed after this e-mail.
    _touch(old, at(TUESDAY, 12))
    services.saved_filters_send_digests(
        today=TUESDAY + datetime.timedelta(days=1), now=at(TUESDAY, 23)
    )
    assert len(mail.outbox) == 2
    assert "Old Ghana road" in mail.outbox[1].body and "New Ghana port" not in mail.outbox[1].body


def test_alert_links_of_a_list_without_analysts_pages(reader, settings):
    """Organisations have no analysts' page: the list and its records link to the API
    (the admin is for staff only)."""
    settings.SITE_URL = "https://crm.example.org"
    reader.is_staff = False
    reader.save()
    _saved_at(reader, at(MONDAY), name="Ghana bodies", resource="organizations", alert="daily")
    organization = OrganizationFactory(name="Ghana Ports Authority", country="GH")
    _touch(organization, at(MONDAY, 12))

    services.saved_filters_send_digests(today=TUESDAY, now=at(TUESDAY))

    body = mail.outbox[0].body
    assert "https://crm.example.org/api/v1/organizations/?country=GH\n" in body
    assert f"https://crm.example.org/api/v1/organizations/{organization.pk}/\n" in body


def test_weekly_alerts_go_out_on_mondays_and_one_email_per_user(reader):
    _saved_at(reader, at(MONDAY, 0), alert="weekly")
    _saved_at(reader, at(MONDAY, 0), name="Ghana meetings", resource="meetings", alert="daily")
    _touch(ProjectFactory(name="Ghana port", country="GH"), at(MONDAY, 12))
    meeting = MeetingFactory(counterpart_country="GH", topics="Roads")
    _touch(meeting, at(MONDAY, 12))

    services.saved_filters_send_digests(today=TUESDAY, now=at(TUESDAY))  # daily ones only
    assert len(mail.outbox) == 1
    assert "Ghana meetings" in mail.outbox[0].body and "Ghana port" not in mail.outbox[0].body

    _touch(meeting, at(TUESDAY, 12))
    next_monday = MONDAY + datetime.timedelta(days=7)
    services.saved_filters_send_digests(today=next_monday, now=at(next_monday))
    assert len(mail.outbox) == 2  # both filters in one e-mail
    assert "Ghana port" in mail.outbox[1].body and "Ghana meetings" in mail.outbox[1].body


def test_no_email_when_nothing_changed_and_a_failed_send_is_retried(reader, monkeypatch):
    _saved_at(reader, at(MONDAY), alert="daily")
    assert services.saved_filters_send_digests(today=TUESDAY, now=at(TUESDAY)) == 0
    assert mail.outbox == []

    _touch(ProjectFactory(name="Ghana port", country="GH"), at(MONDAY, 12))

    def broken(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(services.SavedFilterDigestError):
        services.saved_filters_send_digests(today=TUESDAY, now=at(TUESDAY))
    # Nothing recorded: the retry sends the same changes.
    assert not SavedFilterDigest.objects.exists()
    assert SavedFilter.objects.get().alerted_until == at(MONDAY)
    monkeypatch.undo()
    assert services.saved_filters_send_digests(today=TUESDAY, now=at(TUESDAY)) == 1
    assert "Ghana port" in mail.outbox[0].body


def test_alerts_read_through_searchable_queryset(reader, monkeypatch):
    _saved_at(reader, at(MONDAY), alert="daily")
    hidden = ProjectFactory(name="Hidden Ghana port", country="GH")
    _touch(hidden, at(MONDAY, 12))
    _touch(ProjectFactory(name="Open Ghana port", country="GH"), at(MONDAY, 12))
    original = services.searchable_queryset
    monkeypatch.setattr(
        services,
        "searchable_queryset",
        lambda model, user: original(model, user).exclude(pk=hidden.pk),
    )

    services.saved_filters_send_digests(today=TUESDAY, now=at(TUESDAY))

    assert "Open Ghana port" in mail.outbox[0].body
    assert "Hidden Ghana port" not in mail.outbox[0].body


def test_alerts_leave_out_level_3_records_the_user_may_not_read(reader):
    from core.classification import Classification

    _saved_at(reader, at(MONDAY), alert="daily")
    secret = ProjectFactory(
        name="Secret Ghana port", country="GH", classification=Classification.NEED_TO_KNOW
    )
    _touch(secret, at(MONDAY, 12))
    _touch(ProjectFactory(name="Open Ghana port", country="GH"), at(MONDAY, 12))

    services.saved_filters_send_digests(today=TUESDAY, now=at(TUESDAY))

    assert "Open Ghana port" in mail.outbox[0].body
    assert "Secret Ghana port" not in mail.outbox[0].body
