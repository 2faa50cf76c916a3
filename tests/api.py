"""Helpers shared by the API tests: a client for a user, the ids of a list page, the rows
of an export, a refused parameter or rule, and the queries of one list request. The
fixtures built on them (`api`, `analyst_api`) are in tests/conftest.py."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

__all__ = [
    "assert_bad_parameter",
    "assert_message",
    "client_for",
    "count_list_queries",
    "csv_rows",
    "detail",
    "ids",
    "new_mission",
    "xlsx_rows",
]


def client_for(user=None, language="en", *, session=False):
    """An API client for `user` (anonymous without one) sending `Accept-Language:
    language` (None: no header, so the site's default language, Japanese).

    The API's views see the user directly (force_authenticate: no session to look up).
    With session=True the user signs in through a session instead, as in a browser, so
    that plain Django views (a document download, say) see them too."""
    client = APIClient() if language is None else APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        if session:
            client.force_login(user)
        else:
            client.force_authenticate(user)
    return client


def new_mission(leader, **extra):
    """The body of a POST /api/v1/missions/ that every rule accepts: a minister's visit
    to Ghana led by `leader`, with `extra` fields (its meetings, say)."""
    return {
        "title": "Visit to Ghana",
        "leader": leader.pk,
        "leader_rank": "minister",
        "kind": "overseas_visit",
        "start_date": "2019-08-28",
        "end_date": "2019-08-30",
        **extra,
    }


def detail(base, record):
    return f"{base}{record.pk}/"


def ids(response):
    """The ids on a list page, sorted (so a row listed twice shows)."""
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def count_list_queries(user, url):
    """(number of queries, JSON body) of one list request by `user`, page_size=100.

    What is counted is the list's own queries: the count, the page and one per
    prefetched relation (not the read audit's one INSERT). A first, uncounted request
    warms up the user's permission cache (two lookups, cached on the user), so they
    never enter the number."""
    client = client_for(user)
    warm_up = client.get(url, {"page_size": 100})
    assert warm_up.status_code == 200, warm_up.content
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    # The read audit's entry of the request (core.audit) is not the list's: one INSERT
    # at most, whatever the size of the page (tests/audit pins it).
    audit = [q for q in queries.captured_queries if "audit_readevent" in q["sql"]]
    assert len(audit) <= 1, audit
    return len(queries) - len(audit), response.json()


def csv_rows(response):
    """The rows of a CSV export, checking it is one: text/csv, with a byte-order mark
    (so that Excel reads it as UTF-8)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def xlsx_rows(response):
    """The rows of an Excel export's sheet, each a list of cell values."""
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def assert_bad_parameter(client, url, params, name):
    """GET url?params is a 400 whose errors name the parameter `name`."""
    response = client.get(url, params)
    assert response.status_code == 400, (params, response.content)
    assert name in response.json(), response.json()


def assert_message(response, field, message):
    """A 400 with `message` among the errors of `field`."""
    assert response.status_code == 400, response.content
    assert message in response.json().get(field, []), response.json()
