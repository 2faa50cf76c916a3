"""The Excel export built from PostgreSQL's COPY: the same SQL columns as the CSV's
(core.api.export_sql), with one difference the CSV's text would lose: a text is not
neutralised in SQL (an Excel cell is neutralised by its quote-prefix style, core.xlsx,
not by a leading apostrophe) and is tagged "S" before its first character, so that a
label among numbers (an integer code with no label) stays a text. A number, a date, a
moment and a boolean come as the CSV writes them (str() of the value the Python path
reads), and core.xlsx.SheetWriter.append_texts writes each as append() writes the value
(TEXT_CELLS, by the column's kind).

Why: the Python path costs some 46 µs of the worker's CPU a row (reading values
through the ORM, then the writer); this one some 20, PostgreSQL building the columns
meanwhile (docs/performance.md, "Exports").

The cells are those of the Python path: a test reads both workbooks back with openpyxl
(tests/core/test_export_xlsx_sql.py). A list whose CSV cannot be written in SQL
(export_sql.copy_statement returns None) takes the Python path here too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import models
from django.db.models import Value

from core.api import export_sql
from core.xlsx import TEXT_CELLS

# export_sql._text's template (neutralise, NULL when empty), found by building one.
_NEUTRALISED = export_sql._text(Value("")).template


def _untext(expression):
    """`expression` with every neutralised text replaced by the text tagged "S" (NULL
    when empty), in the Raw, Case and When nodes the SQL columns are made of."""
    if isinstance(expression, export_sql._Raw):
        inner = [_untext(e) for e in expression.get_source_expressions()]
        if expression.template == _NEUTRALISED:
            return export_sql._Raw("'S' || NULLIF({0}, '')", *inner)
        clone = expression.copy()
        clone.set_source_expressions(inner)
        return clone
    if isinstance(expression, models.Case | models.When):
        clone = expression.copy()
        clone.set_source_expressions(
            [
                e if isinstance(e, models.Q) or e is None else _untext(e)
                for e in expression.get_source_expressions()
            ]
        )
        return clone
    return expression


def _kind(field) -> str:
    if isinstance(field, models.BooleanField):
        return "boolean"
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.IntegerField | models.AutoField | models.DecimalField):
        return "number"
    return "text"


def _column_kind(queryset, column) -> str:
    """What the untagged values of a column are (export_sql._column's field)."""
    meta, field = queryset.model._meta, None
    try:
        for part in column.sources[0].split("."):
            field = meta.get_field(part)
            if field.is_relation and field.related_model:
                meta = field.related_model._meta
    except FieldDoesNotExist:
        return _kind(queryset.query.annotations[column.sources[0]].output_field)
    if isinstance(field, GenericForeignKey) or field.is_relation:
        return "text"
    return _kind(field)


def xlsx_statement(queryset, columns, user=None) -> tuple[tuple[str, list], list[list]] | None:
    """((`COPY … TO STDOUT (FORMAT csv)`, parameters), a writer of each column's cells (core.xlsx.TEXT_CELLS))
    for the workbook of `queryset`; None when its CSV is not written in SQL."""
    if export_sql.copy_statement(queryset, columns, user) is None:
        return None
    expressions = {
        f"_export_{index}": _untext(export_sql._column(queryset, column, user))
        for index, column in enumerate(columns)
    }
    rows = queryset.prefetch_related(None).annotate(**expressions).values_list(*expressions)
    try:
        sql, params = rows.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # pragma: no cover -- copy_statement returned None already
        return None
    writers = [TEXT_CELLS[_column_kind(queryset, column)] for column in columns]
    return (f"COPY ({sql}) TO STDOUT (FORMAT csv)", list(params)), writers


def write_rows(sheet, chunks: Iterator[bytes], writers) -> None:
    """Append to `sheet` (core.xlsx.SheetWriter) the rows of the CSV `chunks`
    (export_sql.copy_rows: whole rows each)."""
    append = sheet.append_texts
    for chunk in chunks:
        for texts in csv.reader(io.StringIO(chunk.decode(), newline="")):
            append(texts, writers)
