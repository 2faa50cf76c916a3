import django_filters as filters
from django.utils.translation import gettext_lazy as _

from contacts.models import Organization, Person
from core.api.filters import (
    AseanFilter,
    CountryFilter,
    FiscalYearFilter,
    RecordFilterSet,
    RegionFilter,
    YearFilter,
)
from core.sectors import SectorCode
from missions.choices import TOP_SALES_RANKS, LeaderRank, MissionKind, MissionStatus
from missions.models import Meeting, Mission
from projects.models import Project


class MissionFilterSet(RecordFilterSet):
    date_ranges = ("start_date", "end_date")
    search_fields = ("title", "title_ja", "purpose", "summary", "leader__name", "leader__name_ja")

    leader = filters.ModelMultipleChoiceFilter(queryset=Person.objects.all(), label=_("leader"))
    leader_rank = filters.MultipleChoiceFilter(choices=LeaderRank.choices, label=_("leader's rank"))
    kind = filters.MultipleChoiceFilter(choices=MissionKind.choices, label=_("kind"))
    status = filters.MultipleChoiceFilter(choices=MissionStatus.choices, label=_("status"))
    sector = filters.MultipleChoiceFilter(
        field_name="sectors__code", choices=SectorCode.choices, distinct=True, label=_("sector")
    )
    country = CountryFilter(
        field_name="meetings__counterpart_country", distinct=True, label=_("counterpart country")
    )
    region = RegionFilter(country_field="meetings__counterpart_country", distinct=True)
    # A meeting with a member, on the meeting's day.
    asean = AseanFilter(
        country_field="meetings__counterpart_country",
        date_field="meetings__date",
    )
    organization = filters.ModelMultipleChoiceFilter(
        field_name="delegation",
        queryset=Organization.objects.all(),
        distinct=True,
        label=_("delegation"),
    )
    project = filters.ModelMultipleChoiceFilter(
        field_name="meetings__projects",
        queryset=Project.objects.all(),
        distinct=True,
        label=_("projects promoted"),
    )
    counterpart = filters.ModelMultipleChoiceFilter(
        field_name="meetings__counterparts",
        queryset=Person.objects.all(),
        distinct=True,
        label=_("counterparts"),
    )
    year = YearFilter(field_name="start_date", label=_("year"))
    fiscal_year = FiscalYearFilter(field_name="start_date", label=_("fiscal year"))
    ordering = filters.OrderingFilter(
        fields=("start_date", "end_date", "title", "leader_rank", "status", "updated_at", "id")
    )

    class Meta:
        model = Mission
        fields = ()


class MeetingFilterSet(RecordFilterSet):
    date_ranges = ("date",)
    search_fields = (
        "topics",
        "outcome",
        "venue_city",
        "mission__title",
        "mission__title_ja",
        "counterparts__name",
        "counterparts__name_ja",
    )

    mission = filters.ModelMultipleChoiceFilter(queryset=Mission.objects.all(), label=_("mission"))
    principal = filters.ModelMultipleChoiceFilter(queryset=Person.objects.all(), label=_("held by"))
    principal_rank = filters.MultipleChoiceFilter(
        choices=LeaderRank.choices, label=_("rank of the official who held it")
    )
    leader = filters.ModelMultipleChoiceFilter(
        field_name="mission__leader", queryset=Person.objects.all(), label=_("leader")
    )
    leader_rank = filters.MultipleChoiceFilter(
        field_name="mission__leader_rank", choices=LeaderRank.choices, label=_("leader's rank")
    )
    mission_status = filters.MultipleChoiceFilter(
        field_name="mission__status", choices=MissionStatus.choices, label=_("mission status")
    )
    top_sales = filters.BooleanFilter(method="filter_top_sales", label=_("top sales"))
    sector = filters.MultipleChoiceFilter(
        field_name="mission__sectors__code",
        choices=SectorCode.choices,
        distinct=True,
        label=_("sector"),
    )
    country = CountryFilter(field_name="counterpart_country", label=_("counterpart country"))
    region = RegionFilter(country_field="counterpart_country")
    asean = AseanFilter(country_field="counterpart_country", date_field="date")
    counterpart = filters.ModelMultipleChoiceFilter(
        field_name="counterparts",
        queryset=Person.objects.all(),
        distinct=True,
        label=_("counterparts"),
    )
    organization = filters.ModelMultipleChoiceFilter(
        field_name="counterpart_organizations",
        queryset=Organization.objects.all(),
        distinct=True,
        label=_("counterpart organisations"),
    )
    project = filters.ModelMultipleChoiceFilter(
        field_name="projects",
        queryset=Project.objects.all(),
        distinct=True,
        label=_("projects promoted"),
    )
    year = YearFilter(field_name="date", label=_("year"))
    fiscal_year = FiscalYearFilter(field_name="date", label=_("fiscal year"))
    ordering = filters.OrderingFilter(
        fields=(
            "date",
            "counterpart_country",
            "principal_rank",
            "mission__start_date",
            "updated_at",
            "id",
        )
    )

    class Meta:
        model = Meeting
        fields = ()

    def filter_top_sales(self, queryset, name, value):
        # Held by a minister, state minister or parliamentary vice-minister, whoever
        # led the mission (domain.md, top-sales engagement).
        condition = {
            "mission__status": MissionStatus.COMPLETED,
            "principal_rank__in": TOP_SALES_RANKS,
        }
        return queryset.filter(**condition) if value else queryset.exclude(**condition)
