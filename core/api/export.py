"""Spreadsheet downloads of a list: the same filters as the list, readable columns
(labels and names, not codes and ids), read from the database in chunks of rows, so
that a large export never sits whole in memory.

Rows are read as values (`values_list` of the columns' fields, through a server-side
cursor on PostgreSQL), not as model instances. A record's many-relations are read with
it, as the list of its related ids in the related model's order (a subquery: an array
on PostgreSQL, a JSON array elsewhere), and each related record's name is made once
per export (str() of it, read through the viewset's own Prefetch queryset when it
declares one), in the chunk that first needs it. The records are those of the
queryset given: the view's filtered queryset, never a model's manager.

Every text is neutralised against formula injection (OWASP): a CSV cell starting with
= + - @ (or a tab or a carriage return) gets a leading apostrophe, an Excel cell is a
text with Excel's quote prefix, never a formula (core.xlsx). Control characters older
rows may hold, which an Excel file cannot, are written as U+FFFD in both formats.
"""

import csv
import datetime
import io
import itertools
import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import F, Field, OuterRef, Prefetch, Subquery
from django.db.models.expressions import RawSQL
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.choices import flatten_choices
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from rest_framework import renderers, status
from rest_framework.response import Response

from core import audit
from core.api import export_sql, export_xlsx
from core.classification import LinkedRecords, is_classified
from core.xlsx import FORMULA_PREFIXES, NOT_IN_XML, SheetWriter

EXPORT_CHUNK = 5000
CHUNK_BYTES = 64 * 1024
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Column:
    """One column of an export: a translatable header and what the cell shows.

    `source` is a field path ("title", "mission.leader_rank"): a field's value (the
    label of a field with choices), a related record's name (a foreign key, a generic
    one) or the names of related records, in their order, joined by `separator` (a
    many-to-many field, a reverse relation); or the name of an annotation of the
    queryset. `display(related record)` names a related record (default: str; None
    leaves it out). `transform` makes the cell from the raw value of the source, or
    of several sources (a tuple of paths) given in order."""

    def __init__(
        self,
        header,
        source: str | tuple[str, ...],
        *,
        transform: Callable | None = None,
        display: Callable = str,
        separator: str = ", ",
    ):
        self.header = header
        self.sources = (source,) if isinstance(source, str) else tuple(source)
        self.transform = transform
        self.display = display
        self.separator = separator


def columns(model, *paths) -> list[Column]:
    """Columns named by field paths ("title", "mission.leader_rank"), each headed by its
    field's verbose name."""
    result = []
    for path in paths:
        meta, field = model._meta, None
        for part in path.split("."):
            field = meta.get_field(part)
            if field.is_relation and field.related_model:
                meta = field.related_model._meta
        result.append(Column(field.verbose_name, path))
    return result


def _localtime(value):
    # Excel has no time zones: a moment is written in Japan's time.
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _same(value):
    return value


class _Plan:
    """How an export reads its columns from a queryset: the values read with each
    record (`paths`), the related records to name, and each column's cell."""

    def __init__(self, queryset, columns: list[Column], user=None):
        self.queryset = queryset
        # A related record the reader may not see has no name (core.classification).
        self.linked = LinkedRecords(user)
        self.model = queryset.model
        self.paths = ["pk"]  # what values_list reads, in this order
        # Per chunk: the foreign keys to name (index of the id, queryset, names), the
        # generic relations (index of the content type, of the id, display, names) and
        # the many-relations (index of the related ids, queryset, display, names).
        self.foreign: list[tuple] = []
        self.generic: list[tuple] = []
        self.many: list[tuple] = []
        self.prefetches = {
            lookup.prefetch_to: lookup.queryset
            for lookup in queryset._prefetch_related_lookups
            if isinstance(lookup, Prefetch) and lookup.queryset is not None
        }
        self.cells = [self._cell(column) for column in columns]

    def _read(self, path: str) -> int:
        if path not in self.paths:
            self.paths.append(path)
        return self.paths.index(path)

    def _read_expression(self, name: str, expression) -> int:
        alias = f"_export_{name}"
        self.queryset = self.queryset.annotate(**{alias: expression})
        return self._read(alias)

    def _field(self, parts: list[str]):
        meta, field = self.model._meta, None
        for part in parts:
            field = meta.get_field(part)
            if field.is_relation and field.related_model:
                meta = field.related_model._meta
        return field

    def _cell(self, column: Column) -> Callable:
        """cell(values of a record) -> the value of its cell."""
        transform = column.transform or _same
        if len(column.sources) > 1:  # a transform of several fields' values
            indexes = [self._read(path.replace(".", "__")) for path in column.sources]
            return lambda values: transform(*(values[index] for index in indexes))
        path = column.sources[0]
        parts = path.split(".")
        try:
            field = self._field(parts)
        except FieldDoesNotExist:  # an annotation of the queryset
            index = self._read(path)
            return lambda values: transform(values[index])
        names: dict = {}
        if isinstance(field, GenericForeignKey):
            content_type, object_id = self._read(field.ct_field), self._read(field.fk_field)
            self.generic.append((content_type, object_id, column.display, names))
            return lambda values: transform(names.get((values[content_type], values[object_id])))
        if field.many_to_many or field.one_to_many:
            if len(parts) > 1:
                raise ValueError(f"{path}: many-relations are read from the exported model only")
            queryset = self.prefetches.get(path)
            if queryset is None:
                queryset = field.related_model._default_manager.all()
            if field.many_to_many and not field.auto_created:  # declared on this model
                key = field.related_query_name()
            else:  # the reverse side of a foreign key or of a many-to-many field
                key = field.field.name
            ordering = queryset.query.order_by or queryset.model._meta.ordering
            ids = (
                queryset.filter(**{key: OuterRef("pk")})
                .order_by(*ordering, "pk")
                .values(_export_id=F("pk"))
                .prefetch_related(None)
            )
            index = self._read_expression(path, _RelatedIds(ids))
            self.many.append((index, queryset, column.display, names))
            separator = column.separator
            return lambda values: transform(
                separator.join([name for pk in values[index] if (name := names.get(pk))])
            )
        if field.is_relation:
            # The id read by its own name ("watch_list_id"): read as "watch_list", it
            # would stand for the relation in the list's order, which Django then sorts
            # by the id rather than by the related model's order, as the list does.
            parts = [*parts[:-1], field.attname]
        index = self._read("__".join(parts))
        if column.transform is not None:
            return lambda values: transform(values[index])
        if field.is_relation:  # a foreign key: the related record's name
            queryset = field.related_model._base_manager.select_related()
            self.foreign.append((index, queryset, column.display, names))
            return lambda values: names.get(values[index])
        if getattr(field, "choices", None):
            labels = {key: str(label) for key, label in flatten_choices(field.choices)}
            if getattr(field, "multiple", False):  # several countries, stored "GH,TN"
                return lambda values: ", ".join(
                    labels.get(code, code) for code in (values[index] or "").split(",") if code
                )
            return lambda values: labels.get(values[index], values[index])
        return lambda values: _localtime(values[index])

    def rows(self) -> Iterator[list]:
        """The cells of every record, read EXPORT_CHUNK records at a time."""
        records = self.queryset.prefetch_related(None).values_list(*self.paths)
        chunk = []
        for values in records.iterator(chunk_size=EXPORT_CHUNK):
            chunk.append(values)
            if len(chunk) == EXPORT_CHUNK:
                yield from self._rows_of(chunk)
                chunk = []
        yield from self._rows_of(chunk)

    def _rows_of(self, chunk: list) -> Iterator[list]:
        if not chunk:
            return
        linked = self.linked
        for index, queryset, display, names in self.foreign:
            _name(queryset, display, names, {values[index] for values in chunk}, linked)
        for content_type, object_id, display, names in self.generic:
            by_type = defaultdict(set)
            for values in chunk:
                if values[content_type] is not None:
                    by_type[values[content_type]].add(values[object_id])
            for type_id, ids in by_type.items():
                model = ContentType.objects.get_for_id(type_id).model_class()
                keyed = {}  # a deleted target has no name
                _name(model._base_manager.all(), display, keyed, ids, linked)
                names.update({(type_id, pk): keyed.get(pk) for pk in ids})
        for index, queryset, display, names in self.many:
            _name(
                queryset, display, names, {pk for values in chunk for pk in values[index]}, linked
            )
        cells = self.cells
        for values in chunk:
            yield [cell(values) for cell in cells]


class _IdList(Field):
    def from_db_value(self, value, expression, connection):
        return json.loads(value) if isinstance(value, str) else value


class _RelatedIds(Subquery):
    """The ids of a record's related records, in their order, as one value: a list (an
    array on PostgreSQL, a JSON array on the other databases)."""

    output_field = _IdList()

    def as_postgresql(self, compiler, connection):
        sql, params = super().as_sql(compiler, connection)
        return f"ARRAY{sql}", params

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, **extra)
        return f"(SELECT json_group_array(_export_id) FROM {sql})", params


def _ids(queryset, ids) -> RawSQL:
    """`ids` as one parameter, for `field__in=`: an IN of thousands of parameters costs
    more to build (in Django and in psycopg) than to run."""
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        db_type = queryset.model._meta.pk.db_type(connection)  # a list of texts is untyped
        return RawSQL(f"SELECT unnest(%s::{db_type}[])", [list(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])


def _name(queryset, display, names: dict, pks: set, linked):
    """Name the records of `pks` not named yet (once per export, whatever the number of
    rows that point to them); one the reader may not see is left unnamed."""
    missing = [pk for pk in pks if pk is not None and pk not in names]
    if not missing:
        return
    records = list(
        queryset.filter(pk__in=_ids(queryset, missing)).order_by().prefetch_related(None)
    )
    linked.decide(records)
    for record in records:
        name = None if linked.hidden(record) else display(record)
        names[record.pk] = None if name is None else str(name)


def export_rows(queryset, columns: list[Column], user=None) -> Iterator[list]:
    """The header (translated now, in the request's language: a streamed body is read
    after the view has returned), then each record's cells."""
    plan = _Plan(queryset, columns, user)
    yield [str(column.header) for column in columns]
    yield from plan.rows()


def _neutralised(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_chunks(rows: Iterable[list]) -> Iterator[bytes]:
    """The CSV file, in pieces of some 64 KB."""
    buffer = io.StringIO()
    # The byte-order mark makes Excel read the UTF-8 (and so the Japanese) right.
    buffer.write("\ufeff")
    writerow = csv.writer(buffer).writerow
    for row in rows:
        writerow([_neutralised(value) for value in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield NOT_IN_XML.sub("\ufffd", buffer.getvalue()).encode()
            buffer.seek(0)
            buffer.truncate()
    yield NOT_IN_XML.sub("\ufffd", buffer.getvalue()).encode()


def write_xlsx(handle, rows: Iterable[list], title):
    """Write the rows as one sheet to a binary file."""
    with SheetWriter(handle, title) as sheet:
        for row in rows:
            sheet.append(row)


def _filename(basename, extension):
    return f"{basename}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def header_chunk(columns: list[Column]) -> bytes:
    """The CSV file's start: the byte-order mark and the header row."""
    return b"".join(csv_chunks([[str(column.header) for column in columns]]))


def write_export(handle, export_format: str, rows: Iterable[list], title):
    """Write the rows in `export_format` ("csv" or "xlsx") to a binary file: the one
    writer of a list downloaded at once and of a background export."""
    if export_format == "csv":
        for chunk in csv_chunks(rows):
            handle.write(chunk)
    else:
        write_xlsx(handle, rows, title)


def write_csv(handle, queryset, columns: list[Column], user=None, progress=None) -> None:
    """Write the CSV of `queryset` to a binary file: by PostgreSQL's COPY when every
    column can be written in SQL (core.api.export_sql), else through Python; the same
    bytes either way. `progress(rows written)` is called now and then."""
    statement = export_sql.copy_statement(queryset, columns, user)
    if statement is None:
        rows = export_rows(queryset, columns, user)
        if progress is not None:
            rows = _counted(rows, progress)
        write_export(handle, "csv", rows, None)
        return
    handle.write(header_chunk(columns))
    connection = connections[queryset.db]
    if connection.in_atomic_block:
        # Inside a transaction (a test's): the rows it wrote are seen on its connection
        # only, and a connection busy with a COPY can do nothing else meanwhile.
        connection.ensure_connection()
        for chunk in export_sql.copy_rows(connection.connection, statement):
            handle.write(chunk)
        return
    with export_sql.own_connection(queryset.db) as raw:
        for chunk in export_sql.copy_rows(raw, statement, progress):
            handle.write(chunk)


def write_xlsx_of(handle, queryset, columns: list[Column], user=None, progress=None) -> None:
    """Write the workbook of `queryset` to a binary file: its rows read from PostgreSQL's
    COPY when every column can be written in SQL (core.api.export_xlsx), else through
    Python; the same cells either way. `progress(rows written)` is called now and then."""
    title = queryset.model._meta.verbose_name_plural
    built = export_xlsx.xlsx_statement(queryset, columns, user)
    if built is None:
        rows = export_rows(queryset, columns, user)
        if progress is not None:
            rows = _counted(rows, progress)
        write_xlsx(handle, rows, title)
        return
    statement, writers = built
    connection = connections[queryset.db]
    with SheetWriter(handle, title) as sheet:
        sheet.append([str(column.header) for column in columns])
        if connection.in_atomic_block:
            # As write_csv: a transaction's rows are seen on its own connection only.
            connection.ensure_connection()
            chunks = export_sql.copy_rows(connection.connection, statement, progress)
            export_xlsx.write_rows(sheet, chunks, writers)
            return
        with export_sql.own_connection(queryset.db) as raw:
            chunks = export_sql.copy_rows(raw, statement, progress)
            export_xlsx.write_rows(sheet, chunks, writers)


def _counted(rows, progress):
    yield next(rows)  # the header
    for index, row in enumerate(rows, 1):
        yield row
        if index % EXPORT_CHUNK == 0:
            progress(index)


def _copy_stream(alias: str, statement, columns: list[Column]) -> Iterator[bytes]:
    """The CSV as COPY writes it, on a connection of its own: the request's own
    connection writes the read audit after the view has answered, while the COPY still
    runs. The COPY has started (its query planned and running) when the first piece,
    the header, is given."""
    with export_sql.own_connection(alias) as raw:
        rows = export_sql.copy_rows(raw, statement)
        try:
            first = next(rows, b"")
            yield header_chunk(columns) + first
            yield from rows
        finally:
            rows.close()


def export_response(view, queryset, export_format: str):
    """The filtered list as a file, or a 400 that points to the background export when
    it is longer than a download answered at once may be (EXPORT_SYNC_MAX_ROWS).

    A download that is cut (its worker restarted at a release, a proxy's timeout) must
    never look finished. To an HTTP/1.1 client the file goes without a length, so the
    server sends it in chunks and ends it with an empty chunk: a body cut before that
    is an error for every client (curl, browsers, requests, httpx; urllib however it
    reads). HTTP/1.0 has no chunks (nginx's default proxy speaks it): there the file is
    built first and sent with its Content-Length, which curl, browsers, requests and a
    proxy check (urllib only when the body is read whole). An Excel file is built
    whole first.

    A CSV over HTTP/1.1 is streamed as it is read from the database, its query started
    before the answer starts (so that a query that fails is an error answer). On
    PostgreSQL it is PostgreSQL's COPY (core.api.export_sql), streamed from a connection
    of its own as COPY writes it, rather than spooled to a file and sent with its
    length: both keep a cut file from looking finished (the empty last chunk, or the
    length), and both hold some 64 KB at a time, but a spooled file is sent only once
    the whole COPY is over (some 20 s for a million rows), with nothing on the wire
    meanwhile for a proxy's read timeout to count, and it costs the disk its size;
    streamed, the client reads while PostgreSQL writes."""
    limit = settings.EXPORT_SYNC_MAX_ROWS
    count = queryset.order_by()[: limit + 1].count()
    if count > limit:
        return too_long_response(view, export_format, limit)
    model = queryset.model
    if count and is_classified(model):
        # The read audit: this export, its filters and its number of rows.
        audit.note(view.request, audit.CHANNEL_EXPORT, model=model, count=count)
    columns, user = view.export_columns, view.request.user
    filename = _filename(view.basename or model._meta.model_name, export_format)
    content_type = CSV_MEDIA_TYPE if export_format == "csv" else XLSX_MEDIA_TYPE
    chunked = view.request.META.get("SERVER_PROTOCOL") != "HTTP/1.0"
    if export_format == "csv" and chunked:
        statement = export_sql.copy_statement(queryset, columns, user)
        if statement is not None and not connections[queryset.db].in_atomic_block:
            chunks = _copy_stream(queryset.db, statement, columns)
        else:
            # Python, or a COPY inside a transaction (a test's), whose rows only its
            # own connection sees: spooled below.
            chunks = (
                None if statement is not None else csv_chunks(export_rows(queryset, columns, user))
            )
        if chunks is not None:
            first = next(chunks)
            response = StreamingHttpResponse(
                itertools.chain([first], chunks), content_type=content_type
            )
            response["Content-Disposition"] = content_disposition_header(True, filename)
            return response
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it
    try:
        if export_format == "csv":
            write_csv(handle, queryset, columns, user)
        else:
            write_xlsx_of(handle, queryset, columns, user)
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
