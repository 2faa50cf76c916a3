"""Two people editing one record: the second save never silently undoes the first."""

import threading

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import DATA_ENTRY
from tests import factories
from tests.admin_pages import posted_back

postgres_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: SQLite's shared in-memory test database locks whole tables "
    "between threads (CI runs this on PostgreSQL)",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_ten_clients_patching_with_one_etag_exactly_one_wins(data_entry_user):
    mission = factories.MissionFactory(title="Original")
    url = f"/api/v1/missions/{mission.pk}/"
    reader = APIClient()
    reader.force_authenticate(data_entry_user)
    etag = reader.get(url)["ETag"]
    barrier = threading.Barrier(10)
    results = {}

    def patch(number):
        client = APIClient()
        client.force_authenticate(data_entry_user)
        barrier.wait()
        try:
            response = client.patch(
                url, {"title": f"Edit {number}"}, format="json", HTTP_IF_MATCH=etag
            )
            results[number] = response.status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=patch, args=(number,)) for number in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results.values()) == [200] + [412] * 9
    [winner] = [number for number, status in results.items() if status == 200]
    mission.refresh_from_db()
    assert mission.title == f"Edit {winner}"


@pytest.mark.django_db
def test_second_admin_save_over_a_stale_form_is_refused(client, data_entry_user):
    mission = factories.MissionFactory(title="Original")
    url = reverse("admin:missions_mission_change", args=[mission.pk])
    client.force_login(data_entry_user)
    page = client.get(url)
    opened = page.context["adminform"].form
    form_data = posted_back(page)

    def post(title, version):
        return client.post(url, {**form_data, "title": title, "version": version})

    version = opened["version"].value()
    assert version == mission.version
    first = post("First user's title", version)
    assert first.status_code == 302
    second = post("Second user's title", version)
    assert second.status_code == 200
    [error] = second.context["adminform"].form.non_field_errors().as_data()
    assert error.code == "stale"
    mission.refresh_from_db()
    assert mission.title == "First user's title"


# -- an inline row: a mission's meeting --------------------------------------------------


@pytest.fixture
def two_clerks(client, data_entry_user):
    """Two Data entry users, each in a browser of their own."""
    other = factories.UserFactory(is_staff=True)
    other.groups.add(Group.objects.get(name=DATA_ENTRY))
    other_client = Client()
    client.force_login(data_entry_user)
    other_client.force_login(other)
    return client, other_client


def change_meeting_in_its_own_page(browser, meeting, topics):
    url = reverse("admin:missions_meeting_change", args=[meeting.pk])
    response = browser.post(url, {**posted_back(browser.get(url)), "topics": topics})
    assert response.status_code == 302


MEETING_ROW = "meetings-0"


def test_a_meeting_someone_else_changed_is_not_put_back_by_the_mission_page(two_clerks):
    """The page posts every meeting back as it was shown: the first user's save would
    undo the second user's edit of a meeting, though the first user changed only the
    mission's title."""
    first, second = two_clerks
    meeting = factories.MeetingFactory(topics="Urban railways")
    mission = meeting.mission
    url = reverse("admin:missions_mission_change", args=[mission.pk])
    opened = posted_back(first.get(url))

    change_meeting_in_its_own_page(second, meeting, "Urban railways and ports")
    response = first.post(url, {**opened, "title": "First user's title"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {}
    [row] = response.context["inline_admin_formsets"][0].formset.initial_forms
    assert [error.code for error in row.non_field_errors().as_data()] == ["stale"]
    assert str(row.non_field_errors()[0]) in response.content.decode()
    meeting.refresh_from_db()
    mission.refresh_from_db()
    assert meeting.topics == "Urban railways and ports"
    assert mission.title != "First user's title"  # all or nothing


def test_a_meeting_someone_else_changed_is_not_deleted_unseen(two_clerks):
    first, second = two_clerks
    meeting = factories.MeetingFactory(topics="Urban railways")
    url = reverse("admin:missions_mission_change", args=[meeting.mission.pk])
    opened = posted_back(first.get(url))

    change_meeting_in_its_own_page(second, meeting, "Urban railways and ports")
    response = first.post(url, {**opened, f"{MEETING_ROW}-DELETE": "on"})

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert [error.code for error in formset.non_form_errors().as_data()] == ["stale"]
    meeting.refresh_from_db()
    assert meeting.topics == "Urban railways and ports"


def test_a_fresh_meeting_row_is_saved_with_its_mission(two_clerks):
    first, _second = two_clerks
    meeting = factories.MeetingFactory(topics="Urban railways")
    url = reverse("admin:missions_mission_change", args=[meeting.mission.pk])

    response = first.post(url, {**posted_back(first.get(url)), f"{MEETING_ROW}-topics": "Ports"})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.topics == "Ports"
