import datetime

import pytest

from missions.models import Meeting, Mission
from tests import factories
from tests.api import assert_bad_parameter, count_list_queries

# No Accept-Language: the API answers in the site's language, Japanese.
pytestmark = pytest.mark.api_language(None)

MISSIONS = "/api/v1/missions/"
MEETINGS = "/api/v1/meetings/"
# Pinned so that a change in the number of queries per list is seen in review.
MISSION_LIST_QUERIES = 6
# count, page, counterparts, their posts (organisation joined), organisations, projects, tags
MEETING_LIST_QUERIES = 7


def mission_payload(leader, meetings):
    return {
        "title": "Public-private mission to Viet Nam and Cambodia",
        "title_ja": "ベトナム・カンボジア官民インフラミッション",
        "leader": leader.pk,
        "leader_rank": "state_minister",
        "kind": "public_private_mission",
        "status": "completed",
        "start_date": "2018-05-01",
        "end_date": "2018-05-04",
        "sectors": ["railway", "port"],
        "meetings": meetings,
    }


@pytest.mark.django_db
def test_create_mission_with_meetings(api):
    leader, minister = factories.PersonFactory.create_batch(2)
    project = factories.ProjectFactory()
    response = api.post(
        MISSIONS,
        mission_payload(
            leader,
            [
                {
                    "date": "2018-05-02",
                    "counterpart_country": "VN",
                    "counterparts": [minister.pk],
                    "projects": [project.pk],
                },
                {"date": "2018-05-04", "counterpart_country": "KH"},
            ],
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["leader"]["id"] == leader.pk and body["leader"]["display"] == str(leader)
    assert body["leader_rank_label"] == "副大臣"
    # In the vocabulary's order (core.sectors), labels in the reader's language.
    assert body["sectors"] == ["railway", "port"]
    assert body["sectors_labels"] == ["鉄道", "港湾"]
    assert len(body["meetings"]) == 2
    mission = Mission.objects.get()
    hanoi = mission.meetings.get(counterpart_country="VN")
    assert list(hanoi.counterparts.all()) == [minister]
    assert list(hanoi.projects.all()) == [project]
    # The schema's Mission, as GET gives it: meetings as {id, url, display}.
    assert {
        "id": hanoi.pk,
        "url": f"http://testserver{MEETINGS}{hanoi.pk}/",
        "display": str(hanoi),
    } in body["meetings"]
    read = api.get(body["url"])
    assert body == read.json()
    assert response["ETag"] == read["ETag"]


@pytest.mark.django_db
def test_one_bad_meeting_saves_nothing(api):
    leader = factories.PersonFactory()
    response = api.post(
        MISSIONS,
        mission_payload(
            leader,
            [
                {"date": "2018-05-02", "counterpart_country": "VN"},
                {"date": "2018-07-01", "counterpart_country": "KH"},
            ],
        ),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["meetings"]) == {"1"}
    assert "date" in response.json()["meetings"]["1"]
    assert Mission.objects.count() == 0 and Meeting.objects.count() == 0

    japan = [{"date": "2018-05-03", "counterpart_country": "JP"}]
    response = api.post(MISSIONS, mission_payload(leader, japan), format="json")
    assert response.status_code == 400
    assert "0" in response.json()["meetings"]
    assert Mission.objects.count() == 0


@pytest.mark.django_db
def test_mission_rules_are_400s_with_messages(api):
    leader = factories.PersonFactory()
    payload = {**mission_payload(leader, []), "end_date": "2018-04-01"}
    response = api.post(MISSIONS, payload, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    payload = {**mission_payload(leader, []), "leader_rank": "emperor", "sectors": ["space"]}
    response = api.post(MISSIONS, payload, format="json").json()
    assert "leader_rank" in response and "sectors" in response
    assert Mission.objects.count() == 0


@pytest.mark.django_db
def test_a_cancelled_mission_cannot_be_completed_through_the_api(api):
    mission = factories.MissionFactory(status="cancelled")
    response = api.patch(
        f"{MISSIONS}{mission.pk}/",
        {"status": "completed"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"status": ["A cancelled mission cannot be marked completed."]}
    mission.refresh_from_db()
    assert mission.status == "cancelled"


@pytest.mark.django_db
def test_a_delegation_is_of_japanese_companies_and_bodies(api):
    company = factories.JapaneseCompanyFactory()
    ministry = factories.OrganizationFactory(name="Ministry of Transport of Ghana", country="GH")
    mission = factories.MissionFactory()
    url = f"{MISSIONS}{mission.pk}/"
    response = api.patch(
        url, {"delegation": [company.pk, ministry.pk]}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {
        "delegation": ["Ministry of Transport of Ghana is not a Japanese company or body."]
    }
    assert list(mission.delegation.all()) == []
    # A new mission is checked the same way.
    refused = api.post(
        MISSIONS,
        {**mission_payload(mission.leader, []), "delegation": [ministry.pk]},
        format="json",
    )
    assert refused.status_code == 400 and list(refused.json()) == ["delegation"]
    assert api.patch(url, {"delegation": [company.pk]}, format="json").status_code == 200
    assert list(mission.delegation.all()) == [company]


@pytest.mark.django_db
def test_moving_a_mission_away_from_its_meetings_is_refused(api):
    meeting = factories.MeetingFactory()
    response = api.patch(
        f"{MISSIONS}{meeting.mission.pk}/",
        {"start_date": "2030-01-01", "end_date": "2030-01-03"},
        format="json",
    )
    assert response.status_code == 400
    assert "start_date" in response.json()
    meeting.mission.refresh_from_db()
    assert meeting.mission.start_date.year == 2018


@pytest.mark.django_db
def test_meeting_shows_each_counterpart_with_the_post_held_that_day(api):
    meeting = factories.MeetingFactory(date=datetime.date(2018, 5, 2))
    minister = factories.PersonFactory()
    old = factories.PostFactory(
        person=minister,
        title="Vice-Minister",
        start_date=datetime.date(2010, 1, 1),
        end_date=datetime.date(2016, 1, 1),
    )
    current = factories.PostFactory(
        person=minister, title="Minister", start_date=datetime.date(2016, 1, 2)
    )
    meeting.counterparts.add(minister)
    body = api.get(f"{MEETINGS}{meeting.pk}/").json()
    [post] = body["counterpart_posts"]
    assert post["person"]["id"] == minister.pk
    assert post["title"] == "Minister" != old.title
    assert post["organization"]["id"] == current.organization.pk


@pytest.mark.django_db
def test_meeting_write_respects_the_mission_dates(api):
    mission = factories.MissionFactory()
    payload = {"mission": mission.pk, "date": "2017-01-01", "counterpart_country": "VN"}
    response = api.post(MEETINGS, payload, format="json")
    assert response.status_code == 400 and "date" in response.json()
    payload["date"] = mission.start_date.isoformat()
    assert api.post(MEETINGS, payload, format="json").status_code == 201


@pytest.mark.django_db
def test_meeting_filters(api):
    minister = factories.PersonFactory(name="Akufo Demo", name_ja="アクフォ")
    completed = factories.MissionFactory(status="completed", start_date=datetime.date(2019, 3, 30))
    official = factories.MissionFactory(
        leader_rank="senior_official", start_date=datetime.date(2018, 1, 10)
    )
    ghana = factories.MeetingFactory(
        mission=completed, date=datetime.date(2019, 3, 31), counterpart_country="GH"
    )
    ghana.counterparts.add(minister)
    vietnam = factories.MeetingFactory(
        mission=completed, date=datetime.date(2019, 4, 1), counterpart_country="VN"
    )
    timor = factories.MeetingFactory(
        mission=official, date=datetime.date(2018, 1, 11), counterpart_country="TL"
    )

    def ids(**params):
        response = api.get(MEETINGS, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(country=["GH", "VN"]) == {ghana.pk, vietnam.pk}
    assert ids(region="africa") == {ghana.pk}
    assert ids(region=["africa", "southeast_asia"]) == {ghana.pk, vietnam.pk, timor.pk}
    # Timor-Leste joined ASEAN on 2025-10-26: not a member in 2018.
    assert ids(asean="true") == {vietnam.pk}
    assert ids(year=2019) == {ghana.pk, vietnam.pk}
    assert ids(fiscal_year=2018) == {ghana.pk}
    assert ids(fiscal_year=2019) == {vietnam.pk}
    assert ids(top_sales="true") == {ghana.pk, vietnam.pk}
    assert ids(leader_rank="senior_official") == {timor.pk}
    assert ids(counterpart=minister.pk) == {ghana.pk}
    assert ids(q="アクフォ") == {ghana.pk}
    assert ids(date_after="2019-04-01") == {vietnam.pk}
    assert ids(mission=completed.pk, ordering="-date") == {ghana.pk, vietnam.pk}
    ordered = [row["id"] for row in api.get(MEETINGS, {"ordering": "date"}).json()["results"]]
    assert ordered == [timor.pk, ghana.pk, vietnam.pk]


@pytest.mark.django_db
def test_mission_filters(api):
    minister = factories.PersonFactory(name="Akufo Demo", name_ja="アクフォ")
    leader = factories.PersonFactory(name="Ishii Keiichi")
    company = factories.JapaneseCompanyFactory()
    project = factories.ProjectFactory()
    ghana = factories.MissionFactory(
        leader=leader,
        status="completed",
        kind="public_private_mission",
        start_date=datetime.date(2019, 3, 30),
        title="Ghana railway",
        sectors=["railway"],
        delegation=[company],
    )
    vietnam = factories.MissionFactory(
        leader_rank="senior_official", start_date=datetime.date(2019, 4, 2), sectors=["port"]
    )
    # Timor-Leste joined ASEAN on 2025-10-26: not a member at this meeting.
    timor = factories.MissionFactory(status="cancelled", start_date=datetime.date(2018, 1, 10))
    factories.MeetingFactory(
        mission=ghana, counterpart_country="GH", counterparts=[minister], projects=[project]
    )
    factories.MeetingFactory(mission=vietnam, counterpart_country="VN")
    factories.MeetingFactory(mission=timor, counterpart_country="TL")

    def ids(**params):
        response = api.get(MISSIONS, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(leader=leader.pk) == {ghana.pk}
    assert ids(leader_rank="senior_official") == {vietnam.pk}
    assert ids(kind="public_private_mission") == {ghana.pk}
    assert ids(status=["completed", "cancelled"]) == {ghana.pk, timor.pk}
    assert ids(sector=["railway", "port"]) == {ghana.pk, vietnam.pk}
    assert ids(country=["GH", "TL"]) == {ghana.pk, timor.pk}
    assert ids(region="africa") == {ghana.pk}
    assert ids(asean="true") == {vietnam.pk}
    assert ids(asean="false") == {ghana.pk, timor.pk}
    assert ids(organization=company.pk) == {ghana.pk}
    assert ids(project=project.pk) == {ghana.pk}
    assert ids(counterpart=minister.pk) == {ghana.pk}
    assert ids(year=2019) == {ghana.pk, vietnam.pk}
    assert ids(fiscal_year=2018) == {ghana.pk}
    assert ids(fiscal_year=2019) == {vietnam.pk}
    assert ids(start_date_after="2019-04-01") == {vietnam.pk}
    assert ids(start_date_before="2018-12-31") == {timor.pk}
    assert ids(end_date_after="2019-04-02", end_date_before="2019-04-05") == {vietnam.pk, ghana.pk}
    assert ids(q="ghana rail") == {ghana.pk}
    assert ids(q="Ishii") == {ghana.pk}
    assert ids(updated_since="2000-01-01T00:00:00Z") == {ghana.pk, vietnam.pk, timor.pk}
    assert ids(updated_since="2999-01-01T00:00:00Z") == set()
    ordered = [row["id"] for row in api.get(MISSIONS, {"ordering": "start_date"}).json()["results"]]
    assert ordered == [timor.pk, ghana.pk, vietnam.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "parameter,value",
    [
        ("leader", "abc"),
        ("leader", "999999"),
        ("leader_rank", "emperor"),
        ("kind", "picnic"),
        ("status", "done"),
        ("sector", "space"),
        ("country", "XX"),
        ("region", "atlantis"),
        ("asean", "perhaps"),
        ("organization", "999999"),
        ("project", str(2**70)),
        ("counterpart", "1.5"),
        ("year", "twenty"),
        ("fiscal_year", "99999"),
        ("start_date_after", "2019-02-30"),
        ("end_date_before", "tomorrow"),
        ("q", "a\x00b"),
        ("updated_since", "yesterday"),
        ("ordering", "password"),
    ],
)
def test_invalid_mission_filter_values_are_400s_naming_the_parameter(api, parameter, value):
    assert_bad_parameter(api, MISSIONS, {parameter: value}, parameter)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "parameter,value",
    [
        ("country", "XX"),
        ("region", "atlantis"),
        ("year", "twenty"),
        ("year", "99999"),
        ("fiscal_year", "-1"),
        ("date_after", "2019-02-30"),
        ("counterpart", "abc"),
        ("counterpart", "999999"),
        ("asean", "perhaps"),
        ("ordering", "password"),
        ("q", "a\x00b"),
        ("q", "x" * 10_000),
        ("updated_since", "yesterday"),
    ],
)
def test_invalid_filter_values_are_400s_naming_the_parameter(api, parameter, value):
    assert_bad_parameter(api, MEETINGS, {parameter: value}, parameter)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url,factory,pinned",
    [
        (MISSIONS, factories.MeetingFactory, MISSION_LIST_QUERIES),
        (MEETINGS, factories.MeetingFactory, MEETING_LIST_QUERIES),
    ],
)
def test_list_queries_do_not_grow_with_rows(data_entry_user, url, factory, pinned):
    def rich_meeting():
        meeting = factory()
        person = factories.PersonFactory()
        factories.PostFactory(person=person)
        meeting.counterparts.add(person)
        meeting.counterpart_organizations.add(factories.OrganizationFactory())
        meeting.projects.add(factories.ProjectFactory())
        meeting.mission.delegation.add(factories.JapaneseCompanyFactory())
        meeting.mission.sectors.add("road")

    def count():
        return count_list_queries(data_entry_user, url)[0]

    for _ in range(2):
        rich_meeting()
    with_two = count()
    for _ in range(48):
        rich_meeting()
    assert count() == with_two == pinned


@pytest.mark.django_db
def test_a_meeting_with_an_agreement_signed_at_it_keeps_its_day(api):
    meeting = factories.MeetingFactory(counterpart_country="GH", date=datetime.date(2018, 5, 2))
    factories.AgreementFactory(
        counterpart_country="GH",
        status="signed",
        signed_on=meeting.date,
        signed_at_meeting=meeting,
    )
    response = api.patch(
        f"{MEETINGS}{meeting.pk}/",
        {"date": "2018-05-03"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "was signed at this meeting, on May 2, 2018" in response.json()["date"][0]
    meeting.refresh_from_db()
    assert meeting.date == datetime.date(2018, 5, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ordering", "expected"),
    [("date", ("date", "id")), ("-date", ("-date", "id")), ("id", ("id",))],
)
def test_an_ordering_ends_with_the_id_so_equal_rows_keep_one_order(ordering, expected):
    """Meetings of one day come in one order on every page and in every export: the
    database would otherwise be free to return them differently query after query."""
    from missions.filters import MeetingFilterSet
    from missions.models import Meeting

    filterset = MeetingFilterSet({"ordering": ordering}, queryset=Meeting.objects.all())
    assert filterset.is_valid()
    assert filterset.qs.query.order_by == expected
