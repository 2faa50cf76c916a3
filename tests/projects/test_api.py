"""Projects, their participants, the watch lists and the order figures through /api/v1/."""

import datetime

import pytest

from projects.models import OrderFigure, Project, ProjectParticipant, WatchList, WatchListEntry
from tests import factories
from tests.api import (
    assert_bad_parameter,
    assert_message,
    client_for,
    count_list_queries,
    csv_rows,
    detail,
    ids,
    xlsx_rows,
)

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects/"
PARTICIPANTS = "/api/v1/project-participants/"
WATCH_LISTS = "/api/v1/watch-lists/"
ENTRIES = "/api/v1/watch-list-entries/"
FIGURES = "/api/v1/order-figures/"

# Queries of one list page, whatever its length (see count_list_queries): the count,
# the page, and one per prefetched relation. A change here is an N+1 or a lost
# prefetch: look before updating the number.
PROJECT_LIST_QUERIES = 5  # + participations with organisations, entries with editions, tags
PARTICIPANT_LIST_QUERIES = 2  # project and organisation joined
# entry count annotated, previous joined, + entries with projects, + which of those
# entries the reader may see (core.classification.LinkedRecords: one for the page)
WATCH_LIST_LIST_QUERIES = 4
ENTRY_LIST_QUERIES = 2  # watch list and project joined
FIGURE_LIST_QUERIES = 2


def brief(base, record, display=None):
    return {
        "id": record.pk,
        "url": f"http://testserver{detail(base, record)}",
        "display": str(record) if display is None else display,
    }


def assert_read_only_for_analysts(analyst_api, base, record, payload):
    assert analyst_api.get(base).status_code == 200
    assert analyst_api.get(detail(base, record)).status_code == 200
    assert analyst_api.post(base, payload, format="json").status_code == 403
    assert analyst_api.put(detail(base, record), payload, format="json").status_code == 403
    assert analyst_api.patch(detail(base, record), payload, format="json").status_code == 403
    assert analyst_api.delete(detail(base, record)).status_code == 403


def editions(*years):
    """Watch lists of the given years, each revising the one before."""
    previous, result = None, []
    for year in years:
        previous = factories.WatchListFactory(
            edition_year=year, name=f"Action Plan {year}", previous=previous
        )
        result.append(previous)
    return result


# -- projects -------------------------------------------------------------------------


def project_payload(**changes):
    return {
        "name": "North-South High Speed Railway",
        "name_ja": "南北高速鉄道",
        "country": "VN",
        "other_countries": [],
        "sector": "railway",
        "stage": "feasibility_study",
        "status": "active",
        "scheme": "yen_loan",
        "description": "",
        "estimated_cost_jpy": 6_000_000_000_000,
        "owner": None,
        "tender_due_on": None,
        "awarded_on": None,
        "awarded_to": None,
        **changes,
    }


def test_project_list_and_retrieve(api):
    owner = factories.OrganizationFactory(name="Vietnam Railways")
    winner = factories.JapaneseCompanyFactory(name="Japan Railway Engineering")
    project = factories.ProjectFactory(
        name="Metro Line 1",
        country="VN",
        other_countries=["LA", "KH"],
        status="won_japanese",
        scheme="yen_loan",
        owner=owner,
        awarded_to=winner,
        awarded_on=datetime.date(2019, 3, 1),
        estimated_cost_jpy=100_000_000_000,
    )
    participation = factories.ProjectParticipantFactory(
        project=project, organization=winner, role="contractor"
    )
    edition_2018, edition_2019 = editions(2018, 2019)
    entries = [
        factories.WatchListEntryFactory(watch_list=edition, project=project)
        for edition in (edition_2019, edition_2018)
    ]

    assert ids(api.get(PROJECTS)) == [project.pk]
    response = api.get(detail(PROJECTS, project))
    assert response.status_code == 200 and response["ETag"]
    body = response.json()
    assert set(body) == {
        "id",
        "url",
        "name",
        "name_ja",
        "country",
        "country_name",
        "country_region",
        "country_region_label",
        "other_countries",
        "other_countries_names",
        "other_countries_regions",
        "other_countries_regions_labels",
        "sector",
        "sector_label",
        "stage",
        "stage_label",
        "status",
        "status_label",
        "scheme",
        "scheme_label",
        "description",
        "estimated_cost_jpy",
        "owner",
        "participants",
        "tender_due_on",
        "awarded_on",
        "awarded_to",
        "watch_list_entries",
        "tags",
        "classification",
        "classification_label",
        "access_users",
        "access_groups",
        "created_at",
        "updated_at",
    }
    assert body["country_region"] == "southeast_asia"
    assert body["other_countries"] == ["KH", "LA"]
    # Several countries are named and placed like one, in the same order.
    assert body["other_countries_names"] == ["Cambodia", "Laos"]
    assert body["other_countries_regions"] == ["southeast_asia", "southeast_asia"]
    assert body["other_countries_regions_labels"] == ["Southeast Asia", "Southeast Asia"]
    assert (body["sector_label"], body["status_label"], body["scheme_label"]) == (
        "Railway",
        "Won by a Japanese firm",
        "Yen loan",
    )
    assert body["estimated_cost_jpy"] == 100_000_000_000
    assert body["owner"] == brief("/api/v1/organizations/", owner)
    assert body["awarded_to"] == brief("/api/v1/organizations/", winner)
    assert body["participants"] == [
        {
            "organization": brief("/api/v1/organizations/", winner),
            "role": "contractor",
            "role_label": "Contractor",
        }
    ]
    assert participation.pk  # changed through /project-participants/
    # Oldest edition first, each named by its edition.
    assert body["watch_list_entries"] == [
        brief(ENTRIES, entries[1], "Action Plan 2018"),
        brief(ENTRIES, entries[0], "Action Plan 2019"),
    ]


def test_project_create_update_partial_update_delete(api):
    owner = factories.OrganizationFactory()
    response = api.post(
        PROJECTS, project_payload(owner=owner.pk, other_countries=["LA"]), format="json"
    )
    assert response.status_code == 201, response.content
    project = Project.objects.get(pk=response.json()["id"])
    assert project.owner == owner and [c.code for c in project.other_countries] == ["LA"]
    assert response.json()["participants"] == []
    assert response.json()["watch_list_entries"] == []

    winner = factories.JapaneseCompanyFactory()
    response = api.put(
        detail(PROJECTS, project),
        project_payload(
            status="won_japanese",
            awarded_on="2019-06-01",
            awarded_to=winner.pk,
            stage="construction",
            estimated_cost_jpy=None,
        ),
        format="json",
    )
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert (project.status, project.awarded_to, project.owner, project.estimated_cost_jpy) == (
        "won_japanese",
        winner,
        None,
        None,
    )
    assert list(project.other_countries) == []

    response = api.patch(detail(PROJECTS, project), {"description": "Phase 1"}, format="json")
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.description == "Phase 1" and project.status == "won_japanese"

    factories.ProjectParticipantFactory(project=project)
    assert api.delete(detail(PROJECTS, project)).status_code == 204
    assert not Project.objects.exists()
    assert not ProjectParticipant.objects.exists()


def test_project_create_with_participants(api):
    contractor = factories.JapaneseCompanyFactory()
    lender = factories.OrganizationFactory(kind="international_organization")
    response = api.post(
        PROJECTS,
        project_payload(
            participants=[
                {"organization": contractor.pk, "role": "contractor"},
                {"organization": lender.pk, "role": "lender"},
                {"organization": contractor.pk, "role": "operator"},
            ]
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    project = Project.objects.get()
    assert sorted(project.participations.values_list("organization", "role")) == sorted(
        [(contractor.pk, "contractor"), (lender.pk, "lender"), (contractor.pk, "operator")]
    )
    assert {
        (row["organization"]["id"], row["role_label"]) for row in response.json()["participants"]
    } == {
        (contractor.pk, "Contractor"),
        (lender.pk, "Lender"),
        (contractor.pk, "Operator"),
    }


@pytest.mark.parametrize(
    ("participants", "field"),
    [
        (
            [
                {"organization": "ORGANIZATION", "role": "contractor"},
                {"organization": 999999, "role": "lender"},
            ],
            "organization",
        ),
        (
            [
                {"organization": "ORGANIZATION", "role": "contractor"},
                {"organization": "ORGANIZATION", "role": "king"},
            ],
            "role",
        ),
        (
            [
                {"organization": "ORGANIZATION", "role": "contractor"},
                {"organization": "abc", "role": "lender"},
            ],
            "organization",
        ),
        (
            [{"organization": "ORGANIZATION", "role": "contractor"}, {"role": "lender"}],
            "organization",
        ),
        (
            [
                {"organization": "ORGANIZATION", "role": "contractor"},
                {"organization": "ORGANIZATION", "role": "contractor"},
            ],
            "non_field_errors",
        ),
    ],
)
def test_project_create_with_a_bad_participant_saves_nothing(api, participants, field):
    organization = factories.JapaneseCompanyFactory()
    for participant in participants:
        if participant.get("organization") == "ORGANIZATION":
            participant["organization"] = organization.pk
    response = api.post(PROJECTS, project_payload(participants=participants), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["participants"]
    # The error sits on the second participant, by its position; the first one is fine.
    assert set(errors) == {"1"} and field in errors["1"], errors
    assert not Project.objects.exists()
    assert not ProjectParticipant.objects.exists()


def test_project_create_with_a_bad_project_saves_no_participant(api):
    organization = factories.JapaneseCompanyFactory()
    response = api.post(
        PROJECTS,
        project_payload(
            status="won_foreign",
            participants=[{"organization": organization.pk, "role": "contractor"}],
        ),
        format="json",
    )
    assert_message(response, "non_field_errors", "A won project needs the date it was awarded.")
    assert not Project.objects.exists() and not ProjectParticipant.objects.exists()


def test_participants_are_not_changed_through_the_project(api):
    participation = factories.ProjectParticipantFactory()
    project = participation.project
    response = api.patch(
        detail(PROJECTS, project),
        {"participants": [{"organization": factories.OrganizationFactory().pk, "role": "lender"}]},
        format="json",
    )
    assert response.status_code == 200
    assert list(project.participations.all()) == [participation]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"status": "won_japanese", "awarded_to": "JAPANESE"},
            "non_field_errors",
            "A won project needs the date it was awarded.",
        ),
        (
            {"status": "won_japanese", "awarded_on": "2019-01-01"},
            "non_field_errors",
            "A project won by a Japanese firm needs the organisation it was awarded to.",
        ),
        (
            {"status": "won_japanese", "awarded_on": "2019-01-01", "awarded_to": "FOREIGN"},
            "awarded_to",
            "A project won by a Japanese firm must be awarded to a Japanese company or public body.",
        ),
        (
            {"other_countries": ["LA", "VN"]},
            "other_countries",
            "The other countries must not repeat the primary country.",
        ),
    ],
)
def test_project_rules_are_refused_with_the_models_message(api, changes, field, message):
    japanese, foreign = (
        factories.JapaneseCompanyFactory(),
        factories.OrganizationFactory(kind="foreign_company"),
    )
    names = {"JAPANESE": japanese.pk, "FOREIGN": foreign.pk}
    changes = {
        key: names.get(value, value) if isinstance(value, str) else value
        for key, value in changes.items()
    }
    response = api.post(PROJECTS, project_payload(**changes), format="json")
    assert_message(response, field, message)
    assert not Project.objects.exists()

    # The same rule holds on a change.
    project = factories.ProjectFactory()
    response = api.patch(detail(PROJECTS, project), changes, format="json")
    assert_message(response, field, message)
    project.refresh_from_db()
    assert project.status == "active" and list(project.other_countries) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", "XX"),
        ("other_countries", ["XX"]),
        ("sector", "space"),
        ("stage", "dreaming"),
        ("status", "won"),
        ("scheme", "gift"),
        ("estimated_cost_jpy", -1),
        ("owner", 999999),
        ("awarded_on", "2019-02-30"),
    ],
)
def test_project_invalid_values_are_refused_on_their_field(api, field, value):
    response = api.post(PROJECTS, project_payload(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Project.objects.exists()


def test_deleting_a_project_on_a_watch_list_is_a_409(api):
    entry = factories.WatchListEntryFactory()
    response = api.delete(detail(PROJECTS, entry.project))
    assert response.status_code == 409
    assert Project.objects.filter(pk=entry.project.pk).exists()


def test_deleting_an_organization_a_project_refers_to_is_a_409(api):
    owner = factories.OrganizationFactory()
    factories.ProjectFactory(owner=owner)
    participant = factories.ProjectParticipantFactory().organization
    for organization in (owner, participant):
        assert api.delete(f"/api/v1/organizations/{organization.pk}/").status_code == 409


def test_analyst_reads_projects_but_cannot_write(analyst_api):
    project = factories.ProjectFactory()
    assert_read_only_for_analysts(analyst_api, PROJECTS, project, project_payload())
    assert Project.objects.count() == 1


def test_project_filters(api):
    ministry = factories.OrganizationFactory()
    winner = factories.JapaneseCompanyFactory()
    consultant = factories.JapaneseCompanyFactory()
    metro = factories.ProjectFactory(
        name="Hanoi Metro",
        name_ja="ハノイ都市鉄道",
        country="VN",
        sector="railway",
        stage="construction",
        status="won_japanese",
        scheme="yen_loan",
        owner=ministry,
        awarded_to=winner,
        awarded_on=datetime.date(2019, 3, 15),  # calendar 2019, fiscal 2018
        tender_due_on=datetime.date(2018, 10, 1),
        estimated_cost_jpy=200_000_000_000,
    )
    port = factories.ProjectFactory(
        name="Tema Port",
        country="GH",
        sector="port",
        stage="procurement",
        status="active",
        scheme="ppp",
        description="Container terminal",
        tender_due_on=datetime.date(2019, 12, 1),
        estimated_cost_jpy=50_000_000_000,
    )
    road = factories.ProjectFactory(
        name="Delhi Ring Road",
        country="IN",
        sector="road",
        stage="feasibility_study",
        status="won_foreign",
        scheme="",
        awarded_on=datetime.date(2019, 4, 2),  # calendar 2019, fiscal 2019
    )
    factories.ProjectParticipantFactory(project=metro, organization=consultant, role="consultant")
    factories.ProjectParticipantFactory(project=metro, organization=consultant, role="operator")
    factories.ProjectParticipantFactory(project=port, organization=consultant, role="consultant")
    edition_2018, edition_2019 = editions(2018, 2019)
    for edition in (edition_2018, edition_2019):
        factories.WatchListEntryFactory(watch_list=edition, project=metro)
    factories.WatchListEntryFactory(watch_list=edition_2019, project=port)
    meeting = factories.MeetingFactory(projects=[metro, road])
    factories.MeetingFactory(mission=meeting.mission, projects=[metro])

    def found(**params):
        return ids(api.get(PROJECTS, params))

    assert found(country="GH") == [port.pk]
    assert found(country=["GH", "IN"]) == sorted([port.pk, road.pk])
    assert found(region="south_asia") == [road.pk]
    assert found(region=["africa", "southeast_asia"]) == sorted([metro.pk, port.pk])
    assert found(asean="true") == [metro.pk]
    assert found(asean="false") == sorted([port.pk, road.pk])
    assert found(sector="port") == [port.pk]
    assert found(sector=["port", "road"]) == sorted([port.pk, road.pk])
    assert found(stage=["construction", "procurement"]) == sorted([metro.pk, port.pk])
    assert found(status="won_japanese") == [metro.pk]
    assert found(status=["won_japanese", "won_foreign"]) == sorted([metro.pk, road.pk])
    assert found(scheme=["ppp", "yen_loan"]) == sorted([metro.pk, port.pk])
    assert found(owner=ministry.pk) == [metro.pk]
    assert found(awarded_to=winner.pk) == [metro.pk]
    # Two roles in one project: still one row.
    assert found(participant=consultant.pk) == sorted([metro.pk, port.pk])
    assert found(watch_list=edition_2018.pk) == [metro.pk]
    assert found(watch_list=edition_2019.pk) == sorted([metro.pk, port.pk])
    assert found(watch_list=[edition_2018.pk, edition_2019.pk]) == sorted([metro.pk, port.pk])
    assert found(mission=meeting.mission.pk) == sorted([metro.pk, road.pk])
    assert found(awarded_on_after="2019-04-01") == [road.pk]
    assert found(awarded_on_before="2019-03-31") == [metro.pk]
    assert found(tender_due_on_after="2019-01-01", tender_due_on_before="2019-12-31") == [port.pk]
    assert found(year=2019) == sorted([metro.pk, road.pk])
    assert found(fiscal_year=2018) == [metro.pk]
    assert found(fiscal_year=2019) == [road.pk]
    assert found(estimated_cost_jpy_min=100_000_000_000) == [metro.pk]
    assert found(estimated_cost_jpy_max=100_000_000_000) == [port.pk]
    assert found(estimated_cost_jpy_min=1, estimated_cost_jpy_max=50_000_000_000) == [port.pk]
    assert found(q="ハノイ") == [metro.pk]
    assert found(q="container") == [port.pk]
    assert found(q="ring delhi") == [road.pk]
    # (Projects without a cost are left out: databases sort blanks differently.)
    ordered = api.get(PROJECTS, {"ordering": "-estimated_cost_jpy", "estimated_cost_jpy_min": 0})
    assert [row["id"] for row in ordered.json()["results"]] == [metro.pk, port.pk]
    ordered = api.get(PROJECTS, {"ordering": "-name"}).json()["results"]
    assert [row["id"] for row in ordered] == [port.pk, metro.pk, road.pk]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "\x00"}, "country"),
        ({"region": "atlantis"}, "region"),
        ({"sector": "space"}, "sector"),
        ({"stage": "dreaming"}, "stage"),
        ({"status": "won"}, "status"),
        ({"scheme": "gift"}, "scheme"),
        ({"owner": "abc"}, "owner"),
        ({"owner": "999999"}, "owner"),
        ({"awarded_to": "1.5"}, "awarded_to"),
        ({"participant": "\x00"}, "participant"),
        ({"watch_list": "999999"}, "watch_list"),
        ({"mission": "abc"}, "mission"),
        ({"mission": "999999"}, "mission"),
        ({"awarded_on_after": "2019-13-01"}, "awarded_on_after"),
        ({"awarded_on_before": "\x00"}, "awarded_on_before"),
        ({"tender_due_on_after": "soon"}, "tender_due_on_after"),
        ({"year": "twenty"}, "year"),
        ({"year": "1200"}, "year"),
        ({"fiscal_year": "2019.5"}, "fiscal_year"),
        ({"estimated_cost_jpy_min": "a lot"}, "estimated_cost_jpy_min"),
        ({"estimated_cost_jpy_max": "99999999999999999999999"}, "estimated_cost_jpy_max"),
        ({"estimated_cost_jpy_min": "-1"}, "estimated_cost_jpy_min"),
        ({"asean": "maybe"}, "asean"),
        ({"asean": "\x00"}, "asean"),
        ({"q": "\x00"}, "q"),
        ({"updated_since": "\x00"}, "updated_since"),
        ({"ordering": "owner__password"}, "ordering"),
    ],
)
def test_project_bad_filter_values_are_a_400_naming_them(api, params, name):
    assert_bad_parameter(api, PROJECTS, params, name)


def test_project_csv_export_has_japanese_headers_and_labels(data_entry_user):
    owner = factories.OrganizationFactory(name="Vietnam Railways", name_ja="ベトナム鉄道公社")
    project = factories.ProjectFactory(
        name="Hanoi Metro",
        name_ja="ハノイ都市鉄道",
        country="VN",
        other_countries=["LA"],
        status="active",
        scheme="yen_loan",
        owner=owner,
        estimated_cost_jpy=1000,
    )
    factories.ProjectParticipantFactory(
        project=project,
        organization=factories.JapaneseCompanyFactory(name="JRE", name_ja="日本鉄道技術"),
        role="consultant",
    )
    factories.ProjectFactory(country="GH")
    client = client_for(data_entry_user, language="ja")
    rows = csv_rows(client.get(PROJECTS, {"format": "csv", "country": "VN"}))
    assert rows[0] == [
        "名称（英語）",
        "名称（日本語）",
        "国",
        "地域",
        "その他の国",
        "分野",
        "段階",
        "状況",
        "スキーム",
        "概算事業費（円）",
        "実施機関",
        "参加機関",
        "入札期限",
        "受注日",
        "受注者",
        "説明",
        "タグ",
    ]
    assert len(rows) == 2
    assert rows[1][:11] == [
        "Hanoi Metro",
        "ハノイ都市鉄道",
        "ベトナム",
        "東南アジア",
        "ラオス",
        "鉄道",
        "F/S",
        "推進中",
        "円借款",
        "1000",
        "ベトナム鉄道公社",
    ]
    assert rows[1][11] == "日本鉄道技術 (コンサルタント)"


def test_project_xlsx_export(api):
    factories.ProjectFactory.create_batch(3)
    rows = xlsx_rows(api.get(PROJECTS, {"format": "xlsx", "sector": "railway"}))
    assert len(rows) == 4
    assert rows[0][0] == "name (English)"
    assert rows[1][5] == "Railway"


def test_project_list_query_count_does_not_grow(data_entry_user):
    def make(count):
        for _ in range(count):
            project = factories.ProjectFactory(
                owner=factories.OrganizationFactory(),
                status="won_japanese",
                awarded_on=datetime.date(2019, 1, 1),
                awarded_to=factories.JapaneseCompanyFactory(),
            )
            factories.ProjectParticipantFactory.create_batch(2, project=project)
            factories.WatchListEntryFactory.create_batch(2, project=project)

    make(2)
    few = count_list_queries(data_entry_user, PROJECTS)
    make(48)
    many = count_list_queries(data_entry_user, PROJECTS)
    assert (few[1]["count"], many[1]["count"]) == (2, 50)
    assert few[0] == many[0] == PROJECT_LIST_QUERIES


# -- project participants -------------------------------------------------------------


def test_participant_list_retrieve_create_update_partial_update_delete(api):
    participation = factories.ProjectParticipantFactory(role="contractor")
    assert ids(api.get(PARTICIPANTS)) == [participation.pk]
    body = api.get(detail(PARTICIPANTS, participation)).json()
    assert set(body) == {
        "id",
        "url",
        "project",
        "organization",
        "role",
        "role_label",
        "created_at",
        "updated_at",
    }
    assert body["project"] == brief(PROJECTS, participation.project)
    assert body["role_label"] == "Contractor"

    project, lender = factories.ProjectFactory(), factories.OrganizationFactory()
    payload = {"project": project.pk, "organization": lender.pk, "role": "lender"}
    response = api.post(PARTICIPANTS, payload, format="json")
    assert response.status_code == 201, response.content
    created = ProjectParticipant.objects.get(pk=response.json()["id"])
    assert (created.project, created.organization, created.role) == (project, lender, "lender")

    response = api.put(
        detail(PARTICIPANTS, created), {**payload, "role": "investor"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (
        api.patch(detail(PARTICIPANTS, created), {"role": "supporter"}, format="json").status_code
        == 200
    )
    created.refresh_from_db()
    assert created.role == "supporter"

    assert api.delete(detail(PARTICIPANTS, created)).status_code == 204
    assert list(ProjectParticipant.objects.all()) == [participation]


def test_participant_with_the_same_role_twice_is_refused(api):
    participation = factories.ProjectParticipantFactory(role="contractor")
    payload = {
        "project": participation.project.pk,
        "organization": participation.organization.pk,
        "role": "contractor",
    }
    response = api.post(PARTICIPANTS, payload, format="json")
    assert_message(
        response, "non_field_errors", "This organisation already has this role in the project."
    )
    assert ProjectParticipant.objects.count() == 1
    # Another role of the same organisation is fine.
    assert api.post(PARTICIPANTS, {**payload, "role": "operator"}, format="json").status_code == 201


def test_analyst_reads_participants_but_cannot_write(analyst_api):
    participation = factories.ProjectParticipantFactory()
    assert_read_only_for_analysts(analyst_api, PARTICIPANTS, participation, {"role": "lender"})


def test_participant_filters(api):
    metro = factories.ProjectFactory(name="Hanoi Metro")
    contractor = factories.ProjectParticipantFactory(project=metro, role="contractor")
    lender = factories.ProjectParticipantFactory(role="lender")
    consultant = factories.ProjectParticipantFactory(
        organization=contractor.organization, role="consultant"
    )
    assert ids(api.get(PARTICIPANTS, {"project": metro.pk})) == [contractor.pk]
    assert ids(api.get(PARTICIPANTS, {"organization": contractor.organization.pk})) == sorted(
        [contractor.pk, consultant.pk]
    )
    assert ids(api.get(PARTICIPANTS, {"role": ["lender", "consultant"]})) == sorted(
        [lender.pk, consultant.pk]
    )
    assert ids(api.get(PARTICIPANTS, {"q": "hanoi"})) == [contractor.pk]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"project": "abc"}, "project"),
        ({"organization": "999999"}, "organization"),
        ({"role": "king"}, "role"),
        ({"role": "\x00"}, "role"),
        ({"ordering": "nonsense"}, "ordering"),
    ],
)
def test_participant_bad_filter_values_are_a_400_naming_them(api, params, name):
    assert_bad_parameter(api, PARTICIPANTS, params, name)


def test_participant_exports(data_entry_user):
    factories.ProjectParticipantFactory(
        project=factories.ProjectFactory(name="Metro", name_ja="地下鉄"),
        organization=factories.JapaneseCompanyFactory(name="JRE", name_ja="日本鉄道技術"),
        role="lender",
    )
    rows = csv_rows(client_for(data_entry_user, language="ja").get(PARTICIPANTS, {"format": "csv"}))
    assert rows == [["案件", "機関", "役割"], ["地下鉄", "日本鉄道技術", "融資者"]]
    sheet = xlsx_rows(client_for(data_entry_user).get(PARTICIPANTS, {"format": "xlsx"}))
    assert sheet == [["project", "organisation", "role"], ["Metro", "JRE", "Lender"]]


def test_participant_list_query_count_does_not_grow(data_entry_user):
    factories.ProjectParticipantFactory.create_batch(2)
    few = count_list_queries(data_entry_user, PARTICIPANTS)
    factories.ProjectParticipantFactory.create_batch(48)
    many = count_list_queries(data_entry_user, PARTICIPANTS)
    assert (few[1]["count"], many[1]["count"]) == (2, 50)
    assert few[0] == many[0] == PARTICIPANT_LIST_QUERIES


# -- watch lists ----------------------------------------------------------------------


def test_watch_list_list_and_retrieve(api):
    edition_2018, edition_2019 = editions(2018, 2019)
    entries = factories.WatchListEntryFactory.create_batch(3, watch_list=edition_2019)
    assert ids(api.get(WATCH_LISTS)) == sorted([edition_2018.pk, edition_2019.pk])
    body = api.get(detail(WATCH_LISTS, edition_2019)).json()
    assert set(body) == {
        "id",
        "url",
        "name",
        "name_ja",
        "edition_year",
        "published_on",
        "previous",
        "entry_count",
        "entries",
        "created_at",
        "updated_at",
    }
    assert body["previous"] == brief(WATCH_LISTS, edition_2018)
    assert body["entry_count"] == 3
    assert sorted(entry["id"] for entry in body["entries"]) == sorted(e.pk for e in entries)
    listed = {row["id"]: row["entry_count"] for row in api.get(WATCH_LISTS).json()["results"]}
    assert listed == {edition_2018.pk: 0, edition_2019.pk: 3}


def test_watch_list_create_update_partial_update_delete(api):
    (edition_2018,) = editions(2018)
    payload = {
        "name": "Action Plan 2019",
        "edition_year": 2019,
        "published_on": "2019-06-03",
        "previous": edition_2018.pk,
    }
    response = api.post(WATCH_LISTS, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["entry_count"] == 0 and response.json()["entries"] == []
    edition = WatchList.objects.get(pk=response.json()["id"])
    assert edition.previous == edition_2018

    response = api.put(
        detail(WATCH_LISTS, edition), {**payload, "published_on": None}, format="json"
    )
    assert response.status_code == 200, response.content
    factories.WatchListEntryFactory(watch_list=edition)
    response = api.patch(detail(WATCH_LISTS, edition), {"name": "行動計画2019"}, format="json")
    assert response.status_code == 200
    assert response.json()["entry_count"] == 1
    edition.refresh_from_db()
    assert (edition.name, edition.published_on) == ("行動計画2019", None)

    # An edition another one revises stays; the latest can go, with its entries.
    assert api.delete(detail(WATCH_LISTS, edition_2018)).status_code == 409
    assert api.delete(detail(WATCH_LISTS, edition)).status_code == 204
    assert list(WatchList.objects.all()) == [edition_2018]
    assert not WatchListEntry.objects.exists()


def test_watch_list_rules(api):
    (edition_2019,) = editions(2019)
    response = api.post(
        WATCH_LISTS,
        {"name": "Action Plan 2018", "edition_year": 2018, "previous": edition_2019.pk},
        format="json",
    )
    assert_message(response, "previous", "The previous edition must be of an earlier year.")
    response = api.post(WATCH_LISTS, {"name": "Another 2019", "edition_year": 2019}, format="json")
    assert response.status_code == 400 and "edition_year" in response.json()
    assert WatchList.objects.count() == 1


def test_analyst_reads_watch_lists_but_cannot_write(analyst_api):
    (edition,) = editions(2019)
    assert_read_only_for_analysts(analyst_api, WATCH_LISTS, edition, {"name": "x"})


def test_watch_list_filters(api):
    edition_2018, edition_2019 = editions(2018, 2019)
    assert ids(api.get(WATCH_LISTS, {"edition_year": 2019})) == [edition_2019.pk]
    assert ids(api.get(WATCH_LISTS, {"q": "2018"})) == [edition_2018.pk]
    ordered = api.get(WATCH_LISTS, {"ordering": "edition_year"}).json()["results"]
    assert [row["id"] for row in ordered] == [edition_2018.pk, edition_2019.pk]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"edition_year": "abc"}, "edition_year"),
        ({"edition_year": "2019.5"}, "edition_year"),
        ({"edition_year": "\x00"}, "edition_year"),
        ({"edition_year": "99999999999999999999"}, "edition_year"),
        ({"ordering": "nonsense"}, "ordering"),
    ],
)
def test_watch_list_bad_filter_values_are_a_400_naming_them(api, params, name):
    assert_bad_parameter(api, WATCH_LISTS, params, name)


def test_watch_list_exports(data_entry_user):
    edition_2018, edition_2019 = editions(2018, 2019)
    factories.WatchListEntryFactory.create_batch(2, watch_list=edition_2019)
    client = client_for(data_entry_user, language="ja")
    rows = csv_rows(client.get(WATCH_LISTS, {"format": "csv", "ordering": "edition_year"}))
    assert rows == [
        ["名称（英語）", "名称（日本語）", "版の年", "公表日", "前の版", "注視プロジェクト掲載"],
        ["Action Plan 2018", "", "2018", "", "", "0"],
        ["Action Plan 2019", "", "2019", "", "Action Plan 2018", "2"],
    ]
    sheet = xlsx_rows(client.get(WATCH_LISTS, {"format": "xlsx", "ordering": "edition_year"}))
    assert sheet[2] == ["Action Plan 2019", None, 2019, None, "Action Plan 2018", 2]


def test_watch_list_list_query_count_does_not_grow(data_entry_user):
    def make(years):
        previous = WatchList.objects.order_by("edition_year").last()
        for year in years:
            previous = factories.WatchListFactory(edition_year=year, previous=previous)
            factories.WatchListEntryFactory.create_batch(2, watch_list=previous)

    make(range(2000, 2002))
    few = count_list_queries(data_entry_user, WATCH_LISTS)
    make(range(2002, 2050))
    many = count_list_queries(data_entry_user, WATCH_LISTS)
    assert (few[1]["count"], many[1]["count"]) == (2, 50)
    assert few[0] == many[0] == WATCH_LIST_LIST_QUERIES


# -- watch-list entries ---------------------------------------------------------------


def test_entry_list_retrieve_create_update_partial_update_delete(api):
    edition_2018, edition_2019 = editions(2018, 2019)
    entry = factories.WatchListEntryFactory(watch_list=edition_2018)
    assert ids(api.get(ENTRIES)) == [entry.pk]
    body = api.get(detail(ENTRIES, entry)).json()
    assert set(body) == {
        "id",
        "url",
        "watch_list",
        "project",
        "region",
        "region_label",
        "outcome_at_next_edition",
        "outcome_at_next_edition_label",
        "reason",
        "created_at",
        "updated_at",
    }
    assert body["watch_list"] == brief(WATCH_LISTS, edition_2018)
    assert body["project"] == brief(PROJECTS, entry.project)
    assert (body["region"], body["region_label"]) == ("southeast_asia", "Southeast Asia")
    assert (body["outcome_at_next_edition"], body["outcome_at_next_edition_label"]) == ("", "")

    project = factories.ProjectFactory(country="GH")
    payload = {"watch_list": edition_2019.pk, "project": project.pk, "region": "africa"}
    response = api.post(ENTRIES, payload, format="json")
    assert response.status_code == 201, response.content
    created = WatchListEntry.objects.get(pk=response.json()["id"])
    assert (created.watch_list, created.project, created.region) == (
        edition_2019,
        project,
        "africa",
    )

    response = api.put(
        detail(ENTRIES, entry),
        {
            "watch_list": edition_2018.pk,
            "project": entry.project.pk,
            "region": "southeast_asia",
            "outcome_at_next_edition": "won_japanese",
            "reason": "",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome_at_next_edition_label"] == "Won by a Japanese firm"
    response = api.patch(
        detail(ENTRIES, entry),
        {"outcome_at_next_edition": "removed", "reason": "Cancelled by the government"},
        format="json",
    )
    assert response.status_code == 200, response.content
    entry.refresh_from_db()
    assert (entry.outcome_at_next_edition, entry.reason) == (
        "removed",
        "Cancelled by the government",
    )

    assert api.delete(detail(ENTRIES, created)).status_code == 204
    assert list(WatchListEntry.objects.all()) == [entry]


def test_entry_rules(api):
    edition_2018, edition_2019 = editions(2018, 2019)
    entry = factories.WatchListEntryFactory(watch_list=edition_2018)
    response = api.patch(
        detail(ENTRIES, entry), {"outcome_at_next_edition": "removed"}, format="json"
    )
    assert_message(response, "non_field_errors", "Say why the project was removed.")
    entry.refresh_from_db()
    assert entry.outcome_at_next_edition == ""

    latest = factories.WatchListEntryFactory(watch_list=edition_2019)
    response = api.patch(
        detail(ENTRIES, latest), {"outcome_at_next_edition": "continued"}, format="json"
    )
    assert_message(
        response,
        "outcome_at_next_edition",
        "The outcome stays blank until the next edition exists.",
    )

    response = api.post(
        ENTRIES,
        {"watch_list": edition_2018.pk, "project": entry.project.pk, "region": "africa"},
        format="json",
    )
    assert_message(response, "non_field_errors", "This project is already on this watch list.")
    assert WatchListEntry.objects.count() == 2


def test_analyst_reads_entries_but_cannot_write(analyst_api):
    entry = factories.WatchListEntryFactory()
    assert_read_only_for_analysts(analyst_api, ENTRIES, entry, {"reason": "x"})


def test_entry_filters(api):
    edition_2018, edition_2019 = editions(2018, 2019)
    metro = factories.ProjectFactory(sector="railway")
    port = factories.ProjectFactory(sector="port", country="GH")
    metro_2018 = factories.WatchListEntryFactory(
        watch_list=edition_2018, project=metro, outcome_at_next_edition="continued"
    )
    port_2018 = factories.WatchListEntryFactory(
        watch_list=edition_2018,
        project=port,
        region="africa",
        outcome_at_next_edition="removed",
        reason="Dropped",
    )
    metro_2019 = factories.WatchListEntryFactory(watch_list=edition_2019, project=metro)

    assert ids(api.get(ENTRIES, {"watch_list": edition_2018.pk})) == sorted(
        [metro_2018.pk, port_2018.pk]
    )
    assert ids(api.get(ENTRIES, {"edition_year": 2019})) == [metro_2019.pk]
    assert ids(api.get(ENTRIES, {"project": metro.pk})) == sorted([metro_2018.pk, metro_2019.pk])
    assert ids(api.get(ENTRIES, {"region": "africa"})) == [port_2018.pk]
    assert ids(api.get(ENTRIES, {"outcome": "removed"})) == [port_2018.pk]
    assert ids(api.get(ENTRIES, {"outcome": ["removed", "continued"]})) == sorted(
        [metro_2018.pk, port_2018.pk]
    )
    assert ids(api.get(ENTRIES, {"sector": "railway"})) == sorted([metro_2018.pk, metro_2019.pk])
    assert ids(api.get(ENTRIES, {"q": "dropped"})) == [port_2018.pk]
    ordered = api.get(ENTRIES, {"ordering": "-watch_list__edition_year,region"}).json()["results"]
    assert [row["id"] for row in ordered] == [metro_2019.pk, port_2018.pk, metro_2018.pk]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"watch_list": "abc"}, "watch_list"),
        ({"edition_year": "next"}, "edition_year"),
        ({"project": "999999"}, "project"),
        ({"region": "atlantis"}, "region"),
        ({"outcome": "won"}, "outcome"),
        ({"sector": "\x00"}, "sector"),
        ({"q": "\x00"}, "q"),
        ({"ordering": "nonsense"}, "ordering"),
    ],
)
def test_entry_bad_filter_values_are_a_400_naming_them(api, params, name):
    assert_bad_parameter(api, ENTRIES, params, name)


def test_entry_exports(data_entry_user):
    edition_2018, _edition_2019 = editions(2018, 2019)
    factories.WatchListEntryFactory(
        watch_list=edition_2018,
        project=factories.ProjectFactory(
            name="Tema Port", name_ja="テマ港", country="GH", sector="port"
        ),
        region="africa",
        outcome_at_next_edition="removed",
        reason="Dropped",
    )
    client = client_for(data_entry_user, language="ja")
    rows = csv_rows(client.get(ENTRIES, {"format": "csv"}))
    assert rows == [
        ["注視すべき主要プロジェクト", "案件", "国", "分野", "掲載地域", "次の版での結果", "理由"],
        ["Action Plan 2018", "テマ港", "ガーナ", "港湾", "アフリカ", "削除", "Dropped"],
    ]
    sheet = xlsx_rows(client_for(data_entry_user).get(ENTRIES, {"format": "xlsx"}))
    assert sheet[1] == [
        "Action Plan 2018",
        "Tema Port",
        "Ghana",
        "Port",
        "Africa",
        "Removed",
        "Dropped",
    ]


def test_entry_list_query_count_does_not_grow(data_entry_user):
    factories.WatchListEntryFactory.create_batch(2)
    few = count_list_queries(data_entry_user, ENTRIES)
    factories.WatchListEntryFactory.create_batch(48)
    many = count_list_queries(data_entry_user, ENTRIES)
    assert (few[1]["count"], many[1]["count"]) == (2, 50)
    assert few[0] == many[0] == ENTRY_LIST_QUERIES


# -- order figures --------------------------------------------------------------------


def test_order_figure_list_retrieve_create_update_partial_update_delete(api):
    figure = factories.OrderFigureFactory(year=2017, amount_jpy=23_000_000_000_000)
    assert ids(api.get(FIGURES)) == [figure.pk]
    body = api.get(detail(FIGURES, figure)).json()
    assert body == {
        "id": figure.pk,
        "url": f"http://testserver{detail(FIGURES, figure)}",
        "year": 2017,
        "amount_jpy": 23_000_000_000_000,
        "kind": "actual",
        "kind_label": "Actual",
        "source": "",
        "source_ja": "",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }

    payload = {
        "year": 2020,
        "amount_jpy": 30_000_000_000_000,
        "kind": "target",
        "source": "Strategy",
    }
    response = api.post(FIGURES, payload, format="json")
    assert response.status_code == 201, response.content
    target = OrderFigure.objects.get(pk=response.json()["id"])
    assert (target.year, target.kind, target.amount_jpy) == (2020, "target", 30_000_000_000_000)

    response = api.put(detail(FIGURES, target), {**payload, "amount_jpy": 31}, format="json")
    assert response.status_code == 200, response.content
    assert (
        api.patch(detail(FIGURES, target), {"source": "Revised"}, format="json").status_code == 200
    )
    target.refresh_from_db()
    assert (target.amount_jpy, target.source) == (31, "Revised")

    assert api.delete(detail(FIGURES, target)).status_code == 204
    assert list(OrderFigure.objects.all()) == [figure]


def test_order_figure_rules(api):
    factories.OrderFigureFactory(year=2017, kind="actual")
    response = api.post(FIGURES, {"year": 2017, "kind": "actual", "amount_jpy": 1}, format="json")
    assert_message(
        response, "non_field_errors", "There is already a figure of this kind for this year."
    )
    response = api.post(FIGURES, {"year": 2018, "kind": "actual", "amount_jpy": -1}, format="json")
    assert response.status_code == 400 and "amount_jpy" in response.json()
    assert OrderFigure.objects.count() == 1
    # A target for the same year is another figure.
    assert (
        api.post(
            FIGURES, {"year": 2017, "kind": "target", "amount_jpy": 1}, format="json"
        ).status_code
        == 201
    )


def test_analyst_reads_order_figures_but_cannot_write(analyst_api):
    figure = factories.OrderFigureFactory()
    assert_read_only_for_analysts(analyst_api, FIGURES, figure, {"source": "x"})


def test_order_figure_filters(api):
    actual_2010 = factories.OrderFigureFactory(year=2010, kind="actual")
    actual_2017 = factories.OrderFigureFactory(year=2017, kind="actual", source="MLIT survey")
    target_2020 = factories.OrderFigureFactory(year=2020, kind="target")
    assert ids(api.get(FIGURES, {"kind": "target"})) == [target_2020.pk]
    assert ids(api.get(FIGURES, {"kind": ["target", "actual"]})) == sorted(
        [actual_2010.pk, actual_2017.pk, target_2020.pk]
    )
    assert ids(api.get(FIGURES, {"year_min": 2017})) == sorted([actual_2017.pk, target_2020.pk])
    assert ids(api.get(FIGURES, {"year_max": 2017})) == sorted([actual_2010.pk, actual_2017.pk])
    assert ids(api.get(FIGURES, {"year_min": 2011, "year_max": 2019})) == [actual_2017.pk]
    assert ids(api.get(FIGURES, {"year": 2017})) == [actual_2017.pk]
    assert ids(api.get(FIGURES, {"year": 2018})) == []
    assert ids(api.get(FIGURES, {"q": "survey"})) == [actual_2017.pk]
    ordered = api.get(FIGURES, {"ordering": "-year"}).json()["results"]
    assert [row["id"] for row in ordered] == [target_2020.pk, actual_2017.pk, actual_2010.pk]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"kind": "forecast"}, "kind"),
        ({"kind": "\x00"}, "kind"),
        ({"year_min": "twenty"}, "year_min"),
        ({"year_max": "99999999999999999999"}, "year_max"),
        ({"year_min": "2017.5"}, "year_min"),
        ({"year": "2017.5"}, "year"),
        ({"year": "1066"}, "year"),
        ({"year": "\x00"}, "year"),
        ({"ordering": "nonsense"}, "ordering"),
    ],
)
def test_order_figure_bad_filter_values_are_a_400_naming_them(api, params, name):
    assert_bad_parameter(api, FIGURES, params, name)


def test_order_figure_exports(data_entry_user):
    factories.OrderFigureFactory(year=2017, kind="actual", amount_jpy=23, source="MLIT")
    rows = csv_rows(client_for(data_entry_user, language="ja").get(FIGURES, {"format": "csv"}))
    assert rows == [
        ["年", "種別", "金額（円）", "出典（英語）", "出典（日本語）"],
        ["2017", "実績", "23", "MLIT", ""],
    ]
    sheet = xlsx_rows(client_for(data_entry_user).get(FIGURES, {"format": "xlsx"}))
    assert sheet == [
        ["year", "kind", "amount (yen)", "source (English)", "source (Japanese)"],
        [2017, "Actual", 23, "MLIT", None],
    ]


def test_order_figure_list_query_count_does_not_grow(data_entry_user):
    factories.OrderFigureFactory.create_batch(2)
    few = count_list_queries(data_entry_user, FIGURES)
    factories.OrderFigureFactory.create_batch(48)
    many = count_list_queries(data_entry_user, FIGURES)
    assert (few[1]["count"], many[1]["count"]) == (2, 50)
    assert few[0] == many[0] == FIGURE_LIST_QUERIES
