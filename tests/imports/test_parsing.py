"""What real spreadsheets contain: dates, numbers, countries and coded values in the
forms the bureau writes them, each read or refused with a message."""

import datetime

import pytest
from django.utils import translation

from imports import parsing
from missions.choices import LeaderRank


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "value",
    [
        "2019-08-29",
        "2019/8/29",
        "2019/08/29",
        "2019年8月29日",
        "２０１９年８月２９日",
        "令和元年8月29日",
        "令和1年8月29日",
        "R1.8.29",
        " 2019-08-29 ",
        "2019-08-29 00:00:00",
        datetime.datetime(2019, 8, 29),
        datetime.date(2019, 8, 29),
        43706,  # an Excel date cell read as its serial number
    ],
)
def test_dates(value):
    assert parsing.parse_date(value) == datetime.date(2019, 8, 29)


def test_eras_before_reiwa():
    assert parsing.parse_date("平成31年4月30日") == datetime.date(2019, 4, 30)
    assert parsing.parse_date("平成元年1月8日") == datetime.date(1989, 1, 8)


@pytest.mark.parametrize("value", ["2019-02-30", "令和元年4月30日", "soon", "29/8/2019x"])
def test_not_dates(value):
    with pytest.raises(ValueError, match="not a date"):
        parsing.parse_date(value)


def test_blank_cells():
    assert parsing.parse_date("") is None
    assert parsing.parse_integer("  ") is None
    assert parsing.parse_country(None) == ""


@pytest.mark.parametrize(
    ("value", "amount", "expected"),
    [
        ("１２３", False, 123),
        ("1,234,567", False, 1_234_567),
        ("１，２３４", False, 1234),
        (2017.0, False, 2017),
        ("23兆円", True, 23 * 10**12),
        ("1.5兆円", True, 1_500_000_000_000),
        ("2兆3000億円", True, 2_300_000_000_000),
        ("５０億円", True, 5_000_000_000),
        ("¥1,000", True, 1000),
        ("1000円", True, 1000),
    ],
)
def test_numbers(value, amount, expected):
    assert parsing.parse_integer(value, amount=amount) == expected


def test_not_numbers():
    with pytest.raises(ValueError, match="not a number"):
        parsing.parse_integer("many")
    with pytest.raises(ValueError, match="whole"):
        parsing.parse_integer("1.5")
    with pytest.raises(ValueError, match="not an amount"):
        parsing.parse_integer("23兆ドル", amount=True)


@pytest.mark.parametrize("value", ["GH", "gh", "Ghana", "GHANA", "ガーナ", "ｶﾞｰﾅ", "Ghana "])
def test_countries(value):
    assert parsing.parse_country(value) == "GH"


def test_countries_as_the_bureau_writes_them():
    assert parsing.parse_country("ベトナム") == "VN"
    assert parsing.parse_country("Viet Nam") == "VN"
    with pytest.raises(ValueError, match="not a country"):
        parsing.parse_country("Atlantis")


@pytest.mark.parametrize("value", ["minister", "Minister", "大臣", "MINISTER"])
def test_coded_values_by_code_or_label_in_either_language(value):
    labels = parsing.labels_of(LeaderRank.choices)
    assert parsing.parse_choice(value, labels, "") == "minister"


def test_a_wrong_code_names_the_choices_in_the_readers_language():
    labels = parsing.labels_of(LeaderRank.choices)
    with translation.override("ja"), pytest.raises(ValueError) as raised:
        parsing.parse_choice("emperor", labels, "大臣, 副大臣")
    assert "大臣" in str(raised.value)


def test_text_cells():
    assert parsing.text("  Ghana　") == "Ghana"
    assert parsing.text("'=1+1") == "=1+1"  # an export's quote before a formula-like text
    assert parsing.text("'quoted") == "'quoted"
    assert parsing.text("=SUM(A1)") == "=SUM(A1)"
    assert parsing.text(312345678.0) == "312345678"
    assert parsing.text(None) == ""


def test_names_that_hold_commas():
    known = {"ministry of land, infrastructure, transport and tourism", "jica"}
    names = parsing.split_names(
        "Ministry of Land, Infrastructure, Transport and Tourism, JICA",
        lambda text: text.lower() in known,
    )
    assert names == ["Ministry of Land, Infrastructure, Transport and Tourism", "JICA"]


def _workbook_bytes(build):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _trimmed(rows):
    out = []
    for number, cells in rows:
        cells = list(cells)
        while cells and cells[-1] is None:
            cells.pop()
        out.append((number, cells))
    while out and not out[-1][1]:
        out.pop()
    return out


def _cells(workbook):
    sheet = workbook.active
    sheet.title = "notes"
    sheet["A1"] = "not this sheet"
    missions = workbook.create_sheet("missions")
    missions["B2"] = "Visits of 2019"  # a title, merged across, empty columns on its left
    missions.merge_cells("B2:E2")
    missions.append([])
    missions.append(
        [
            None,
            "key",
            5,
            2.5,
            5.0,
            -3,
            10**17,
            True,
            datetime.date(2019, 8, 29),
            datetime.datetime(2019, 8, 29, 10, 30),
            datetime.time(10, 30),
            datetime.timedelta(hours=30),
            "  spaced  ",
            "",
            "'=quoted",
            "令和元年8月29日",
        ]
    )
    missions["D9"] = "far below"


def test_calamine_reads_an_xlsx_as_openpyxl_does():
    """The fast reader (calamine) gives every cell as openpyxl did: an empty cell None,
    a date cell a datetime at midnight, a whole number an int, the same row numbers and
    columns (empty ones on the left kept), the sheet named for the kind."""
    from imports import reading
    from imports.resources import KINDS

    data = _workbook_bytes(_cells)
    spec = KINDS["missions"]
    fast = reading._calamine_rows(data, spec)
    assert fast is not None
    assert _trimmed(fast) == _trimmed(reading._openpyxl_rows(data, spec))
    numbers = dict(_trimmed(fast))
    assert numbers[2][1] == "Visits of 2019"
    assert numbers[4][2:6] == [5, 2.5, 5, -3]
    assert type(numbers[4][2]) is int
    assert numbers[4][8] == datetime.datetime(2019, 8, 29)
    assert numbers[9] == [None, None, None, "far below"]


def test_a_workbook_with_formulas_is_read_by_openpyxl_as_their_text():
    """calamine gives a formula's cached value (none, in a file not saved by Excel);
    the import takes a formula as its text, so such a file is read by openpyxl."""
    from imports import reading
    from imports.resources import KINDS

    def build(workbook):
        workbook.active.append(["key", '=HYPERLINK("http://x")'])

    data = _workbook_bytes(build)
    assert reading._calamine_rows(data, KINDS["missions"]) is None
    rows = list(reading._xlsx_rows(data, KINDS["missions"]))
    assert rows[0] == (1, ["key", '=HYPERLINK("http://x")'])
