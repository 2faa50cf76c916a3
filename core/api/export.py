"""Spreadsheet downloads of a list: the same filters as the list, readable columns
(labels, not ids), streamed so that a large export never sits whole in memory."""

import csv
import datetime
import decimal
import io
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from rest_framework import renderers, status
from rest_framework.response import Response

from core.prefetch import page_rows, prefetch_page, release_page, take_over

EXPORT_CHUNK = 2000
CHUNK_BYTES = 64 * 1024
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
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


def _rows(columns: list[Column], records: Iterable):
    # The header is translated now, in the request's language: a streamed body is
    # read after the view has returned.
    header = [str(column.header) for column in columns]

    def rows():
        yield header
        for record in records:
            yield [column.value(record) for column in columns]

    return rows()


def csv_chunks(columns: list[Column], records: Iterable) -> Iterator[bytes]:
    """The CSV file, in pieces of some 64 KB."""
    buffer = io.StringIO()
    # The byte-order mark makes Excel read the UTF-8 (and so the Japanese) right.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in _rows(columns, records):
        writer.writerow(row)
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


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


def write_export(handle, export_format: str, columns: list[Column], records: Iterable, title):
    """Write the rows in `export_format` ("csv" or "xlsx") to a binary file: the one
    writer of a list downloaded at once and of a background export."""
    if export_format == "csv":
        for chunk in csv_chunks(columns, records):
            handle.write(chunk)
    else:
        write_xlsx(handle, columns, records, title)


def export_response(view, queryset, export_format: str):
    """The filtered list as a file, or a 400 that points to the background export when
    it is longer than a download answered at once may be (EXPORT_SYNC_MAX_ROWS).

    A download that is cut (its worker restarted at a release, a proxy's timeout) must
    never look finished. To an HTTP/1.1 client the file goes without a length, so the
    server sends it in chunks and ends it with an empty chunk: a body cut before that
    is an error for every client (curl, browsers, requests, httpx; urllib however it
    reads). HTTP/1.0 has no chunks (nginx's default proxy speaks it): there the file is
    built first and sent with its Content-Length, which curl, browsers, requests and a
    proxy check (urllib only when the body is read whole). A CSV is streamed as it is
    read from the database, its first rows read before the answer starts, so that a
    query that fails is an error answer; an Excel file is built whole first."""
    limit = settings.EXPORT_SYNC_MAX_ROWS
    if queryset.order_by()[: limit + 1].count() > limit:
        return too_long_response(view, export_format, limit)
    model = queryset.model
    columns, records = view.export_columns, records_of(queryset)
    title = model._meta.verbose_name_plural
    filename = _filename(view.basename or model._meta.model_name, export_format)
    content_type = CSV_MEDIA_TYPE if export_format == "csv" else XLSX_MEDIA_TYPE
    chunked = view.request.META.get("SERVER_PROTOCOL") != "HTTP/1.0"
    if export_format == "csv" and chunked:
        chunks = csv_chunks(columns, records)
        first = next(chunks)
        response = StreamingHttpResponse(
            itertools.chain([first], chunks), content_type=content_type
        )
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it
    try:
        write_export(handle, export_format, columns, records, title)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    if chunked:
        del response["Content-Length"]
    return response


def too_long_response(view, export_format: str, limit: int) -> Response:
    """A 400 saying the list is too long to download at once, with the request that
    asks for the same file to be built in the background."""
    request = view.request
    filters = set(view.filterset_class.base_filters) if view.filterset_class else set()
    query = request.query_params
    return Response(
        {
            "detail": _(
                "This list has more than %(limit)s rows: too many to download at once. "
                "Narrow it with filters, or have it built in the background (POST "
                "background_export.body to %(url)s, or the list page's “Prepare it in the "
                "background”) and download it from My exports."
            )
            % {"limit": f"{limit:,}", "url": reverse("api:exportjob-list")},
            "code": "too_many_rows",
            "limit": limit,
            "background_export": {
                "method": "POST",
                "url": request.build_absolute_uri(reverse("api:exportjob-list")),
                "body": {
                    # The list's name is the last part of its address (/api/v1/meetings/).
                    "resource": request.path.rstrip("/").rsplit("/", 1)[-1],
                    "format": export_format,
                    "filters": {
                        name: values[0] if len(values) == 1 else values
                        for name, values in query.lists()
                        if name in filters
                    },
                },
            },
        },
        status=status.HTTP_400_BAD_REQUEST,
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
