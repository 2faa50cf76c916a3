"""A list exported as CSV or Excel (labels, names, formula-like texts quoted) imports
back unchanged: every row found, none changed, nothing new."""

import datetime

import pytest

from agreements.models import Agreement
from contacts.models import Organization, Person
from core.tags import carries_tags, tags_named
from missions.models import Meeting, Mission
from projects.models import OrderFigure, Project, WatchList, WatchListEntry
from tests import factories
from tests.api import client_for
from tests.imports.helpers import export, imported

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]
# The export's headers and labels are in the reader's language: both read back.
LANGUAGES = ["ja", "en"]


@pytest.fixture(params=LANGUAGES)
def api(request, data_entry_user):
    return client_for(data_entry_user, request.param)


def assert_round_trip(api, resource, export_format, count):
    before = snapshot(resource)
    job = imported(api, resource, export(api, resource, export_format))
    assert job["errors"] == [], job["errors"]
    assert job["totals"] == {"new": 0, "updated": 0, "unchanged": count, "errors": 0}
    assert snapshot(resource) == before


MODELS = {
    "organizations": Organization,
    "people": Person,
    "projects": Project,
    "missions": Mission,
    "meetings": Meeting,
    "order-figures": OrderFigure,
    "agreements": Agreement,
    "watch-lists": WatchList,
    "watch-list-entries": WatchListEntry,
}


def snapshot(resource):
    model = MODELS[resource]
    rows = sorted(
        tuple(str(value) for value in row)
        for row in model.objects.values_list(
            *(f.attname for f in model._meta.concrete_fields if f.name not in ("created_at",))
        )
    )
    if carries_tags(model):  # and the tags each record carries
        rows.append(sorted(model.objects.values_list("pk", "tags__name").order_by()))
    return rows


@pytest.fixture
def directory():
    parent = factories.OrganizationFactory(name="Ministry of Roads", name_ja="道路省", country="GH")
    parent.tags.set(tags_named(["港湾", "Ghana ports"]))
    factories.OrganizationFactory(
        name="Department of Urban Roads",
        country="GH",
        parent=parent,
        notes="=1+1",
        website="https://example.org",
    )
    factories.OrganizationFactory(
        name="Ministry of Roads", country="TN", notes="@someone\nsecond line"
    )
    factories.JapaneseGovernmentFactory(
        name="Ministry of Land, Infrastructure, Transport and Tourism"
    )
    person = factories.PersonFactory(
        name="Kwasi", name_ja="クワシ", email="k@example.org", phone="+233 1"
    )
    factories.PostFactory(person=person, organization=parent, start_date=datetime.date(2017, 1, 10))
    factories.PersonFactory(name="-Dash", notes="+ plus")


@pytest.mark.parametrize("export_format", FORMATS)
def test_organisations(api, directory, export_format):
    assert_round_trip(api, "organizations", export_format, 4)


@pytest.mark.parametrize("export_format", FORMATS)
def test_people(api, directory, export_format):
    assert_round_trip(api, "people", export_format, 2)


@pytest.mark.parametrize("export_format", FORMATS)
def test_projects(api, directory, export_format):
    company = factories.JapaneseCompanyFactory(name="Sumitomo Mitsui Construction, Ltd.")
    lender = factories.OrganizationFactory(
        name="JICA (Japan)", country="JP", kind="japanese_public_body"
    )
    project = factories.ProjectFactory(
        name="Tema Interchange",
        country="GH",
        other_countries=["TG", "BF"],
        sector="road",
        stage="construction",
        status="won_japanese",
        awarded_on=datetime.date(2018, 3, 1),
        awarded_to=company,
        owner=Organization.objects.get(name="Ministry of Roads", country="GH"),
        estimated_cost_jpy=12_300_000_000,
        description="=SUM(A1:A3)",
        tender_due_on=datetime.date(2017, 12, 1),
    )
    factories.ProjectParticipantFactory(project=project, organization=company, role="contractor")
    factories.ProjectParticipantFactory(project=project, organization=lender, role="lender")
    project.tags.set(tags_named(["道路"]))
    factories.ProjectFactory(name="Metro Line 1", country="VN")
    assert_round_trip(api, "projects", export_format, 2)


@pytest.fixture
def missions(directory):
    leader = factories.PersonFactory(name="Keiichi Ishii", name_ja="石井啓一")
    adachi = factories.PersonFactory(name="Masaji Adachi")
    kwasi = Person.objects.get(name="Kwasi")
    project = factories.ProjectFactory(name="Tema Interchange, phase 2", country="GH")
    mission = factories.MissionFactory(
        title="TICAD7",
        title_ja="第7回アフリカ開発会議",
        leader=leader,
        start_date=datetime.date(2019, 8, 28),
        status="completed",
        kind="hosted_meeting",
        purpose="=promote",
        sectors=["road", "port"],
        delegation=[Organization.objects.get(name__startswith="Ministry of Land")],
    )
    mission.tags.set(tags_named(["TICAD", "アフリカ"]))
    meeting = factories.MeetingFactory(
        mission=mission,
        counterpart_country="GH",
        date=datetime.date(2019, 8, 28),
        venue_city="Yokohama",
        venue_country="JP",
        counterparts=[kwasi],
        counterpart_organizations=list(Organization.objects.filter(country="GH")),
        projects=[project],
        topics="+roads",
    )
    meeting.tags.set(tags_named(["道路"]))
    factories.MeetingFactory(
        mission=mission,
        counterpart_country="KE",
        date=datetime.date(2019, 8, 29),
        principal=adachi,
        principal_rank="parliamentary_vice_minister",
    )
    factories.MeetingFactory(
        mission=mission, counterpart_country="KE", date=datetime.date(2019, 8, 29)
    )
    factories.MissionFactory(title="Visit to Viet Nam", leader=adachi, leader_rank="state_minister")


@pytest.mark.parametrize("export_format", FORMATS)
def test_missions(api, missions, export_format):
    assert_round_trip(api, "missions", export_format, 2)


@pytest.mark.parametrize("export_format", FORMATS)
def test_meetings(api, missions, export_format):
    assert_round_trip(api, "meetings", export_format, 3)


@pytest.mark.parametrize("export_format", FORMATS)
def test_order_figures(api, export_format):
    factories.OrderFigureFactory(year=2010, amount_jpy=10 * 10**12, source="=MLIT")
    factories.OrderFigureFactory(year=2020, kind="target", amount_jpy=30 * 10**12)
    assert_round_trip(api, "order-figures", export_format, 2)


@pytest.mark.parametrize("export_format", FORMATS)
def test_agreements(api, missions, export_format):
    mlit = Organization.objects.get(name__startswith="Ministry of Land")
    meeting = Meeting.objects.get(counterpart_country="GH")
    earlier = factories.AgreementFactory(
        title="MoC on roads (2014)",
        counterpart_country="GH",
        japanese_signatory=mlit,
        status="superseded",
        signed_on=datetime.date(2014, 5, 1),
    )
    agreement = factories.AgreementFactory(
        title="MoC on roads",
        title_ja="道路分野の協力覚書",
        counterpart_country="GH",
        japanese_signatory=mlit,
        signed_by=Person.objects.get(name="Keiichi Ishii"),
        status="in_force",
        signed_on=meeting.date,
        effective_on=meeting.date,
        expires_on=datetime.date(2024, 8, 27),
        renewal="automatic",
        signed_at_meeting=meeting,
        supersedes=earlier,
        scope="-roads",
        target_countries=["TG"],
    )
    agreement.counterpart_organizations.set(Organization.objects.filter(country="GH"))
    agreement.sectors.set(["road"])
    agreement.projects.set(Project.objects.all())
    agreement.tags.set(tags_named(["道路", "Ghana ports"]))
    assert_round_trip(api, "agreements", export_format, 2)


@pytest.fixture
def watch_lists():
    edition_2018 = factories.WatchListFactory(name="Action Plan 2018", edition_year=2018)
    edition_2019 = factories.WatchListFactory(
        name="Action Plan 2019",
        edition_year=2019,
        previous=edition_2018,
        published_on=datetime.date(2019, 6, 3),
    )
    company = factories.JapaneseCompanyFactory()
    won = factories.ProjectFactory(
        name="Metro Line 1",
        status="won_japanese",
        awarded_on=datetime.date(2018, 9, 1),
        awarded_to=company,
    )
    kept = factories.ProjectFactory(name="Port of Tema", country="GH")
    factories.WatchListEntryFactory(
        watch_list=edition_2018, project=won, outcome_at_next_edition="won_japanese"
    )
    factories.WatchListEntryFactory(watch_list=edition_2018, project=kept, region="africa")
    factories.WatchListEntryFactory(watch_list=edition_2019, project=kept, region="africa")


@pytest.mark.parametrize("export_format", FORMATS)
def test_watch_lists(api, watch_lists, export_format):
    assert_round_trip(api, "watch-lists", export_format, 2)


@pytest.mark.parametrize("export_format", FORMATS)
def test_watch_list_entries(api, watch_lists, export_format):
    assert WatchListEntry.objects.filter(outcome_at_next_edition="continued").count() == 1
    assert_round_trip(api, "watch-list-entries", export_format, 3)


def test_an_import_tags_records_and_adds_the_tags_it_names(api, directory):
    from tests.imports.helpers import csv_file

    port = tags_named(["港湾"])[0]
    rows = [
        ["name", "country", "kind", "tags"],
        ["Ministry of Roads", "TN", "foreign_government", "ｺｳﾜﾝ， 港湾\nNew tag"],
    ]
    job = imported(api, "organizations", csv_file(rows))
    assert job["errors"] == [], job["errors"]
    ministry = Organization.objects.get(name="Ministry of Roads", country="TN")
    assert sorted(tag.name for tag in ministry.tags.all()) == ["New tag", "港湾", "ｺｳﾜﾝ"]
    assert port in ministry.tags.all()
    # Imported again: nothing changes.
    job = imported(api, "organizations", csv_file(rows))
    assert job["totals"]["unchanged"] == 1


def test_an_import_refuses_a_tag_no_record_could_carry(api, directory):
    from tests.imports.helpers import csv_file

    rows = [["name", "country", "kind", "tags"], ["Port Authority", "GH", "other", "bell\x07"]]
    response = api.post(
        "/api/v1/imports/",
        {"resource": "organizations", "file": csv_file(rows), "dry_run": False},
        format="multipart",
    )
    job = response.json()
    assert job["errors"] and job["errors"][0]["field"] == "tags", job
    assert not Organization.objects.filter(name="Port Authority").exists()


def test_a_missions_file_tags_its_missions(api, missions):
    from tests.imports.helpers import csv_file

    rows = [
        ["title", "leader", "leader_rank", "kind", "start_date", "end_date", "status", "tags"],
        [
            "Visit to Kenya",
            "Keiichi Ishii",
            "minister",
            "overseas_visit",
            "2019-05-01",
            "2019-05-03",
            "planned",
            "港湾, アフリカ",
        ],
    ]
    job = imported(api, "missions", csv_file(rows))
    assert job["errors"] == [], job["errors"]
    mission = Mission.objects.get(title="Visit to Kenya")
    assert sorted(tag.name for tag in mission.tags.all()) == ["アフリカ", "港湾"]
    # Its history records them.
    assert sorted(row.tag.name for row in mission.history.first().tags.all()) == [
        "アフリカ",
        "港湾",
    ]
