"""The workbook built from PostgreSQL's COPY (core.api.export_xlsx) has the cells of the
one the Python path builds (core.api.export): read back with openpyxl, the same sheet
names, header and every cell's value, type, number format and quote prefix, for every
exportable list, both languages, readers who see everything, some or none of the
level-3 records, with the hostile texts of test_export_sql.

Needs PostgreSQL (SQLite has the Python path only)."""

import io

import openpyxl
import pytest
from django.db import connection
from django.utils import translation

from core.api import export_xlsx
from core.api.export import export_rows, write_xlsx, write_xlsx_of
from exports import resources
from tests.core.test_export_sql import IN_SQL, records  # noqa: F401 -- the fixture

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="COPY is PostgreSQL's (SQLite: Python only)"
    ),
    pytest.mark.django_db,
]


def _cells(content: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [
        (
            sheet.title,
            [
                [
                    (c.value, type(c.value).__name__, c.data_type, c.number_format, c.quotePrefix)
                    for c in row
                ]
                for row in sheet.iter_rows()
            ],
        )
        for sheet in workbook.worksheets
    ]


def _python_xlsx(queryset, columns, user) -> bytes:
    handle = io.BytesIO()
    write_xlsx(
        handle, export_rows(queryset, columns, user), queryset.model._meta.verbose_name_plural
    )
    return handle.getvalue()


def test_the_sql_workbook_has_the_python_workbooks_cells(records, django_user_model):  # noqa: F811
    readers = {
        "superuser": django_user_model.objects.create_superuser("root", password=None),
        "reader": records["reader"],
        "outsider": records["outsider"],
    }
    cases = [(resource, "") for resource in sorted(resources.exportable())]
    cases.append(("meetings", "country=GH&ordering=principal_rank"))
    cases.append(("agreements", "ordering=expires_on"))
    built_in_sql, different = set(), []
    for resource, query in cases:
        for who, user in readers.items():
            for language in ("ja", "en"):
                with translation.override(language):
                    view = resources.list_view(resource, user, query)
                    queryset = resources.filtered_queryset(view)
                    python = _cells(_python_xlsx(queryset, view.export_columns, user))
                    connection.ensure_connection()
                    if export_xlsx.xlsx_statement(queryset, view.export_columns, user) is None:
                        continue
                    handle = io.BytesIO()
                    write_xlsx_of(handle, queryset, view.export_columns, user)
                    sql = _cells(handle.getvalue())
                if who == "superuser":
                    assert len(python[0][1]) > 1, (resource, query)
                built_in_sql.add(resource)
                if sql != python:
                    different.append((resource, query, who, language, sql, python))
    assert built_in_sql >= IN_SQL
    for resource, query, who, language, sql, python in different[:1]:
        assert sql == python, (resource, query, who, language)
    assert [case[:4] for case in different] == []


def test_hidden_related_records_and_formulas_in_the_sql_workbook(records):  # noqa: F811
    """Not only equal: a level-3 project is named to the reader on its access list and
    not to another, and a text that looks like a formula is a quote-prefixed text."""
    shown = {}
    for who in ("reader", "outsider"):
        with translation.override("en"):
            view = resources.list_view("meetings", records[who], "")
            queryset = resources.filtered_queryset(view)
            connection.ensure_connection()
            handle = io.BytesIO()
            write_xlsx_of(handle, queryset, view.export_columns, records[who])
            shown[who] = _cells(handle.getvalue())[0][1]
    secret = 'Project =HYPERLINK("http://x")'
    assert any(secret in str(cell[0]) for row in shown["reader"] for cell in row)
    assert not any(secret in str(cell[0]) for row in shown["outsider"] for cell in row)
    formulas = [cell for row in shown["reader"] for cell in row if str(cell[0]).startswith("=")]
    assert formulas and all(cell[2] == "s" and cell[4] for cell in formulas)
