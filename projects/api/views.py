from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from core.api.export import Column, columns
from core.api.serializers import BRIEF_COLUMNS
from core.api.views import RecordViewSet
from core.regions import region_of
from projects.api.serializers import (
    OrderFigureSerializer,
    ProjectCreateSerializer,
    ProjectParticipantSerializer,
    ProjectSerializer,
    WatchListEntrySerializer,
    WatchListSerializer,
)
from projects.filters import (
    OrderFigureFilterSet,
    ProjectFilterSet,
    ProjectParticipantFilterSet,
    WatchListEntryFilterSet,
    WatchListFilterSet,
)
from projects.models import OrderFigure, Project, ProjectParticipant, WatchList, WatchListEntry


def _region_label(country_code):
    region = region_of(country_code) if country_code else None
    return str(region.label) if region else ""


@extend_schema_view(
    create=extend_schema(request=ProjectCreateSerializer, responses=ProjectSerializer)
)
class ProjectViewSet(RecordViewSet):
    """Overseas infrastructure projects (案件). Create one with its participants in a
    single request; change them afterwards through /project-participants/."""

    queryset = (
        Project.objects.select_related("owner", "awarded_to")
        # The organisations it points to are printed brief: only their names.
        .only(
            *(field.name for field in Project._meta.concrete_fields),
            *(
                f"{named}__{column}"
                for named in ("owner", "awarded_to")
                for column in BRIEF_COLUMNS
            ),
        )
        .order_by("name", "id")
        .prefetch_related(
            # Only what the participants and the entries print, for pages of 1,000.
            Prefetch(
                "participations",
                queryset=ProjectParticipant.objects.select_related("organization")
                .only(
                    "project_id",
                    "role",
                    "organization__id",
                    "organization__name",
                    "organization__name_ja",
                )
                .order_by("id"),
            ),
            Prefetch(
                "watch_list_entries",
                queryset=WatchListEntry.objects.select_related("watch_list")
                .only("project_id", "watch_list__id", "watch_list__name")
                .order_by("watch_list__edition_year", "id"),
            ),
            "tags",
        )
    )
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    export_columns = [
        *columns(Project, "name", "name_ja", "country"),
        Column(_("region"), "country", transform=_region_label),
        *columns(
            Project,
            "other_countries",
            "sector",
            "stage",
            "status",
            "scheme",
            "estimated_cost_jpy",
            "owner",
        ),
        Column(Project._meta.get_field("participants").verbose_name, "participations"),
        *columns(Project, "tender_due_on", "awarded_on", "awarded_to", "description", "tags"),
    ]

    def get_serializer_class(self):
        return ProjectCreateSerializer if self.action == "create" else ProjectSerializer


class ProjectParticipantViewSet(RecordViewSet):
    """Which organisation plays which role in which project."""

    queryset = ProjectParticipant.objects.select_related("project", "organization").order_by(
        "project__name", "organization__name", "role", "id"
    )
    serializer_class = ProjectParticipantSerializer
    filterset_class = ProjectParticipantFilterSet
    export_columns = columns(ProjectParticipant, "project", "organization", "role")


class WatchListViewSet(RecordViewSet):
    """The Action Plan editions' lists of major projects to watch."""

    queryset = (
        WatchList.objects.select_related("previous")
        .annotate(entry_count=Count("entries"))
        .order_by("-edition_year")  # an aggregate drops the model's default order
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=WatchListEntry.objects.select_related("project").order_by(
                    "project__name", "id"
                ),
            )
        )
    )
    serializer_class = WatchListSerializer
    filterset_class = WatchListFilterSet
    export_columns = [
        *columns(WatchList, "name", "edition_year", "published_on", "previous"),
        Column(WatchListEntry._meta.verbose_name_plural, "entry_count"),
    ]

    def perform_create(self, serializer):
        super().perform_create(serializer)
        # Read it back as the list shows it (with its entry count).
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


class WatchListEntryViewSet(RecordViewSet):
    """A project as listed in one edition, and what became of it by the next."""

    queryset = WatchListEntry.objects.select_related("watch_list", "project")
    serializer_class = WatchListEntrySerializer
    filterset_class = WatchListEntryFilterSet
    export_columns = columns(
        WatchListEntry,
        "watch_list",
        "project",
        "project.country",
        "project.sector",
        "region",
        "outcome_at_next_edition",
        "reason",
    )


class OrderFigureViewSet(RecordViewSet):
    """Orders won by Japanese firms per year, and the government's targets."""

    queryset = OrderFigure.objects.all()
    serializer_class = OrderFigureSerializer
    filterset_class = OrderFigureFilterSet
    export_columns = columns(OrderFigure, "year", "kind", "amount_jpy", "source")
