"""What a reader may not see, kept in the cache between requests (core.classification,
core.counts): a large list's count for a reader is the table's estimate less the
level-3 rows hidden from them, and that number is kept under a generation that every
change of a level, an access list or a group's members moves on, so that the next
request's count and list reflect the change."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import counts
from core.classification import Classification
from missions.models import Meeting
from projects.models import Project
from tests import factories

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects/"
MEETINGS = "/api/v1/meetings/"


@pytest.fixture(autouse=True)
def _kept(settings, monkeypatch):
    # The tests' cache is the process's own; the tests run in one process.
    settings.PERMISSIONS_CACHE = True
    cache.clear()
    # Every table "large": its count for a reader is the estimate less the hidden rows.
    monkeypatch.setattr(counts, "ESTIMATE_ABOVE", 1)


def _analyze(*tables):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def _get(client, url):
    """(count, ids listed, whether the hidden rows were counted in the database)"""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    body = response.json()
    counted = any('"classification" >= 3 AND NOT' in q["sql"] for q in queries.captured_queries)
    return body["count"], {row["id"] for row in body["results"]}, counted


@pytest.fixture
def seven(db):
    projects = factories.ProjectFactory.create_batch(7)
    _analyze(Project._meta.db_table)
    return projects


def _hide(record, *, users=(), groups=()):
    record.classification = Classification.NEED_TO_KNOW
    record.save()
    record.access_users.set(users)
    record.access_groups.set(groups)


def test_the_hidden_rows_are_counted_once_then_kept(seven, analyst_api, django_user_model):
    other = django_user_model.objects.create_user(username="other")
    _hide(seven[0], users=[other])
    count, ids, counted = _get(analyst_api, PROJECTS)
    assert (count, seven[0].pk in ids) == (6, False)
    if connection.vendor == "postgresql":
        assert counted
        assert _get(analyst_api, PROJECTS) == (6, ids, False)  # kept


def test_a_record_raised_to_level_3_is_seen_by_the_next_request(
    seven, analyst_api, django_user_model
):
    other = django_user_model.objects.create_user(username="other")
    assert _get(analyst_api, PROJECTS)[:2] == (7, {p.pk for p in seven})
    _hide(seven[1], users=[other])
    count, ids, _counted = _get(analyst_api, PROJECTS)
    assert (count, seven[1].pk in ids) == (6, False)
    # Lowered again: seen again.
    seven[1].classification = Classification.INTERNAL
    seven[1].save()
    assert _get(analyst_api, PROJECTS)[:2] == (7, {p.pk for p in seven})


def test_an_access_list_changed_is_seen_by_the_next_request(
    seven, analyst_api, analyst_user, django_user_model
):
    other = django_user_model.objects.create_user(username="other")
    _hide(seven[2], users=[other])
    assert _get(analyst_api, PROJECTS)[0] == 6
    seven[2].access_users.add(analyst_user)
    assert _get(analyst_api, PROJECTS)[:2] == (7, {p.pk for p in seven})
    seven[2].access_users.remove(analyst_user)
    count, ids, _counted = _get(analyst_api, PROJECTS)
    assert (count, seven[2].pk in ids) == (6, False)


def test_joining_and_leaving_a_group_is_seen_by_the_next_request(seven, analyst_api, analyst_user):
    team = Group.objects.create(name="Negotiation team")
    _hide(seven[3], groups=[team])
    assert _get(analyst_api, PROJECTS)[0] == 6
    analyst_user.groups.add(team)
    assert _get(analyst_api, PROJECTS)[:2] == (7, {p.pk for p in seven})
    analyst_user.groups.remove(team)
    count, ids, _counted = _get(analyst_api, PROJECTS)
    assert (count, seven[3].pk in ids) == (6, False)


def test_a_mission_raised_carries_its_meetings_and_the_next_count_sees_them(
    analyst_api, django_user_model
):
    """The meetings are raised by an UPDATE (raise_attached), which sends no signal."""
    mission = factories.MissionFactory()
    meetings = factories.MeetingFactory.create_batch(3, mission=mission)
    factories.MeetingFactory.create_batch(2)
    _analyze(Meeting._meta.db_table)
    assert _get(analyst_api, MEETINGS)[0] == 5
    other = django_user_model.objects.create_user(username="other")
    _hide(mission, users=[other])
    count, ids, _counted = _get(analyst_api, MEETINGS)
    assert count == 2
    assert not ids & {meeting.pk for meeting in meetings}


def test_a_link_to_a_record_raised_or_listed_is_decided_anew(analyst_api, analyst_user):
    """LinkedRecords decides a page's level-3 links from the reader's hidden rows kept
    in the cache: a change of the linked record's level or list is seen at once."""
    from agreements.models import Agreement

    earlier = factories.AgreementFactory(title="Earlier MoC")
    successor = factories.AgreementFactory(title="Open successor", supersedes=earlier)
    _analyze(Agreement._meta.db_table)

    def supersedes():
        response = analyst_api.get(f"/api/v1/agreements/{successor.pk}/")
        assert response.status_code == 200
        return response.json()["supersedes"]

    assert supersedes()["id"] == earlier.pk
    _hide(earlier)
    assert supersedes() is None
    assert supersedes() is None  # kept
    earlier.access_users.add(analyst_user)
    assert supersedes()["id"] == earlier.pk
    earlier.access_users.remove(analyst_user)
    assert supersedes() is None
