"""The schema says what the server does: a request valid by the schema is not refused
for a limit the schema does not state, and one the schema forbids is not accepted."""

import json

import pytest
from django.test import override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from tests import factories
from tests.api import new_mission

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api):
    return api.get("/api/schema/", HTTP_ACCEPT="application/json").json()


def parameters(schema, path):
    return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}


def test_the_limits_of_list_parameters_are_in_the_schema(schema):
    for path in ("/api/v1/meetings/", "/api/v1/projects/", "/api/v1/agreements/"):
        found = parameters(schema, path)
        assert found["page_size"] == {"type": "integer", "minimum": 1, "maximum": 1000}
        assert found["page"]["minimum"] == 1
        assert found["q"] == {"type": "string", "maxLength": 200}
        assert found["cursor"]["pattern"] == r"^[A-Za-z0-9_=-]{0,200}$"
    assert parameters(schema, "/api/v1/meetings/")["year"] == {
        "type": "integer",
        "minimum": 1900,
        "maximum": 2200,
    }
    title = schema["components"]["schemas"]["MissionCreateRequest"]["properties"]["title"]
    assert title["maxLength"] == 255


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/missions/", lambda: new_mission(factories.PersonFactory(), title=12), "title"),
        ("/api/v1/organizations/", lambda: {"name": 12, "country": "GH"}, "name"),
        ("/api/v1/people/", lambda: {"name": 1.5}, "name"),
        ("/api/v1/people/", lambda: {"name": "Sato", "email": 7}, "email"),
        ("/api/v1/people/", lambda: {"name": True}, "name"),
    ],
)
def test_a_number_is_not_taken_for_a_text(api, path, body, field):
    """DRF would store 12 as "12"; the schema says `type: string`."""
    response = api.post(path, body(), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


def test_a_number_is_not_taken_for_a_text_in_a_change_either(api):
    meeting = factories.MeetingFactory(topics="Railway")
    response = api.patch(f"/api/v1/meetings/{meeting.pk}/", {"topics": 12}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["topics"]
    meeting.refresh_from_db()
    assert meeting.topics == "Railway"


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1001"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"cursor": "not a cursor"}, "cursor"),
    ],
)
def test_spreadsheets_refuse_the_page_parameters_a_page_refuses(api, export_format, params, name):
    factories.MeetingFactory()
    response = api.get("/api/v1/meetings/", {**params, "format": export_format})
    assert response.status_code == 400, response.content[:200]
    assert name in response.json()


def test_spreadsheets_take_the_page_parameters_a_page_takes(api):
    factories.MeetingFactory()
    for params in ({"page_size": "10"}, {"page": "1"}, {"cursor": ""}):
        response = api.get("/api/v1/meetings/", {**params, "format": "csv"})
        assert response.status_code == 200, (params, response.content[:200])


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_too_large_is_a_json_400(api):
    body = json.dumps({"title": "x" * 2000})
    response = api.generic("POST", "/api/v1/missions/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "larger than the server accepts" in response.json()["detail"]
    upload = encode_multipart(BOUNDARY, {"description": "x" * 2000})
    response = api.generic(
        "POST", "/api/v1/agreement-documents/", upload, content_type=MULTIPART_CONTENT
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    # Outside the API, Django's own page.
    assert not api.post("/accounts/login/", {"x": "x" * 2000})["Content-Type"].startswith(
        "application/json"
    )
