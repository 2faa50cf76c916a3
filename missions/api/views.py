from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from contacts.models import Person
from core.api.export import columns
from core.api.views import RecordViewSet
from missions.api.serializers import MeetingSerializer, MissionCreateSerializer, MissionSerializer
from missions.filters import MeetingFilterSet, MissionFilterSet
from missions.models import Meeting, Mission


@extend_schema_view(
    create=extend_schema(request=MissionCreateSerializer, responses=MissionSerializer)
)
class MissionViewSet(RecordViewSet):
    """Top-sales missions. Create one with its meetings in a single request."""

    queryset = Mission.objects.select_related("leader").prefetch_related(
        "delegation", "sectors", "meetings"
    )
    serializer_class = MissionSerializer
    filterset_class = MissionFilterSet
    export_columns = columns(
        Mission,
        "title",
        "title_ja",
        "leader",
        "leader_rank",
        "kind",
        "start_date",
        "end_date",
        "status",
        "sectors",
        "delegation",
        "purpose",
    )

    def get_serializer_class(self):
        return MissionCreateSerializer if self.action == "create" else MissionSerializer


class MeetingViewSet(RecordViewSet):
    """Meetings of missions; each counterpart is shown with the post held that day."""

    queryset = Meeting.objects.select_related("mission").prefetch_related(
        Prefetch(
            "counterparts",
            queryset=Person.objects.prefetch_related("posts__organization"),
        ),
        "counterpart_organizations",
        "projects",
    )
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    export_columns = columns(
        Meeting,
        "date",
        "counterpart_country",
        "mission",
        "mission.leader_rank",
        "venue_city",
        "counterparts",
        "counterpart_organizations",
        "projects",
        "topics",
        "outcome",
    )
