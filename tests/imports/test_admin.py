"""The admin's import page of a kind: upload, preview (every error by row, or what will
change), confirm. Data entry and Administrator only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Organization
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
