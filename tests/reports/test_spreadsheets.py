"""Every statistics table as a spreadsheet: each report of /api/v1/reports/ and each
table of the dashboard, the watch-list page and the country brief, as CSV and XLSX
(`?format=csv|xlsx`): a title row saying what and for which period, headings in the
reader's language (Japanese by default), the figures of the JSON answer or of the
page, the same filters, and only what the reader may see."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.classification import Classification
from tests import factories
from tests.api import client_for

# No Accept-Language: the API answers in the site's language, Japanese.
pytestmark = pytest.mark.api_language(None)

BASE = "/api/v1/reports/"
REPORTS = [
    "engagements/",
    "agreements/",
    "pipeline/",
    "top-sales-effect/",
    "order-figures/",
    "watch-list-transition/?edition=2019",
    "watch-list-breakdown/?edition=2019",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_of(response) -> list[list]:
    """The file's rows, as lists of cells (CSV: texts; XLSX: typed values), trailing
    empty cells dropped, an empty row as []."""
    if response["Content-Type"].startswith("text/csv"):
        assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = []
    for row in sheet.iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        rows.append(cells)
    return rows


def table(rows, caption=None, *, headed=None) -> tuple[list, list[list]]:
    """The headings and rows of the table under `caption` (or the first table when the
    file has one without caption): up to the next empty row."""
    start = rows.index([caption]) + 1 if caption else rows.index([]) + 1
    end = next((i for i in range(start, len(rows)) if rows[i] == []), len(rows))
    return rows[start], rows[start + 1 : end]


def as_text(rows):
    return [[str(cell) for cell in row] for row in rows]


def url(report, **params):
    separator = "&" if "?" in report else "?"
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{BASE}{report}{separator}{query}"


@pytest.fixture
def top_sales():
    """2018: a minister's mission meets Viet Nam twice and Ghana once (two engagements,
    one in ASEAN); 2019: another meets Ghana."""
    mission = factories.MissionFactory(
        status="completed",
        start_date=datetime.date(2018, 5, 1),
        end_date=datetime.date(2018, 5, 5),
    )
    factories.MeetingFactory(
        mission=mission, date=datetime.date(2018, 5, 1), counterpart_country="VN"
    )
    factories.MeetingFactory(
        mission=mission, date=datetime.date(2018, 5, 2), counterpart_country="VN"
    )
    factories.MeetingFactory(
        mission=mission, date=datetime.date(2018, 5, 3), counterpart_country="GH"
    )
    later = factories.MissionFactory(
        status="completed",
        start_date=datetime.date(2019, 6, 1),
        end_date=datetime.date(2019, 6, 3),
    )
    factories.MeetingFactory(
        mission=later, date=datetime.date(2019, 6, 1), counterpart_country="GH"
    )
    return mission


@pytest.fixture
def editions():
    return factories.WatchListFactory(
        edition_year=2019, previous=factories.WatchListFactory(edition_year=2018)
    )


# The API's reports


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
@pytest.mark.parametrize("report", REPORTS)
def test_every_report_downloads_with_a_title_row(analyst_api, editions, report, export_format):
    response = analyst_api.get(url(report, format=export_format))
    assert response.status_code == 200, response.content[:300]
    media_type = "text/csv; charset=utf-8" if export_format == "csv" else XLSX
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{export_format}"')
    rows = rows_of(response)
    title = rows[0][0]
    # What (in Japanese, the reader's language here) and for which period.
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", title), title
    assert "（" in title and title.endswith("）"), title
    # Every heading row is Japanese too: no English heading left untranslated.
    headings = [
        row
        for i, row in enumerate(rows[1:], 1)
        if rows[i - 1] == [] or (len(rows[i - 1]) == 1 and rows[i - 2] == [])
    ]
    for row in headings:
        for cell in row:
            assert not re.fullmatch(r"[A-Za-z ()/]+", str(cell)) or str(cell) in (
                "F/S",
                "ASEAN",
            ), (report, row)


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_engagements_file_has_the_jsons_figures_and_sentence(analyst_api, top_sales, export_format):
    body = analyst_api.get(url("engagements/", year=2018)).json()
    rows = rows_of(analyst_api.get(url("engagements/", year=2018, format=export_format)))
    assert rows[0] == ["トップセールス件数（延べ）（2018年）"]
    # The annual report's sentence, as the article prints it.
    assert rows[1] == [body["sentence"]["ja"]] == ["2018年に2カ国，延べ2件（うちASEAN諸国が1件）"]
    headings, summary = table(rows, "概要")
    assert headings == ["項目", "件数"]
    assert [row[1] for row in summary] == [
        body["engagements"],
        body["countries"],
        body["asean_engagements"],
        body["meetings"],
    ] or as_text([row[1:] for row in summary]) == [["2"], ["2"], ["1"], ["3"]]
    headings, by_country = table(rows, "国別")
    assert headings == ["国", "地域", "トップセールス件数", "会談数"]
    expected = [[row["name"], row["engagements"], row["meetings"]] for row in body["by_country"]]
    assert as_text([[row[0], row[2], row[3]] for row in by_country]) == as_text(expected)
    _, by_year = table(rows, "年別")
    assert as_text(by_year) == as_text(
        [
            [r["label"], r["engagements"], r["meetings"], r["countries"], r["asean_engagements"]]
            for r in body["by_year"]
        ]
    )


@pytest.mark.django_db
def test_a_report_file_takes_the_reports_filters_and_says_them(analyst_api, top_sales):
    body = analyst_api.get(url("engagements/", year=2018, region="africa")).json()
    assert body["engagements"] == 1
    rows = rows_of(analyst_api.get(url("engagements/", year=2018, region="africa", format="csv")))
    assert rows[0] == ["トップセールス件数（延べ）（2018年）"]
    assert rows[1] == [body["sentence"]["ja"]]
    assert "条件: 地域 = africa" in [row[0] for row in rows[:5] if row]
    _, by_country = table(rows, "国別")
    assert [row[0] for row in by_country] == ["ガーナ"]
    # Another period, in the title row.
    fiscal = rows_of(analyst_api.get(url("engagements/", fiscal_year=2019, format="csv")))
    assert fiscal[0] == ["トップセールス件数（延べ）（2019年度）"]
    ranged = rows_of(
        analyst_api.get(
            url("engagements/", date_after="2018-05-02", date_before="2018-05-31", format="csv")
        )
    )
    assert "2018" in ranged[0][0] and "5" in ranged[0][0]
    assert rows_of(analyst_api.get(url("engagements/", format="csv")))[0] == [
        "トップセールス件数（延べ）（全期間）"
    ]


@pytest.mark.django_db
def test_a_report_file_counts_only_what_the_reader_may_see(analyst_user, top_sales):
    secret = factories.MissionFactory(
        status="completed",
        start_date=datetime.date(2018, 8, 1),
        classification=Classification.NEED_TO_KNOW,
    )
    factories.MeetingFactory(
        mission=secret, date=datetime.date(2018, 8, 1), counterpart_country="TN"
    )
    client = client_for(analyst_user, language=None)
    for export_format in ("csv", "xlsx"):
        rows = rows_of(client.get(url("engagements/", year=2018, format=export_format)))
        _, by_country = table(rows, "国別")
        assert "チュニジア" not in [row[0] for row in by_country]
        _, summary = table(rows, "概要")
        assert str(summary[0][1]) == "2"
    secret.access_users.add(analyst_user)
    rows = rows_of(client.get(url("engagements/", year=2018, format="csv")))
    _, summary = table(rows, "概要")
    assert summary[0][1] == "3"


@pytest.mark.django_db
def test_agreements_pipeline_and_order_figures_files_have_the_jsons_figures(analyst_api):
    factories.AgreementFactory(counterpart_country="VN", status="negotiating")
    factories.AgreementFactory(counterpart_country="VN", status="proposed")
    factories.ProjectFactory(country="VN")
    factories.OrderFigureFactory(year=2018, kind="actual", amount_jpy=25_000_000_000_000)
    factories.OrderFigureFactory(year=2020, kind="target", amount_jpy=30_000_000_000_000)

    body = analyst_api.get(url("agreements/", country="VN")).json()
    rows = rows_of(analyst_api.get(url("agreements/", country="VN", format="xlsx")))
    assert rows[0] == ["協定・覚書（全期間）"]
    headings, by_status = table(rows, "状況別")
    assert headings == ["状況", "協定・覚書"]
    assert by_status == [[row["label"], row["count"]] for row in body["by_status"]] + [
        ["合計", body["total"]]
    ]

    body = analyst_api.get(url("pipeline/")).json()
    rows = rows_of(analyst_api.get(url("pipeline/", format="xlsx")))
    _, by_stage = table(rows, "段階別（川上→川下）")
    assert by_stage[:-1] == [[row["label"], row["count"]] for row in body["by_stage"]]
    _, detail = table(rows, "段階・分野・地域・状況別")
    assert [row[-1] for row in detail] == [row["count"] for row in body["rows"]]

    body = analyst_api.get(url("order-figures/")).json()
    rows = rows_of(analyst_api.get(url("order-figures/", format="xlsx")))
    headings, figures = table(rows, "実績と目標")
    assert headings == ["年", "種別", "金額（円）", "出典"]
    assert [row[:3] for row in figures] == [
        [2018, "実績", 25_000_000_000_000],
        [2020, "目標", 30_000_000_000_000],
    ]
    _, ratio = table(rows, "最新の実績と目標の比")
    assert ratio == [[25_000_000_000_000, 30_000_000_000_000, body["ratio"]]]
    # The years asked for, in the title row.
    rows = rows_of(
        analyst_api.get(url("order-figures/", year_min=2018, year_max=2019, format="csv"))
    )
    assert rows[0] == ["日本企業のインフラ受注実績と目標（2018 – 2019）"]


@pytest.mark.django_db
def test_watch_list_files_have_the_jsons_figures(analyst_api, editions):
    previous = editions.previous
    port, road = factories.ProjectFactory(name="Port A"), factories.ProjectFactory(name="Road B")
    factories.WatchListEntryFactory(
        watch_list=previous, project=port, outcome_at_next_edition="won_japanese"
    )
    factories.WatchListEntryFactory(
        watch_list=previous, project=road, outcome_at_next_edition="continued"
    )
    factories.WatchListEntryFactory(watch_list=editions, project=road)
    body = analyst_api.get(url("watch-list-transition/?edition=2019")).json()
    rows = rows_of(analyst_api.get(url("watch-list-transition/?edition=2019", format="csv")))
    assert rows[0] == [f"注視プロジェクトの推移（{previous.name} → {editions.name}）"]
    _, transition = table(rows, "推移")
    figures = [row[1] for row in transition]
    assert figures == [
        str(body[key])
        for key in ("previous_total", "won_japanese", "won_foreign", "removed", "continued")
    ] + [str(body["added"]), str(body["total"])]
    _, projects = table(rows, "区分ごとの案件")
    assert projects == [["日本企業受注", "Port A"], ["継続", "Road B"]]

    body = analyst_api.get(url("watch-list-breakdown/?edition=2019")).json()
    rows = rows_of(analyst_api.get(url("watch-list-breakdown/?edition=2019", format="xlsx")))
    _, by_sector = table(rows, "分野別")
    assert by_sector == [[row["label"], row["count"]] for row in body["by_sector"]] + [
        ["合計", body["total"]]
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_errors_of_a_report_file_are_json(analyst_api, export_format):
    refused = analyst_api.get(url("engagements/", year="x", format=export_format))
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/json"
    assert list(refused.json()) == ["year"]
    missing = analyst_api.get(url("watch-list-transition/?edition=1999", format=export_format))
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_a_text_that_looks_like_a_formula_is_neutralised(analyst_api):
    principal = factories.PersonFactory(name='=HYPERLINK("http://x")')
    mission = factories.MissionFactory(
        status="completed", start_date=datetime.date(2018, 5, 1), leader=principal
    )
    factories.MeetingFactory(mission=mission, counterpart_country="VN")
    rows = rows_of(analyst_api.get(url("engagements/", format="csv")))
    _, officials = table(rows, "会談者別")
    assert officials[0][0].startswith("'=HYPERLINK")
    xlsx = analyst_api.get(url("engagements/", format="xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cell = next(c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYP"))
    assert cell.data_type == "s" and cell.quotePrefix


@pytest.mark.django_db
@pytest.mark.api_language("en")
def test_headings_follow_the_readers_language(analyst_api, top_sales):
    rows = rows_of(analyst_api.get(url("engagements/", year=2018, format="csv")))
    assert rows[0] == ["Top-sales engagements (2018)"]
    assert rows[1] == ["In 2018: 2 top-sales engagements in 2 countries (1 in ASEAN countries)"]
    assert table(rows, "By country")[0] == [
        "Country",
        "Region",
        "Number of top-sales engagements",
        "Number of meetings",
    ]


@pytest.mark.django_db
def test_the_schema_declares_the_files_of_every_report(analyst_api):
    schema = analyst_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for report in REPORTS:
        path = BASE + report.split("?")[0]
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content["text/csv"]["schema"]["type"] == "string"
        assert content[XLSX]["schema"] == {
            "type": "string",
            "format": "binary",
            "description": content[XLSX]["schema"]["description"],
        }
        formats = next(
            p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "format"
        )
        assert set(formats["schema"]["enum"]) == {"json", "csv", "xlsx"}
    # The OC4IDS package is JSON only.
    content = schema["paths"]["/api/v1/oc4ids/"]["get"]["responses"]["200"]["content"]
    assert list(content) == ["application/json"]


# The analysts' pages


DASHBOARD_TABLES = ["top-sales", "engagements", "pipeline", "agreements", "expiring", "orders"]
WATCH_LIST_TABLES = ["transition", "groups", "by-region", "by-sector"]
BRIEF_TABLES = ["top-sales", "meetings", "agreements", "projects", "followups", "notes"]


def download_links(html: str, name: str) -> dict[str, str]:
    found = {}
    for export_format in ("csv", "xlsx"):
        match = re.search(rf'href="([^"]*)" data-testid="download-{name}-{export_format}"', html)
        assert match, name
        found[export_format] = match.group(1).replace("&amp;", "&")
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "names"),
    [
        ("/reports/?year=2018&basis=calendar", DASHBOARD_TABLES),
        ("/reports/watch-list/?edition=2019", WATCH_LIST_TABLES),
        ("/reports/countries/VN/", BRIEF_TABLES),
    ],
)
def test_every_table_of_the_pages_downloads_from_its_link(
    analyst_client, top_sales, editions, page, names
):
    html = analyst_client.get(page).content.decode()
    for name in names:
        links = download_links(html, name)
        for export_format, link in links.items():
            # The link carries the page's parameters.
            for parameter in page.partition("?")[2].split("&") if "?" in page else []:
                assert parameter in link, (link, parameter)
            assert f"table={name}" in link and f"format={export_format}" in link
            response = analyst_client.get(page.partition("?")[0] + link)
            assert response.status_code == 200, (name, response.content[:200])
            rows = rows_of(response)
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", rows[0][0]), rows[0]


@pytest.mark.django_db
def test_dashboard_files_have_the_pages_figures_and_the_sentence(analyst_client, top_sales):
    page = analyst_client.get("/reports/", {"year": 2018, "basis": "calendar"})
    sentence = page.context["sentence"]
    assert sentence == "2018年に2カ国，延べ2件（うちASEAN諸国が1件）"
    rows = rows_of(
        analyst_client.get("/reports/", {"year": 2018, "format": "xlsx", "table": "top-sales"})
    )
    assert rows[0] == ["トップセールス件数（延べ）（2018年）"]
    assert rows[1] == [sentence]
    _, summary = table(rows, "概要")
    assert [row[1] for row in summary] == [2, 2, 1, 3]

    rows = rows_of(
        analyst_client.get("/reports/", {"year": 2018, "format": "csv", "table": "engagements"})
    )
    assert rows[0] == ["年・地域別のトップセールス件数（2018年 – 2019年）"]
    assert rows[1] == [sentence]
    headings, counts = table(rows)
    assert headings == ["地域", "2018年", "2019年"]
    assert counts == [
        [row["label"], *map(str, row["counts"])] for row in page.context["engagement_rows"]
    ] + [["合計", "2", "1"]]

    # The fiscal year chosen on the page is the file's.
    fiscal = rows_of(
        analyst_client.get(
            "/reports/", {"year": 2018, "basis": "fiscal", "format": "csv", "table": "top-sales"}
        )
    )
    assert fiscal[0] == ["トップセールス件数（延べ）（2018年度）"]


@pytest.mark.django_db
def test_a_page_download_refuses_what_it_cannot_answer(analyst_client):
    assert (
        analyst_client.get("/reports/", {"format": "pdf", "table": "pipeline"}).status_code == 400
    )
    assert analyst_client.get("/reports/", {"format": "csv", "table": "nope"}).status_code == 400
    # A year the page would silently replace by its default: the file says no.
    refused = analyst_client.get("/reports/", {"format": "csv", "table": "pipeline", "year": 1700})
    assert refused.status_code == 400
    assert "year" in refused.content.decode()


@pytest.mark.django_db
def test_brief_files_list_only_what_the_reader_may_see(analyst_client, analyst_user, top_sales):
    factories.AgreementFactory(counterpart_country="VN", title="Open MoC")
    factories.AgreementFactory(
        counterpart_country="VN", title="Secret MoC", classification=Classification.NEED_TO_KNOW
    )
    secret = factories.MissionFactory(
        status="completed",
        start_date=datetime.date(2018, 9, 1),
        classification=Classification.NEED_TO_KNOW,
    )
    factories.MeetingFactory(
        mission=secret, date=datetime.date(2018, 9, 1), counterpart_country="VN", topics="Hidden"
    )
    brief = reverse("reports:country-brief", args=["VN"])
    rows = rows_of(analyst_client.get(brief, {"format": "csv", "table": "agreements"}))
    assert rows[0] == ["協定・覚書（ベトナム）"]
    _, agreements = table(rows)
    assert [row[0] for row in agreements] == ["Open MoC"]
    rows = rows_of(analyst_client.get(brief, {"format": "xlsx", "table": "meetings"}))
    _, meetings = table(rows)
    assert len(meetings) == 2
    assert all(row[0] == str(top_sales) for row in meetings)
    rows = rows_of(analyst_client.get(brief, {"format": "csv", "table": "top-sales"}))
    _, by_year = table(rows)
    assert by_year == [["2018年度", "1"], ["合計", "1"]]


@pytest.mark.django_db
def test_the_briefs_notes_download_as_the_page_shows_them(analyst_client, analyst_user):
    """The brief's notes table (issue 16, item 5: every table of the brief downloads):
    the notes on the country's records the reader may see, newest first; none for a
    reader who may not view notes."""
    from django.contrib.auth.models import Permission

    from notes.models import Note

    open_moc = factories.AgreementFactory(counterpart_country="VN", title="Open MoC")
    secret_moc = factories.AgreementFactory(
        counterpart_country="VN", title="Secret MoC", classification=Classification.NEED_TO_KNOW
    )
    older = factories.NoteFactory(target=open_moc, text="Asked the embassy")
    newer = factories.NoteFactory(target=open_moc, text="Draft received\nfrom the ministry")
    factories.NoteFactory(target=secret_moc, text="Hidden note")
    factories.NoteFactory(target=factories.AgreementFactory(counterpart_country="GH"), text="Ghana")
    Note.objects.filter(pk=older.pk).update(
        created_at=datetime.datetime(2024, 1, 5, 3, 0, tzinfo=datetime.UTC)
    )
    Note.objects.filter(pk=newer.pk).update(
        created_at=datetime.datetime(2024, 2, 5, 3, 0, tzinfo=datetime.UTC)
    )
    brief = reverse("reports:country-brief", args=["VN"])

    page = analyst_client.get(brief)
    rows = rows_of(analyst_client.get(brief, {"format": "xlsx", "table": "notes"}))

    assert rows[0] == ["メモ（ベトナム）"]
    headings, notes = table(rows)
    assert headings == ["作成日", "メモ", "添付ファイル", "種別", "対象", "作成者"]
    assert [row[1] for row in notes] == ["Draft received\nfrom the ministry", "Asked the embassy"]
    assert [row[1] for row in notes] == [row["note"].text for row in page.context["notes"]]
    assert notes[0][0] == datetime.datetime(2024, 2, 5)
    assert notes[0][4] == "Open MoC"
    rows = rows_of(analyst_client.get(brief, {"format": "csv", "table": "notes"}))
    assert len(table(rows)[1]) == 2

    analyst_user.groups.clear()
    analyst_user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_mission", "view_followup", "view_meeting", "view_agreement"]
        )
    )
    page = analyst_client.get(brief)
    if page.status_code == 200:
        assert 'data-testid="download-notes-csv"' not in page.content.decode()
    assert analyst_client.get(brief, {"format": "csv", "table": "notes"}).status_code in (403, 404)


@pytest.mark.django_db
def test_dashboard_files_count_only_what_the_reader_may_see(analyst_client, top_sales):
    secret = factories.MissionFactory(
        status="completed",
        start_date=datetime.date(2018, 8, 1),
        classification=Classification.NEED_TO_KNOW,
    )
    factories.MeetingFactory(
        mission=secret, date=datetime.date(2018, 8, 1), counterpart_country="TN"
    )
    factories.AgreementFactory(
        counterpart_country="TN", status="negotiating", classification=Classification.NEED_TO_KNOW
    )
    rows = rows_of(
        analyst_client.get("/reports/", {"year": 2018, "format": "csv", "table": "top-sales"})
    )
    assert rows[1] == ["2018年に2カ国，延べ2件（うちASEAN諸国が1件）"]
    _, summary = table(rows, "概要")
    assert summary[0] == ["トップセールス件数", "2"]
    rows = rows_of(
        analyst_client.get("/reports/", {"year": 2018, "format": "csv", "table": "agreements"})
    )
    _, by_status = table(rows, "状況別")
    assert by_status == [["合計", "0"]]


@pytest.mark.django_db
def test_a_brief_file_is_audited_once_as_an_export_of_its_table(analyst_client, top_sales):
    """Building the file reads the whole brief; the audit records what the file holds."""
    from audit.models import ReadEvent

    factories.AgreementFactory(counterpart_country="VN", title="MoC")
    brief = reverse("reports:country-brief", args=["VN"])
    analyst_client.get(brief, {"format": "csv", "table": "agreements"})
    [event] = ReadEvent.objects.all()
    assert (event.channel, event.record_count) == ("export", 1)
    assert event.content_type.model == "agreement"
