"""`q` finds exactly what one WHERE over every searched column finds, in the list's
order and with its exact count, however the query is built underneath (a UNION of ids
per table or per column, handed over as an array on PostgreSQL: core.api.filters)."""

import datetime
from functools import reduce
from operator import or_

import pytest
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from contacts.models import Organization, Person
from core.api import filters
from core.counts import PkAmong, estimated_count
from missions.filters import MeetingFilterSet
from missions.models import Meeting
from projects.filters import ProjectFilterSet
from projects.models import Project
from tests import factories

ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def records(db):
    surabaya = factories.MissionFactory(title="Visit to Surabaya port")
    factories.MeetingFactory(mission=surabaya, venue_city="Jakarta", topics="ports")
    factories.MeetingFactory(venue_city="Surabaya", topics="Surabaya MRT and ports")
    factories.MeetingFactory(venue_city="Hanoi", outcome="Follow-up in surabaya")
    met = factories.MeetingFactory(venue_city="Hanoi", topics="urban railway")
    met.counterparts.add(factories.PersonFactory(name="Governor of Surabaya"))
    factories.MeetingFactory(venue_city="ハノイ", topics="地下鉄")
    for day in range(4):
        factories.MeetingFactory(
            date=datetime.date(2019, 1, 1 + day), venue_city="Da Nang", topics="ports"
        )
    factories.ProjectFactory(name="Mombasa port", description="Container terminal")
    factories.ProjectFactory(name="Nairobi road", description="Towards Mombasa")
    factories.ProjectFactory(name="ハノイ都市鉄道", name_ja="ハノイ都市鉄道", description="")
    factories.ProjectFactory(name="Delhi ring road", description="ring road")


def _one_where(model, search_fields, value):
    """Every term in any searched column, both folded: the definition `q` must keep."""
    queryset = model.objects.all()
    for term in value.split():
        condition = reduce(
            or_, (Q(**{f"{field}__folded__contains": term}) for field in search_fields)
        )
        queryset = queryset.filter(pk__in=model.objects.filter(condition).values("pk"))
    return queryset


TERMS = [
    "Surabaya",
    "surabaya ports",
    "Ha",
    "ハノイ",
    "port",
    "Mombasa",
    "ring delhi",
    "nowhere",
    "MRT Surabaya ports",
    "ＳＵＲＡＢＡＹＡ",
    "ﾊﾉｲ",
    "ＭＯＭＢＡＳＡ ｐｏｒｔ",
]


@pytest.mark.parametrize("value", TERMS)
@pytest.mark.parametrize(
    "model,filterset", [(Meeting, MeetingFilterSet), (Project, ProjectFilterSet)]
)
# The ids read once (PostgreSQL, up to IDS_READ_AT_MOST), or computed in each query.
@pytest.mark.parametrize("read_at_most", [filters.IDS_READ_AT_MOST, 1])
def test_q_finds_what_one_where_finds(records, model, filterset, value, read_at_most, monkeypatch):
    monkeypatch.setattr(filters, "IDS_READ_AT_MOST", read_at_most)
    found = filterset({"q": value}, queryset=model.objects.all()).qs
    expected = _one_where(model, filterset.search_fields, value)
    assert list(found.values_list("pk", flat=True)) == list(expected.values_list("pk", flat=True))
    assert found.count() == expected.count()
    assert estimated_count(found) == expected.count()
    # With another condition beside `q`, the count is still that of the rows shown.
    others = found.filter(pk__gt=expected.values_list("pk", flat=True).first() or 0)
    assert estimated_count(others) == len(list(others))


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the id array is PostgreSQL's")
def test_q_reads_the_ids_once_for_the_count_and_the_page(records):
    with CaptureQueriesContext(connection) as captured:
        found = MeetingFilterSet({"q": "Surabaya"}, queryset=Meeting.objects.all()).qs
        assert estimated_count(found) == 4
        rows = list(found)
    ids, page = (query["sql"] for query in captured)
    assert "UNION" in ids
    # The page is fetched by the ids read, without computing the union again, given in
    # a sub-select the planner does not count (so it fetches them by id rather than
    # walk the index of the list's order); the count is their number, without a query.
    assert '"missions_meeting"."id" = ANY((SELECT ' in page and "UNION" not in page
    assert len(rows) == 4


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the id array is PostgreSQL's")
def test_q_beyond_the_ids_read_hands_the_union_over_as_an_array(records, monkeypatch):
    monkeypatch.setattr(filters, "IDS_READ_AT_MOST", 3)
    found = MeetingFilterSet({"q": "Surabaya"}, queryset=Meeting.objects.all()).qs
    with CaptureQueriesContext(connection) as captured:
        assert estimated_count(found) == 4
        rows = list(found)
    count, page = (query["sql"] for query in captured)
    assert '"missions_meeting"."id" = ANY(' in page
    # The count reads the ids' union, not the meetings once more.
    assert count.startswith("SELECT COUNT(*) FROM (") and "ANY(" not in count
    assert len(rows) == 4


def test_q_over_the_api_pages_and_counts(records, api):
    response = api.get("/api/v1/meetings/", {"q": "surabaya", "page_size": 2})
    body = response.json()
    assert response.status_code == 200, body
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]
    response = api.get("/api/v1/projects/", {"q": "Mombasa"})
    assert [row["name"] for row in response.json()["results"]] == ["Mombasa port", "Nairobi road"]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the id array is PostgreSQL's")
def test_a_count_of_ids_through_a_join_counts_each_record_once(records):
    met = Meeting.objects.get(counterparts__name="Governor of Surabaya")
    met.counterparts.add(factories.PersonFactory(name="Mayor of Surabaya"))
    ids = Meeting.objects.filter(counterparts__name__icontains="surabaya").values("pk")
    assert len(ids) == 2  # one row per counterpart
    assert estimated_count(Meeting.objects.filter(PkAmong(ArraySubquery(ids)))) == 1


# -- names read as a Japanese reader reads them (domain.md) ------------------------------


@pytest.fixture
def ghana(db):
    ministry = factories.OrganizationFactory(
        name="GHANA Ministry of Roads and Highways", name_ja="ガーナ道路高速道省", country="GH"
    )
    minister = factories.PersonFactory(name="Minister of Roads of GHANA", name_ja="ガーナ道路大臣")
    meeting = factories.MeetingFactory(counterpart_country="GH", venue_city="Accra")
    meeting.counterpart_organizations.add(ministry)
    meeting.counterparts.add(minister)
    project = factories.ProjectFactory(name="Accra BRT", name_ja="ガーナ・アクラBRT")
    factories.MeetingFactory(counterpart_country="KE", venue_city="Nairobi")
    factories.OrganizationFactory(name="Kenya Railways", name_ja="ケニア鉄道公社", country="KE")
    return {"organization": ministry, "person": minister, "meeting": meeting, "project": project}


# ガーナ as ｶﾞｰﾅ (half-width), GHANA as ＧＨＡＮＡ (full-width) and as ghana.
GHANA_TERMS = ["ｶﾞｰﾅ", "ガーナ", "ＧＨＡＮＡ", "ghana", "GHANA"]
SEARCHED = [
    ("/api/v1/organizations/", "organization", ["ｶﾞｰﾅ", "ガーナ", "ＧＨＡＮＡ", "ghana", "GHANA"]),
    ("/api/v1/people/", "person", GHANA_TERMS),
    ("/api/v1/meetings/", "meeting", GHANA_TERMS),  # through its counterparts' names
    ("/api/v1/projects/", "project", ["ｶﾞｰﾅ", "ガーナ"]),
]


@pytest.mark.parametrize(("url", "key", "terms"), SEARCHED)
def test_the_api_q_finds_names_however_they_are_typed(ghana, api, url, key, terms):
    for term in terms:
        response = api.get(url, {"q": term})
        assert [row["id"] for row in response.json()["results"]] == [ghana[key].pk], term


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/admin/contacts/organization/", "organization"),
        ("/admin/contacts/person/", "person"),
        ("/admin/projects/project/", "project"),
    ],
)
def test_the_admin_search_finds_names_however_they_are_typed(ghana, admin_client, path, key):
    for term in ("ｶﾞｰﾅ", "ガーナ"):
        response = admin_client.get(path, {"q": term})
        assert response.status_code == 200
        assert [row.pk for row in response.context["cl"].result_list] == [ghana[key].pk], term
    response = admin_client.get("/admin/contacts/organization/", {"q": '"ＧＨＡＮＡ ministry"'})
    assert list(response.context["cl"].result_list) == [ghana["organization"]]


def test_the_admin_autocomplete_finds_names_however_they_are_typed(ghana, admin_client):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": "ＧＨＡＮＡ",
            "app_label": "missions",
            "model_name": "meeting",
            "field_name": "counterpart_organizations",
        },
    )
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [str(ghana["organization"].pk)]


def test_the_analysts_pages_find_names_however_they_are_typed(ghana, analyst_client):
    for term in ("ｶﾞｰﾅ", "ＧＨＡＮＡ", "ghana"):
        response = analyst_client.get("/reports/meetings/", {"q": term})
        assert response.status_code == 200
        assert ghana["meeting"].venue_city in response.content.decode(), term
        assert "Nairobi" not in response.content.decode(), term


@pytest.mark.skipif(not ON_POSTGRESQL, reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize(
    ("model", "column", "index"),
    [
        (Meeting, "topics", "missions_meeting_topics_folded_trgm"),
        (Project, "name", "projects_project_name_folded_trgm"),
        (Person, "name", "contacts_person_name_folded_trgm"),
        (Organization, "name_ja", "contacts_organization_name_ja_folded_trgm"),
    ],
)
def test_folded_search_is_served_by_the_trigram_indexes(records, model, column, index):
    """The indexes are built on the expression the search compares: with sequential
    scans ruled out, the planner reads them (a few test rows would not need them)."""
    queryset = model.objects.order_by().filter(
        **{f"{column}__folded__contains": "ＳＵＲＡＢＡＹＡ"}
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert index in queryset.explain()
