"""Reading an uploaded spreadsheet into rows of cells keyed by column: CSV (UTF-8 with
or without its byte-order mark, or Shift_JIS / CP932 as Excel's Japanese CSV is) or
XLSX (the sheet named for the kind, else the first; a title above the headers and
merged header cells allowed), blank rows skipped, each row kept with its number in the
spreadsheet so that every message can name it."""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.folding import name_key
from imports.parsing import is_blank

# How far down a title and notes may push the header row.
HEADER_SEARCH_ROWS = 10


class FileRefused(Exception):
    """The file as a whole cannot be imported; the message says why, for a person."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


@dataclass
class Table:
    keys: list[str]  # the columns recognised, as the kind names them
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells by key)
    warnings: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # key: the header as written


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def header_key(header) -> str:
    """A header as compared: folded, without a required-column mark."""
    return name_key(str(header or "").replace("*", "").replace("※", "")).strip()


def read_table(data: bytes, filename: str, spec) -> Table:
    """The rows of the file, their cells under the kind's column keys (`spec`: a kind's
    ImportSpec). Raises FileRefused for a file that cannot be imported at all."""
    if len(data) > max_bytes():
        raise FileRefused(
            _("The file is larger than %(size)d MB: split it into several files.")
            % {"size": max_bytes() // (1024 * 1024)}
        )
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        grid = _xlsx_rows(data, spec)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused(
            _("This is an old Excel file (.xls): save it as Excel workbook (.xlsx) or CSV.")
        )
    else:
        grid = _csv_rows(data)
    return _table(grid, spec)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(
        _("The file's text cannot be read: save it as CSV in UTF-8 or as Excel's CSV (Shift_JIS).")
    )


def _csv_rows(data: bytes):
    try:
        content = _decode(data)
    except UnicodeDecodeError as error:
        raise FileRefused(_("The file's text cannot be read as UTF-8.")) from error
    if "\x00" in content:
        raise FileRefused(_("This is not a CSV or XLSX file."))
    try:
        dialect = csv.Sniffer().sniff(content[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    yield from enumerate(csv.reader(io.StringIO(content, newline=""), dialect), 1)


def _xlsx_rows(data: bytes, spec):
    """The chosen sheet's rows, read by calamine (a reader in Rust, some ten times
    openpyxl's speed), its cells as openpyxl gives them; by openpyxl when calamine
    cannot read the file, or when a sheet holds a formula (calamine gives a formula's
    cached value, openpyxl its text, which the import takes as text, never evaluated)."""
    rows = _calamine_rows(data, spec)
    if rows is None:
        rows = _openpyxl_rows(data, spec)
    yield from rows


# A formula cell of a worksheet's XML: <f>…</f>, <f t="shared" …/>, with or without a prefix.
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formula(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
            if sheet and _FORMULA.search(archive.read(name)):
                return True
    return False


def _calamine_rows(data: bytes, spec):
    """The rows as a list, each cell as openpyxl's read-only reader gives it (None for
    an empty cell, a date as a datetime at midnight, a whole number as an int), or None
    when openpyxl should read the file."""
    try:
        from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum
    except ImportError:  # pragma: no cover - a dependency; openpyxl still reads the file
        return None
    try:
        if _has_formula(data):
            return None
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            sheets = [
                meta.name
                for meta in workbook.sheets_metadata
                if meta.typ == SheetTypeEnum.WorkSheet
            ]
            if not sheets:
                return None
            names = {header_key(name): name for name in sheets}
            chosen = next((names[key] for key in spec.sheet_keys() if key in names), sheets[0])
            sheet = workbook.get_sheet_by_name(chosen)
            end = sheet.end
            if end is None:
                return []
            # Each row converted as read (to_python() would hold the whole sheet twice).
            # iter_rows() leaves out the empty columns left of the data (and, were it
            # to, empty rows above it): put them back so that every cell keeps its place.
            rows = [_as_openpyxl(row) for row in sheet.iter_rows()]
    except (CalamineError, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    height, width = end[0] + 1, end[1] + 1
    first = height - len(rows) + 1
    return [
        (number, [None] * (width - len(row)) + row if len(row) < width else row)
        for number, row in enumerate(rows, first)
    ]


_WHOLE = 1e15  # openpyxl reads a larger whole number as Excel writes it: 1E+16, a float


def _as_openpyxl(row: list) -> list:
    cells = []
    for value in row:
        kind = type(value)
        if kind is str:
            cells.append(value or None)
        elif kind is float:
            cells.append(int(value) if value.is_integer() and -_WHOLE < value < _WHOLE else value)
        elif kind is datetime.date:
            cells.append(datetime.datetime(value.year, value.month, value.day))
        else:
            cells.append(value)
    return cells


def _openpyxl_rows(data: bytes, spec):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileRefused(_("The file cannot be read as an Excel workbook (.xlsx).")) from error
    try:
        names = {header_key(name): name for name in workbook.sheetnames}
        chosen = next((names[key] for key in spec.sheet_keys() if key in names), None)
        sheet = workbook[chosen] if chosen else workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, list(row)
    finally:
        workbook.close()


def _table(grid, spec) -> Table:
    """Find the header row (the one of the first rows naming most of the kind's
    columns), map its headers, then read the rows below it."""
    aliases = spec.aliases()
    ignored = spec.ignored_aliases()
    leading = []
    best = None
    for number, cells in grid:
        if all(is_blank(cell) for cell in cells):
            continue
        leading.append((number, cells))
        matched = sum(1 for cell in cells if header_key(cell) in aliases)
        if matched and (best is None or matched > best[2]):
            best = (number, cells, matched)
        if len(leading) >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise FileRefused(
            _("No header row names this kind's columns: download the template and use its headers.")
        )
    header_number, header_cells, _matched = best
    positions, unknown, headers = {}, [], {}
    for index, cell in enumerate(header_cells):
        if is_blank(cell):
            continue  # a cell merged into the one on its left
        key = aliases.get(header_key(cell))
        if key is None:
            if header_key(cell) not in ignored:
                unknown.append(str(cell).strip())
            continue
        if key in positions:
            raise FileRefused(
                _("The column “%(column)s” appears twice.") % {"column": str(cell).strip()}
            )
        positions[key] = index
        headers[key] = str(cell).strip()
    missing = [spec.label(key) for key in spec.required_keys() if key not in positions]
    if missing:
        raise FileRefused(
            ngettext(
                "The required column %(columns)s is missing.",
                "The required columns %(columns)s are missing.",
                len(missing),
            )
            % {"columns": ", ".join(f"“{name}”" for name in missing)}
        )
    table = Table(keys=list(positions), headers=headers)
    if unknown:
        table.warnings.append(
            ngettext(
                "The column %(columns)s is not one this import reads: it was ignored.",
                "The columns %(columns)s are not ones this import reads: they were ignored.",
                len(unknown),
            )
            % {"columns": ", ".join(f"“{name}”" for name in unknown)}
        )
    # The rows read before the header were among the leading ones; go on below it.
    rows = table.rows
    limit = max_rows()
    for number, cells in _after(leading, grid, header_number):
        if all(is_blank(cell) for cell in cells):
            continue
        values = [cells[index] if index < len(cells) else None for index in positions.values()]
        if all(is_blank(value) for value in values):
            continue
        rows.append((number, values))
        if len(rows) > limit:
            raise FileRefused(
                _("The file has more than %(rows)s rows: split it into several files.")
                % {"rows": f"{limit:,}"}
            )
    return table


def _after(leading, grid, header_number):
    for number, cells in leading:
        if number > header_number:
            yield number, cells
    yield from grid
