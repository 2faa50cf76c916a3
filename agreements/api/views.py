from django.db.models import Prefetch
from rest_framework.parsers import MultiPartParser

from agreements.api.serializers import AgreementDocumentSerializer, AgreementSerializer
from agreements.filters import AgreementDocumentFilterSet, AgreementFilterSet
from agreements.models import Agreement, AgreementDocument
from contacts.models import Organization
from core.api.export import Column, columns
from core.api.serializers import BRIEF_COLUMNS, CLASSIFIED_BRIEF_COLUMNS
from core.api.views import RecordViewSet
from projects.models import Project


class AgreementViewSet(RecordViewSet):
    """Bilateral agreements (MoCs and others). Saving one that supersedes an earlier
    agreement marks the earlier one superseded."""

    queryset = (
        Agreement.objects.select_related(
            "japanese_signatory",
            "signed_by",
            "signed_at_meeting",
            "supersedes",
            "superseded_by",
        )
        # The records it points to are printed brief: only the columns of their names.
        .only(
            *(field.name for field in Agreement._meta.concrete_fields),
            *(
                f"{named}__{column}"
                for named in ("japanese_signatory", "signed_by")
                for column in BRIEF_COLUMNS
            ),
            "signed_at_meeting__date",
            "signed_at_meeting__counterpart_country",
            "signed_at_meeting__classification",
            *(
                f"{other}__{column}"
                for other in ("supersedes", "superseded_by")
                for column in ("id", "title", "title_ja", "classification")
            ),
        )
        .prefetch_related(
            # Only what the briefs print: a page of 1,000 agreements loads thousands.
            Prefetch(
                "counterpart_organizations", queryset=Organization.objects.only(*BRIEF_COLUMNS)
            ),
            "sectors",
            Prefetch("projects", queryset=Project.objects.only(*CLASSIFIED_BRIEF_COLUMNS)),
            Prefetch(
                "documents",
                queryset=AgreementDocument.objects.only("agreement_id", "description", "file"),
            ),
            "tags",
        )
    )
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet
    export_columns = columns(
        Agreement,
        "title",
        "title_ja",
        "kind",
        "status",
        "counterpart_country",
        "counterpart_organizations",
        "target_countries",
        "japanese_signatory",
        "signed_by",
        "sectors",
        "signed_on",
        "effective_on",
        "expires_on",
        "renewal",
        "signed_at_meeting",
        "supersedes",
        "projects",
        "scope",
        "tags",
    )


class AgreementDocumentViewSet(RecordViewSet):
    """Files of agreements: upload as multipart/form-data, download through
    `download_url` (signed-in users allowed to view agreements only)."""

    queryset = AgreementDocument.objects.select_related("agreement")
    serializer_class = AgreementDocumentSerializer
    filterset_class = AgreementDocumentFilterSet
    # A file is uploaded with its fields: multipart only, for a write of the file or not,
    # so that a client generated from the schema has one way to send a document.
    parser_classes = (MultiPartParser,)
    export_columns = [
        *columns(AgreementDocument, "agreement", "language", "description"),
        Column(
            AgreementDocument._meta.get_field("file").verbose_name,
            "file",
            transform=lambda name: name.rsplit("/", 1)[-1],
        ),
        *columns(AgreementDocument, "created_at"),
    ]
