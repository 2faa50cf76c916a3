from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from contacts.models import Organization, Person, Post
from core.api.export import columns
from core.api.serializers import BRIEF_COLUMNS, CLASSIFIED_BRIEF_COLUMNS
from core.api.views import RecordViewSet
from missions.api.serializers import MeetingSerializer, MissionCreateSerializer, MissionSerializer
from missions.filters import MeetingFilterSet, MissionFilterSet
from missions.models import Meeting, Mission
from projects.models import Project


@extend_schema_view(
    create=extend_schema(request=MissionCreateSerializer, responses=MissionSerializer)
)
class MissionViewSet(RecordViewSet):
    """Top-sales missions. Create one with its meetings in a single request."""

    queryset = Mission.objects.select_related("leader").prefetch_related(
        "delegation", "sectors", "meetings", "tags"
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
        "tags",
    )

    def get_serializer_class(self):
        return MissionCreateSerializer if self.action == "create" else MissionSerializer


class MeetingViewSet(RecordViewSet):
    """Meetings of missions; each counterpart is shown with the post held that day."""

    # The related records carry only what their brief form and the posts of the day
    # print (BRIEF_COLUMNS): a page of 1,000 meetings loads thousands of them.
    queryset = (
        Meeting.objects.select_related("mission", "principal")
        .only(
            *(field.name for field in Meeting._meta.concrete_fields),
            "mission__title",
            "mission__title_ja",
            "mission__leader_rank",  # a column of the export
            "mission__classification",  # core.classification.LinkedRecords
            *(f"principal__{name}" for name in BRIEF_COLUMNS),
        )
        .prefetch_related(
            Prefetch(
                "counterparts",
                queryset=Person.objects.only(*BRIEF_COLUMNS).prefetch_related(
                    Prefetch(
                        "posts",
                        queryset=Post.objects.select_related("organization").only(
                            "person_id",
                            "title",
                            "title_ja",
                            "start_date",
                            "end_date",
                            *(f"organization__{name}" for name in BRIEF_COLUMNS),
                        ),
                    ),
                ),
            ),
            Prefetch(
                "counterpart_organizations", queryset=Organization.objects.only(*BRIEF_COLUMNS)
            ),
            Prefetch("projects", queryset=Project.objects.only(*CLASSIFIED_BRIEF_COLUMNS)),
            "tags",
        )
    )
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    export_columns = columns(
        Meeting,
        "date",
        "counterpart_country",
        "mission",
        "mission.leader_rank",
        "principal",
        "principal_rank",
        "venue_city",
        "counterparts",
        "counterpart_organizations",
        "projects",
        "topics",
        "outcome",
        "tags",
    )
