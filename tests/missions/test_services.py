import datetime

import pytest
from django.core.exceptions import ValidationError

from missions.choices import MissionStatus
from missions.services import mission_check_meeting_dates, mission_complete
from tests.factories import MeetingFactory, MissionFactory
from tests.rules import assert_refused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [MissionStatus.PLANNED, MissionStatus.COMPLETED])
def test_mission_complete_marks_and_saves(status):
    mission = MissionFactory(status=status)
    mission_complete(mission=mission)
    mission.refresh_from_db()
    assert mission.status == MissionStatus.COMPLETED


def test_a_cancelled_mission_cannot_be_completed():
    mission = MissionFactory(status=MissionStatus.CANCELLED)
    assert_refused(
        mission,
        "status",
        "A cancelled mission cannot be marked completed.",
        validate=lambda: mission_complete(mission=mission),
    )
    mission.refresh_from_db()
    assert mission.status == MissionStatus.CANCELLED


def test_mission_complete_runs_the_model_rules():
    mission = MissionFactory()
    mission.end_date = mission.start_date - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        mission_complete(mission=mission)
    mission.refresh_from_db()
    assert mission.status == MissionStatus.PLANNED


@pytest.fixture
def mission_with_meeting():
    mission = MissionFactory(
        start_date=datetime.date(2018, 5, 1), end_date=datetime.date(2018, 5, 4)
    )
    MeetingFactory(mission=mission, date=datetime.date(2018, 5, 2))
    return mission


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime.date(2018, 5, 3), datetime.date(2018, 5, 4)),
        (datetime.date(2018, 5, 1), datetime.date(2018, 5, 1)),
    ],
)
def test_new_mission_dates_must_still_cover_its_meetings(mission_with_meeting, start, end):
    mission = mission_with_meeting
    mission.start_date, mission.end_date = start, end
    assert_refused(
        mission,
        "start_date",
        "Some meetings of this mission fall outside these dates.",
        validate=lambda: mission_check_meeting_dates(mission=mission),
    )


def test_mission_dates_that_cover_its_meetings_pass(mission_with_meeting):
    mission = mission_with_meeting
    mission.start_date, mission.end_date = datetime.date(2018, 5, 2), datetime.date(2018, 5, 2)
    mission_check_meeting_dates(mission=mission)


def test_an_unsaved_mission_has_no_meetings_to_check():
    mission_check_meeting_dates(mission=MissionFactory.build())
