"""Agreement documents are accepted only as PDF, Word, Excel, PowerPoint, PNG or JPEG,
recognised by their content, named accordingly and not too large; the model, the
admin and the API refuse the same files with the same message."""

import io
import struct
import zipfile
import zlib

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from agreements.models import AgreementDocument
from agreements.validators import detect_document_type
from tests import factories
from tests.admin_pages import FOLLOW_UPS, NOTES, no_rows
from tests.factories import MINIMAL_PDF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """A request activates its language for the rest of the thread; put it back."""
    with translation.override(translation.get_language()):
        yield


def ooxml(*parts):
    """A ZIP archive as Office writes one: a content-types list and the given parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        for part in parts:
            archive.writestr(part, '<?xml version="1.0"?><root/>')
    return buffer.getvalue()


def png():
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def xlsx():
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Order figures"
    workbook.save(buffer)
    return buffer.getvalue()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"

ACCEPTED = [
    ("moc.pdf", MINIMAL_PDF, "application/pdf"),
    ("SIGNED.PDF", MINIMAL_PDF, "application/pdf"),
    (
        "translation.docx",
        ooxml("word/document.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("figures.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (
        "briefing.pptx",
        ooxml("ppt/presentation.xml"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("signing.png", png(), "image/png"),
    ("signing.jpg", JPEG, "image/jpeg"),
    ("signing.jpeg", JPEG, "image/jpeg"),
]

NOT_ACCEPTED_TYPE = (
    "This file is not a PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG or JPEG "
    "file. Only those are accepted, and the content is checked, not only the name."
)
REFUSED = [
    ("notes.pdf", b"Minutes of the meeting, typed as plain text.\n", NOT_ACCEPTED_TYPE),
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, NOT_ACCEPTED_TYPE),
    ("archive.docx", ooxml("docs/readme.xml"), NOT_ACCEPTED_TYPE),
    ("plain.zip", ooxml("word/document.xml"), ".docx, not “.zip”"),
    ("broken.docx", b"PK\x03\x04 not really a zip", NOT_ACCEPTED_TYPE),
    ("page.html", b"<html><script>alert(1)</script></html>", NOT_ACCEPTED_TYPE),
    ("empty.pdf", b"", NOT_ACCEPTED_TYPE),
    ("moc.docx", MINIMAL_PDF, "By its content this is a PDF file"),
    ("photo.jpg", png(), "so its name must end in .png, not “.jpg”"),
    ("moc", MINIMAL_PDF, "its name must end in .pdf, not “”"),
]


def document(name, content, **kwargs):
    return AgreementDocument(
        agreement=kwargs.pop("agreement", None) or factories.AgreementFactory(),
        file=SimpleUploadedFile(name, content),
        language="en",
        **kwargs,
    )


def refusal(document):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            document.full_clean()
        return " ".join(refused.value.message_dict["file"])


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED)
def test_each_accepted_type_passes_full_clean_and_is_recognised(name, content, content_type):
    document(name, content).full_clean()
    assert detect_document_type(io.BytesIO(content)).content_type == content_type


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_a_file_is_judged_by_its_content_not_its_name(name, content, message):
    assert message in refusal(document(name, content))


def test_an_oversize_file_is_refused(settings):
    settings.AGREEMENT_DOCUMENT_MAX_BYTES = 1024
    message = refusal(document("big.pdf", MINIMAL_PDF + b"%" * 2048))
    assert "an agreement document may be at most 1.0\xa0KB" in message
    document("small.pdf", MINIMAL_PDF).full_clean()


def test_the_default_limit_is_twenty_megabytes(settings):
    assert settings.AGREEMENT_DOCUMENT_MAX_BYTES == 20 * 1024 * 1024


def test_a_stored_file_is_not_read_again_on_a_later_change():
    stored = factories.AgreementDocumentFactory()
    stored.file.storage.delete(stored.file.name)
    stored.description = "Annex"
    stored.full_clean()


def test_the_refusal_reads_in_japanese():
    with translation.override("ja"):
        with pytest.raises(ValidationError) as refused:
            document("notes.pdf", b"plain text").full_clean()
        assert "中身を確認" in refused.value.message_dict["file"][0]


# -- the same refusals in the admin and the API ----------------------------------------


def admin_form(agreement, upload):
    return {
        "title": agreement.title,
        "title_ja": "",
        "kind": agreement.kind,
        "status": agreement.status,
        "scope": "",
        "japanese_signatory": agreement.japanese_signatory_id,
        "counterpart_country": agreement.counterpart_country.code,
        "renewal": agreement.renewal,
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
        **no_rows(FOLLOW_UPS),
        **no_rows(NOTES),
        "documents-0-file": upload,
        "documents-0-language": "en",
        "documents-0-description": "",
    }


@pytest.mark.parametrize(("name", "content", "message"), REFUSED[:4])
def test_the_admin_refuses_the_same_files_beside_the_field(
    data_entry_client, name, content, message
):
    agreement = factories.AgreementFactory()
    response = data_entry_client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]),
        admin_form(agreement, SimpleUploadedFile(name, content)),
    )
    assert response.status_code == 200
    assert not AgreementDocument.objects.exists()
    errors = response.context["inline_admin_formsets"][0].formset.errors
    with translation.override("en"):
        assert message in " ".join(errors[0]["file"])


def test_the_admin_refuses_an_oversize_file(data_entry_client, settings):
    settings.AGREEMENT_DOCUMENT_MAX_BYTES = 1024
    agreement = factories.AgreementFactory()
    response = data_entry_client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]),
        admin_form(agreement, SimpleUploadedFile("big.pdf", MINIMAL_PDF + b"%" * 2048)),
    )
    assert response.status_code == 200
    assert not AgreementDocument.objects.exists()
    assert "協定文書は 1.0\xa0KB まで" in response.content.decode()


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED)
def test_the_admin_accepts_each_type(data_entry_client, name, content, content_type):
    agreement = factories.AgreementFactory()
    response = data_entry_client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]),
        admin_form(agreement, SimpleUploadedFile(name, content)),
    )
    assert response.status_code == 302
    assert AgreementDocument.objects.get().file.name.endswith("/" + name)


@pytest.mark.parametrize(("name", "content", "message"), REFUSED[:4])
def test_the_api_refuses_the_same_files(data_entry_user, name, content, message):
    api = APIClient()
    api.force_authenticate(data_entry_user)
    response = api.post(
        reverse("api:agreementdocument-list"),
        {
            "agreement": factories.AgreementFactory().pk,
            "file": SimpleUploadedFile(name, content),
            "language": "en",
        },
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["file"])
    assert not AgreementDocument.objects.exists()


def test_the_admin_file_picker_offers_the_accepted_types(data_entry_client):
    page = data_entry_client.get(reverse("admin:agreements_agreement_add")).content.decode()
    assert 'accept=".pdf,.docx,.xlsx,.pptx,.png,.jpg,.jpeg"' in page
