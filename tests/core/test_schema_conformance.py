"""Every response agrees with /api/schema/: each list, record and history of the demo
data, of every resource of the API router, and the report endpoints, validated with a
JSON-schema validator against the operation's documented 200 response.

A client generated from the schema trusts it: a field the schema calls non-nullable
that comes back null, or a property it does not list, breaks that client."""

import datetime
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft4Validator, FormatChecker

from config.api_router import router
from exports.services import export_job_create
from imports.services import import_job_create
from reports.api import urls as report_urls
from search.services import saved_filter_create
from tests import factories
from tests.api import client_for

pytestmark = pytest.mark.django_db

# What the required parameters of the report endpoints take in the demo data.
REQUIRED_PARAMETERS = {"edition": "2019"}
# The report endpoints again, with the figures the demo data reproduce.
# The analysts' workspace (search.api): not resources of the router, tried on their own.
WORKSPACE_QUERIES = {
    "/api/v1/search/": {"q": "ガーナ"},
    "/api/v1/saved-filters/": {},
    "/api/v1/tags/": {},
}
REPORT_QUERIES = {
    "/api/v1/reports/engagements/": {"year": "2018"},
    "/api/v1/reports/top-sales-effect/": {"fiscal_year": "2018"},
    "/api/v1/reports/agreements/": {"expiring_within": "180"},
}


def json_schema(node):
    """OpenAPI 3.0's schema object as JSON Schema (draft 4, which OpenAPI 3.0 extends):
    `nullable: true` becomes null among the types allowed."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node and "enum" not in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture
def reader(administrator_user):
    return client_for(administrator_user, language=None)  # Japanese: the longer labels


@pytest.fixture
def schema(reader):
    response = reader.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


# The formats OpenAPI names, checked (jsonschema checks "date-time" and "uri" only with
# optional packages): a client that checks them refuses what they do not match.
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    return not isinstance(value, str) or bool(datetime.datetime.fromisoformat(value).tzinfo)


@FORMATS.checks("uri", raises=ValueError)
def _uri(value):
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts is None or bool(parts.scheme and parts.netloc)


def validators_for(schema, operation):
    """Two readers of the documented response: one that checks formats, one that takes
    them as annotations (as JSON Schema allows, and many generated clients do)."""
    documented = operation["responses"]["200"]["content"]["application/json"]["schema"]
    converted = json_schema({**documented, "components": schema["components"]})
    return [Draft4Validator(converted, format_checker=FORMATS), Draft4Validator(converted)]


def disagreements(validators, body, where):
    """One line per way the body departs from the schema (the first example of each)."""
    found = {}
    for validator in validators:
        for error in validator.iter_errors(body):
            where_in_schema = "/".join(str(part) for part in error.absolute_schema_path)
            place = "/".join(str(part) for part in error.absolute_path)
            found.setdefault(where_in_schema, f"{where} at {place}: {error.message[:200]}")
    return found


def test_every_response_of_the_demo_data_conforms_to_the_schema(
    demo_data, administrator_user, reader, schema
):
    # What the demo data lack: a document, an export, records with their optional
    # fields left empty (the factories'), a follow-up whose record was deleted since.
    factories.AgreementDocumentFactory()
    factories.ProjectParticipantFactory()
    factories.PostFactory()
    factories.PersonFactory(email="")
    orphan = factories.FollowUpFactory(target=factories.MeetingFactory(venue_country=""))
    orphan.target.delete()
    export_job_create(
        user=administrator_user,
        resource="meetings",
        format="csv",
        query="country=GH",
        language="ja",
    )
    # An import with an error (its `errors`) and one refused as a whole.
    for data in (b"name,kind,country\nMinistry,nonsense,GH\n", b"name\nMinistry\n"):
        import_job_create(
            user=administrator_user,
            resource="organizations",
            name="bureau.csv",
            data=data,
            dry_run=True,
            language="ja",
        )
    operations = {
        path: item["get"]
        for path, item in schema["paths"].items()
        if "get" in item and path.startswith("/api/v1/")
    }
    deletions = sorted(path for path in operations if path.endswith("/deletions/"))
    lists = sorted(
        path
        for path in operations
        if "{" not in path
        and "/reports/" not in path
        and path not in deletions
        # An OC4IDS package, validated against OC4IDS's schema (tests/reports/test_oc4ids*).
        and path != "/api/v1/oc4ids/"
        and path not in WORKSPACE_QUERIES
    )
    reports = sorted(path for path in operations if "/reports/" in path)
    # Every resource of the router, the read audit and every report endpoint is tried.
    assert {path.split("/")[3] for path in lists} == {p for p, _v, _b in router.registry} | {
        "audit"
    }
    assert len(reports) == len(report_urls.urlpatterns)

    checked, failures = 0, {}
    for path in lists:
        validators = validators_for(schema, operations[path])
        ids = []
        taken = {parameter["name"] for parameter in operations[path].get("parameters", ())}
        queries = [{"page_size": "1000"}, {"cursor": "", "page_size": "1000"}]
        for query in [q for q in queries if set(q) <= taken]:
            response = reader.get(path, query)
            assert response.status_code == 200, (path, response.content[:300])
            body = response.json()
            failures |= disagreements(validators, body, f"GET {path}?{query}")
            ids = ids or [row["id"] for row in body["results"]]
            checked += 1
        assert ids, f"no records to check at {path}"
        for suffix in ("{id}/", "{id}/history/"):
            record_path = f"{path}{suffix}"
            if record_path not in operations:
                continue
            validators = validators_for(schema, operations[record_path])
            for pk in ids:
                url = record_path.replace("{id}", str(pk))
                response = reader.get(url)
                assert response.status_code == 200, (url, response.content[:300])
                failures |= disagreements(validators, response.json(), f"GET {url}")
                checked += 1
    # The deletion feeds (a meeting was deleted above).
    for path in deletions:
        response = reader.get(path, {"cursor": ""})
        assert response.status_code == 200, (path, response.content[:300])
        failures |= disagreements(validators_for(schema, operations[path]), response.json(), path)
        checked += 1
    assert reader.get("/api/v1/meetings/deletions/", {"cursor": ""}).json()["results"]
    for path in reports:
        operation = operations[path]
        validators = validators_for(schema, operation)
        required = {
            parameter["name"]: REQUIRED_PARAMETERS[parameter["name"]]
            for parameter in operation.get("parameters", ())
            if parameter.get("required") and parameter["in"] == "query"
        }
        for query in (required, {**required, **REPORT_QUERIES.get(path, {})}):
            response = reader.get(path, query)
            assert response.status_code == 200, (path, query, response.content[:300])
            failures |= disagreements(validators, response.json(), f"GET {path}?{query}")
            checked += 1
    saved_filter_create(
        owner=administrator_user,
        name="Ghana",
        resource="projects",
        filters={"country": ["GH"], "q": "port"},
        alert="weekly",
    )
    for path, query in WORKSPACE_QUERIES.items():
        response = reader.get(path, query)
        assert response.status_code == 200, (path, response.content[:300])
        body = response.json()
        assert body, path
        failures |= disagreements(validators_for(schema, operations[path]), body, f"GET {path}")
        checked += 1
    assert not failures, "\n".join(sorted(failures.values()))
    assert checked > 1500


def test_nullable_is_read_as_json_schema_reads_it():
    converted = json_schema(
        {
            "type": "object",
            "properties": {
                "label": {"type": "string", "nullable": True},
                "region": {"allOf": [{"$ref": "#/x"}], "nullable": True},
                "kind": {"type": "string", "enum": ["a", None], "nullable": True},
            },
        }
    )
    assert converted["properties"]["label"] == {"type": ["string", "null"]}
    assert converted["properties"]["region"] == {
        "anyOf": [{"allOf": [{"$ref": "#/x"}]}, {"type": "null"}]
    }
    assert Draft4Validator(converted["properties"]["kind"]).is_valid(None)
