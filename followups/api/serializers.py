from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from core.api.filters import MAX_BIGINT
from core.api.schema import BRIEF_SCHEMA
from core.api.serializers import BriefRelatedField, RecordSerializer, api_detail_url
from core.classification import LinkedRecords
from followups.choices import TARGET_TYPES
from followups.models import FollowUp

# "missions.meeting" and the like: the type of record a follow-up is attached to.


def target_content_type(target_type: str, target_types=TARGET_TYPES) -> ContentType:
    # ContentType's manager caches: no query after the first.
    return ContentType.objects.get_by_natural_key(*target_types[target_type])


class FollowUpTargetSerializer(serializers.Serializer):
    """The record a follow-up is attached to. Written as `{type, id}`, read as a
    brief `{type, id, url, display}`. (A note's target is one too, of more types.)"""

    target_types = TARGET_TYPES
    type = serializers.ChoiceField(choices=sorted(TARGET_TYPES))
    # No record has an id beyond the database's integers: larger is a 400, not a query.
    id = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT)
    url = serializers.URLField(read_only=True, allow_null=True)
    display = serializers.CharField(read_only=True)

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        # A PATCH validates partially, which would let half a target through: a target
        # is given whole or not at all.
        missing = {
            name: [self.fields[name].error_messages["required"]]
            for name in ("type", "id")
            if name not in values
        }
        if missing:
            raise serializers.ValidationError(missing)
        content_type = target_content_type(values["type"], self.target_types)
        model = content_type.model_class()
        # A record the writer may not see is "no such record", as one that is not.
        request = self.context.get("request")
        if not LinkedRecords.of(request).visible_pks(model, {values["id"]}):
            raise serializers.ValidationError({"id": [_("There is no such record.")]})
        return {"content_type": content_type, "object_id": values["id"]}

    def to_representation(self, followup):
        # The target comes from prefetch_related("target"): no query per row. (A
        # follow-up's reader may read its record: LinkedRecords says so without a query
        # for one below level 3.)
        target = LinkedRecords.of(self.context.get("request")).shown(followup.target)
        if target is None:  # the record was deleted
            content_type = ContentType.objects.get_for_id(followup.content_type_id)
            return {
                "type": f"{content_type.app_label}.{content_type.model}",
                "id": followup.object_id,
                "url": None,
                "display": "",
            }
        return {
            "type": target._meta.label_lower,
            "id": target.pk,
            "url": api_detail_url(self.context.get("request"), type(target), target.pk),
            "display": str(target),
        }


class UserBriefField(BriefRelatedField):
    """A user by full name (or username when none is recorded), and the username."""

    def to_representation(self, user):
        return {
            "id": user.pk,
            "url": None,
            "display": user.get_full_name() or user.get_username(),
            "username": user.get_username(),
        }


class UserBriefFieldExtension(OpenApiSerializerFieldExtension):
    target_class = UserBriefField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {**build_basic_type(OpenApiTypes.INT), "description": "The user's id."}
        return {
            **BRIEF_SCHEMA,
            "properties": {
                **BRIEF_SCHEMA["properties"],
                "username": {"type": "string", "readOnly": True},
            },
            "required": [*BRIEF_SCHEMA["required"], "username"],
        }


class FollowUpSerializer(RecordSerializer):
    """A promise to keep, attached to a mission, meeting, agreement or project."""

    target = FollowUpTargetSerializer()
    assignee = UserBriefField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "url",
            "target",
            "title",
            "country",
            "description",
            "assignee",
            "due_on",
            "status",
            "done_on",
            "overdue",
            "classification",
            "access_users",
            "access_groups",
            "created_at",
            "updated_at",
        ]

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
