"""missions.Engagement stays equal to the (mission, principal, country) triples of the
meetings, whichever way the meetings are written."""

import datetime
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from missions.choices import LeaderRank
from missions.models import Engagement, Meeting, Mission
from missions.services import refresh_engagements
from tests import factories
from tests.core.test_concurrency import postgres_only
from tests.engagements import assert_engagements_match_meetings, from_meetings, stored
from tests.missions.test_admin import mission_form
from tests.missions.test_api import MEETINGS, MISSIONS, mission_payload

pytestmark = pytest.mark.django_db

day = datetime.date
MINISTER = LeaderRank.MINISTER  # the factories' missions are led by a minister


def held(mission, country):
    """The key of the engagement of the mission's leader with a country."""
    return (mission.pk, mission.leader_id, country)


@pytest.fixture
def trip():
    """A mission with two meetings in Viet Nam and one in Cambodia."""
    mission = factories.MissionFactory(start_date=day(2018, 5, 1), end_date=day(2018, 5, 4))
    for date, country in [
        (day(2018, 5, 2), "VN"),
        (day(2018, 5, 3), "VN"),
        (day(2018, 5, 4), "KH"),
    ]:
        factories.MeetingFactory(mission=mission, date=date, counterpart_country=country)
    return mission


def test_saving_meetings_keeps_their_pairs(trip):
    assert stored() == {
        held(trip, "VN"): (MINISTER, day(2018, 5, 2), day(2018, 5, 3), 2),
        held(trip, "KH"): (MINISTER, day(2018, 5, 4), day(2018, 5, 4), 1),
    }


def test_a_new_date_moves_the_pair_s_dates(trip):
    meeting = trip.meetings.get(counterpart_country="VN", date=day(2018, 5, 3))
    meeting.date = day(2018, 5, 1)
    meeting.save()
    assert stored()[held(trip, "VN")] == (MINISTER, day(2018, 5, 1), day(2018, 5, 2), 2)
    assert_engagements_match_meetings()


def test_a_meeting_moved_to_another_country_refreshes_both_pairs(trip):
    meeting = trip.meetings.get(counterpart_country="KH")
    meeting.counterpart_country = "TH"
    meeting.save()
    assert set(stored()) == {held(trip, "VN"), held(trip, "TH")}
    assert_engagements_match_meetings()


def test_a_meeting_moved_to_another_mission_refreshes_both_pairs(trip):
    other = factories.MissionFactory(start_date=trip.start_date, end_date=trip.end_date)
    for meeting in trip.meetings.filter(counterpart_country="VN"):
        meeting.mission = other
        meeting.save()
    # They keep the official who held them.
    assert set(stored()) == {held(trip, "KH"), (other.pk, trip.leader_id, "VN")}
    assert_engagements_match_meetings()


def test_a_save_of_other_fields_writes_no_engagement(trip):
    meeting = trip.meetings.first()
    meeting.topics = "Urban railways"
    with CaptureQueriesContext(connection) as queries:
        meeting.save()
    assert not [query for query in queries if "missions_engagement" in query["sql"]]


def test_a_save_of_some_fields_and_of_a_partly_loaded_meeting(trip):
    meeting = trip.meetings.get(counterpart_country="KH")
    meeting.counterpart_country = "TH"
    meeting.date = day(2018, 5, 1)
    meeting.save(update_fields=["date"])  # the country stays KH in the table
    assert stored()[held(trip, "KH")] == (MINISTER, day(2018, 5, 1), day(2018, 5, 1), 1)
    meeting.save()
    assert_engagements_match_meetings()

    partial = Meeting.objects.only("id", "counterpart_country").get(pk=meeting.pk)
    partial.counterpart_country = "LA"
    partial.save()
    assert set(stored()) == {held(trip, "VN"), held(trip, "LA")}
    assert_engagements_match_meetings()


def test_an_instance_not_read_from_the_database_refreshes_the_pair_it_replaces(trip):
    # What a history revert does: an instance built from old values, saved over the row.
    meeting = trip.meetings.get(counterpart_country="KH")
    rebuilt = Meeting(
        **{field.attname: getattr(meeting, field.attname) for field in Meeting._meta.fields}
    )
    rebuilt.counterpart_country = "ID"
    rebuilt.save()
    assert set(stored()) == {held(trip, "VN"), held(trip, "ID")}
    assert_engagements_match_meetings()


def test_deleting_meetings(trip):
    trip.meetings.filter(counterpart_country="VN").first().delete()
    assert stored()[held(trip, "VN")][3] == 1
    trip.meetings.filter(counterpart_country="VN").delete()  # a queryset, as the admin does
    assert set(stored()) == {held(trip, "KH")}
    assert_engagements_match_meetings()


def test_deleting_the_mission_deletes_its_pairs(trip):
    kept = factories.MeetingFactory(counterpart_country="GH")
    with CaptureQueriesContext(connection) as queries:
        trip.delete()
    assert set(stored()) == {held(kept.mission, "GH")}
    assert_engagements_match_meetings()
    # Its meetings go with it: no pair recomputed one meeting at a time.
    assert not [query for query in queries if "MIN(" in query["sql"].upper()]
    Mission.objects.filter(pk=kept.mission_id).delete()
    assert stored() == {}


def test_refresh_engagements_repairs_the_pairs_it_is_given(trip):
    Engagement.objects.filter(counterpart_country="VN").update(meetings=99)
    Engagement.objects.filter(counterpart_country="KH").delete()
    Engagement.objects.create(
        mission=trip,
        principal=trip.leader,
        principal_rank=MINISTER,
        counterpart_country="GH",
        first_date=day(2018, 5, 1),
        last_date=day(2018, 5, 1),
        meetings=1,
    )
    refresh_engagements([held(trip, "vn"), held(trip, "KH"), held(trip, "GH")])
    assert_engagements_match_meetings()


def test_refresh_engagements_of_many_triples_repairs_only_those_given(trip):
    """Over MANY_TRIPLES (an import's), the triples are read by their missions (on
    PostgreSQL, recomputed in one statement): the same rows, and a triple of those
    missions not given is left as it is."""
    from django_countries import countries

    from missions.services import MANY_TRIPLES

    other = factories.MeetingFactory(mission=trip, date=day(2018, 5, 2), counterpart_country="TH")
    Engagement.objects.filter(counterpart_country="VN").update(
        meetings=99, first_date=day(2018, 1, 1)
    )
    Engagement.objects.filter(counterpart_country="KH").delete()
    Engagement.objects.filter(counterpart_country="TH").update(meetings=7)
    Engagement.objects.create(
        mission=trip,
        principal=trip.leader,
        principal_rank=MINISTER,
        counterpart_country="GH",
        first_date=day(2018, 5, 1),
        last_date=day(2018, 5, 1),
        meetings=1,
    )
    unused = [code for code, _name in countries if code not in {"VN", "KH", "GH", "TH"}]
    padding = [held(trip, code) for code in unused[: MANY_TRIPLES + 1]]
    refresh_engagements([held(trip, "vn"), held(trip, "KH"), held(trip, "GH"), *padding])
    assert Engagement.objects.get(counterpart_country="TH").meetings == 7  # not given
    Engagement.objects.filter(counterpart_country="TH").delete()
    refresh_engagements([(other.mission_id, other.principal_id, "TH")])
    assert_engagements_match_meetings()


def test_the_rebuild_command_repairs_everything(trip):
    Engagement.objects.all().update(meetings=0)
    Engagement.objects.filter(counterpart_country="KH").delete()
    out = StringIO()
    call_command("rebuild_engagements", stdout=out)
    assert "2 engagements" in out.getvalue()
    assert_engagements_match_meetings()


# The write paths of the application


def test_admin_inline_create_and_move(data_entry_client):
    leader = factories.PersonFactory()
    meetings = [
        {"date": "2018-05-02", "counterpart_country": "VN"},
        {"date": "2018-05-03", "counterpart_country": "VN"},
        {"date": "2018-05-04", "counterpart_country": "KH"},
    ]
    response = data_entry_client.post(
        reverse("admin:missions_mission_add"), mission_form(leader, meetings)
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    mission = Mission.objects.get()
    assert stored() == {
        held(mission, "VN"): (MINISTER, day(2018, 5, 2), day(2018, 5, 3), 2),
        held(mission, "KH"): (MINISTER, day(2018, 5, 4), day(2018, 5, 4), 1),
    }

    # The change form: Cambodia's meeting becomes Laos's, one of Viet Nam's is deleted.
    change = reverse("admin:missions_mission_change", args=[mission.pk])
    page = data_entry_client.get(change)
    existing = list(mission.meetings.order_by("date"))
    rows = [
        {
            "id": meeting.pk,
            "mission": mission.pk,
            "date": meeting.date.isoformat(),
            "counterpart_country": "LA" if meeting.counterpart_country == "KH" else "VN",
            **({"DELETE": "on"} if meeting.date == day(2018, 5, 3) else {}),
        }
        for meeting in existing
    ]
    data = mission_form(
        leader,
        rows,
        **{
            "meetings-INITIAL_FORMS": str(len(rows)),
            "version": page.context["adminform"].form["version"].value(),
        },
    )
    response = data_entry_client.post(change, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert stored() == {
        held(mission, "VN"): (MINISTER, day(2018, 5, 2), day(2018, 5, 2), 1),
        held(mission, "LA"): (MINISTER, day(2018, 5, 4), day(2018, 5, 4), 1),
    }
    assert_engagements_match_meetings()


def test_api_mission_created_with_its_meetings(api):
    leader = factories.PersonFactory()
    meetings = [
        {"date": "2018-05-02", "counterpart_country": "VN"},
        {"date": "2018-05-04", "counterpart_country": "VN"},
        {"date": "2018-05-04", "counterpart_country": "KH"},
    ]
    response = api.post(MISSIONS, mission_payload(leader, meetings), format="json")
    assert response.status_code == 201, response.json()
    mission = Mission.objects.get(pk=response.json()["id"])
    assert stored() == {
        held(mission, "VN"): (LeaderRank.STATE_MINISTER, day(2018, 5, 2), day(2018, 5, 4), 2),
        held(mission, "KH"): (LeaderRank.STATE_MINISTER, day(2018, 5, 4), day(2018, 5, 4), 1),
    }


def test_api_meeting_create_move_and_delete(api, trip):
    response = api.post(
        MEETINGS,
        {"mission": trip.pk, "date": "2018-05-01", "counterpart_country": "KH"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert stored()[held(trip, "KH")] == (MINISTER, day(2018, 5, 1), day(2018, 5, 4), 2)

    moved = trip.meetings.get(counterpart_country="KH", date=day(2018, 5, 4))
    response = api.patch(f"{MEETINGS}{moved.pk}/", {"counterpart_country": "TH"}, format="json")
    assert response.status_code == 200, response.json()
    assert stored()[held(trip, "KH")] == (MINISTER, day(2018, 5, 1), day(2018, 5, 1), 1)
    assert stored()[held(trip, "TH")] == (MINISTER, day(2018, 5, 4), day(2018, 5, 4), 1)

    assert api.delete(f"{MEETINGS}{moved.pk}/").status_code == 204
    assert held(trip, "TH") not in stored()
    assert_engagements_match_meetings()


def test_api_mission_delete(api, trip):
    assert api.delete(f"{MISSIONS}{trip.pk}/").status_code == 204
    assert stored() == {}


def test_admin_restore_of_a_deleted_meeting_and_revert_of_a_moved_one(
    client, administrator_user, trip
):
    client.force_login(administrator_user)
    meeting = trip.meetings.get(counterpart_country="KH")
    pk = meeting.pk
    meeting.delete()
    assert held(trip, "KH") not in stored()
    deletion = Meeting.history.filter(id=pk, history_type="-").latest("history_id")
    response = client.post(reverse("admin:missions_meeting_restore", args=[deletion.history_id]))
    assert response.status_code == 302
    assert stored()[held(trip, "KH")] == (MINISTER, day(2018, 5, 4), day(2018, 5, 4), 1)

    # Moved to Thailand, then reverted to the version in Cambodia from its history page.
    restored = Meeting.objects.get(pk=pk)
    in_cambodia = restored.history.order_by("-history_date", "-history_id").first()
    restored.counterpart_country = "TH"
    restored.save()
    assert held(trip, "KH") not in stored()
    url = reverse("admin:missions_meeting_simple_history", args=[pk, in_cambodia.history_id])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: ([str(item) for item in value] if isinstance(value, list | tuple) else value)
        for name in form.fields
        if (value := form[name].value()) is not None
    }
    response = client.post(url, data)
    assert response.status_code == 302, page.context["adminform"].form.errors
    assert set(stored()) == {held(trip, "VN"), held(trip, "KH")}
    assert_engagements_match_meetings()


def test_mission_restored_then_its_meeting(client, administrator_user, trip):
    client.force_login(administrator_user)
    meeting_ids = list(trip.meetings.values_list("pk", flat=True))
    mission_pk = trip.pk
    trip.delete()
    mission_deletion = Mission.history.filter(id=mission_pk, history_type="-").latest("history_id")
    client.post(reverse("admin:missions_mission_restore", args=[mission_deletion.history_id]))
    assert stored() == {}
    for pk in meeting_ids:
        deletion = Meeting.history.filter(id=pk, history_type="-").latest("history_id")
        client.post(reverse("admin:missions_meeting_restore", args=[deletion.history_id]))
    assert Meeting.objects.count() == 3
    assert len(stored()) == 2
    assert_engagements_match_meetings()


def test_demo_loader_leaves_the_table_equal_to_the_meetings():
    call_command("load_demo", stdout=StringIO())
    assert len(from_meetings()) > 69
    assert_engagements_match_meetings()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_transactions_adding_meetings_to_one_pair_count_both():
    mission = factories.MissionFactory()
    factories.MeetingFactory(mission=mission, counterpart_country="VN")
    first_saved, release = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                factories.MeetingFactory(mission=mission, counterpart_country="VN")
                first_saved.set()
                release.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            first_saved.wait(10)
            # Counted alone, it would store 2 meetings over the first's 2: it waits.
            factories.MeetingFactory(mission=mission, counterpart_country="VN")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_saved.wait(10)
    time.sleep(0.5)
    release.set()
    for thread in threads:
        thread.join()

    assert stored()[held(mission, "VN")][3] == 3
    assert_engagements_match_meetings()
