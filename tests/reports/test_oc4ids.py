"""The OC4IDS feed: the demo data's package valid against the official OC4IDS 0.9.5
schema (offline, ../shared/standards/oc4ids/), the projects mapped as the README says,
filtered like /api/v1/projects/, and streamed."""

import datetime
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from core.classification import Classification
from reports import oc4ids
from tests import factories
from tests.api import client_for

STANDARD = Path(settings.BASE_DIR).parent.parent / "shared" / "standards" / "oc4ids"
if not STANDARD.exists():  # the worktree's main checkout is /work/main, beside shared/
    STANDARD = Path("/work/shared/standards/oc4ids")
FEED = "/api/v1/oc4ids/"
PUBLIC = {"classification": Classification.PUBLIC}  # only 機密性1 records are published

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    return not isinstance(value, str) or bool(datetime.datetime.fromisoformat(value).tzinfo)


@FORMATS.checks("uri", raises=ValueError)
def _uri(value):
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts is None or bool(parts.scheme and parts.netloc)


def package_validator():
    """The package schema, its reference to the project schema resolved from the folder
    (by the `id` the schemas give each other): no network."""
    package = json.loads((STANDARD / "project-package-schema.json").read_text())
    project = json.loads((STANDARD / "project-schema.json").read_text())
    registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
        for schema in (package, project)
    )
    return Draft4Validator(package, registry=registry, format_checker=FORMATS)


def errors_of(document):
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
        for error in package_validator().iter_errors(document)
    ]


def codes(codelist):
    lines = (STANDARD / "codelists" / codelist).read_text().splitlines()[1:]
    return {line.split(",", 1)[0] for line in lines if line}


def test_the_validator_is_the_standards_own():
    """The standard's worked example passes, and a broken copy of it does not: the test
    below would fail on any error."""
    example = json.loads((STANDARD / "example-package.json").read_text())
    assert errors_of(example) == []
    broken = {**example, "projects": [{**example["projects"][0], "status": "finished"}]}
    assert errors_of(broken)


@pytest.mark.django_db
def test_a_project_is_mapped_field_by_field(administrator_user):
    owner = factories.OrganizationFactory(name="Ghana Highway Authority", country="GH")
    lender = factories.OrganizationFactory(name="JICA", country="JP")
    project = factories.ProjectFactory(
        name="Tema Motorway",
        description="Widening of the motorway.",
        country="GH",
        other_countries=["TG"],
        sector="road",
        stage="construction",
        status="active",
        owner=owner,
        estimated_cost_jpy=12_000_000_000,
        awarded_on=datetime.date(2019, 3, 1),
        **PUBLIC,
    )
    factories.ProjectParticipantFactory(project=project, organization=lender, role="lender")
    agreement = factories.AgreementFactory(title="MoC on roads", projects=[project], **PUBLIC)
    person = factories.PersonFactory(name="Hon. Minister of Roads")
    mission = factories.MissionFactory(status="completed", leader_rank="minister", **PUBLIC)
    meeting = factories.MeetingFactory(
        mission=mission,
        counterpart_country="GH",
        counterparts=[person],
        projects=[project],
        **PUBLIC,
    )
    factories.MeetingFactory(projects=[project], **PUBLIC)  # planned mission: not top sales

    package = json.loads(
        b"".join(client_for(administrator_user).get(FEED, {"country": "GH"}).streaming_content)
    )

    assert errors_of(package) == []
    assert len(package["projects"]) == 1, [(p["id"], p["title"]) for p in package["projects"]]
    [document] = package["projects"]
    assert document["id"] == f"oc4ids-mlitjp-{project.pk}"
    assert (document["title"], document["description"]) == (
        "Tema Motorway",
        "Widening of the motorway.",
    )
    assert (document["status"], document["type"]) == ("implementation", "construction")
    assert document["sector"] == ["transport", "transport.road"]
    assert [loc["address"]["countryName"] for loc in document["locations"]] == ["Ghana", "Togo"]
    assert document["budget"] == {"amount": {"amount": 12_000_000_000, "currency": "JPY"}}
    assert document["implementationPeriod"] == {"startDate": "2019-03-01T00:00:00+09:00"}
    roles = {party["name"]: party["roles"] for party in document["parties"]}
    assert roles["Ghana Highway Authority"] == ["publicAuthority"]
    assert roles["JICA"] == ["funder"]
    assert roles[settings.OC4IDS_PUBLISHER_NAME] == ["interestedParty"]
    assert document["publicAuthority"] == {
        "id": f"org-{owner.pk}",
        "name": "Ghana Highway Authority",
    }
    assert [d["id"] for d in document["documents"]] == [f"agreement-{agreement.pk}"]
    assert [m["id"] for m in document["lobbyingMeetings"]] == [str(meeting.pk)]
    assert document["lobbyingMeetings"][0]["publicOffice"] == {
        "person": {"name": "Hon. Minister of Roads"}
    }


@pytest.mark.django_db
def test_the_feed_is_filtered_and_checked_like_the_projects_list(administrator_user, analyst_user):
    factories.ProjectFactory(country="GH", **PUBLIC)
    factories.ProjectFactory(country="VN", **PUBLIC)
    client = client_for(administrator_user)
    package = json.loads(b"".join(client.get(FEED, {"country": "VN"}).streaming_content))
    assert [p["locations"][0]["address"]["countryName"] for p in package["projects"]] == ["Vietnam"]
    for params, name in (({"stauts": "x"}, "stauts"), ({"country": "XX"}, "country")):
        response = client.get(FEED, params)
        assert response.status_code == 400
        assert name in response.json()
    assert client_for().get(FEED).status_code == 401
    assert client_for(factories.UserFactory()).get(FEED).status_code == 403
    assert client_for(analyst_user).get(FEED).status_code == 200


@pytest.mark.django_db
def test_the_feed_reads_projects_a_chunk_at_a_time(administrator_user, monkeypatch):
    """Memory does not grow with the number of projects: a fixed number of queries per
    chunk, whatever the chunk holds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(oc4ids, "CHUNK", 2)
    for _ in range(6):
        factories.MeetingFactory(projects=[factories.ProjectFactory(**PUBLIC)])
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(client_for(administrator_user).get(FEED).streaming_content)
    assert len(json.loads(body)["projects"]) == 6
    per_chunk = [q for q in queries.captured_queries if '"projects_project"' in q["sql"]]
    assert len(per_chunk) <= 6  # the latest change, then the chunks of 2 (3 of them)


@pytest.mark.django_db
def test_only_classification_1_records_are_published(administrator_user):
    """機密性1 means "may be published": a level-2 or level-3 project is not in the feed,
    nor a level-2 agreement or meeting under a published project, even for a superuser
    who may read them all."""
    published = factories.ProjectFactory(name="Published road", **PUBLIC)
    factories.ProjectFactory(name="Internal road")  # level 2, the default
    factories.ProjectFactory(name="Secret road", classification=Classification.NEED_TO_KNOW)
    factories.AgreementFactory(title="Announced MoC", projects=[published], **PUBLIC)
    factories.AgreementFactory(title="Internal MoC", projects=[published])
    factories.AgreementFactory(
        title="Secret MoC", projects=[published], classification=Classification.NEED_TO_KNOW
    )
    announced = factories.MissionFactory(status="completed", leader_rank="minister", **PUBLIC)
    public_meeting = factories.MeetingFactory(mission=announced, projects=[published], **PUBLIC)
    factories.MeetingFactory(mission=announced, projects=[published])  # level 2
    secret = factories.MissionFactory(
        status="completed", leader_rank="minister", classification=Classification.NEED_TO_KNOW
    )
    factories.MeetingFactory(mission=secret, projects=[published])

    package = json.loads(b"".join(client_for(administrator_user).get(FEED).streaming_content))

    assert errors_of(package) == []
    [document] = package["projects"]
    assert document["title"] == "Published road"
    assert [d["title"] for d in document["documents"]] == ["Announced MoC"]
    assert [m["id"] for m in document["lobbyingMeetings"]] == [str(public_meeting.pk)]
