"""Logging a mission as staff do: the mission, its meetings inline, all or nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Post
from missions.choices import MissionKind, MissionStatus
from missions.models import Meeting, Mission
from tests import factories
from tests.admin_pages import mission_form

ADD_URL = reverse("admin:missions_mission_add")


@pytest.mark.django_db
def test_two_country_mission_with_meetings_counterparts_and_projects(data_entry_client):
    leader = factories.PersonFactory()
    minister_vn, minister_kh = factories.PersonFactory.create_batch(2)
    ministry = factories.OrganizationFactory(country="VN")
    railway = factories.ProjectFactory(country="VN")
    port = factories.ProjectFactory(country="KH")
    meetings = [
        {
            "date": "2018-05-02",
            "counterpart_country": "VN",
            "venue_city": "Hanoi",
            "venue_country": "VN",
            "counterparts": [minister_vn.pk],
            "counterpart_organizations": [ministry.pk],
            "projects": [railway.pk],
            "topics": "North-South railway",
        },
        {
            "date": "2018-05-04",
            "counterpart_country": "KH",
            "venue_city": "Phnom Penh",
            "venue_country": "KH",
            "counterparts": [minister_kh.pk],
            "projects": [port.pk],
        },
    ]

    response = data_entry_client.post(ADD_URL, mission_form(leader, meetings))

    assert response.status_code == 302, response.context and response.context["errors"]
    mission = Mission.objects.get()
    assert mission.leader == leader
    assert sorted(mission.meetings.values_list("counterpart_country", flat=True)) == ["KH", "VN"]
    hanoi = mission.meetings.get(counterpart_country="VN")
    assert list(hanoi.counterparts.all()) == [minister_vn]
    assert list(hanoi.counterpart_organizations.all()) == [ministry]
    assert list(hanoi.projects.all()) == [railway]
    # The change is in the record's history, attributed to the user who made it.
    assert mission.history.get().history_user.username == "data-entry-user"


@pytest.mark.django_db
def test_a_broken_inline_saves_nothing_and_says_why(data_entry_client):
    leader = factories.PersonFactory()
    meetings = [
        {"date": "2018-05-02", "counterpart_country": "VN"},
        # Outside the mission's dates: the whole mission must be refused.
        {"date": "2018-06-30", "counterpart_country": "KH"},
    ]

    response = data_entry_client.post(ADD_URL, mission_form(leader, meetings))

    assert response.status_code == 200
    assert Mission.objects.count() == 0
    assert Meeting.objects.count() == 0
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert inline_errors[0] == {}
    assert "date" in inline_errors[1]


@pytest.mark.django_db
def test_japan_is_refused_as_counterpart_country_in_the_inline(data_entry_client):
    leader = factories.PersonFactory()
    response = data_entry_client.post(
        ADD_URL, mission_form(leader, [{"date": "2018-05-02", "counterpart_country": "JP"}])
    )
    assert response.status_code == 200
    assert Mission.objects.count() == 0
    errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert str(Meeting._meta.constraints[0].violation_error_message) in str(errors)


@pytest.mark.django_db
def test_a_foreign_organisation_in_the_delegation_is_refused_with_the_reason(data_entry_client):
    leader = factories.PersonFactory()
    jica = factories.OrganizationFactory(name="JICA", kind="japanese_public_body", country="JP")
    roads = factories.OrganizationFactory(
        name="Ministry of Roads and Highways", kind="foreign_government", country="GH"
    )
    meetings = [{"date": "2018-05-02", "counterpart_country": "VN"}]

    response = data_entry_client.post(
        ADD_URL, mission_form(leader, meetings, delegation=[jica.pk, roads.pk])
    )

    assert response.status_code == 200
    assert Mission.objects.count() == 0
    assert response.context["adminform"].form.errors["delegation"] == [
        "Ministry of Roads and Highways は日本の企業・団体ではありません。"
    ]
    response = data_entry_client.post(ADD_URL, mission_form(leader, meetings, delegation=[jica.pk]))
    assert response.status_code == 302
    assert list(Mission.objects.get().delegation.all()) == [jica]


@pytest.mark.django_db
def test_moving_the_mission_away_from_its_meetings_is_refused(data_entry_client):
    meeting = factories.MeetingFactory()
    mission = meeting.mission
    url = reverse("admin:missions_mission_change", args=[mission.pk])
    data = mission_form(
        mission.leader,
        [
            {
                "id": meeting.pk,
                "mission": mission.pk,
                "date": meeting.date.isoformat(),
                "counterpart_country": meeting.counterpart_country.code,
            }
        ],
        **{
            "start_date": "2030-01-01",
            "end_date": "2030-01-02",
            "meetings-INITIAL_FORMS": "1",
        },
    )
    response = data_entry_client.post(url, data)
    assert response.status_code == 200
    mission.refresh_from_db()
    assert mission.start_date.year != 2030


@pytest.mark.django_db
def test_mark_completed_action(data_entry_client):
    planned = factories.MissionFactory(status=MissionStatus.PLANNED)
    cancelled = factories.MissionFactory(status=MissionStatus.CANCELLED)
    response = data_entry_client.post(
        reverse("admin:missions_mission_changelist"),
        {"action": "mark_completed", "_selected_action": [planned.pk, cancelled.pk]},
        follow=True,
    )
    assert response.status_code == 200
    planned.refresh_from_db()
    cancelled.refresh_from_db()
    assert planned.status == MissionStatus.COMPLETED
    assert cancelled.status == MissionStatus.CANCELLED
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 2  # one success, one refusal naming the cancelled mission
    assert any(str(cancelled) in message for message in shown)


@pytest.mark.django_db
def test_meeting_autocomplete_finds_people_by_japanese_name(data_entry_client):
    factories.PersonFactory(name="Akufo Demo", name_ja="アクフォ")
    response = data_entry_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "アクフォ",
            "app_label": "missions",
            "model_name": "meeting",
            "field_name": "counterparts",
        },
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["アクフォ"]


def listed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.django_db
def test_missions_are_filtered_by_the_country_and_region_of_their_meetings(data_entry_client):
    url = reverse("admin:missions_mission_changelist")
    two_in_viet_nam = factories.MissionFactory()
    factories.MeetingFactory.create_batch(2, mission=two_in_viet_nam, counterpart_country="VN")
    in_ghana = factories.MeetingFactory(counterpart_country="GH", venue_country="GH").mission

    # Two meetings in Viet Nam, one mission listed.
    assert listed(data_entry_client, url, meetings__counterpart_country="VN") == [two_in_viet_nam]
    assert listed(data_entry_client, url, region="southeast_asia") == [two_in_viet_nam]
    assert listed(data_entry_client, url, region="africa") == [in_ghana]
    # The filter offers the countries that occur, by name.
    page = data_entry_client.get(url)
    [country_filter] = [
        spec
        for spec in page.context["cl"].filter_specs
        if spec.expected_parameters() == ["meetings__counterpart_country"]
    ]
    assert [code for code, _name in country_filter.lookup_choices] == ["GH", "VN"]


@pytest.mark.django_db
def test_meetings_are_filtered_by_their_missions_sector_and_kind(data_entry_client):
    url = reverse("admin:missions_meeting_changelist")
    railway = factories.MeetingFactory(
        mission=factories.MissionFactory(sectors=["railway", "road"], kind=MissionKind.CONFERENCE)
    )
    factories.MeetingFactory(mission=factories.MissionFactory(sectors=["water"]))

    assert listed(data_entry_client, url, mission__sectors="railway") == [railway]
    assert listed(data_entry_client, url, mission__kind__exact=MissionKind.CONFERENCE) == [railway]


def minister_with_two_posts():
    """A minister of roads until the end of 2018, then of transport."""
    minister = factories.PersonFactory(name="Kwasi Demo")
    roads = factories.OrganizationFactory(name="Ministry of Roads and Highways")
    transport = factories.OrganizationFactory(name="Ministry of Transport")
    factories.PostFactory(
        person=minister,
        organization=roads,
        title="Minister of Roads",
        start_date=datetime.date(2017, 1, 1),
        end_date=datetime.date(2018, 12, 31),
    )
    factories.PostFactory(
        person=minister,
        organization=transport,
        title="Minister of Transport",
        start_date=datetime.date(2019, 1, 1),
    )
    return minister


@pytest.mark.django_db
def test_a_meeting_shows_each_counterpart_with_the_post_held_that_day(data_entry_client):
    minister = minister_with_two_posts()
    meeting = factories.MeetingFactory(counterparts=[minister])  # May 2018

    page = data_entry_client.get(reverse("admin:missions_meeting_change", args=[meeting.pk]))

    shown = page.content.decode()
    assert "Kwasi Demo — Minister of Roads, Ministry of Roads and Highways" in shown
    assert "Minister of Transport" not in shown


@pytest.mark.django_db
def test_the_mission_page_shows_counterpart_posts_without_a_query_per_meeting(
    data_entry_client,
):
    minister = minister_with_two_posts()
    mission = factories.MissionFactory()
    url = reverse("admin:missions_mission_change", args=[mission.pk])

    def post_queries_and_page():
        with CaptureQueriesContext(connection) as captured:
            page = data_entry_client.get(url).content.decode()
        # The meeting rows' autocomplete widgets read their choices row by row (Django's
        # own); the posts are read once.
        return [query for query in captured if Post._meta.db_table in query["sql"]], page

    factories.MeetingFactory(mission=mission, counterparts=[minister])
    with_one, page = post_queries_and_page()
    assert "Kwasi Demo — Minister of Roads" in page
    factories.MeetingFactory.create_batch(
        4, mission=mission, counterparts=factories.PersonFactory.create_batch(2)
    )
    with_five, _page = post_queries_and_page()
    assert len(with_five) == len(with_one) == 1
