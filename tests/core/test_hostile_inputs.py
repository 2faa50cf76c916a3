"""Hostile input, resource by resource: what schemathesis may not happen to generate.

NUL bytes and 10,000-character strings in every filter of every list, unknown
orderings, absurd page sizes, malformed JSON, a wrong content type, session posts
without the CSRF token and ids of records that do not exist. Every answer is a 4xx
the client can read (or a 200 for a filter that takes any text), never a 5xx."""

import base64
import json
import warnings

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.paginator import UnorderedObjectListWarning
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework import serializers
from rest_framework.test import APIClient

from accounts.models import APIToken
from accounts.roles import ADMINISTRATOR
from config.api_router import router
from core.api.serializers import TextOnly
from reports.api import urls as report_urls
from tests import factories
from tests.core.hostile import make_records

RESOURCES = [(prefix, viewset) for prefix, viewset, _basename in router.registry]
LISTS = [(prefix, viewset) for prefix, viewset in RESOURCES if viewset.filterset_class]
# Records whose API writes them: PUT, PATCH and DELETE, and history.
RECORDS = [(prefix, viewset) for prefix, viewset in RESOURCES if "update" in dir(viewset)]


def takes_json(viewset) -> bool:
    return any(parser.media_type == "application/json" for parser in viewset.parser_classes)


# Resources written as JSON (agreement documents take multipart only: a file).
JSON_RESOURCES = [(prefix, viewset) for prefix, viewset in RESOURCES if takes_json(viewset)]
REPORTS = [
    (pattern.pattern._route, pattern.callback.view_class) for pattern in report_urls.urlpatterns
]

NUL = "\x00"
HOSTILE_VALUES = {
    "NUL byte": NUL,
    "NUL after a digit": f"1{NUL}",
    "10,000 letters": "x" * 10_000,
    "10,000 digits": "9" * 10_000,
    "10,000 letters with a NUL": "y" * 5_000 + NUL + "y" * 4_999,
}
MISSING_IDS = ["999999999", str(2**63), str(2**70), "abc", "1.5", "-1"]


def url(prefix, pk=None, suffix=""):
    return f"/api/v1/{prefix}/" + (f"{pk}/" if pk is not None else "") + suffix


@pytest.fixture
def administrator(db):
    user = factories.UserFactory(username="hostile-admin", is_staff=True)
    user.groups.add(Group.objects.get(name=ADMINISTRATOR))
    return user


@pytest.fixture
def api(administrator):
    """A read-write token of an administrator: every refusal below is about the input."""
    cache.clear()
    token = APIToken(name="hostile", user=administrator, can_write=True)
    key = token.issue_key()
    token.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def records(db):
    make_records()


def existing_pk(viewset):
    return viewset.queryset.model._default_manager.order_by("pk").values_list("pk", flat=True)[0]


# -- filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[p for p, _ in LISTS])
def test_every_filter_refuses_nul_bytes_and_long_strings_without_a_server_error(
    api, records, prefix, viewset
):
    names = sorted(viewset.filterset_class.base_filters)
    assert "q" in names
    answers = {}
    for name in names:
        for label, value in HOSTILE_VALUES.items():
            response = api.get(url(prefix), {name: value})
            answers[(name, label)] = response.status_code
            assert response.status_code in (200, 400), (name, label, response.content[:300])
            if response.status_code == 400:
                # The refusal names the parameter that is wrong.
                assert name in response.json(), (name, label, response.json())
    # Free text takes at most 200 characters, and no NUL byte.
    assert answers[("q", "10,000 letters")] == 400
    assert answers[("q", "NUL byte")] == 400


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[p for p, _ in LISTS])
def test_changed_since_takes_any_offset_and_refuses_dates_without_utc(api, prefix, viewset):
    # PostgreSQL refuses offsets beyond ±16 h, which Python accepts: the filter hands on UTC.
    for value in ("2019-08-28T10:00:00+23:59", "2019-08-28T10:00:00-23:59"):
        assert api.get(url(prefix), {"updated_since": value}).status_code == 200, value
    # No UTC time exists for these.
    for value in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"):
        response = api.get(url(prefix), {"updated_since": value})
        assert response.status_code == 400, value
        assert "updated_since" in response.json()


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[p for p, _ in LISTS])
def test_spreadsheets_refuse_hostile_filters_before_streaming(api, records, prefix, viewset):
    # A file is streamed after the view returns: a wrong filter must be refused first.
    for export_format in ("csv", "xlsx"):
        for query in (
            {"q": NUL},
            {"q": "x" * 10_000},
            {"updated_since": "2019-08-28T10:00:00+23:59"},
            {"updated_since": "0001-01-01T00:00:00+05:00"},
            {"ordering": "no_such_field"},
        ):
            response = api.get(url(prefix), {"format": export_format, **query})
            assert response.status_code in (200, 400), (export_format, query)
            if response.status_code == 400:
                assert response["Content-Type"] == "application/json"
            else:
                b"".join(response.streaming_content if response.streaming else [response.content])


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[p for p, _ in LISTS])
def test_an_ordering_of_nothing_keeps_the_lists_own_order(api, prefix, viewset):
    make_records()
    expected = [row["id"] for row in api.get(url(prefix), {"page_size": 1000}).json()["results"]]
    for value in (",", ",,"):
        with warnings.catch_warnings():
            # Django warns when a page is cut from rows in no stable order.
            warnings.simplefilter("error", UnorderedObjectListWarning)
            response = api.get(url(prefix), {"ordering": value, "page_size": 1000})
        assert response.status_code == 200, value
        assert [row["id"] for row in response.json()["results"]] == expected, value


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[p for p, _ in LISTS])
def test_unknown_ordering_is_a_400_naming_it(api, prefix, viewset):
    for value in ("no_such_field", "-password", "id,no_such_field", "x" * 10_000, NUL):
        response = api.get(url(prefix), {"ordering": value})
        assert response.status_code == 400, (value, response.content[:300])
        assert "ordering" in response.json()
    assert api.get(url(prefix), {"ordering": "-id"}).status_code == 200


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[p for p, _ in LISTS])
def test_page_size_and_page_out_of_range_are_refused(api, prefix, viewset):
    for size in ("0", "-1", str(10**9), "9" * 10_000, "1e3", "²", "00001", NUL):
        response = api.get(url(prefix), {"page_size": size})
        assert response.status_code == 400, (size, response.content[:300])
        assert "page_size" in response.json()
        # The sync cursor takes the same page sizes.
        assert api.get(url(prefix), {"cursor": "", "page_size": size}).status_code == 400
    for page in ("0", "-1", "²", NUL, "x" * 10_000):
        assert api.get(url(prefix), {"page": page}).status_code == 400, page
    for page in (str(10**9), "9" * 10_000):
        assert api.get(url(prefix), {"page": page}).status_code == 404, page[:20]
    # Not base64, a NUL (which decodes to nothing), a position that is no time.
    crafted = base64.urlsafe_b64encode(b"p=2019").decode()
    for cursor in ("not-a-cursor", "x" * 10_000, NUL, crafted):
        response = api.get(url(prefix), {"cursor": cursor})
        assert response.status_code == 400, cursor[:20]
        assert list(response.json()) == ["cursor"]


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[p for p, _ in LISTS])
def test_an_unknown_parameter_is_a_400_naming_it(api, prefix, viewset):
    """A misspelt filter must not answer the whole list as if it were the filtered one."""
    for query in (
        {"stauts": "x"},
        {"stauts": ""},
        {"Q": "x"},
        {"format": "csv", "stauts": "x"},
        {"format": "xlsx", "page_size": "10", "stauts": "x"},
    ):
        response = api.get(url(prefix), query)
        assert response.status_code == 400, (query, response.content[:300])
        assert response["Content-Type"] == "application/json"
        unknown = next(name for name in query if name not in ("format", "page_size"))
        assert list(response.json()) == [unknown], response.json()
    # The API's own parameters, and every filter, are known.
    for query in (
        {"page": "1", "page_size": "10", "format": "json", "ordering": "-id", "q": "x"},
        {"cursor": "", "page_size": "10"},
    ):
        assert api.get(url(prefix), query).status_code == 200, query
    no_such = response.json()[unknown]
    every_filter = api.get(url(prefix), dict.fromkeys(viewset.filterset_class.base_filters, ""))
    if every_filter.status_code == 400:  # an empty value some filter refuses
        assert no_such not in every_filter.json().values(), every_filter.json()


@pytest.mark.parametrize(("route", "view"), REPORTS, ids=[route for route, _ in REPORTS])
def test_report_parameters_refuse_nul_bytes_and_long_strings(api, records, route, view):
    # Every parameter the report takes: its list's FilterSet, or its own serializer.
    if view.filterset_class is not None:
        names = sorted(view.filterset_class.base_filters)
    else:
        names = sorted(view.parameters_class().fields)
    assert names
    for name in names:
        for label, value in HOSTILE_VALUES.items():
            response = api.get(f"/api/v1/reports/{route}", {name: value})
            assert response.status_code == 400, (name, label, response.content[:300])
            assert name in response.json(), (name, label, response.json())


# -- bodies ----------------------------------------------------------------------------

MALFORMED_JSON = [
    '{"title": ',
    "[1, 2",
    "{'single': 'quotes'}",
    "nul\x00",
    "\ufeff{}",
    # Refused at its second character (a key must be a string): it never nests.
    "{" * 10_000,
    # Nests: refused for its depth before parsing (tests/core/test_json_depth.py).
    "[" * 999 + "]" * 999,
]


@pytest.mark.parametrize(("prefix", "viewset"), JSON_RESOURCES, ids=[p for p, _ in JSON_RESOURCES])
def test_malformed_json_is_a_400(api, records, prefix, viewset):
    for body in MALFORMED_JSON:
        response = api.generic("POST", url(prefix), body, content_type="application/json")
        assert response.status_code == 400, (body[:20], response.content[:300])
    if (prefix, viewset) in RECORDS:
        pk = existing_pk(viewset)
        for method in ("PUT", "PATCH"):
            response = api.generic(
                method, url(prefix, pk), '{"a": ', content_type="application/json"
            )
            assert response.status_code == 400, (method, response.content[:300])


def _writable_fields(viewset, action):
    view = viewset(action=action, request=None, format_kwarg=None, kwargs={})
    serializer = view.get_serializer_class()()
    return {name: field for name, field in serializer.fields.items() if not field.read_only}


def _list_fields(viewset, action):
    """The fields whose value is a list of plain values: codes (sectors, countries) or
    ids (related records); not the nested records (a mission's meetings)."""
    return sorted(
        name
        for name, field in _writable_fields(viewset, action).items()
        if isinstance(field, serializers.ManyRelatedField | serializers.ListField)
    )


def _text_fields(viewset, action):
    return sorted(
        name
        for name, field in _writable_fields(viewset, action).items()
        # The model's text fields (TextOnly) and texts declared by a serializer.
        if isinstance(field, TextOnly)
        or type(field) in (serializers.CharField, serializers.EmailField, serializers.URLField)
    )


HOSTILE_ITEMS = ["ro\x00ad", "1\x00", "\x00", "road\x1b", "\ud800"]


def takes_json(viewset) -> bool:
    return any(parser.media_type == "application/json" for parser in viewset.parser_classes)


def send(api, viewset, method, address, data: dict):
    """`data` as the resource takes a body: JSON, or multipart (agreement documents)."""
    if takes_json(viewset):
        return api.generic(method, address, json.dumps(data), content_type="application/json")
    return api.generic(
        method, address, encode_multipart(BOUNDARY, data), content_type=MULTIPART_CONTENT
    )


def hostile_texts(viewset):
    # A lone surrogate cannot be written in a multipart body (it is not UTF-8): only JSON
    # can carry one, as an escape.
    return [c for c in ("\x00", "\x01", "\x1b", "\ud800") if takes_json(viewset) or c != "\ud800"]


@pytest.mark.parametrize(("prefix", "viewset"), RECORDS, ids=[p for p, _ in RECORDS])
def test_a_nul_byte_in_a_list_item_is_a_400_naming_the_field(api, records, prefix, viewset):
    """PostgreSQL refuses a NUL byte in a query: a list item is checked before any."""
    pk = existing_pk(viewset)
    for action, method, address in (
        ("create", "POST", url(prefix)),
        ("partial_update", "PATCH", url(prefix, pk)),
    ):
        for name in _list_fields(viewset, action):
            for item in HOSTILE_ITEMS:
                response = send(api, viewset, method, address, {name: [item]})
                assert response.status_code == 400, (method, name, item, response.content[:300])
                assert name in response.json(), (method, name, item, response.json())


def test_every_list_valued_field_is_tried():
    fields = {(p, name) for p, viewset in RECORDS for name in _list_fields(viewset, "create")}
    assert {
        ("missions", "sectors"),
        ("missions", "delegation"),
        ("agreements", "sectors"),
        ("agreements", "target_countries"),
        ("projects", "other_countries"),
        ("meetings", "counterparts"),
    } <= fields


TEXT_RECORDS = [(p, viewset) for p, viewset in RECORDS if _text_fields(viewset, "partial_update")]


@pytest.mark.parametrize(("prefix", "viewset"), TEXT_RECORDS, ids=[p for p, _ in TEXT_RECORDS])
def test_a_control_character_in_any_text_field_is_a_400_naming_it(api, records, prefix, viewset):
    """One rule for every text (core.validators): a control character other than tab and
    line breaks is refused on the field, nothing is saved."""
    pk = existing_pk(viewset)
    model = viewset.queryset.model
    before = model._default_manager.get(pk=pk).version
    for name in _text_fields(viewset, "partial_update"):
        for character in hostile_texts(viewset):
            response = send(api, viewset, "PATCH", url(prefix, pk), {name: f"a{character}b"})
            assert response.status_code == 400, (name, character, response.content[:300])
            assert list(response.json()) == [name], (name, character, response.json())
    assert model._default_manager.get(pk=pk).version == before


@pytest.mark.parametrize(("prefix", "viewset"), RESOURCES, ids=[p for p, _ in RESOURCES])
def test_wrong_content_type_is_a_415(api, records, prefix, viewset):
    for content_type in ("text/plain", "application/xml", "application/x-www-form-urlencoded;x"):
        response = api.generic("POST", url(prefix), "<a>1</a>", content_type=content_type)
        # Forms are taken nowhere: a generated client could not send a record as one.
        assert response.status_code == 415, (content_type, response.content[:300])
    if (prefix, viewset) in RECORDS:
        response = api.generic(
            "PATCH", url(prefix, existing_pk(viewset)), "<a>1</a>", content_type="text/plain"
        )
        assert response.status_code == 415


@pytest.mark.parametrize(("prefix", "viewset"), RESOURCES, ids=[p for p, _ in RESOURCES])
def test_session_form_post_without_csrf_token_is_a_403(administrator, records, prefix, viewset):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(administrator)
    count = viewset.queryset.model._default_manager.count()
    response = client.post(url(prefix), {"name": "forged", "title": "forged"})
    assert response.status_code == 403, response.content[:300]
    assert "CSRF" in response.json()["detail"]
    if (prefix, viewset) in RECORDS:
        pk = existing_pk(viewset)
        assert client.patch(url(prefix, pk), {"name": "forged"}).status_code == 403
        assert client.delete(url(prefix, pk)).status_code == 403
    assert viewset.queryset.model._default_manager.count() == count


@pytest.mark.parametrize(("prefix", "viewset"), RECORDS, ids=[p for p, _ in RECORDS])
def test_a_malformed_if_match_is_a_412_never_a_500(api, records, prefix, viewset):
    pk = existing_pk(viewset)
    model = viewset.queryset.model
    before = model._default_manager.get(pk=pk).version
    for stamp in ("9" * 32, "999999999999999999", "9" * 10_000, "²", NUL, ""):
        for method in ("PUT", "PATCH", "DELETE"):
            response = api.generic(
                method,
                url(prefix, pk),
                "{}",
                content_type="application/json",
                HTTP_IF_MATCH=f'"{pk}-{stamp}"',
            )
            assert response.status_code == 412, (method, stamp[:20], response.content[:300])
    assert model._default_manager.get(pk=pk).version == before


@pytest.mark.parametrize(("prefix", "viewset"), RESOURCES, ids=[p for p, _ in RESOURCES])
def test_ids_of_records_that_do_not_exist_are_a_404(api, records, prefix, viewset):
    writable = (prefix, viewset) in RECORDS
    for pk in MISSING_IDS:
        calls = [("GET", "")]
        if writable:
            calls += [("PUT", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "history/")]
        for method, suffix in calls:
            response = api.generic(
                method, url(prefix, pk, suffix), "{}", content_type="application/json"
            )
            assert response.status_code == 404, (method, pk, suffix, response.content[:300])
            assert response["Content-Type"] == "application/json", (method, pk, suffix)
            assert "detail" in response.json()
