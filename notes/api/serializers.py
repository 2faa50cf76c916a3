from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import RecordSerializer
from followups.api.serializers import FollowUpTargetSerializer, UserBriefField
from notes.choices import TARGET_TYPES
from notes.models import Note


class NoteTargetSerializer(FollowUpTargetSerializer):
    """The record a note is on. Written as `{type, id}`, read as a brief
    `{type, id, url, display}`."""

    target_types = TARGET_TYPES
    type = serializers.ChoiceField(choices=sorted(TARGET_TYPES))


@extend_schema_field(
    {
        "type": "string",
        "format": "uri",
        "nullable": True,
        "readOnly": True,
        "description": "Where the attachment is downloaded (null: none), with the same "
        "credentials as the API (`Authorization: Token <key>`, or a browser's session), "
        "by users who may read the note.",
    }
)
class AttachmentURLField(serializers.Field):
    """The permission-checked download of the attachment, never MEDIA_URL."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, note):
        if not note.attachment:
            return None
        path = reverse("notes:attachment-download", args=[note.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class NoteSerializer(RecordSerializer):
    """A dated note on a mission, meeting, agreement, project, organisation or person.
    Its author and time are set by the server. Sent as JSON, or as multipart/form-data
    with an `attachment` (then the target as `target.type` and `target.id`)."""

    target = NoteTargetSerializer()
    author = UserBriefField(read_only=True, allow_null=True)
    attachment_name = serializers.SerializerMethodField()
    download_url = AttachmentURLField()

    class Meta:
        model = Note
        fields = [
            "id",
            "url",
            "target",
            "author",
            "text",
            "attachment",
            "attachment_name",
            "download_url",
            "classification",
            "access_users",
            "access_groups",
            "created_at",
            "updated_at",
        ]
        # The stored path would point at MEDIA_URL, which is never served.
        extra_kwargs = {"attachment": {"write_only": True, "required": False}}

    def get_attachment_name(self, note) -> str:
        return note.attachment.name.rsplit("/", 1)[-1] if note.attachment else ""

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except serializers.ValidationError as error:
            # The model speaks of content_type and object_id; the API of `target`.
            detail = error.detail
            if isinstance(detail, dict):
                moved = [*detail.pop("content_type", []), *detail.pop("object_id", [])]
                if moved:
                    detail["target"] = [*detail.get("target", []), *moved]
            raise


class NoteJSONRequestSerializer(NoteSerializer):
    """What the schema declares a note's writes take: JSON, without the file. (A file is
    sent as multipart/form-data, which the API takes too; declaring both forms with one
    schema would give generated clients a body they cannot build, and a nested
    `target` has no multipart form in OpenAPI.)"""

    class Meta(NoteSerializer.Meta):
        fields = [name for name in NoteSerializer.Meta.fields if name != "attachment"]
