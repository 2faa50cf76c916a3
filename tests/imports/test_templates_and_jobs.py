"""Templates per kind, and files too long to import within the request."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from contacts.models import Organization
from imports.choices import ImportStatus
from imports.engine import kinds
from imports.models import ImportJob
from imports.services import import_job_run
from tests.api import client_for
from tests.imports.helpers import IMPORTS, csv_file, imported

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", sorted(kinds()))
def test_the_template_of_every_kind_imports_its_own_example(api, kind):
    response = api.get(f"{IMPORTS}templates/{kind}/")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook[kind]
    headers = [cell.value for cell in sheet[1]]
    assert all(" / " in header or header.endswith("*") or header == "ID" for header in headers), (
        headers
    )
    # The coded columns offer their labels as a drop-down.
    coded = [column for column in kinds()[kind].columns() if column.choices]
    assert len(sheet.data_validations.dataValidation) == len(coded)
    # The template's headers are read back (a dry run: the example names records that
    # may not exist, so only the file's columns are judged here).
    job = imported(api, kind, SimpleUploadedFile(f"{kind}.xlsx", response.content), dry_run=True)
    assert not [e for e in job["errors"] if e["row"] is None], job["errors"]


def test_the_template_is_for_those_who_may_import(analyst_user):
    assert client_for(analyst_user).get(f"{IMPORTS}templates/missions/").status_code == 403
    assert client_for(None).get(f"{IMPORTS}templates/missions/").status_code == 401


def test_an_unknown_kind_has_no_template(api):
    assert api.get(f"{IMPORTS}templates/spaceships/").status_code == 400


def test_a_long_file_is_imported_by_a_background_job(
    api, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_MAX_ROWS = 5
    rows = [["name", "kind", "country"]] + [
        [f"Ministry {n}", "外国政府機関", "GH"] for n in range(12)
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(
            IMPORTS, {"resource": "organizations", "file": csv_file(rows)}, format="multipart"
        )
    assert response.status_code == 201
    job = response.json()
    assert job["status"] == "pending" and job["totals"] == {}
    assert not Organization.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()  # the task, run in-process without a broker
    done = api.get(f"{IMPORTS}{job['id']}/").json()
    assert done["status"] == "succeeded", done
    assert done["totals"]["new"] == 12 and done["progress"] == 100
    assert Organization.objects.count() == 12


def test_running_a_finished_job_again_changes_nothing(api):
    job = imported(
        api, "organizations", csv_file([["name", "kind", "country"], ["M", "外国政府機関", "GH"]])
    )
    assert import_job_run(job_id=job["id"]).status == ImportStatus.SUCCEEDED
    assert Organization.objects.count() == 1
    assert ImportJob.objects.get().totals["new"] == 1
