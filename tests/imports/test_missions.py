"""Missions with their meetings, one row per meeting: the mission key groups rows, the
engagement table follows, the same file twice changes nothing."""

import datetime

import pytest

from missions.models import Engagement, Meeting, Mission
from tests import factories
from tests.imports.helpers import csv_file, imported, xlsx_file

pytestmark = pytest.mark.django_db

HEADERS = [
    "mission_key",
    "title",
    "leader",
    "leader_rank",
    "kind",
    "start_date",
    "end_date",
    "status",
    "date",
    "counterpart_country",
    "principal",
    "principal_rank",
    "counterparts",
]


@pytest.fixture
def officials():
    factories.PersonFactory(name="Keiichi Ishii", name_ja="石井啓一")
    factories.PersonFactory(name="Masaji Adachi", name_ja="足立敏之")
    factories.PersonFactory(name="Kwasi Amoako-Attah")


def ticad_rows():
    common = [
        "TICAD7",
        "TICAD7 Yokohama",
        "石井啓一",
        "大臣",
        "来日要人との会談",
        "令和元年8月28日",
        "2019/8/30",
        "完了",
    ]
    return [
        HEADERS,
        [*common, "2019-08-28", "ガーナ", "", "", "Kwasi Amoako-Attah"],
        ["TICAD7", "", "", "", "", "", "", "", datetime.datetime(2019, 8, 29), "Kenya", "", "", ""],
        [
            "TICAD7",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "2019年8月29日",
            "KE",
            "Masaji Adachi",
            "大臣政務官",
            "",
        ],
        ["TICAD7", "", "", "", "", "", "", "", "2019-08-30", "GH", "", "", ""],
    ]


def test_rows_sharing_a_key_are_one_mission_and_the_engagements_follow(api, officials):
    job = imported(api, "missions", xlsx_file(ticad_rows()))
    assert job["status"] == "succeeded", job["errors"]
    assert job["totals"] == {"new": 4, "updated": 0, "unchanged": 0, "errors": 0}
    mission = Mission.objects.get()
    assert (mission.start_date, mission.status, mission.kind) == (
        datetime.date(2019, 8, 28),
        "completed",
        "hosted_meeting",
    )
    assert mission.meetings.count() == 4
    # Ghana twice with the minister: one engagement; Kenya with each official: two.
    assert sorted(
        Engagement.objects.values_list("principal__name", "counterpart_country", "meetings")
    ) == [
        ("Keiichi Ishii", "GH", 2),
        ("Keiichi Ishii", "KE", 1),
        ("Masaji Adachi", "KE", 1),
    ]
    history = Meeting.history.filter(history_change_reason="Import: records.xlsx")
    assert history.values("id").distinct().count() == 4

    again = imported(api, "missions", xlsx_file(ticad_rows()))
    assert again["totals"] == {"new": 0, "updated": 0, "unchanged": 4, "errors": 0}, again
    assert Meeting.objects.count() == 4


def test_a_bad_meeting_in_the_middle_imports_nothing(api, officials):
    rows = ticad_rows()
    rows[3][8] = "2019-09-15"  # outside the mission's dates
    job = imported(api, "missions", csv_file(rows))
    assert job["status"] == "failed"
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(4, "date")]
    assert not Mission.objects.exists() and not Engagement.objects.exists()


def test_another_official_needs_a_rank(api, officials):
    rows = ticad_rows()
    rows[3][11] = ""
    job = imported(api, "missions", csv_file(rows))
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(4, "principal_rank")]


def test_a_later_row_contradicting_its_mission_is_an_error(api, officials):
    rows = ticad_rows()
    rows[2][5] = "2019-08-27"
    job = imported(api, "missions", csv_file(rows))
    assert job["status"] == "failed"
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(3, "start_date")]


def test_a_changed_meeting_updates_it_and_its_engagement(api, officials):
    imported(api, "missions", csv_file(ticad_rows()))
    rows = ticad_rows()
    rows[4][9] = "Tunisia"  # the last meeting was with Tunisia, not Ghana
    # Matched by date, country and official, the corrected meeting is a new one; the
    # old one stays (an import does not delete).
    job = imported(api, "missions", csv_file(rows))
    assert job["totals"]["new"] == 1 and job["totals"]["unchanged"] == 3
    assert Engagement.objects.get(counterpart_country="TN").meetings == 1
