from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.models import Organization
from core.api.representation import brief_reader
from core.api.serializers import BriefRelatedField, RecordSerializer, _as_field_errors
from core.i18n import localized
from core.prefetch import related
from missions.models import Meeting, Mission
from missions.services import mission_check_delegation, mission_check_meeting_dates

MEETING_FIELDS = [
    "id",
    "url",
    "mission",
    "date",
    "principal",
    "principal_rank",
    "counterpart_country",
    "venue_city",
    "venue_country",
    "counterparts",
    "counterpart_posts",
    "counterpart_organizations",
    "topics",
    "projects",
    "outcome",
    "tags",
    "classification",
    "access_users",
    "access_groups",
    "created_at",
    "updated_at",
]


class CounterpartPostSerializer(serializers.Serializer):
    """Who a counterpart was on the meeting's date."""

    person = BriefRelatedField(read_only=True)
    title = serializers.CharField(allow_null=True)
    organization = BriefRelatedField(read_only=True, allow_null=True)


class MeetingSerializer(RecordSerializer):
    counterpart_posts = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = MEETING_FIELDS
        # Left out or null: the mission's leader, at the leader's rank (fill_principal).
        extra_kwargs = {"principal": {"allow_null": True}}

    def validate(self, attrs):
        if "principal" in attrs and "principal_rank" not in attrs:
            # Another official (or null: the mission's leader again) without a rank: not
            # the rank of the one named before. The leader's is filled in; another's is
            # asked for (Meeting.clean).
            attrs["principal_rank"] = ""
        return super().validate(attrs)

    @staticmethod
    def _posts(meeting):
        for person in related(meeting, "counterparts"):
            post = person.post_on(meeting.date)
            yield {
                "person": person,
                "title": localized(post.title, post.title_ja) if post else None,
                "organization": post.organization if post else None,
            }

    @extend_schema_field(CounterpartPostSerializer(many=True))
    def get_counterpart_posts(self, meeting):
        # Reads the prefetched posts (MeetingViewSet.queryset): no query per row. What
        # CounterpartPostSerializer prints, without building a serializer per row.
        brief = self.__dict__.get("_brief")
        if brief is None:
            brief = self._brief = brief_reader(self.context.get("request"))
        return [
            {
                "person": brief(post["person"]),
                "title": post["title"],
                "organization": brief(post["organization"]) if post["organization"] else None,
            }
            for post in self._posts(meeting)
        ]


class MissionMeetingSerializer(MeetingSerializer):
    """A meeting written inside its mission: the mission checks its date and fills its
    principal (MissionCreateSerializer.validate)."""

    clean_exclude = ("mission", "principal", "principal_rank")

    class Meta(MeetingSerializer.Meta):
        fields = [name for name in MEETING_FIELDS if name != "mission"]


MISSION_FIELDS = [
    "id",
    "url",
    "title",
    "title_ja",
    "leader",
    "leader_rank",
    "kind",
    "start_date",
    "end_date",
    "status",
    "purpose",
    "summary",
    "delegation",
    "sectors",
    "meetings",
    "tags",
    "classification",
    "access_users",
    "access_groups",
    "created_at",
    "updated_at",
]


class MissionSerializer(RecordSerializer):
    meetings = BriefRelatedField(many=True, read_only=True)

    class Meta:
        model = Mission
        fields = MISSION_FIELDS
        # Any organisation is found, so that one that is not Japanese is refused as such
        # (validate_delegation), not as a record that does not exist.
        extra_kwargs = {"delegation": {"queryset": Organization.objects.all()}}

    def validate_delegation(self, organizations):
        try:
            mission_check_delegation(organizations)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["delegation"]) from error
        return organizations

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None:
            try:
                mission_check_meeting_dates(mission=self.instance)
            except DjangoValidationError as error:
                raise serializers.ValidationError(_as_field_errors(error)) from error
        return attrs


class MissionCreateSerializer(MissionSerializer):
    """A new mission with its meetings, saved all together or not at all."""

    meetings = MissionMeetingSerializer(many=True, required=False)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        mission = Mission(**self._own_fields(attrs))
        meeting_writer = MissionMeetingSerializer()
        # Keyed by position, as DRF reports the errors of a nested list.
        errors = {}
        for index, meeting_attrs in enumerate(attrs.get("meetings", [])):
            meeting = Meeting(mission=mission, **meeting_writer._own_fields(meeting_attrs))
            try:
                meeting.clean()
            except DjangoValidationError as error:
                errors[str(index)] = _as_field_errors(error)
        if errors:
            raise serializers.ValidationError({"meetings": errors})
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        meetings = validated_data.pop("meetings", [])
        mission = super().create(validated_data)
        writer = MissionMeetingSerializer(context=self.context)
        for meeting_data in meetings:
            writer._write(Meeting(mission=mission), meeting_data)
        return mission
