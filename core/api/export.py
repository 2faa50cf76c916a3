"""Spreadsheet downloads of a list: the same filters as the list, readable columns
(labels, not ids), streamed so that a large export never sits whole in memory."""

import csv
import datetime
import decimal
import tempfile
from collections.abc import Callable, Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from openpyxl import Workbook
from rest_framework import renderers

from core.prefetch import page_rows, prefetch_page, release_page, take_over

EXPORT_CHUNK = 2000
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Column:
    """One column of an export: a translatable header and how to read the cell."""

    def __init__(self, header, source: str | Callable):
        self.header = header
        self.source = source

    def value(self, record):
        if callable(self.source):
            return self.source(record)
        value = record
        for part in self.source.split("."):
            rows = page_rows(value, part)
            if rows is not None:  # a many-relation read with the chunk
                return ", ".join(str(item) for item in rows)
            value = getattr(value, part, None)
            if value is None:
                return ""
            if callable(value) and not hasattr(value, "all"):
                value = value()
        if hasattr(value, "all"):  # a many-relation read some other way: its manager
            return ", ".join(str(item) for item in value.all())
        if hasattr(value, "name") and hasattr(value, "code"):  # a country
            return str(value.name)
        if isinstance(value, list):  # several countries
            return ", ".join(str(getattr(item, "name", item)) for item in value)
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            # Excel has no time zones (openpyxl refuses an aware time): Japan's time.
            return timezone.localtime(value).replace(tzinfo=None)
        if isinstance(value, str | int | float | datetime.date | decimal.Decimal):
            return value
        return str(value)  # a related record, by its display name


def columns(model, *paths) -> list[Column]:
    """Columns named by field paths ("title", "mission.leader_rank"): the header is the
    field's verbose name, and a field with choices shows its label."""
    result = []
    for path in paths:
        parts = path.split(".")
        meta, field = model._meta, None
        for part in parts:
            field = meta.get_field(part)
            if field.is_relation and field.related_model:
                meta = field.related_model._meta
        if getattr(field, "choices", None) and not getattr(field, "multiple", False):
            result.append(Column(field.verbose_name, _Label(parts, field)))
        else:
            result.append(Column(field.verbose_name, ".".join(parts)))
    return result


class _Label:
    """The label of a field with choices (what get_<field>_display prints), looked up
    in a dictionary made once per language: Django flattens the choices again for
    every cell, and a country field's are every country, translated and sorted
    (half a millisecond a cell, most of the time of exporting a million meetings)."""

    def __init__(self, path: list[str], field):
        self.path, self.field = path, field
        self.labels: dict[str | None, dict] = {}

    def __call__(self, record):
        value = record
        for part in self.path[:-1]:
            value = getattr(value, part, None)
            if value is None:
                return ""
        value = getattr(value, self.field.attname)
        value = getattr(value, "code", value)  # a country
        labels = self.labels.get(language := get_language())
        if labels is None:
            labels = self.labels[language] = {
                key: str(label) for key, label in self.field.flatchoices
            }
        return "" if value is None else labels.get(value, value)


class _Echo:
    def write(self, value):
        return value


def _rows(columns: list[Column], records: Iterable):
    # The header is translated now, in the request's language: a streamed body is
    # read after the view has returned.
    header = [str(column.header) for column in columns]

    def rows():
        yield header
        for record in records:
            yield [column.value(record) for column in columns]

    return rows()


def write_csv(handle, columns: list[Column], records: Iterable):
    """Write the rows to a text file (opened with newline="")."""
    # The byte-order mark makes Excel read the UTF-8 (and so the Japanese) right.
    handle.write("\ufeff")
    writer = csv.writer(handle)
    for row in _rows(columns, records):
        writer.writerow(row)


def write_xlsx(handle, columns: list[Column], records: Iterable, title):
    """Write the rows as one sheet to a binary file."""
    # Write-only mode streams rows to a temporary file instead of keeping cells in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    for row in _rows(columns, records):
        sheet.append(row)
    workbook.save(handle)


def _filename(basename, extension):
    return f"{basename}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def records_of(queryset) -> Iterator:
    """Every record of the queryset, read EXPORT_CHUNK at a time through a server-side
    cursor, each chunk's many-relations read as rows (core.prefetch): the memory
    holds one chunk, whatever the number of records."""
    records, ours = take_over(queryset)
    chunk = []
    for record in records.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(record)
        if len(chunk) == EXPORT_CHUNK:
            prefetch_page(chunk, ours)
            yield from chunk
            release_page(chunk)
            chunk = []
    prefetch_page(chunk, ours)
    yield from chunk


def csv_response(basename, columns, queryset):
    writer = csv.writer(_Echo())
    rows = _rows(columns, records_of(queryset))

    def stream():
        # The byte-order mark makes Excel read the UTF-8 (and so the Japanese) right.
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(basename, "csv")}"'
    return response


def xlsx_response(basename, columns, queryset, title):
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it
    write_xlsx(handle, columns, records_of(queryset), title)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=_filename(basename, "xlsx"),
        content_type=XLSX_MEDIA_TYPE,
    )


class CSVRenderer(renderers.BaseRenderer):
    """Lets `?format=csv` through content negotiation; list views answer it with a
    streamed file, and errors are answered in JSON (RecordViewSet.finalize_response)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return renderers.JSONRenderer().render(data)


class XLSXRenderer(CSVRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None


EXPORT_RENDERERS = (CSVRenderer, XLSXRenderer)
