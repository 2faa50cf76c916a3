"""Agreement files go only to signed-in users allowed to view agreements, as downloads
typed by their content, from an address nobody can guess."""

import re

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

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


# -- with an API token, as another tool follows the API's download_url --------------------


def _token_for(user, **extra):
    from accounts.models import APIToken

    token = APIToken(name="integration", user=user, **extra)
    key = token.issue_key()
    token.save()
    return key


def test_an_api_token_follows_download_url(client, analyst_user):
    """The URL the API gives is fetched with the token that read it (a read-only one), not
    redirected to the login page."""
    document = factories.AgreementDocumentFactory(
        file=ContentFile(factories.MINIMAL_PDF, name="moc.pdf")
    )
    auth = {"HTTP_AUTHORIZATION": f"Token {_token_for(analyst_user)}"}
    record = client.get(f"/api/v1/agreement-documents/{document.pk}/", **auth).json()
    response = client.get(record["download_url"], **auth)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == factories.MINIMAL_PDF
    # The token authenticated this request only: no session was opened by it.
    assert client.get(download_url(document)).status_code == 302


def test_a_token_is_refused_as_the_api_refuses_it(client, django_user_model, analyst_user):
    document = factories.AgreementDocumentFactory()
    no_role = django_user_model.objects.create_user("no-role", password="unused-x")
    for key, status in (
        ("not-a-token", 401),
        (_token_for(analyst_user, revoked_at=timezone.now()), 401),
        (_token_for(no_role), 403),  # the same permission as a browser's: view agreements
    ):
        response = client.get(download_url(document), HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == status, (key, response.content)
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]
    assert (
        client.get(download_url(document), HTTP_AUTHORIZATION="Token x").get("WWW-Authenticate")
        == "Token"
    )
    document.file.storage.delete(document.file.name)
    response = client.get(
        download_url(document), HTTP_AUTHORIZATION=f"Token {_token_for(analyst_user)}"
    )
    assert response.status_code == 404
    assert response.json()["detail"]
