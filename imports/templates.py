"""A blank template per kind: an XLSX sheet named for the kind, its headers in Japanese
and English ("名称（英語） / name (English)", which an import reads back), required
columns marked *, a drop-down of the labels for each coded column, and one example
row."""

import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from imports.engine import resource_class
from imports.resources import template_header

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_WITH_DROPDOWNS = 5000


def template_file(kind) -> bytes:
    resource = resource_class(kind)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind
    # The lists of labels behind the drop-downs, on a sheet of their own (a list typed
    # into the validation itself is limited to 255 characters).
    lists = workbook.create_sheet("lists")
    lists.sheet_state = "hidden"
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    list_column = 0
    for index, column in enumerate(resource.columns(), 1):
        label = resource._labels(column) or column.key
        header = template_header(label) + (" *" if column.required else "")
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        sheet.column_dimensions[get_column_letter(index)].width = max(14, min(40, len(header) + 4))
        example = column.example
        if example and column.choices:
            # The example of a coded column as its Japanese label, as staff choose it.
            with translation.override("ja"):
                example = next((str(lb) for code, lb in column.choices if code == example), example)
        if example:
            sheet.cell(row=2, column=index, value=str(example))
        if column.choices:
            list_column += 1
            letter = get_column_letter(list_column)
            with translation.override("ja"):
                labels = [str(label) for _code, label in column.choices]
            for row, label in enumerate(labels, 1):
                lists.cell(row=row, column=list_column, value=label)
            validation = DataValidation(
                type="list",
                formula1=f"=lists!${letter}$1:${letter}${len(labels)}",
                allow_blank=not column.required,
                showErrorMessage=False,  # a code or the English label is accepted too
            )
            target = get_column_letter(index)
            validation.add(f"{target}2:{target}{ROWS_WITH_DROPDOWNS}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
