"""core.prefetch reads a page's many-relations as rows: the lists print exactly what
Django's prefetch_related gives, order and shared records included."""

import datetime
import gc

import pytest

from contacts.models import Organization, Post
from core.prefetch import PAGE_RELATED, _builder, prefetch_page, related, split_lookups
from missions.api.views import MeetingViewSet
from missions.models import Meeting
from tests import factories

LISTS = [
    "/api/v1/missions/",
    "/api/v1/meetings/",
    "/api/v1/projects/",
    "/api/v1/watch-lists/",
    "/api/v1/agreements/",
    "/api/v1/people/",
]


@pytest.fixture
def shared_records(db):
    """Records whose relations hold several rows, and rows shared between records."""
    people = [factories.PersonFactory(name=name) for name in ("Carol", "alice", "Bob")]
    ministry, agency = factories.OrganizationFactory(), factories.OrganizationFactory()
    for person in people:
        factories.PostFactory(person=person, organization=ministry, title="Adviser")
        factories.PostFactory(
            person=person,
            organization=agency,
            title="Director",
            start_date=datetime.date(2019, 1, 1),
        )
    projects = [factories.ProjectFactory(name=name) for name in ("Port", "Metro", "Bridge")]
    edition, earlier = factories.WatchListFactory(), factories.WatchListFactory()
    for project in projects:
        factories.ProjectParticipantFactory.create_batch(2, project=project)
        factories.WatchListEntryFactory(watch_list=edition, project=project)
        factories.WatchListEntryFactory(watch_list=earlier, project=project)
    mission = factories.MissionFactory(start_date=datetime.date(2019, 5, 1))
    for day in (1, 2, 3):
        meeting = factories.MeetingFactory(mission=mission, date=datetime.date(2019, 5, day))
        meeting.counterparts.add(*people[:day])
        meeting.counterpart_organizations.add(ministry, agency)
        meeting.projects.add(*projects[day - 1 :])
    for _ in range(2):
        agreement = factories.AgreementFactory()
        agreement.counterpart_organizations.add(agency, ministry)
        agreement.projects.add(*projects)
    return people


@pytest.mark.parametrize("language", ["ja", "en"])
def test_lists_print_what_djangos_prefetch_gives(api, shared_records, monkeypatch, language):
    def bodies():
        return {url: api.get(url, HTTP_ACCEPT_LANGUAGE=language).content for url in LISTS}

    ours = bodies()
    monkeypatch.setattr("core.prefetch.split_lookups", lambda model, lookups: ([], lookups))
    djangos = bodies()
    for url in LISTS:
        assert ours[url] == djangos[url], url


def test_a_record_on_many_rows_is_one_instance(shared_records, django_assert_num_queries):
    meetings = list(Meeting.objects.order_by("date"))
    ours, left = split_lookups(Meeting, MeetingViewSet.queryset._prefetch_related_lookups)
    assert left == []
    # counterparts, their posts, organisations, projects, tags: one query each.
    with django_assert_num_queries(5):
        prefetch_page(meetings, ours)
    first, *_, last = meetings
    counterparts = related(last, "counterparts")
    assert counterparts == list(Meeting.objects.get(pk=last.pk).counterparts.all())
    carol = related(first, "counterparts")[0]
    assert [person for person in counterparts if person.pk == carol.pk] == [carol]
    assert any(person is carol for person in counterparts)  # the same instance
    with django_assert_num_queries(0):
        post = carol.post_on(datetime.date(2019, 5, 1))
        assert (post.title, str(post.organization)) == ("Director", post.organization.name)


def test_a_record_read_otherwise_uses_its_manager(shared_records):
    meeting = Meeting.objects.order_by("date").last()
    assert PAGE_RELATED not in meeting.__dict__
    assert len(related(meeting, "counterparts")) == 3


@pytest.mark.parametrize("url", ["/api/v1/meetings/", "/api/v1/projects/", "/api/v1/agreements/"])
def test_exports_read_in_chunks_print_what_one_chunk_prints(api, shared_records, monkeypatch, url):
    def export(chunk):
        monkeypatch.setattr("core.api.export.EXPORT_CHUNK", chunk)
        return b"".join(api.get(url, {"format": "csv"}).streaming_content)

    ours = export(2)  # several chunks, one partial
    assert ours == export(10_000)
    assert ours.count(b"\n") >= 3  # the header and the records


def test_an_export_runs_a_fixed_number_of_queries_whatever_its_rows(
    api, shared_records, monkeypatch
):
    """A record's many-relations are read with it; each related record is named once
    per export: more rows and more chunks pointing to the same records add no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr("core.api.export.EXPORT_CHUNK", 1)  # a chunk per meeting

    def queries():
        with CaptureQueriesContext(connection) as captured:
            b"".join(api.get("/api/v1/meetings/", {"format": "csv"}).streaming_content)
        return len(captured)

    queries()  # the user's permissions, read once
    three = queries()
    model = Meeting.objects.order_by("date").last()
    for _ in range(10):
        meeting = factories.MeetingFactory(mission=model.mission, date=model.date)
        meeting.counterparts.set(model.counterparts.all())
        meeting.counterpart_organizations.set(model.counterpart_organizations.all())
        meeting.projects.set(model.projects.all())
    assert queries() == three


def test_a_listed_page_is_freed_when_its_request_ends(api, shared_records):
    """No record of a page outlives its request waiting for the garbage collector."""

    def records_alive():
        return {id(o) for o in gc.get_objects() if type(o) in (Meeting, Post)}

    gc.collect()
    gc.disable()
    try:
        before = records_alive()
        response = api.get("/api/v1/meetings/", {"page_size": 2})
        left = records_alive() - before
    finally:
        gc.enable()
    assert response.status_code == 200 and len(response.json()["results"]) == 2
    assert left == set()


def test_the_browsable_api_still_pages(data_entry_client, shared_records):
    response = data_entry_client.get(
        "/api/v1/meetings/", {"page_size": 1, "page": 2}, HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 200
    assert b'<li class="active">' in response.content
    assert b"/api/v1/meetings/?page=3&amp;page_size=1" in response.content


def test_a_response_is_freed_when_let_go(api, shared_records):
    """Nor does its output: the request, its view and the response do not hold each
    other once it is rendered."""

    def results_alive():
        return sum(
            1
            for o in gc.get_objects()
            if type(o) is dict and isinstance(o.get("counterpart_posts"), list)
        )

    gc.collect()
    gc.disable()
    try:
        before = results_alive()
        response = api.get("/api/v1/meetings/", {"page_size": 2})
        with_response = results_alive()
        del response.json  # the test client's own cycle, which a server does not make
        del response
        left = results_alive()
    finally:
        gc.enable()
    assert with_response > before == left


@pytest.mark.parametrize(
    "model,attnames,values",
    [
        (
            Post,
            ["id", "person_id", "title", "start_date"],
            (7, 3, "Director", datetime.date(2019, 1, 1)),
        ),
        # A descriptor that converts the value (a country code into a Country).
        (Organization, ["id", "name", "country"], (5, "Ministry", "VN")),
    ],
)
def test_a_built_record_is_what_from_db_makes(model, attnames, values):
    built = _builder(model, attnames)("default", values)
    made = model.from_db("default", attnames, values)
    for name in attnames:
        assert getattr(built, name) == getattr(made, name)
    assert (built._state.adding, built._state.db) == (False, "default")
