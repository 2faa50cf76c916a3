"""Lists downloaded at once (`?format=csv|xlsx`): sent with their length once built, and
refused with a way to the background export when longer than a download may be."""

import pytest

from exports.models import ExportJob
from tests import factories
from tests.api import csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/meetings/"


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_a_download_goes_without_a_length_over_http_1_1_so_that_it_is_chunked(api, export_format):
    """gunicorn then sends it in chunks and ends it with an empty one: a body cut before
    that is an error for every client (tests/core/test_export_served.py)."""
    factories.MeetingFactory.create_batch(3, counterpart_country="VN")
    response = api.get(MEETINGS, {"format": export_format})
    assert response.status_code == 200
    assert not response.has_header("Content-Length")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    rows = csv_rows(response) if export_format == "csv" else xlsx_rows(response)
    assert len(rows) == 1 + 3


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_a_download_goes_with_its_length_over_http_1_0(api, export_format):
    """HTTP/1.0 has no chunks: a reader that gets fewer bytes than announced knows the
    file was cut."""
    factories.MeetingFactory.create_batch(3, counterpart_country="VN")
    response = api.get(MEETINGS, {"format": export_format}, SERVER_PROTOCOL="HTTP/1.0")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert int(response["Content-Length"]) == len(body) > 0
    assert response["Content-Disposition"].startswith("attachment; filename=")


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_a_list_as_long_as_the_limit_is_downloaded(api, settings, export_format):
    settings.EXPORT_SYNC_MAX_ROWS = 3
    factories.MeetingFactory.create_batch(3, counterpart_country="VN")
    response = api.get(MEETINGS, {"format": export_format})
    rows = csv_rows(response) if export_format == "csv" else xlsx_rows(response)
    assert len(rows) == 1 + 3


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_a_longer_list_is_refused_with_the_request_for_the_background_export(
    api, settings, export_format, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    factories.MeetingFactory.create_batch(3, counterpart_country="VN", date="2019-05-01")
    factories.MeetingFactory(counterpart_country="TH", date="2019-05-01")

    response = api.get(
        MEETINGS, {"format": export_format, "country": ["VN", "TH"], "year": 2019, "page": 2}
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()
    assert error["code"] == "too_many_rows"
    assert error["limit"] == 2
    assert "/api/v1/exports/" in error["detail"]
    pointer = error["background_export"]
    assert pointer["method"] == "POST"
    assert pointer["url"] == "http://testserver/api/v1/exports/"
    # The list's filters, not its page.
    assert pointer["body"] == {
        "resource": "meetings",
        "format": export_format,
        "filters": {"country": ["VN", "TH"], "year": "2019"},
    }
    # Sent as given, it builds the whole list (no broker in the tests: at once).
    with django_capture_on_commit_callbacks(execute=True):
        asked = api.post(pointer["url"], pointer["body"], format="json")
    assert asked.status_code == 202, asked.content
    job = ExportJob.objects.get(pk=asked.json()["id"])
    assert (job.status, job.row_count) == ("done", 4)


def test_a_narrower_list_is_downloaded_under_the_same_limit(api, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    factories.MeetingFactory.create_batch(3, counterpart_country="VN")
    factories.MeetingFactory(counterpart_country="TH")
    assert len(csv_rows(api.get(MEETINGS, {"format": "csv", "country": "TH"}))) == 2


@pytest.mark.api_language(None)
def test_the_refusal_is_in_japanese_by_default(api, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    factories.MeetingFactory.create_batch(2)
    response = api.get(MEETINGS, {"format": "csv"})
    assert response.status_code == 400
    assert "バックグラウンド" in response.json()["detail"]


def test_the_list_page_offers_only_the_background_export_for_a_list_too_long(
    analyst_client, settings
):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    factories.MeetingFactory.create_batch(3, counterpart_country="VN")
    page = analyst_client.get("/reports/meetings/").content.decode()
    assert 'data-testid="too-long-to-download"' in page
    assert 'data-testid="download-csv"' not in page
    assert 'data-testid="background-export"' in page

    page = analyst_client.get("/reports/meetings/?country=TH").content.decode()
    assert 'data-testid="too-long-to-download"' not in page
    assert 'data-testid="download-csv"' in page
