"""Agreement files go only to signed-in users allowed to view agreements, as downloads
typed by their content, from an address nobody can guess."""

import re

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from tests import factories
from tests.agreements.test_validators import ACCEPTED

pytestmark = pytest.mark.django_db


def download_url(document):
    return reverse("agreements:document-download", args=[document.pk])


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED)
def test_a_viewer_downloads_the_file_typed_by_its_content(
    analyst_client, name, content, content_type
):
    document = factories.AgreementDocumentFactory(file=ContentFile(content, name=name))
    response = analyst_client.get(download_url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == content


def test_the_download_keeps_a_japanese_file_name(analyst_client):
    document = factories.AgreementDocumentFactory(
        file=ContentFile(factories.MINIMAL_PDF, name="協力覚書.pdf")
    )
    response = analyst_client.get(download_url(document))
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%8D%94%E5%8A%9B%E8%A6%9A%E6%9B%B8.pdf"
    )


def test_a_file_stored_before_the_checks_is_never_served_as_a_page(analyst_client):
    document = factories.AgreementDocumentFactory()
    # Written straight to storage, as before content checks: an HTML page named .html.
    name = document.file.storage.save(
        f"agreements/{document.agreement_id}/old/page.html", ContentFile(b"<script>x</script>")
    )
    type(document).objects.filter(pk=document.pk).update(file=name)
    response = analyst_client.get(download_url(document))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    document = factories.AgreementDocumentFactory()
    response = client.get(download_url(document))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_a_user_without_view_permission_is_refused(client, django_user_model):
    document = factories.AgreementDocumentFactory()
    client.force_login(django_user_model.objects.create_user("no-role", password="unused-x"))
    assert client.get(download_url(document)).status_code == 403


def test_a_missing_file_is_not_found(analyst_client):
    document = factories.AgreementDocumentFactory()
    document.file.storage.delete(document.file.name)
    assert analyst_client.get(download_url(document)).status_code == 404


def test_files_are_stored_under_a_random_folder_and_never_served_by_url(client, administrator_user):
    first = factories.AgreementDocumentFactory(file=ContentFile(b"%PDF-1.4 a", name="moc.pdf"))
    second = factories.AgreementDocumentFactory(
        agreement=first.agreement, file=ContentFile(b"%PDF-1.4 b", name="moc.pdf")
    )
    pattern = rf"agreements/{first.agreement_id}/[0-9a-f]{{32}}/moc\.pdf"
    assert re.fullmatch(pattern, first.file.name)
    assert re.fullmatch(pattern, second.file.name)
    assert first.file.name != second.file.name

    client.force_login(administrator_user)
    assert client.get(f"{settings.MEDIA_URL}{first.file.name}").status_code == 404
