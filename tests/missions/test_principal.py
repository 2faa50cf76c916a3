"""The official who held each meeting (Meeting.principal, principal_rank): the mission's
leader at the leader's rank unless given, on every path; shown wherever meetings are;
followed when the mission's leader changes; and the data migration that filled the
meetings recorded before."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from missions.choices import LeaderRank, MissionStatus
from missions.models import Engagement, Meeting
from missions.services import LEADER_CHANGED_REASON
from tests import factories
from tests.api import assert_message, client_for, count_list_queries, csv_rows
from tests.engagements import assert_engagements_match_meetings
from tests.missions.test_admin import mission_form
from tests.missions.test_api import MEETING_LIST_QUERIES, MEETINGS, MISSIONS, mission_payload
from tests.rules import NON_FIELD_ERRORS, assert_refused, db_refuses

day = datetime.date
PVM = LeaderRank.PARLIAMENTARY_VICE_MINISTER


@pytest.fixture
def ticad(db):
    """Minister Ishii's mission, and Parliamentary Vice-Minister Adachi."""
    ishii = factories.PersonFactory(name="ISHII Keiichi", name_ja="石井啓一")
    adachi = factories.PersonFactory(name="ADACHI Masashi", name_ja="阿達雅志")
    mission = factories.MissionFactory(
        leader=ishii,
        leader_rank=LeaderRank.MINISTER,
        status=MissionStatus.COMPLETED,
        start_date=day(2019, 8, 28),
        end_date=day(2019, 8, 30),
    )
    return mission, ishii, adachi


# -- the model ------------------------------------------------------------------------


def test_a_meeting_left_blank_is_held_by_the_leader_at_the_leaders_rank(ticad):
    mission, ishii, _adachi = ticad
    meeting = Meeting(mission=mission, date=day(2019, 8, 28), counterpart_country="KE")
    meeting.full_clean()
    assert (meeting.principal, meeting.principal_rank) == (ishii, LeaderRank.MINISTER)
    saved = factories.MeetingFactory(mission=mission)  # save() fills it too (imports)
    assert (saved.principal, saved.principal_rank) == (ishii, LeaderRank.MINISTER)


def test_another_official_needs_the_rank_held_that_day(ticad):
    mission, _ishii, adachi = ticad
    meeting = Meeting(
        mission=mission, date=day(2019, 8, 30), counterpart_country="KE", principal=adachi
    )
    assert_refused(
        meeting,
        "principal_rank",
        "Give the rank ADACHI Masashi held that day: only the leader's is known.",
    )
    meeting.principal_rank = PVM
    meeting.full_clean()


def test_the_leader_holds_meetings_at_the_leaders_rank(ticad):
    mission, ishii, _adachi = ticad
    meeting = Meeting(
        mission=mission,
        date=day(2019, 8, 30),
        counterpart_country="KE",
        principal=ishii,
        principal_rank=PVM,
    )
    assert_refused(
        meeting,
        "principal_rank",
        "ISHII Keiichi led this mission as Minister: give that rank, or the official who "
        "held the meeting.",
    )


def test_the_database_refuses_a_meeting_without_a_rank(ticad):
    mission, _ishii, _adachi = ticad
    meeting = factories.MeetingFactory(mission=mission)
    with db_refuses("meeting_principal_rank_given"):
        Meeting.objects.filter(pk=meeting.pk).update(principal_rank="")
    meeting.principal_rank = ""
    meeting.principal = factories.PersonFactory()
    assert_refused(
        meeting,
        NON_FIELD_ERRORS,
        "Give the rank of the official who held the meeting, as held that day.",
        validate=meeting.validate_constraints,
    )


def test_a_change_of_leader_or_rank_takes_the_leaders_meetings_along(ticad):
    mission, ishii, adachi = ticad
    by_leader = factories.MeetingFactory(mission=mission, counterpart_country="GH")
    by_adachi = factories.MeetingFactory(
        mission=mission, counterpart_country="KE", principal=adachi, principal_rank=PVM
    )
    mission.leader_rank = LeaderRank.STATE_MINISTER  # a correction
    mission.save()
    by_leader.refresh_from_db()
    assert (by_leader.principal, by_leader.principal_rank) == (ishii, LeaderRank.STATE_MINISTER)
    assert by_leader.history.first().history_change_reason == LEADER_CHANGED_REASON

    mission.leader = other = factories.PersonFactory()
    mission.save()
    by_leader.refresh_from_db()
    by_adachi.refresh_from_db()
    assert by_leader.principal == other
    assert (by_adachi.principal, by_adachi.principal_rank) == (adachi, PVM)
    assert_engagements_match_meetings()


def test_the_engagement_table_follows_the_principal(ticad):
    mission, ishii, adachi = ticad
    meeting = factories.MeetingFactory(mission=mission, counterpart_country="KE")
    factories.MeetingFactory(mission=mission, counterpart_country="KE", date=day(2019, 8, 29))
    assert Engagement.objects.get().meetings == 2
    meeting.principal, meeting.principal_rank = adachi, PVM
    meeting.save()
    assert sorted(Engagement.objects.values_list("principal_id", "principal_rank", "meetings")) == (
        sorted([(ishii.pk, LeaderRank.MINISTER, 1), (adachi.pk, PVM, 1)])
    )
    meeting.save(update_fields=["principal"])  # unchanged
    assert_engagements_match_meetings()


# -- the API ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.api_language("en")
def test_api_shows_the_principal_brief_and_writes_it_by_id(api, ticad):
    mission, ishii, adachi = ticad
    response = api.post(
        MEETINGS,
        {"mission": mission.pk, "date": "2019-08-30", "counterpart_country": "KE"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["principal"] == {
        "id": ishii.pk,
        "url": f"http://testserver/api/v1/people/{ishii.pk}/",
        "display": str(ishii),
    }
    assert (body["principal_rank"], body["principal_rank_label"]) == ("minister", "Minister")

    url = f"{MEETINGS}{body['id']}/"
    response = api.patch(url, {"principal": adachi.pk, "principal_rank": PVM}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["principal"]["id"] == adachi.pk
    assert response.json()["principal_rank_label"] == "Parliamentary Vice-Minister"

    # null: back to the leader, at the leader's rank.
    response = api.patch(url, {"principal": None}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["principal"]["id"], response.json()["principal_rank"]) == (
        ishii.pk,
        "minister",
    )

    # Another official without a rank: not the rank of the one named before.
    response = api.patch(url, {"principal": adachi.pk}, format="json")
    assert_message(
        response,
        "principal_rank",
        "Give the rank ADACHI Masashi held that day: only the leader's is known.",
    )
    assert Meeting.objects.get(pk=body["id"]).principal == ishii


@pytest.mark.django_db
def test_api_mission_created_with_meetings_of_two_officials(api):
    leader, adachi = factories.PersonFactory.create_batch(2)
    response = api.post(
        MISSIONS,
        mission_payload(
            leader,
            [
                {"date": "2018-05-02", "counterpart_country": "VN"},
                {
                    "date": "2018-05-02",
                    "counterpart_country": "VN",
                    "principal": adachi.pk,
                    "principal_rank": PVM,
                },
            ],
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    held = set(Meeting.objects.values_list("principal_id", "principal_rank"))
    assert held == {(leader.pk, "state_minister"), (adachi.pk, PVM)}
    assert Engagement.objects.count() == 2


@pytest.mark.django_db
def test_api_filters_by_principal_and_rank(api, ticad):
    mission, ishii, adachi = ticad
    by_ishii = factories.MeetingFactory(mission=mission, counterpart_country="GH")
    by_adachi = factories.MeetingFactory(
        mission=mission, counterpart_country="KE", principal=adachi, principal_rank=PVM
    )

    def ids(**params):
        return {row["id"] for row in api.get(MEETINGS, params).json()["results"]}

    assert ids(principal=adachi.pk) == {by_adachi.pk}
    assert ids(principal_rank="minister") == {by_ishii.pk}
    assert ids(top_sales="true") == {by_ishii.pk, by_adachi.pk}
    assert api.get(MEETINGS, {"principal_rank": "emperor"}).status_code == 400

    report = api.get("/api/v1/reports/engagements/", {"principal_rank": PVM}).json()
    assert (report["engagements"], report["by_principal"][0]["principal_id"]) == (1, adachi.pk)
    assert [row["rank"] for row in api.get("/api/v1/reports/engagements/").json()["by_rank"]] == [
        "minister",
        PVM,
    ]


@pytest.mark.django_db
def test_meeting_list_queries_stay_fixed_with_principals(data_entry_user):
    def add(count):
        for _ in range(count):
            mission = factories.MissionFactory()
            factories.MeetingFactory(mission=mission)
            factories.MeetingFactory(
                mission=mission, principal=factories.PersonFactory(), principal_rank=PVM
            )

    add(1)
    few = count_list_queries(data_entry_user, MEETINGS)
    add(24)
    many = count_list_queries(data_entry_user, MEETINGS)
    assert (few[1]["count"], many[1]["count"]) == (2, 50)
    # The principal is joined to the page's query: none of its own (these meetings have
    # no counterparts, whose posts test_api's pinned MEETING_LIST_QUERIES counts).
    assert few[0] == many[0] == MEETING_LIST_QUERIES - 1


@pytest.mark.django_db
def test_meeting_export_has_the_principal_and_rank(data_entry_user, ticad):
    mission, _ishii, adachi = ticad
    factories.MeetingFactory(
        mission=mission, counterpart_country="KE", principal=adachi, principal_rank=PVM
    )
    rows = csv_rows(client_for(data_entry_user, language="ja").get(MEETINGS, {"format": "csv"}))
    header, row = rows
    assert row[header.index("会談者")] == "阿達雅志"
    assert row[header.index("会談者の役職")] == "大臣政務官"


# -- the admin -------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_inline_fills_the_leader_and_takes_another_official(data_entry_client):
    leader, adachi = factories.PersonFactory.create_batch(2)
    meetings = [
        {"date": "2018-05-02", "counterpart_country": "VN"},
        {
            "date": "2018-05-03",
            "counterpart_country": "VN",
            "principal": adachi.pk,
            "principal_rank": PVM,
        },
    ]
    response = data_entry_client.post(
        reverse("admin:missions_mission_add"), mission_form(leader, meetings)
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    held = set(Meeting.objects.values_list("principal_id", "principal_rank"))
    assert held == {(leader.pk, "minister"), (adachi.pk, PVM)}

    page = data_entry_client.get(
        reverse("admin:missions_mission_change", args=[Meeting.objects.first().mission_id])
    )
    assert "meetings-0-principal" in page.content.decode()


@pytest.mark.django_db
def test_admin_asks_for_the_rank_of_another_official(data_entry_client):
    leader, adachi = factories.PersonFactory.create_batch(2)
    response = data_entry_client.post(
        reverse("admin:missions_mission_add"),
        mission_form(
            leader, [{"date": "2018-05-02", "counterpart_country": "VN", "principal": adachi.pk}]
        ),
    )
    assert response.status_code == 200
    assert "の会談当日の役職を入力してください" in str(
        response.context["inline_admin_formsets"][0].formset.errors
    )
    assert not Meeting.objects.exists()


# -- the data migration ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_meetings_their_missions_leader():
    executor = MigrationExecutor(connection)
    before = [("missions", "0004_delegation_japanese_only")]
    after = [("missions", "0005_meeting_principal")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    person = old.get_model("contacts", "Person").objects.create(name="Ishii")
    mission = old.get_model("missions", "Mission").objects.create(
        title="Visit",
        leader_id=person.pk,
        leader_rank="state_minister",
        kind="overseas_visit",
        start_date=day(2018, 5, 1),
        end_date=day(2018, 5, 3),
        status="completed",
    )
    meetings = old.get_model("missions", "Meeting").objects
    for date in (day(2018, 5, 1), day(2018, 5, 2)):
        meetings.create(mission_id=mission.pk, date=date, counterpart_country="VN")

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert set(Meeting.objects.values_list("principal_id", "principal_rank")) == {
        (person.pk, "state_minister")
    }
    assert list(
        Engagement.objects.values_list(
            "mission_id", "principal_id", "principal_rank", "first_date", "meetings"
        )
    ) == [(mission.pk, person.pk, "state_minister", day(2018, 5, 1), 2)]
