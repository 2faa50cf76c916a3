"""An Excel workbook of one sheet, written row by row: the smallest SpreadsheetML package
Excel, LibreOffice and openpyxl read (ECMA-376 part 1), every text an inline string.

Written here rather than with a library for speed: a row of a list of meetings took
220 µs with openpyxl's write-only mode, 114 µs with XlsxWriter's constant-memory mode
and 74 µs with PyExcelerate, against some 10 µs here (docs/performance.md), and a
million-row export must run at 20,000 rows a second. What it writes is checked by
reading it back with openpyxl (tests/core/test_xlsx.py).

Texts are never formulas: a text starting with = + - @ (or a tab or carriage return)
is written with Excel's quote prefix, as Excel itself stores a text typed after an
apostrophe: shown and kept as typed, never evaluated (OWASP's advice against formula
injection). Characters XML 1.0 cannot hold (the C0 controls but tab, newline and
carriage return) are written as U+FFFD.
"""

import datetime
import decimal
import re
import zipfile
from xml.sax.saxutils import escape

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime.datetime(1899, 12, 30)
_CHUNK_CHARS = 1 << 20  # XML written to the zip this many characters at a time
# zlib level 1: a third of the time of the default (6) for a file some 25 % larger
_LEVEL = 1

# Cell styles (cellXfs below): 1 a date, 2 a text shown as typed, 3 a date and time.
_DATE, _TEXT, _DATETIME = 1, 2, 3

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>\
<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>\
<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
_SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"""
_SHEET_END = "</sheetData></worksheet>"


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _sheet_title(title) -> str:
    # Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Sheet1"


def _cell(reference: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        style = f' s="{_TEXT}"' if value.startswith(FORMULA_PREFIXES) else ""
        return (
            f'<c r="{reference}" t="inlineStr"{style}>'
            f'<is><t xml:space="preserve">{escape(value)}</t></is></c>'
        )
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime.datetime):
        serial = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        return f'<c r="{reference}" s="{_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, datetime.date):
        serial = (value - _EPOCH.date()).days
        return f'<c r="{reference}" s="{_DATE}"><v>{serial}</v></c>'
    if isinstance(value, int | float | decimal.Decimal):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return _cell(reference, str(value))


_QUOTE_PREFIX = f' s="{_TEXT}"'


def _quoted(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cells(reference: str, text: str) -> str:
    text = text[1:]  # the "S" tag
    style = f' s="{_TEXT}"' if text.startswith(FORMULA_PREFIXES) else ""
    return (
        f'<c r="{reference}" t="inlineStr"{style}>'
        f'<is><t xml:space="preserve">{_quoted(text)}</t></is></c>'
    )


def _of_kind(write):
    def cell(reference: str, text: str) -> str:
        return _text_cells(reference, text) if text[0] == "S" else write(reference, text)

    return cell


def _number_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}"><v>{text}</v></c>'


def _boolean_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="b"><v>{int(text == "True")}</v></c>'


def _date_cell(reference: str, text: str) -> str:
    return _cell(reference, datetime.date.fromisoformat(text))


def _datetime_cell(reference: str, text: str) -> str:
    return _cell(reference, datetime.datetime.fromisoformat(text))


# What a cell of text is written as, by the kind of its column's untagged values
# (a text tagged "S" is a text in every column): see SheetWriter.append_texts.
TEXT_CELLS = {
    "text": _of_kind(_text_cells),
    "number": _of_kind(_number_cell),
    "boolean": _of_kind(_boolean_cell),
    "date": _of_kind(_date_cell),
    "datetime": _of_kind(_datetime_cell),
}


class SheetWriter:
    """`with SheetWriter(handle, title) as sheet: sheet.append(row)…`: a workbook of one
    sheet written to a binary file, a row at a time (its memory is one chunk of XML)."""

    def __init__(self, handle, title):
        self.zip = zipfile.ZipFile(
            handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_LEVEL
        )
        self.zip.writestr("[Content_Types].xml", _CONTENT_TYPES)
        self.zip.writestr("_rels/.rels", _ROOT_RELS)
        self.zip.writestr(
            "xl/workbook.xml", _WORKBOOK.format(title=escape(_sheet_title(title), {'"': "&quot;"}))
        )
        self.zip.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.sheet = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.pending = [_SHEET_START]
        self.clean: list[str] = []  # rows known to hold only what XML can
        self.size = 0
        self.number = 0
        self.letters: list[str] = []

    def append(self, row):
        if self.clean:  # after rows of append_texts(): they go first
            self._flush()
        self.number = number = self.number + 1
        letters = self.letters
        while len(letters) < len(row):
            letters.append(_column_letters(len(letters)))
        cells = "".join(
            [_cell(f"{letter}{number}", value) for letter, value in zip(letters, row, strict=False)]
        )
        text = f'<row r="{number}">{cells}</row>'
        self.pending.append(text)
        self.size += len(text)
        if self.size >= _CHUNK_CHARS:
            self._flush()

    def append_texts(self, texts: list[str], writers: list) -> None:
        """A row of texts as COPY writes them in CSV (core.api.export_xlsx): "" for no
        value, "S" and a text for a text, else the text of a number, a date
        (YYYY-MM-DD), a moment (YYYY-MM-DD HH:MM:SS[.ffffff]) or a boolean (True,
        False), each column's written by its TEXT_CELLS[kind]; the same cells as
        append() of the values they stand for. The texts hold no character XML cannot
        (export_sql.copy_rows has replaced them)."""
        self.number = number = self.number + 1
        letters = self.letters
        while len(letters) < len(texts):
            letters.append(_column_letters(len(letters)))
        suffix = str(number)
        cells = []
        add = cells.append
        for letter, write, text in zip(letters, writers, texts, strict=False):
            if not text:
                continue
            if text[0] != "S":
                add(write(letter + suffix, text))
                continue
            text = text[1:]
            add(
                f'<c r="{letter}{suffix}" t="inlineStr"'
                f"{_QUOTE_PREFIX if text.startswith(FORMULA_PREFIXES) else ''}>"
                '<is><t xml:space="preserve">'
                f"{text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}"
                "</t></is></c>"
            )
        cells = "".join(cells)
        text = f'<row r="{number}">{cells}</row>'
        self.clean.append(text)
        self.size += len(text)
        if self.size >= _CHUNK_CHARS:
            self._flush()

    def _flush(self):
        if self.pending:
            self.sheet.write(NOT_IN_XML.sub("\ufffd", "".join(self.pending)).encode())
        if self.clean:
            self.sheet.write("".join(self.clean).encode())
        self.pending, self.clean, self.size = [], [], 0

    def close(self):
        (self.clean or self.pending).append(_SHEET_END)  # after the rows either holds
        self._flush()
        self.sheet.close()
        self.zip.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc_info):
        if exc_type is None:
            self.close()
