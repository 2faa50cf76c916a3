"""Helpers of the import tests: files built in memory, an import through the API."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

IMPORTS = "/api/v1/imports/"


def csv_file(rows, *, encoding="utf-8-sig", name="records.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_bytes(rows, *, title="Sheet1", extra_sheets=()):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name, other in extra_sheets:
        more = workbook.create_sheet(name)
        for row in other:
            more.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_file(rows, *, name="records.xlsx", **kwargs):
    return SimpleUploadedFile(name, xlsx_bytes(rows, **kwargs))


def post_import(client, resource, upload, *, dry_run=False):
    return client.post(
        IMPORTS, {"resource": resource, "file": upload, "dry_run": dry_run}, format="multipart"
    )


def imported(client, resource, upload, *, dry_run=False):
    """The job of a successful request (201), as GET shows it."""
    response = post_import(client, resource, upload, dry_run=dry_run)
    assert response.status_code == 201, response.content
    again = client.get(f"{IMPORTS}{response.json()['id']}/")
    assert again.status_code == 200
    assert again.json() == response.json()
    return response.json()


def export(client, resource, export_format):
    response = client.get(f"/api/v1/{resource}/", {"format": export_format})
    assert response.status_code == 200, response.content
    content = b"".join(response.streaming_content) if response.streaming else response.content
    name = f"{resource}.{export_format}"
    return SimpleUploadedFile(name, content)
