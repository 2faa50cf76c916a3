from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.models import Agreement, AgreementDocument
from agreements.services import agreement_save
from contacts.models import Organization
from core.api.serializers import BriefRelatedField, RecordSerializer

AGREEMENT_FIELDS = [
    "id",
    "url",
    "title",
    "title_ja",
    "kind",
    "japanese_signatory",
    "signed_by",
    "counterpart_country",
    "counterpart_organizations",
    "target_countries",
    "sectors",
    "scope",
    "status",
    "signed_on",
    "effective_on",
    "expires_on",
    "renewal",
    "signed_at_meeting",
    "supersedes",
    "superseded_by",
    "projects",
    "documents",
    "tags",
    "classification",
    "access_users",
    "access_groups",
    "created_at",
    "updated_at",
]


class AgreementSerializer(RecordSerializer):
    """An agreement; Japan's signatory is MLIT unless another organisation is given."""

    superseded_by = BriefRelatedField(read_only=True, allow_null=True)
    documents = BriefRelatedField(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = AGREEMENT_FIELDS
        extra_kwargs = {
            "japanese_signatory": {
                "required": False,
                "help_text": _("MLIT when not given."),
            },
        }

    def validate(self, attrs):
        if self.instance is None and attrs.get("japanese_signatory") is None:
            attrs["japanese_signatory"] = self._mlit()
        return super().validate(attrs)

    @staticmethod
    def _mlit():
        mlit = (
            Organization.objects.filter(name=settings.MLIT_ORGANIZATION_NAME).order_by("pk").first()
        )
        if mlit is None:
            raise serializers.ValidationError(
                {
                    "japanese_signatory": [
                        _(
                            "There is no organisation named “%(name)s” to sign for Japan by "
                            "default; give the Japanese signatory."
                        )
                        % {"name": settings.MLIT_ORGANIZATION_NAME}
                    ]
                }
            )
        return mlit

    def save_instance(self, instance):
        # A superseding agreement also marks the earlier one superseded.
        return agreement_save(agreement=instance)


@extend_schema_field(
    {
        "type": "string",
        "format": "uri",
        "readOnly": True,
        "description": "Where the file is downloaded, with the same credentials as the "
        "API (`Authorization: Token <key>`, or a browser's session), by users allowed to "
        "view agreements.",
    }
)
class DownloadURLField(serializers.Field):
    """Where a user with the right to view agreements downloads the file, by session or
    API token: the permission-checked view, never MEDIA_URL."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, document):
        path = reverse("agreements:document-download", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AgreementDocumentSerializer(RecordSerializer):
    """A file of an agreement, uploaded as multipart/form-data."""

    file_name = serializers.SerializerMethodField()
    download_url = DownloadURLField()

    class Meta:
        model = AgreementDocument
        fields = [
            "id",
            "url",
            "agreement",
            "file",
            "file_name",
            "download_url",
            "language",
            "description",
            "created_at",
            "updated_at",
        ]
        # The stored path would point at MEDIA_URL, which is never served.
        extra_kwargs = {"file": {"write_only": True}}

    def get_fields(self):
        fields = super().get_fields()
        # A change of description or language need not upload the file again.
        fields["file"].required = self.instance is None
        return fields

    def get_file_name(self, document) -> str:
        return document.file.name.rsplit("/", 1)[-1]
