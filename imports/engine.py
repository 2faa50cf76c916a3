"""The import engine: a file in, its rows checked and saved by the kind's resource
(imports.resources) in one transaction, a report out with every error named by its
row in the spreadsheet and its column."""

import logging
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _
from import_export.results import RowResult

logger = logging.getLogger(__name__)

ROW_COLUMN = "__row__"


def existing_queryset(model, user):
    """The records of `model` an import run by `user` may find and update. Every lookup
    of existing records in an import (the rows' own records and the related ones they
    name) goes through here: this is where visibility (need-to-know classification,
    `model.objects.visible_to(user)`) applies, in one place: an import never finds, and
    so never overwrites, a record its importer may not read."""
    manager = model._default_manager
    return manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()


def kinds():
    from imports.resources import KINDS

    return KINDS


def resource_class(kind):
    return kinds()[kind]


@dataclass
class Report:
    totals: dict = field(
        default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0, "errors": 0}
    )
    errors: list = field(default_factory=list)  # {row, field, value, message}
    warnings: list = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def table_as_dataset(table) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[*table.keys, ROW_COLUMN])
    for number, values in table.rows:
        dataset.append([*values, number])
    # Read by report_of(): the headers as the file wrote them, and the reader's warnings.
    dataset.import_headers = table.headers
    dataset.import_warnings = list(table.warnings)
    return dataset


def import_file(*, kind, data: bytes, file_name: str, user, dry_run: bool, progress=None) -> Report:
    """Read and import one file. Raises reading.FileRefused for a file refused as a
    whole (too large, unreadable, a required column missing)."""
    from imports.reading import read_table

    resource_cls = resource_class(kind)
    table = read_table(data, file_name, resource_cls)
    bulk_import = resource_cls.bulk_importer()
    if bulk_import is not None:
        # The fast path (imports.bulk), unless it declines the file.
        report = bulk_import(
            resource_cls(user=user, file_name=file_name, progress=progress),
            table_as_dataset(table),
            dry_run=dry_run,
            progress=progress,
        )
        if report is not None:
            return report
    dataset = table_as_dataset(table)
    resource = resource_cls(user=user, file_name=file_name, progress=progress)
    result = resource.import_data(dataset, dry_run=dry_run, file_name=file_name, user=user)
    return result.import_report


def invalid_row_errors(error_dict, *, number, row, resource, headers) -> list[dict]:
    """The errors of a refused row ({attribute or column key: messages}), each named by
    the row's number in the spreadsheet, the column as the file heads it, and the cell."""
    attribute_keys = {f.attribute: f.column_name for f in resource.fields.values() if f.attribute}
    errors = []
    for name, messages in error_dict.items():
        key = None if name == NON_FIELD_ERRORS else attribute_keys.get(name, name)
        column = headers.get(key, key) if key else None
        value = row.get(key) if key is not None else None
        for message in messages:
            errors.append(
                {
                    "row": number,
                    "field": column,
                    "value": None if value is None else str(value),
                    "message": str(message),
                }
            )
    return errors


def report_of(result, dataset, resource) -> Report:
    """The totals and every error of an import_data() result, by spreadsheet row."""
    headers = getattr(dataset, "import_headers", {})
    report = Report(
        warnings=[*getattr(dataset, "import_warnings", []), *resource.warnings],
        rows=len(dataset),
    )
    totals = result.totals
    report.totals["new"] = totals.get(RowResult.IMPORT_TYPE_NEW, 0)
    report.totals["updated"] = totals.get(RowResult.IMPORT_TYPE_UPDATE, 0)
    report.totals["unchanged"] = totals.get(RowResult.IMPORT_TYPE_SKIP, 0)
    rows_in_error = set()

    def row_number(index):
        return dataset[index - 1][-1] if 0 < index <= len(dataset) else None

    for error in result.base_errors:
        logger.warning("Import of %s failed: %r", resource.file_name, error.error)
        report.errors.append(
            {
                "row": None,
                "field": None,
                "value": None,
                "message": _("The file could not be imported: %(error)s") % {"error": error.error},
            }
        )
    for index, errors in result.row_errors():
        rows_in_error.add(index)
        for error in errors:
            logger.info("Import row %s failed", index, exc_info=error.error)
            report.errors.append(
                {
                    "row": row_number(index),
                    "field": None,
                    "value": None,
                    "message": _(
                        "This row could not be saved (%(error)s): correct it, or tell the administrator."
                    )
                    % {"error": type(error.error).__name__},
                }
            )
    for invalid in result.invalid_rows:
        rows_in_error.add(invalid.number)
        index = invalid.number
        row = (
            dict(zip(dataset.headers, dataset[index - 1], strict=True))
            if 0 < index <= len(dataset)
            else {}
        )
        report.errors += invalid_row_errors(
            invalid.error_dict,
            number=row_number(index),
            row=row,
            resource=resource,
            headers=headers,
        )
    report.totals["errors"] = len(rows_in_error)
    report.errors.sort(key=lambda e: e["row"] or 0)
    return report
