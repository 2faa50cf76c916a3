"""JSON nested deeper than any request needs is a 400, refused before it is parsed.

Python's json module parses nesting by recursion against the interpreter's recursion
limit: ~900 levels raised RecursionError, a 500 under gunicorn. In-process the test
client re-raises it; the older hostile-input test sent "{" * 10_000, which the parser
refuses at its second character (a key must be a string), so it never nested."""

import json
import urllib.error
import urllib.request

import pytest
from django.contrib.auth.models import Group

from accounts.models import APIToken
from accounts.roles import DATA_ENTRY
from core.api.parsers import MAX_DEPTH, nested_deeper_than
from missions.models import Mission
from tests import factories
from tests.api import new_mission
from tests.servers import Gunicorn

MISSIONS = "/api/v1/missions/"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ("[[1], [2, [3]]]", 3),
        ('{"a": [{"b": {"c": []}}]}', 5),
        # Brackets inside strings, escaped quotes and backslashes do not count.
        ('["[[[[[[[[[[[[[[[[[[[[", "\\"[[[[[[[[[[[[", "\\\\", {"k]]]]": "{{{{{{{{{{"}]', 2),
        (nested(9), 9),
        (deep_object(999), 999),
    ],
)
def test_depth_is_measured_without_parsing(text, depth):
    assert not nested_deeper_than(text, depth)
    assert nested_deeper_than(text, depth - 1)


@pytest.mark.parametrize("tail", ["", "\\"])
def test_an_unclosed_string_of_escaped_quotes_is_measured_in_one_pass(tail):
    """A string that never closes runs to the end of the text, as for a parser: the
    measure does not start again from each of its escaped quotes (with 1,000,000 of them,
    hours instead of a fraction of a second)."""
    text = "[" * 9 + '"' + '\\"' * 1_000_000 + tail
    assert nested_deeper_than(text, 8)
    assert not nested_deeper_than(text, 9)


def test_the_deepest_request_of_the_schema_fits_under_the_limit(api):
    """MAX_DEPTH stays above what the schema can ask for (plus one level: a related record
    given as {"id": …}), so that no valid request is refused for its depth."""
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]

    def depth(node):
        if "$ref" in node:
            return depth(components[node["$ref"].rsplit("/", 1)[-1]])
        inner = [depth(sub) for key in ("allOf", "oneOf", "anyOf") for sub in node.get(key, ())]
        if node.get("type") == "array":
            return max([1 + depth(node.get("items", {})), *inner])
        if node.get("type") == "object" or "properties" in node:
            assert node.get("additionalProperties") is not True, node  # unbounded
            children = [depth(child) for child in node.get("properties", {}).values()]
            return max([1 + max(children, default=0), *inner])
        return max(inner, default=0)

    deepest = max(
        depth(content["schema"])
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "requestBody" in operation
        for content in operation["requestBody"]["content"].values()
    )
    assert deepest == 4  # a mission, its meetings, each meeting's lists of ids
    assert deepest + 1 <= MAX_DEPTH


@pytest.mark.django_db
@pytest.mark.parametrize("body", [nested(999), deep_object(999), nested(100_000), nested(9)])
def test_nesting_deeper_than_any_request_is_a_400(api, body):
    response = api.generic("POST", MISSIONS, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "nested more than 8 levels" in response.json()["detail"]


@pytest.mark.django_db
def test_the_deepest_valid_request_and_brackets_in_texts_are_accepted(api):
    leader, person = factories.PersonFactory(), factories.PersonFactory()
    meeting = {
        "date": "2019-08-28",
        "counterpart_country": "GH",
        "counterparts": [{"id": person.pk}],  # a related record as {id}: 5 levels
        "topics": "[" * 1000 + "{" * 1000,
    }
    body = new_mission(leader, meetings=[meeting])
    response = api.post(MISSIONS, body, format="json")
    assert response.status_code == 201, response.content[:300]
    assert Mission.objects.get().meetings.get().topics.startswith("[[[")


# -- under gunicorn ---------------------------------------------------------------------


def _post(base, key, body: bytes):
    request = urllib.request.Request(
        base + MISSIONS,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Token {key}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "worker_options", [(), ("--worker-class", "sync")], ids=["production-gthread", "sync"]
)
def test_gunicorn_refuses_deep_nesting_with_a_400(tmp_path, worker_options):
    """The server as production runs it (config/gunicorn.conf.py: threads), and with the
    sync workers of before: 999 levels were a RecursionError in both."""
    user = factories.UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=DATA_ENTRY))
    token = APIToken(name="gunicorn", user=user, can_write=True)
    key = token.issue_key()
    token.save()
    leader = factories.PersonFactory()

    with Gunicorn("--workers", "1", *worker_options, home=tmp_path) as server:
        for body in (nested(999), deep_object(999), nested(100_000)):
            status, content = _post(server.url, key, body.encode())
            assert status == 400, content[:300]
            assert "nested more than 8 levels" in json.loads(content)["detail"]
        meeting = {"date": "2019-08-28", "counterpart_country": "GH", "topics": "[" * 1000}
        valid = json.dumps(new_mission(leader, meetings=[meeting]))
        status, content = _post(server.url, key, valid.encode())
        assert status == 201, content[:300]
        assert json.loads(content)["title"] == "Visit to Ghana"
