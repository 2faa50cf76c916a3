"""The fast path of the missions import (imports.bulk): the same records, many
relations, history, engagements, webhook deliveries and errors as the per-row path
(django-import-export's import_row, full_clean() and save() per row) writes for the
same file, in a number of queries that does not grow with the file."""

import datetime

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from imports import bulk
from imports.engine import import_file, table_as_dataset
from imports.reading import read_table
from imports.resources import MissionResource
from missions.choices import LeaderRank, MissionStatus
from missions.models import Engagement, Meeting, Mission
from tests import factories
from tests.imports.helpers import xlsx_bytes
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

FILE = "visits 2019.xlsx"
REASON = f"Import: {FILE}"
HEADERS = [
    "mission_key",
    "title",
    "title_ja",
    "leader",
    "leader_rank",
    "kind",
    "start_date",
    "end_date",
    "status",
    "sectors",
    "delegation",
    "summary",
    "date",
    "counterpart_country",
    "principal",
    "principal_rank",
    "counterparts",
    "counterpart_organizations",
    "projects",
    "topics",
]


@pytest.fixture
def on_file(data_entry_user, analyst_user):
    """People, organisations and projects the file names; a mission on file with a
    meeting, which the file updates; subscriptions to missions and meetings."""
    minister = factories.PersonFactory(name="Keiichi Ishii", name_ja="石井啓一")
    factories.PersonFactory(name="Masaji Adachi", name_ja="足立敏之")
    factories.PersonFactory(name="Kwasi Amoako-Attah")
    factories.JapaneseCompanyFactory(name="Kajima Corporation")
    factories.OrganizationFactory(name="Ministry of Roads and Highways", country="GH")
    factories.ProjectFactory(name="Tema Motorway Interchange", country="GH")
    mission = factories.MissionFactory(
        title="Visit to Viet Nam",
        leader=minister,
        leader_rank=LeaderRank.MINISTER,
        start_date=datetime.date(2019, 5, 1),
        end_date=datetime.date(2019, 5, 3),
        status=MissionStatus.PLANNED,
        classification=3,
    )
    mission.access_users.add(data_entry_user)
    factories.MeetingFactory(
        mission=mission,
        date=datetime.date(2019, 5, 1),
        counterpart_country="VN",
        principal=minister,
        principal_rank=LeaderRank.MINISTER,
        topics="Ports",
    )
    for owner in (None, analyst_user):
        subscription = Subscription.objects.create(
            name="Dashboard", url="https://hooks.example.org/crm", owner=owner
        )
        subscription.record_types.set(
            [ContentType.objects.get_for_model(model) for model in (Mission, Meeting)]
        )


def rows(missions=2):
    """A new mission with sectors, a delegation and meetings with many relations (one
    held by another official), then `missions - 1` more, and the mission on file:
    completed, a summary, its meeting's topics changed and a meeting added."""
    ticad = [
        "TICAD7",
        "TICAD7 Yokohama",
        "第7回アフリカ開発会議",
        "石井啓一",
        "大臣",
        "来日要人との会談",
        "2019-08-28",
        "2019-08-30",
        "完了",
        "道路、港湾",
        "Kajima Corporation",
        "",
    ]
    found = [HEADERS]
    found.append(
        [
            *ticad,
            "2019-08-28",
            "GH",
            "",
            "",
            "Kwasi Amoako-Attah",
            "Ministry of Roads and Highways",
            "Tema Motorway Interchange",
            "Roads",
        ]
    )
    found.append(["TICAD7", *[""] * 11, "2019-08-29", "KE", "", "", "", "", "", "Rail"])
    found.append(
        [
            "TICAD7",
            *[""] * 11,
            "2019-08-29",
            "KE",
            "Masaji Adachi",
            "大臣政務官",
            "",
            "",
            "",
            "Ports",
        ]
    )
    for number in range(1, missions):
        start = datetime.date(2019, 9, 1) + datetime.timedelta(days=number)
        for day in range(3):
            found.append(
                [
                    f"M{number}",
                    f"Visit {number}",
                    "",
                    "Masaji Adachi",
                    "大臣政務官",
                    "海外訪問",
                    start.isoformat(),
                    (start + datetime.timedelta(days=2)).isoformat(),
                    "完了",
                    "",
                    "",
                    "",
                    (start + datetime.timedelta(days=day)).isoformat(),
                    ["TH", "VN", "TH"][day],
                    "",
                    "",
                    "",
                    "",
                    "",
                    f"Topic {day}",
                ]
            )
    viet_nam = [
        "VN",
        "Visit to Viet Nam",
        "",
        "Keiichi Ishii",
        "大臣",
        "海外訪問",
        "2019-05-01",
        "2019-05-03",
        "完了",
        "",
        "",
        "Agreed to continue.",
    ]
    found.append([*viet_nam, "2019-05-01", "VN", "", "", "", "", "", "Ports and roads"])
    found.append(["VN", *[""] * 11, "2019-05-02", "KH", "", "", "", "", "", "Bridges"])
    return found


def dataset(data):
    return table_as_dataset(read_table(data, FILE, MissionResource))


def per_row(data, user, dry_run=False):
    """The per-row path, as the fast path replaces it."""
    resource = MissionResource(user=user, file_name=FILE)
    return resource.import_data(
        dataset(data), dry_run=dry_run, file_name=FILE, user=user
    ).import_report


def fast(data, user, dry_run=False):
    report = bulk.import_missions(
        MissionResource(user=user, file_name=FILE), dataset(data), dry_run=dry_run
    )
    assert report is not None, "declined"
    return report


def state():
    """What an import leaves, by natural keys (ids differ between two runs)."""
    titles = dict(Mission.objects.values_list("pk", "title"))
    plain = ("id", "created_at", "updated_at")

    def values(record, fields):
        return tuple(
            (field.name, str(getattr(record, field.attname)))
            for field in fields
            if field.name not in plain and field.name != "mission"
        )

    missions = {
        (mission.title, mission.start_date): (
            values(mission, Mission._meta.concrete_fields),
            sorted(mission.sectors.values_list("code", flat=True)),
            sorted(mission.delegation.values_list("name", flat=True)),
        )
        for mission in Mission.objects.all()
    }

    def meeting_key(meeting):
        return (
            titles[meeting.mission_id],
            meeting.date,
            str(meeting.counterpart_country),
            meeting.principal_id,
        )

    meetings = {
        meeting_key(meeting): (
            values(meeting, Meeting._meta.concrete_fields),
            sorted(meeting.counterparts.values_list("name", flat=True)),
            sorted(meeting.counterpart_organizations.values_list("name", flat=True)),
            sorted(meeting.projects.values_list("name", flat=True)),
        )
        for meeting in Meeting.objects.all()
    }
    engagements = sorted(
        (titles[e.mission_id], e.principal_id, str(e.counterpart_country), e.principal_rank)
        + (e.first_date, e.last_date, e.meetings)
        for e in Engagement.objects.all()
    )
    history = {}
    for model, key in ((Mission, lambda r: (r.title, r.start_date)), (Meeting, meeting_key)):
        history_model = model.history.model
        versions = history_model.objects.filter(history_change_reason=REASON)
        for version in versions.order_by("history_date", "history_id"):
            many = {}
            for field in history_model._history_m2m_fields:
                rows = apps.get_model("missions", f"{history_model.__name__}_{field.name}")
                target = field.m2m_reverse_field_name()
                many[field.name] = sorted(
                    rows.objects.filter(history=version).values_list(f"{target}_id", flat=True)
                )
            # The latest version of each record: the record as it ends.
            history[(model.__name__, key(version))] = (
                values(version, history_model.tracked_fields),
                many,
                version.history_user_id,
            )
    deliveries = sorted(
        (d.content_type.model, d.event, d.subscription_id, d.record_display)
        for d in Delivery.objects.select_related("content_type")
    )
    return {
        "missions": missions,
        "meetings": meetings,
        "engagements": engagements,
        "history": history,
        "deliveries": deliveries,
    }


def test_the_fast_path_writes_what_the_per_row_path_writes(on_file, data_entry_user):
    # 20 missions: more engagement triples than refresh_engagements() reads one by one.
    data = xlsx_bytes(rows(missions=20))
    with transaction.atomic():
        expected_report = per_row(data, data_entry_user)
        expected = state()
        transaction.set_rollback(True)
    assert expected_report.ok, expected_report.errors
    assert expected_report.totals == {"new": 61, "updated": 1, "unchanged": 0, "errors": 0}

    report = fast(data, data_entry_user)
    assert report.totals == expected_report.totals
    assert state() == expected
    # What the expectation holds, so that equal is not equally empty.
    assert len(expected["meetings"]) == 62 and len(expected["engagements"]) == 43
    ticad = expected["missions"][("TICAD7 Yokohama", datetime.date(2019, 8, 28))]
    assert ticad[1:] == (["port", "road"], ["Kajima Corporation"])
    assert len(expected["history"]) == 21 + 62
    assert len(expected["deliveries"]) == 2 * (20 + 60)
    # Classification inherited: the mission on file is need-to-know, and so is its new
    # meeting.
    assert set(
        Meeting.objects.filter(mission__title="Visit to Viet Nam").values_list(
            "classification", flat=True
        )
    ) == {3}
    # Neither subscription hears of the need-to-know mission: one has no owner, the
    # other's is not on its access list.
    assert not Delivery.objects.filter(record_display__contains="Viet Nam").exists()


def test_the_same_file_again_changes_nothing(on_file, data_entry_user):
    data = xlsx_bytes(rows(missions=3))
    fast(data, data_entry_user)
    versions = Meeting.history.count() + Mission.history.count()
    deliveries = Delivery.objects.count()
    report = fast(data, data_entry_user)
    assert report.totals == {"new": 0, "updated": 0, "unchanged": 11, "errors": 0}
    assert Meeting.history.count() + Mission.history.count() == versions
    assert Delivery.objects.count() == deliveries


def test_a_dry_run_writes_nothing(on_file, data_entry_user):
    before = state()
    report = fast(xlsx_bytes(rows(missions=3)), data_entry_user, dry_run=True)
    assert report.ok and report.totals["new"] == 10
    assert state() == before


def test_errors_are_those_of_the_per_row_path_by_spreadsheet_row(on_file, data_entry_user):
    found = rows(missions=3)
    found[2][13] = "Japan"  # a check constraint: Japan is not a counterpart
    found[3][15] = ""  # another official without a rank
    found[4][7] = "2019-08-01"  # end before start: the mission refused, and its rows
    found[7][12] = "2019-12-01"  # a meeting outside its mission's dates
    found[9][6] = "not a date"
    data = xlsx_bytes([["Visits of 2019"], [], *found])  # the headers on row 3
    before = state()
    with transaction.atomic():
        expected = per_row(data, data_entry_user)
        transaction.set_rollback(True)
    report = fast(data, data_entry_user)
    assert not report.ok
    assert report.errors == expected.errors
    assert report.totals == expected.totals
    assert {e["row"] for e in report.errors} == {5, 6, 7, 8, 9, 10, 11, 12}
    assert state() == before  # a file with an error imports nothing


def statements(queries) -> list[str]:
    """The statements run, one bulk INSERT counted once: SQLite takes at most 999
    values a statement, so that Django splits one bulk_create() into several."""
    found = []
    for query in queries:
        sql = query["sql"]
        start = sql.partition(" VALUES ")[0]
        if not (found and found[-1] == start and sql.startswith("INSERT")):
            found.append(start)
    return found


@pytest.mark.parametrize("dry_run", [True, False])
def test_queries_are_counted_per_file_not_per_row(
    on_file, data_entry_user, dry_run, django_assert_max_num_queries
):
    run, raw = [], []
    for missions in (5, 70):  # 17 rows, then 212
        data = xlsx_bytes(rows(missions=missions))
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            report = fast(data, data_entry_user, dry_run=dry_run)
            transaction.set_rollback(True)
        assert report.ok and report.rows == 5 + 3 * (missions - 1)
        run.append(statements(queries))
        raw.append(len(queries))
    assert len(run[0]) == len(run[1]), run
    if connection.vendor == "postgresql":
        # No limit on a statement's values: not one query more for 212 rows than 17.
        with transaction.atomic(), django_assert_max_num_queries(raw[0]):
            fast(data, data_entry_user, dry_run=dry_run)
            transaction.set_rollback(True)
    # The per-row path: some 18 a row.
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        per_row(data, data_entry_user, dry_run=dry_run)
        transaction.set_rollback(True)
    assert len(queries) > 10 * len(run[1])


def test_a_changed_leader_takes_the_per_row_path(on_file, data_entry_user):
    """The meetings a mission's leader held follow a new leader one by one
    (missions.services): the fast path declines such a file, the import does not."""
    found = rows(missions=1)
    for row in found[1:]:
        if row[0] == "VN" and row[3]:
            row[3], row[4] = "Masaji Adachi", "大臣政務官"
    data = xlsx_bytes(found)
    assert (
        bulk.import_missions(
            MissionResource(user=data_entry_user, file_name=FILE), dataset(data), dry_run=False
        )
        is None
    )
    mission = Mission.objects.get(title="Visit to Viet Nam")
    on_file = mission.meetings.get()
    report = import_file(
        kind="missions", data=data, file_name=FILE, user=data_entry_user, dry_run=False
    )
    assert report.ok, report.errors
    # The meeting on file is the row's, now held by the new leader at the new rank:
    # updated, not duplicated; the other row's meeting is new.
    meetings = list(mission.meetings.order_by("date"))
    assert len(meetings) == 2
    assert meetings[0].pk == on_file.pk
    assert (meetings[0].principal.name, meetings[0].principal_rank, meetings[0].topics) == (
        "Masaji Adachi",
        LeaderRank.PARLIAMENTARY_VICE_MINISTER,
        "Ports and roads",
    )
    assert (meetings[1].date, meetings[1].principal_id) == (
        datetime.date(2019, 5, 2),
        meetings[0].principal_id,
    )
    mission.refresh_from_db()
    assert mission.leader.name == "Masaji Adachi"
    assert report.totals == {"new": 4, "updated": 1, "unchanged": 0, "errors": 0}
    # Once imported, the same file changes nothing.
    again = import_file(
        kind="missions", data=data, file_name=FILE, user=data_entry_user, dry_run=False
    )
    assert again.totals == {"new": 0, "updated": 0, "unchanged": 5, "errors": 0}
    assert Meeting.objects.filter(mission=mission).count() == 2
    held = Meeting.objects.filter(mission__title="Visit to Viet Nam", date="2019-05-01")
    assert {meeting.principal.name for meeting in held} == {"Masaji Adachi"}


def test_two_groups_naming_one_mission_take_the_per_row_path(on_file, data_entry_user):
    found = rows(missions=1)
    found[-1][0] = "VN again"
    found[-1][1:12] = found[-2][1:12]
    data = xlsx_bytes(found)
    assert (
        bulk.import_missions(
            MissionResource(user=data_entry_user, file_name=FILE), dataset(data), dry_run=False
        )
        is None
    )


@pytest.mark.parametrize(
    ("column", "value", "header"),
    [
        (HEADERS.index("principal_rank"), "not a rank", "principal_rank"),
        (HEADERS.index("principal"), "Nobody On File", "principal"),
        (HEADERS.index("date"), "not a date", "date"),
    ],
)
@pytest.mark.parametrize("path", ["per_row", "fast"])
def test_an_unreadable_cell_of_a_meeting_on_file_is_an_error(
    on_file, data_entry_user, column, value, header, path
):
    """Re-importing a file whose row of a meeting on file has a cell that cannot be
    read is refused, the row and column named: never taken as unchanged."""
    found = rows(missions=2)
    fast(xlsx_bytes(found), data_entry_user)
    before = state()
    # The mission on file's first row (its meeting on file), then a later row of TICAD7.
    for number in (len(found) - 2, 2):
        changed = [list(row) for row in found]
        changed[number][column] = value
        data = xlsx_bytes(changed)
        run = per_row if path == "per_row" else fast
        with transaction.atomic():
            report = run(data, data_entry_user)
            transaction.set_rollback(True)
        assert not report.ok, (number, report.totals)
        assert report.totals["errors"] == 1
        assert {(e["row"], e["field"]) for e in report.errors} == {(number + 1, header)}
        assert state() == before
