import datetime

import pytest
from django.forms import modelform_factory
from django.utils import translation

from agreements.choices import AgreementStatus
from missions.models import Meeting, Mission
from tests.factories import (
    AgreementFactory,
    JapaneseCompanyFactory,
    JapaneseGovernmentFactory,
    MeetingFactory,
    MissionFactory,
    OrganizationFactory,
)
from tests.rules import NON_FIELD_ERRORS, assert_refused, db_refuses

pytestmark = pytest.mark.django_db

START = datetime.date(2018, 5, 1)
END = datetime.date(2018, 5, 4)
OUTSIDE_MESSAGE = "The meeting must fall within the mission's dates (May 1, 2018 – May 4, 2018)."


@pytest.mark.parametrize("factory", [MissionFactory, MeetingFactory])
def test_factory_defaults_are_valid(factory):
    factory().full_clean()


def test_meeting_factory_meets_during_its_mission_and_not_with_japan():
    meeting = MeetingFactory()
    assert meeting.mission.covers(meeting.date)
    assert meeting.counterpart_country != "JP"


# Mission


def test_mission_cannot_end_before_it_starts():
    mission = MissionFactory(start_date=START, end_date=END)
    mission.end_date = START - datetime.timedelta(days=1)
    assert_refused(mission, NON_FIELD_ERRORS, "The end date cannot be before the start date.")
    with db_refuses("mission_end_after_start"):
        Mission.objects.filter(pk=mission.pk).update(end_date=START - datetime.timedelta(days=1))


def test_a_cancelled_mission_cannot_become_completed():
    """The rule is the model's: the admin, the API and imports all run full_clean()."""
    mission = MissionFactory(status="cancelled")
    mission.status = "completed"
    assert_refused(mission, "status", "A cancelled mission cannot be marked completed.")
    # A mission planned, or completed from the start, may be completed.
    planned = MissionFactory(status="planned")
    planned.status = "completed"
    planned.full_clean()
    MissionFactory.build(status="completed", leader=planned.leader).full_clean()
    # And a completed one may still be cancelled.
    completed = MissionFactory(status="completed")
    completed.status = "cancelled"
    completed.full_clean()


def test_the_delegation_offers_only_japanese_organisations():
    """Forms (the admin's autocomplete too) offer Japanese companies and bodies only."""
    company, agency = JapaneseCompanyFactory(), JapaneseGovernmentFactory()
    foreign = OrganizationFactory(country="JP")  # in Japan, but a foreign government's
    offered = modelform_factory(Mission, fields=["delegation"])().fields["delegation"].queryset
    assert set(offered) == {company, agency}
    assert foreign not in offered


def test_a_one_day_mission_is_valid():
    MissionFactory.build(
        start_date=START, end_date=START, leader=MissionFactory().leader
    ).full_clean()


# Meeting


def test_a_meeting_is_named_by_its_date_in_the_readers_language():
    """Its name shows on Japanese pages, in autocompletes and in histories."""
    meeting = MeetingFactory.build(date=datetime.date(2018, 6, 11), counterpart_country="VN")
    with translation.override("ja"):
        assert str(meeting) == "2018年6月11日 ベトナム"
    with translation.override("en"):
        assert str(meeting) == "June 11, 2018 Vietnam"


def test_japan_is_never_the_counterpart_country():
    meeting = MeetingFactory()
    meeting.counterpart_country = "JP"
    assert_refused(meeting, NON_FIELD_ERRORS, "Japan cannot be the counterpart country.")
    with db_refuses("meeting_counterpart_not_japan"):
        Meeting.objects.filter(pk=meeting.pk).update(counterpart_country="JP")


def test_a_meeting_may_take_place_in_japan():
    """A visiting minister met in Tokyo: the venue is Japan, the counterpart is not."""
    meeting = MeetingFactory(venue_city="Tokyo", venue_country="JP", counterpart_country="GH")
    meeting.full_clean()


@pytest.mark.parametrize(
    "day", [START - datetime.timedelta(days=1), END + datetime.timedelta(days=1)]
)
def test_meeting_date_must_fall_within_the_mission(day):
    meeting = MeetingFactory(mission=MissionFactory(start_date=START, end_date=END))
    meeting.date = day
    assert_refused(meeting, "date", OUTSIDE_MESSAGE)


@pytest.mark.parametrize("day", [START, END])
def test_meeting_may_be_on_the_mission_first_or_last_day(day):
    mission = MissionFactory(start_date=START, end_date=END)
    MeetingFactory.build(mission=mission, date=day).full_clean()


def test_meeting_dates_are_checked_against_an_unsaved_mission():
    """The admin validates a new mission's meetings before the mission has an id:
    the inline form leaves out the mission field, as here."""
    mission = MissionFactory.build(start_date=START, end_date=END, leader=MissionFactory().leader)
    assert mission.pk is None
    meeting = Meeting(
        mission=mission, date=END + datetime.timedelta(days=1), counterpart_country="VN"
    )
    errors = assert_refused(meeting, "date", OUTSIDE_MESSAGE, exclude=["mission"])
    assert "mission" not in errors
    meeting.date = END
    meeting.full_clean(exclude=["mission"])


def test_mission_covers_its_dates_inclusive():
    mission = MissionFactory.build(start_date=START, end_date=END)
    assert mission.covers(START)
    assert mission.covers(END)
    assert not mission.covers(START - datetime.timedelta(days=1))
    assert not mission.covers(END + datetime.timedelta(days=1))


def test_a_meeting_keeps_the_country_and_day_of_an_agreement_signed_at_it():
    meeting = MeetingFactory(counterpart_country="GH", date=datetime.date(2018, 5, 2))
    AgreementFactory(
        title="MoC on roads",
        counterpart_country="GH",
        status=AgreementStatus.SIGNED,
        signed_on=meeting.date,
        signed_at_meeting=meeting,
    )
    meeting.venue_city = "Yokohama"
    meeting.full_clean()

    meeting.date = datetime.date(2018, 5, 3)
    assert_refused(meeting, "date", "“MoC on roads” was signed at this meeting, on May 2, 2018.")
    meeting.date, meeting.counterpart_country = datetime.date(2018, 5, 2), "TN"
    assert_refused(
        meeting,
        "counterpart_country",
        "“MoC on roads” was signed at this meeting, with Ghana.",
    )


def test_a_meeting_not_yet_dated_still_has_a_name():
    from django.utils import translation

    with translation.override("en"):
        assert str(Meeting(counterpart_country="GH")) == "Ghana"
