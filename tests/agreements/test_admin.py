import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.choices import AgreementKind, AgreementStatus
from agreements.models import Agreement, AgreementDocument
from tests import factories
from tests.admin_pages import FOLLOW_UPS, NOTES, no_rows

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def agreement_form(signatory, **overrides):
    return {
        "title": "MoC on road PPP",
        "title_ja": "道路PPPに関する協力覚書",
        "kind": AgreementKind.MOC,
        "status": AgreementStatus.SIGNED,
        "scope": "",
        "japanese_signatory": signatory.pk,
        "counterpart_country": "GH",
        "signed_on": "2019-08-29",
        "renewal": "none",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
        **no_rows(FOLLOW_UPS),
        **no_rows(NOTES),
        **overrides,
    }


@pytest.mark.django_db
def test_agreement_with_an_uploaded_document(data_entry_client, analyst_user, client):
    signatory = factories.OrganizationFactory(kind="japanese_government", country="JP")
    data = agreement_form(
        signatory,
        **{
            "documents-TOTAL_FORMS": "1",
            "documents-0-file": SimpleUploadedFile("moc.pdf", PDF, "application/pdf"),
            "documents-0-language": "en",
            "documents-0-description": "Signed text",
        },
    )
    response = data_entry_client.post(reverse("admin:agreements_agreement_add"), data)
    assert response.status_code == 302
    document = AgreementDocument.objects.get()
    assert document.agreement.title == "MoC on road PPP"

    download = reverse("agreements:document-download", args=[document.pk])
    response = data_entry_client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF

    # Files are never public.
    client.logout()
    assert client.get(download).status_code == 302


@pytest.mark.django_db
def test_a_user_without_view_permission_gets_no_file(client, django_user_model):
    document = factories.AgreementDocumentFactory()
    stranger = django_user_model.objects.create_user(username="stranger", password="x-unused-x")
    client.force_login(stranger)
    assert (
        client.get(reverse("agreements:document-download", args=[document.pk])).status_code == 403
    )


@pytest.mark.django_db
def test_new_agreement_defaults_to_mlit_as_signatory(data_entry_client, settings):
    mlit = factories.OrganizationFactory(
        name=settings.MLIT_ORGANIZATION_NAME, kind="japanese_government", country="JP"
    )
    response = data_entry_client.get(reverse("admin:agreements_agreement_add"))
    assert response.context["adminform"].form.initial["japanese_signatory"] == mlit.pk


@pytest.mark.django_db
def test_superseding_in_the_admin_marks_the_earlier_agreement(data_entry_client):
    earlier = factories.AgreementFactory(
        counterpart_country="GH", status=AgreementStatus.IN_FORCE, signed_on="2015-01-10"
    )
    data = agreement_form(earlier.japanese_signatory, supersedes=earlier.pk)
    response = data_entry_client.post(reverse("admin:agreements_agreement_add"), data)
    assert response.status_code == 302
    earlier.refresh_from_db()
    assert earlier.status == AgreementStatus.SUPERSEDED
    assert Agreement.objects.get(supersedes=earlier).title == "MoC on road PPP"


@pytest.mark.django_db
def test_signed_without_a_date_is_refused_beside_the_field(data_entry_client):
    signatory = factories.OrganizationFactory(kind="japanese_government", country="JP")
    response = data_entry_client.post(
        reverse("admin:agreements_agreement_add"), agreement_form(signatory, signed_on="")
    )
    assert response.status_code == 200
    assert Agreement.objects.count() == 0
    assert response.context["adminform"].form.errors
