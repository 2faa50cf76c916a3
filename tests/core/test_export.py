"""Lists downloaded at once (`?format=csv|xlsx`): sent with their length once built, and
refused with a way to the background export when longer than a download may be."""

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from core.api.export import export_rows
from exports.models import ExportJob
from exports.services import export_job_create
from missions.api.views import MeetingViewSet
from tests import factories
from tests.api import client_for, csv_rows, xlsx_rows

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


# -- what older rows may hold ---------------------------------------------------------


@pytest.fixture
def hostile_meeting():
    """Texts a spreadsheet would take as formulas, and control characters stored before
    the API refused them (written here as an import straight into the database would)."""
    mission = factories.MissionFactory(title='=HYPERLINK("http://x.example","click")')
    person = factories.PersonFactory(name="@SUM(A1:A9)")
    meeting = factories.MeetingFactory(
        mission=mission,
        counterparts=[person],
        venue_city="+81 3 1234",
        topics="-2+3",
        outcome="Agreed\x01 to \x1bcontinue\x0b",
    )
    return meeting


def _cells_by_header(rows):
    header, *records = rows
    return [dict(zip(header, record, strict=True)) for record in records]


@pytest.mark.api_language("en")
def test_csv_neutralises_formulas_and_replaces_control_characters(api, hostile_meeting):
    (row,) = _cells_by_header(csv_rows(api.get(MEETINGS, {"format": "csv"})))
    # A leading apostrophe: read as text by a spreadsheet, and still readable.
    assert row["mission"] == '\'=HYPERLINK("http://x.example","click")'
    assert row["counterparts"] == "'@SUM(A1:A9)"
    assert row["venue city"] == "'+81 3 1234"
    assert row["topics"] == "'-2+3"
    assert row["outcome"] == "Agreed\ufffd to \ufffdcontinue\ufffd"


@pytest.mark.api_language("en")
def test_excel_writes_such_texts_as_texts_shown_as_typed_never_formulas(api, hostile_meeting):
    response = api.get(MEETINGS, {"format": "xlsx"})
    assert response.status_code == 200  # openpyxl refused the control characters: a 500
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    cells = {name: sheet.cell(row=2, column=index + 1) for index, name in enumerate(header)}
    for name, text in [
        ("mission", '=HYPERLINK("http://x.example","click")'),
        ("counterparts", "@SUM(A1:A9)"),
        ("venue city", "+81 3 1234"),
        ("topics", "-2+3"),
    ]:
        assert (cells[name].value, cells[name].data_type) == (text, "s"), name
        assert cells[name].quotePrefix, name  # what Excel keeps for a text typed after '
    assert not cells["date"].quotePrefix
    assert cells["outcome"].value == "Agreed\ufffd to \ufffdcontinue\ufffd"


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_background_export_writes_the_same_file(
    analyst_user, hostile_meeting, export_format, django_capture_on_commit_callbacks
):
    api = client_for(analyst_user, "en")
    direct = b"".join(api.get(MEETINGS, {"format": export_format}).streaming_content)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(
            user=analyst_user, resource="meetings", format=export_format, query="", language="en"
        )
    job.refresh_from_db()
    built = job.file.read()
    if export_format == "csv":
        assert built == direct
    else:
        assert _xlsx_values(built) == _xlsx_values(direct)


def _xlsx_values(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [[(cell.value, cell.data_type, cell.quotePrefix) for cell in row] for row in sheet]


def test_an_export_reads_the_queryset_it_is_given_not_the_models_manager():
    """The view gives its filtered queryset (with whatever need-to-know filter it
    applies): nothing else is read."""
    factories.MeetingFactory(counterpart_country="VN", topics="shown")
    factories.MeetingFactory(counterpart_country="TH", topics="hidden")
    queryset = MeetingViewSet.queryset.filter(counterpart_country="VN")
    with translation.override("en"):
        header, *rows = list(export_rows(queryset, MeetingViewSet.export_columns))
    assert [row[header.index("topics")] for row in rows] == ["shown"]
