"""What an agreement document may be: a PDF, an Office Open XML document (Word, Excel,
PowerPoint) or a PNG or JPEG image, recognised by its content, named accordingly, and
no larger than AGREEMENT_DOCUMENT_MAX_BYTES. A file's name and the browser's content
type are the uploader's to choose, so neither is trusted.

The same rules hold for every file the records take (a note's attachment too):
check_document() is the rule, each field names the file in its own message."""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DocumentType:
    label: str
    extensions: tuple[str, ...]
    content_type: str


PDF = DocumentType("PDF", (".pdf",), "application/pdf")
PNG = DocumentType("PNG", (".png",), "image/png")
JPEG = DocumentType("JPEG", (".jpg", ".jpeg"), "image/jpeg")
DOCX = DocumentType(
    "Word",
    (".docx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = DocumentType(
    "Excel", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
PPTX = DocumentType(
    "PowerPoint",
    (".pptx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)

SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
ZIP_SIGNATURE = b"PK\x03\x04"
# An Office Open XML file is a ZIP archive holding a content-types list and the part
# that makes it a document, a workbook or a presentation.
OOXML_PARTS = (
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
)
# For a file input's `accept`: a hint to the browser's file picker, not a check.
ACCEPTED_EXTENSIONS = ",".join(
    extension
    for document_type in (PDF, DOCX, XLSX, PPTX, PNG, JPEG)
    for extension in document_type.extensions
)


def detect_document_type(file):
    """The DocumentType `file`'s content is, or None. Reads the first bytes and, for a
    ZIP archive, its list of members only: nothing is decompressed."""
    position = file.tell()
    try:
        file.seek(0)
        head = file.read(8)
        for signature, document_type in SIGNATURES:
            if head.startswith(signature):
                return document_type
        if not head.startswith(ZIP_SIGNATURE):
            return None
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                members = set(archive.namelist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
            return None
        if "[Content_Types].xml" not in members:
            return None
        for part, document_type in OOXML_PARTS:
            if part in members:
                return document_type
        return None
    finally:
        file.seek(position)


def validate_agreement_document(value):
    """Refuses a new file that is too large, of a type not accepted, or named as another
    type. A file already stored was checked when it arrived and is not read again."""
    check_document(
        value,
        too_large=_("The file is %(size)s; an agreement document may be at most %(limit)s."),
    )


def validate_attachment(value):
    """A note's attachment: the rules of an agreement document (check_document)."""
    check_document(
        value, too_large=_("The file is %(size)s; an attachment may be at most %(limit)s.")
    )


def check_document(value, *, too_large):
    """The rules of every stored file: at most AGREEMENT_DOCUMENT_MAX_BYTES (`too_large`
    says so, with %(size)s and %(limit)s), a type accepted by its content, named as
    that type. A file already stored was checked when it arrived and is not read again."""
    if getattr(value, "_committed", False):
        return
    limit = settings.AGREEMENT_DOCUMENT_MAX_BYTES
    if value.size > limit:
        raise ValidationError(
            too_large,
            code="document_too_large",
            params={"size": filesizeformat(value.size), "limit": filesizeformat(limit)},
        )
    document_type = detect_document_type(getattr(value, "file", None) or value)
    if document_type is None:
        raise ValidationError(
            _(
                "This file is not a PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), "
                "PNG or JPEG file. Only those are accepted, and the content is checked, "
                "not only the name."
            ),
            code="document_type",
        )
    extension = PurePath(value.name or "").suffix.lower()
    if extension not in document_type.extensions:
        raise ValidationError(
            _(
                "By its content this is a %(type)s file, so its name must end in "
                "%(expected)s, not “%(extension)s”."
            ),
            code="document_extension",
            params={
                "type": document_type.label,
                "expected": " / ".join(document_type.extensions),
                "extension": extension,
            },
        )
