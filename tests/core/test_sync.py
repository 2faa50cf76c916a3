"""What a mirror of the records needs besides the list's `?cursor=` feed: the deletions,
in the same (time, id) order, and, where a deployment wants it, no write without
If-Match."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from missions.models import Meeting
from tests import factories

pytestmark = pytest.mark.django_db

DELETIONS = "/api/v1/meetings/deletions/"


def walk(client, url, **params):
    """Every item of a cursor feed from `url`, and the last `next` to keep."""
    items, response = [], client.get(url, {"cursor": "", **params})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["results"]
        if not body["next"]:
            return items, url + "?" + response.wsgi_request.META["QUERY_STRING"]
        response = client.get(body["next"])


def test_the_deletions_feed_lists_deleted_records_in_time_then_id_order(api, analyst_client):
    meetings = [factories.MeetingFactory() for _ in range(5)]
    kept = meetings.pop()
    for meeting in reversed(meetings):  # deleted in the opposite order of their ids
        assert api.delete(f"/api/v1/meetings/{meeting.pk}/").status_code == 204

    items, _ = walk(analyst_client, DELETIONS, page_size=2)

    assert [item["id"] for item in items] == [m.pk for m in reversed(meetings)]
    assert kept.pk not in {item["id"] for item in items}
    times = [item["deleted_at"] for item in items]
    assert times == sorted(times)
    assert set(items[0]) == {"id", "deleted_at"}
    # One page is a fixed number of queries, however many deletions it holds.
    with CaptureQueriesContext(connection) as four:
        analyst_client.get(DELETIONS, {"cursor": "", "page_size": 1000})
    api.delete(f"/api/v1/meetings/{kept.pk}/")
    with CaptureQueriesContext(connection) as five:
        page = analyst_client.get(DELETIONS, {"cursor": "", "page_size": 1000}).json()
    assert len(page["results"]) == 5
    assert len(five) == len(four)


def test_a_sync_continues_from_the_last_deletion_it_saw(api):
    first, second = factories.MeetingFactory(), factories.MeetingFactory()
    api.delete(f"/api/v1/meetings/{first.pk}/")
    page = api.get(DELETIONS, {"cursor": ""}).json()
    assert [item["id"] for item in page["results"]] == [first.pk]
    last = page["results"][-1]["deleted_at"]
    api.delete(f"/api/v1/meetings/{second.pk}/")
    later = api.get(DELETIONS, {"cursor": "", "deleted_since": last}).json()
    # At or after: the last one seen comes again (deleting twice is harmless).
    assert [item["id"] for item in later["results"]] == [first.pk, second.pk]
    response = api.get(DELETIONS, {"cursor": "", "deleted_since": "yesterday"})
    assert response.status_code == 400
    assert "deleted_since" in response.json()


def test_a_record_restored_after_its_deletion_comes_back_later_in_the_list(api):
    """The rule a mirror follows: a deletion applies if it is later than the record's
    `updated_at` the mirror holds."""
    meeting = factories.MeetingFactory()
    api.delete(f"/api/v1/meetings/{meeting.pk}/")
    deleted_at = api.get(DELETIONS, {"cursor": ""}).json()["results"][0]["deleted_at"]
    Meeting.history.filter(history_type="-").get().instance.save()  # restored
    restored = api.get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert restored["updated_at"] > deleted_at


def test_the_deletions_feed_refuses_what_a_list_refuses(api):
    assert APIClient().get(DELETIONS).status_code == 401
    no_role = factories.UserFactory()
    assert APIClient().get(DELETIONS) and (
        _client(no_role).get(DELETIONS, {"cursor": ""}).status_code == 403
    )
    for params, name in (
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "", "page_size": "0"}, "page_size"),
        ({"cursor": "", "stauts": "x"}, "stauts"),
    ):
        response = api.get(DELETIONS, params)
        assert response.status_code == 400, (params, response.content)
        assert name in response.json()


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_record_list_has_a_deletions_feed_in_the_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    lists = [path for path in schema["paths"] if path.endswith("/{id}/history/")]
    for history in lists:
        feed = history.replace("{id}/history/", "deletions/")
        assert feed in schema["paths"], feed
        parameters = {p["name"]: p for p in schema["paths"][feed]["get"]["parameters"]}
        assert parameters["page_size"]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 1000,
        }


# -- API_REQUIRE_IF_MATCH ------------------------------------------------------------------


@override_settings(API_REQUIRE_IF_MATCH=True)
def test_a_write_without_if_match_is_a_428_where_the_deployment_requires_it(api):
    meeting = factories.MeetingFactory(topics="Railway")
    url = f"/api/v1/meetings/{meeting.pk}/"
    for method in ("PATCH", "PUT", "DELETE"):
        response = api.generic(method, url, '{"topics": "x"}', content_type="application/json")
        assert response.status_code == 428, (method, response.content)
        assert "If-Match" in response.json()["detail"]
    meeting.refresh_from_db()
    assert meeting.topics == "Railway"
    etag = api.get(url)["ETag"]
    response = api.patch(url, {"topics": "Port"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    # A record that does not exist is still a 404, and creating needs no If-Match.
    assert api.patch("/api/v1/meetings/999999/", {}, format="json").status_code == 404


def test_without_the_setting_if_match_stays_optional(api):
    meeting = factories.MeetingFactory()
    response = api.patch(f"/api/v1/meetings/{meeting.pk}/", {"topics": "x"}, format="json")
    assert response.status_code == 200
