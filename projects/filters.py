import django_filters as filters
from django.apps import apps
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from contacts.models import Organization
from core.api.filters import (
    MAX_BIGINT,
    AseanFilter,
    CountryFilter,
    FiscalYearFilter,
    IntegerFilter,
    RecordFilterSet,
    RegionFilter,
    YearFilter,
)
from core.fiscal import FIRST_YEAR, LAST_YEAR
from core.regions import Region
from core.sectors import SectorCode
from projects.choices import (
    FigureKind,
    ParticipantRole,
    ProjectStatus,
    Scheme,
    Stage,
    WatchListOutcome,
)
from projects.models import OrderFigure, Project, ProjectParticipant, WatchList, WatchListEntry


def integer_bounds(field_name, verbose_name, *, min_value=0, max_value=MAX_BIGINT):
    """`<field>_min` and `<field>_max` (inclusive), two plain parameters so that an
    error names the one that is wrong; labelled in words (以上 / 以下), not ≥ and ≤."""
    return (
        IntegerFilter(
            field_name=field_name,
            lookup_expr="gte",
            min_value=min_value,
            max_value=max_value,
            label=format_lazy(_("{field} (at least)"), field=verbose_name),
        ),
        IntegerFilter(
            field_name=field_name,
            lookup_expr="lte",
            min_value=min_value,
            max_value=max_value,
            label=format_lazy(_("{field} (at most)"), field=verbose_name),
        ),
    )


def _missions(request):
    # Missions depend on projects, not the other way round: the filter names the
    # model instead of importing it.
    return apps.get_model("missions", "Mission")._default_manager.all()


class ProjectFilterSet(RecordFilterSet):
    date_ranges = ("awarded_on", "tender_due_on")
    search_fields = ("name", "name_ja", "description")

    country = CountryFilter(label=_("country"))
    region = RegionFilter(country_field="country")
    asean = AseanFilter(country_field="country")
    sector = filters.MultipleChoiceFilter(choices=SectorCode.choices, label=_("sector"))
    stage = filters.MultipleChoiceFilter(choices=Stage.choices, label=_("stage"))
    status = filters.MultipleChoiceFilter(choices=ProjectStatus.choices, label=_("status"))
    scheme = filters.MultipleChoiceFilter(choices=Scheme.choices, label=_("scheme"))
    owner = filters.ModelMultipleChoiceFilter(
        queryset=Organization.objects.all(), label=_("owner (implementing agency)")
    )
    awarded_to = filters.ModelMultipleChoiceFilter(
        queryset=Organization.objects.all(), label=_("awarded to")
    )
    participant = filters.ModelMultipleChoiceFilter(
        field_name="participants",
        queryset=Organization.objects.all(),
        distinct=True,
        label=_("participants"),
    )
    watch_list = filters.ModelMultipleChoiceFilter(
        field_name="watch_list_entries__watch_list",
        queryset=WatchList.objects.all(),
        distinct=True,
        label=_("watch list"),
    )
    mission = filters.ModelMultipleChoiceFilter(
        field_name="meetings__mission", queryset=_missions, distinct=True, label=_("mission")
    )
    year = YearFilter(field_name="awarded_on", label=_("year"))
    fiscal_year = FiscalYearFilter(field_name="awarded_on", label=_("fiscal year"))
    estimated_cost_jpy_min, estimated_cost_jpy_max = integer_bounds(
        "estimated_cost_jpy", _("estimated cost (yen)")
    )
    ordering = filters.OrderingFilter(
        fields=(
            "name",
            "name_ja",
            "country",
            "sector",
            "stage",
            "status",
            "scheme",
            "estimated_cost_jpy",
            "tender_due_on",
            "awarded_on",
            "created_at",
            "updated_at",
            "id",
        )
    )

    class Meta:
        model = Project
        fields = ()


class ProjectParticipantFilterSet(RecordFilterSet):
    search_fields = (
        "project__name",
        "project__name_ja",
        "organization__name",
        "organization__name_ja",
    )

    project = filters.ModelMultipleChoiceFilter(queryset=Project.objects.all(), label=_("project"))
    organization = filters.ModelMultipleChoiceFilter(
        queryset=Organization.objects.all(), label=_("organisation")
    )
    role = filters.MultipleChoiceFilter(choices=ParticipantRole.choices, label=_("role"))
    ordering = filters.OrderingFilter(
        fields=("project__name", "organization__name", "role", "updated_at", "id")
    )

    class Meta:
        model = ProjectParticipant
        fields = ()


class WatchListFilterSet(RecordFilterSet):
    search_fields = ("name", "name_ja")

    edition_year = IntegerFilter(
        field_name="edition_year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        label=_("edition year"),
    )
    ordering = filters.OrderingFilter(
        fields=("edition_year", "published_on", "name", "updated_at", "id")
    )

    class Meta:
        model = WatchList
        fields = ()


class WatchListEntryFilterSet(RecordFilterSet):
    search_fields = ("project__name", "project__name_ja", "reason")

    watch_list = filters.ModelMultipleChoiceFilter(
        queryset=WatchList.objects.all(), label=_("watch list")
    )
    edition_year = IntegerFilter(
        field_name="watch_list__edition_year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        label=_("edition year"),
    )
    project = filters.ModelMultipleChoiceFilter(queryset=Project.objects.all(), label=_("project"))
    region = filters.MultipleChoiceFilter(choices=Region.choices, label=_("region as printed"))
    outcome = filters.MultipleChoiceFilter(
        field_name="outcome_at_next_edition",
        choices=WatchListOutcome.choices,
        label=_("outcome at the next edition"),
    )
    sector = filters.MultipleChoiceFilter(
        field_name="project__sector", choices=SectorCode.choices, label=_("sector")
    )
    ordering = filters.OrderingFilter(
        fields=(
            "watch_list__edition_year",
            "project__name",
            "region",
            "outcome_at_next_edition",
            "updated_at",
            "id",
        )
    )

    class Meta:
        model = WatchListEntry
        fields = ()


class OrderFigureFilterSet(RecordFilterSet):
    search_fields = ("source", "source_ja")

    kind = filters.MultipleChoiceFilter(choices=FigureKind.choices, label=_("kind"))
    year = IntegerFilter(
        field_name="year", min_value=FIRST_YEAR, max_value=LAST_YEAR, label=_("year")
    )
    year_min, year_max = integer_bounds(
        "year", _("year"), min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    ordering = filters.OrderingFilter(fields=("year", "kind", "amount_jpy", "updated_at", "id"))

    class Meta:
        model = OrderFigure
        fields = ()
