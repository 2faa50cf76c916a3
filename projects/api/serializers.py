from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from core.api.schema import BRIEF_SCHEMA
from core.api.serializers import BriefRelatedField, RecordSerializer
from projects.models import OrderFigure, Project, ProjectParticipant, WatchList, WatchListEntry

NON_FIELD_ERRORS_KEY = api_settings.NON_FIELD_ERRORS_KEY


class ProjectParticipationSerializer(RecordSerializer):
    """An organisation's role, written and shown inside its project."""

    clean_exclude = ("project",)

    class Meta:
        model = ProjectParticipant
        fields = ["organization", "role"]


@extend_schema_field(BRIEF_SCHEMA)
class EditionBriefField(BriefRelatedField):
    """A watch-list entry seen from its project: named by its edition
    ("Action Plan 2019"), since the project is the one being read."""

    def to_representation(self, value):
        return {**super().to_representation(value), "display": str(value.watch_list)}


PROJECT_FIELDS = [
    "id",
    "url",
    "name",
    "name_ja",
    "country",
    "other_countries",
    "sector",
    "stage",
    "status",
    "scheme",
    "description",
    "estimated_cost_jpy",
    "owner",
    "participants",
    "tender_due_on",
    "awarded_on",
    "awarded_to",
    "watch_list_entries",
    "tags",
    "classification",
    "access_users",
    "access_groups",
    "created_at",
    "updated_at",
]


class ProjectSerializer(RecordSerializer):
    # Participants are changed through /project-participants/ (or given when creating).
    participants = ProjectParticipationSerializer(
        source="participations", many=True, read_only=True
    )
    watch_list_entries = EditionBriefField(many=True, read_only=True)

    class Meta:
        model = Project
        fields = PROJECT_FIELDS


class ProjectCreateSerializer(ProjectSerializer):
    """A new project with its participants, saved all together or not at all."""

    participants = ProjectParticipationSerializer(
        source="participations", many=True, required=False
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        # The (project, organisation, role) rule cannot run before the project exists:
        # check the given pairs against each other here.
        unique = next(
            c for c in ProjectParticipant._meta.constraints if c.name == "participant_unique_role"
        )
        # Errors by position, as DRF gives them for the participants' own fields.
        errors, seen = {}, set()
        for position, participation in enumerate(attrs.get("participations", [])):
            key = (participation["organization"].pk, participation["role"])
            if key in seen:
                errors[str(position)] = {NON_FIELD_ERRORS_KEY: [unique.violation_error_message]}
            seen.add(key)
        if errors:
            raise serializers.ValidationError({"participants": errors})
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        participations = validated_data.pop("participations", [])
        project = super().create(validated_data)
        writer = ProjectParticipationSerializer(context=self.context)
        for position, participation_data in enumerate(participations):
            try:
                writer._write(ProjectParticipant(project=project), participation_data)
            except serializers.ValidationError as error:
                # Raised inside the atomic block: the project is not saved either.
                raise serializers.ValidationError(
                    {"participants": {str(position): error.detail}}
                ) from error
        return project


class ProjectParticipantSerializer(RecordSerializer):
    class Meta:
        model = ProjectParticipant
        fields = ["id", "url", "project", "organization", "role", "created_at", "updated_at"]


class WatchListSerializer(RecordSerializer):
    entry_count = serializers.IntegerField(read_only=True)
    entries = BriefRelatedField(many=True, read_only=True)

    class Meta:
        model = WatchList
        fields = [
            "id",
            "url",
            "name",
            "edition_year",
            "published_on",
            "previous",
            "entry_count",
            "entries",
            "created_at",
            "updated_at",
        ]


class WatchListEntrySerializer(RecordSerializer):
    class Meta:
        model = WatchListEntry
        fields = [
            "id",
            "url",
            "watch_list",
            "project",
            "region",
            "outcome_at_next_edition",
            "reason",
            "created_at",
            "updated_at",
        ]


class OrderFigureSerializer(RecordSerializer):
    class Meta:
        model = OrderFigure
        fields = ["id", "url", "year", "amount_jpy", "kind", "source", "created_at", "updated_at"]
