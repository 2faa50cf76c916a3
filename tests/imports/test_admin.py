"""The admin's import page of a kind: upload, preview (every error by row, or what will
change), confirm. Data entry and Administrator only."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Organization
from imports.choices import ImportStatus
from imports.models import ImportJob
from tests.imports.helpers import xlsx_bytes

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:contacts_organization_import"
ROWS = [["名称（英語）", "種別", "国"], ["Ministry of Transport", "外国政府機関", "チュニジア"]]


def upload(client, rows, name="bureau.xlsx"):
    return client.post(
        reverse(IMPORT_URL),
        {"format": 0, "import_file": SimpleUploadedFile(name, xlsx_bytes(rows))},
    )


def test_upload_preview_confirm(data_entry_client, data_entry_user):
    page = data_entry_client.get(reverse("admin:contacts_organization_changelist"))
    assert reverse(IMPORT_URL).encode() in page.content
    page = data_entry_client.get(reverse(IMPORT_URL))
    assert page.status_code == 200
    assert b"/api/v1/imports/templates/organizations/" in page.content

    preview = upload(data_entry_client, ROWS)
    assert preview.status_code == 200
    assert not Organization.objects.exists()  # a preview saves nothing
    confirm_form = preview.context["confirm_form"]
    assert confirm_form is not None
    assert preview.context["result"].import_report.totals["new"] == 1

    done = data_entry_client.post(
        reverse("admin:contacts_organization_process_import"),
        {name: field.initial for name, field in confirm_form.fields.items()}
        | dict(confirm_form.initial),
    )
    assert done.status_code == 302
    organisation = Organization.objects.get()
    assert organisation.country.code == "TN"
    version = organisation.history.get()
    assert version.history_change_reason == "Import: bureau.xlsx"
    assert version.history_user == data_entry_user


def test_the_preview_lists_every_error_and_offers_no_confirmation(data_entry_client):
    rows = [*ROWS, ["Ministry 2", "nonsense", "TN"], ["Ministry 3", "外国政府機関", "Atlantis"]]
    preview = upload(data_entry_client, rows)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None
    content = preview.content.decode()
    assert "nonsense" in content and "Atlantis" in content
    assert [e["row"] for e in preview.context["result"].import_report.errors] == [3, 4]
    assert not Organization.objects.exists()


def test_a_file_refused_as_a_whole_says_why(data_entry_client):
    preview = upload(data_entry_client, [["名称（英語）"], ["Ministry"]])
    assert preview.status_code == 200
    assert preview.context["form"].errors["import_file"]


def test_analysts_have_no_import_page(analyst_client):
    assert analyst_client.get(reverse(IMPORT_URL)).status_code == 403
    page = analyst_client.get(reverse("admin:contacts_organization_changelist"))
    assert reverse(IMPORT_URL).encode() not in page.content


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(
        reverse("admin:contacts_organization_process_import"),
        {name: field.initial for name, field in form.fields.items()} | dict(form.initial),
    )


def test_a_big_file_is_previewed_then_imported_by_background_jobs_and_their_pages(
    data_entry_client, data_entry_user, settings, django_capture_on_commit_callbacks
):
    """Upload → preview → confirm of a file over the background threshold: the preview
    is a background dry run (not run in the request), whose page shows its progress,
    then what it would do, and offers the import; the import is a background job too."""
    settings.IMPORT_SYNC_MAX_ROWS = 5
    rows = [ROWS[0]] + [[f"Ministry {n}", "外国政府機関", "GH"] for n in range(12)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        uploaded = upload(data_entry_client, rows, name="ministries.xlsx")
    preview = ImportJob.objects.get()
    assert uploaded.status_code == 302
    assert uploaded.url == reverse("admin:imports_importjob_change", args=[preview.pk])
    assert (preview.user, preview.resource, preview.file_name, preview.dry_run) == (
        data_entry_user,
        "organizations",
        "ministries.xlsx",
        True,
    )
    assert preview.status == ImportStatus.PENDING  # nothing checked within the request
    # Waiting: the page says so, reloads itself, and offers no import yet.
    page = data_entry_client.get(uploaded.url)
    assert page.status_code == 200
    assert b'http-equiv="refresh"' in page.content
    assert b'data-testid="refreshing"' in page.content
    assert b'data-testid="confirm-import"' not in page.content
    # Running: the progress the job writes to the cache, not the one stored.
    ImportJob.objects.filter(pk=preview.pk).update(status=ImportStatus.RUNNING)
    cache.set(f"imports:progress:{preview.pk}", 42)
    try:
        page = data_entry_client.get(uploaded.url)
        assert '<span data-testid="import-progress">42%</span>' in page.content.decode()
    finally:
        cache.delete(f"imports:progress:{preview.pk}")
    ImportJob.objects.filter(pk=preview.pk).update(status=ImportStatus.PENDING)

    assert len(callbacks) == 1
    callbacks[0]()  # the task, run in-process without a broker
    preview.refresh_from_db()
    assert preview.status == ImportStatus.SUCCEEDED and preview.totals["new"] == 12
    assert not Organization.objects.exists()  # a preview saves nothing
    page = data_entry_client.get(uploaded.url)
    content = page.content.decode()
    assert b'http-equiv="refresh"' not in page.content
    assert "<td>12</td>" in content  # what it would do, as a table
    confirm_url = reverse("admin:imports_importjob_confirm", args=[preview.pk])
    assert 'data-testid="confirm-import"' in content and confirm_url in content

    assert data_entry_client.get(confirm_url).status_code == 405
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = data_entry_client.post(confirm_url)
    job = ImportJob.objects.exclude(pk=preview.pk).get()
    assert done.status_code == 302
    assert done.url == reverse("admin:imports_importjob_change", args=[job.pk])
    assert (job.file_name, job.dry_run, job.status) == (
        "ministries.xlsx",
        False,
        ImportStatus.PENDING,
    )
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED and job.totals["new"] == 12
    assert Organization.objects.count() == 12
    assert Organization.objects.first().history.get().history_change_reason == (
        "Import: ministries.xlsx"
    )
    page = data_entry_client.get(done.url)
    content = page.content.decode()
    assert '<span data-testid="import-progress">100%</span>' in content
    assert 'data-testid="confirm-import"' not in content  # a real import is not confirmed


def test_a_background_preview_with_errors_offers_no_import(
    data_entry_client, settings, django_capture_on_commit_callbacks, administrator_user, client
):
    settings.IMPORT_SYNC_MAX_ROWS = 5
    rows = [ROWS[0]] + [[f"Ministry {n}", "外国政府機関", "GH"] for n in range(12)]
    rows[4][2] = "Atlantis"
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = upload(data_entry_client, rows)
    preview = ImportJob.objects.get()
    assert preview.status == ImportStatus.FAILED
    page = data_entry_client.get(uploaded.url)
    assert "Atlantis" in page.content.decode()
    assert b'data-testid="confirm-import"' not in page.content
    confirm_url = reverse("admin:imports_importjob_confirm", args=[preview.pk])
    assert data_entry_client.post(confirm_url).status_code == 403
    # Nor may someone else confirm another's preview.
    ImportJob.objects.filter(pk=preview.pk).update(status=ImportStatus.SUCCEEDED)
    client.force_login(administrator_user)
    assert client.post(confirm_url).status_code == 403
    assert ImportJob.objects.count() == 1 and not Organization.objects.exists()


def test_a_big_file_confirmed_from_a_preview_in_the_request_still_goes_to_the_background(
    data_entry_client, settings, django_capture_on_commit_callbacks
):
    # A preview shown in the request (under the threshold then), confirmed once it is over.
    rows = [ROWS[0]] + [[f"Ministry {n}", "外国政府機関", "GH"] for n in range(12)]
    preview = upload(data_entry_client, rows, name="ministries.xlsx")
    assert preview.context["result"].import_report.totals["new"] == 12
    settings.IMPORT_SYNC_MAX_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        done = confirm(data_entry_client, preview)
    job = ImportJob.objects.get()
    assert done.url == reverse("admin:imports_importjob_change", args=[job.pk])
    assert job.status == ImportStatus.SUCCEEDED and not job.dry_run
    assert Organization.objects.count() == 12


def test_a_small_file_is_still_imported_at_once(data_entry_client, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 5
    done = confirm(data_entry_client, upload(data_entry_client, ROWS))
    assert done.url == reverse("admin:contacts_organization_changelist")
    assert Organization.objects.count() == 1
    assert not ImportJob.objects.exists()


def test_a_failed_job_page_shows_its_errors_as_a_table_in_the_readers_language(
    client, data_entry_user, administrator_user
):
    job = ImportJob.objects.create(
        user=data_entry_user,
        resource="organizations",
        file_name="ministries.xlsx",
        language="ja",
        status=ImportStatus.FAILED,
        progress=100,
        totals={"new": 0, "updated": 0, "unchanged": 3, "errors": 1},
        errors=[
            {"row": 7, "field": "国", "value": "Atlantis", "message": "国が読めません。"},
        ],
    )
    url = reverse("admin:imports_importjob_change", args=[job.pk])
    client.force_login(data_entry_user)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
    assert page.status_code == 200
    content = page.content.decode()
    assert "<tr><td>7</td><td>国</td><td>Atlantis</td><td>国が読めません。</td></tr>" in content
    assert "<th>行</th>" in content  # the table's headings in the reader's language
    assert "[{" not in content  # not the stored JSON
    assert b'http-equiv="refresh"' not in page.content
    # Each user sees their own jobs; an administrator sees everyone's.
    client.force_login(administrator_user)
    assert client.get(url).status_code == 200
    other = ImportJob.objects.create(
        user=administrator_user, resource="organizations", file_name="x.csv"
    )
    client.force_login(data_entry_user)
    listing = client.get(reverse("admin:imports_importjob_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [job]
    assert client.get(reverse("admin:imports_importjob_change", args=[other.pk])).status_code in (
        302,
        403,
    )
