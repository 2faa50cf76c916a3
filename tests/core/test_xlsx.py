"""The workbook core.xlsx writes, read back by openpyxl: every kind of cell an export
holds, as Excel would read it."""

import datetime
import decimal
import io

from openpyxl import load_workbook

from core.xlsx import SheetWriter


def _written(rows, title="会議 [all]: 2019/2020?"):
    handle = io.BytesIO()
    with SheetWriter(handle, title) as sheet:
        for row in rows:
            sheet.append(row)
    return load_workbook(io.BytesIO(handle.getvalue()))


def test_cells_read_back_as_written():
    workbook = _written(
        [
            ["日付", "名前", "金額"],
            [datetime.date(2019, 8, 28), 'ガーナ道路省 <&> "quoted"', 1500],
            [
                datetime.datetime(2019, 8, 28, 10, 30, 15),
                "  spaces kept  ",
                decimal.Decimal("12.50"),
            ],
            [None, "", 2.5, True, "line\nbreak"],
        ]
    )
    sheet = workbook.active
    assert sheet.title == "会議  all   2019 2020 "
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["日付", "名前", "金額"]
    assert rows[1][:3] == [datetime.datetime(2019, 8, 28), 'ガーナ道路省 <&> "quoted"', 1500]
    assert sheet["A2"].number_format == "yyyy-mm-dd"
    assert rows[2][:3] == [datetime.datetime(2019, 8, 28, 10, 30, 15), "  spaces kept  ", 12.5]
    assert sheet["A3"].number_format == "yyyy-mm-dd h:mm:ss"
    assert rows[3] == [None, None, 2.5, True, "line\nbreak"]


def test_a_text_that_looks_like_a_formula_is_a_text_with_the_quote_prefix():
    sheet = _written([["=1+1", "+1", "-1", "@A1", "\tx", "plain", "a=b"]]).active
    cells = sheet[1]
    assert [cell.value for cell in cells] == ["=1+1", "+1", "-1", "@A1", "\tx", "plain", "a=b"]
    assert {cell.data_type for cell in cells} == {"s"}
    assert [cell.quotePrefix for cell in cells] == [True] * 5 + [False, False]


def test_characters_xml_cannot_hold_become_the_replacement_character():
    sheet = _written([["a\x00b\x08c\x0bd\x1fe\ufffef", "tab\tnew\nline\rreturn"]]).active
    assert sheet["A1"].value == "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf"
    assert sheet["B1"].value == "tab\tnew\nline\nreturn"  # XML reads a lone \r as \n


def test_many_rows_and_columns():
    rows = [[f"r{row}c{column}" for column in range(30)] for row in range(3000)]
    sheet = _written(rows).active
    assert sheet.max_row == 3000 and sheet.max_column == 30
    assert sheet["AD3000"].value == "r2999c29"
