from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import (
    InlineRecordAdmin,
    RecordAdmin,
    RecordTabularInline,
    country_filter,
    region_filter,
)
from core.japanese import format_yen
from core.regions import region_of
from projects.filters import ProjectParticipantFilterSet
from projects.models import (
    OrderFigure,
    Project,
    ProjectParticipant,
    WatchList,
    WatchListEntry,
)


class ProjectParticipantInline(RecordTabularInline):
    model = ProjectParticipant
    extra = 1
    autocomplete_fields = ("organization",)
    fields = ("organization", "role")


@admin.register(ProjectParticipant)
class ProjectParticipantAdmin(InlineRecordAdmin):
    list_display = ("organization", "role", "project", "updated_at")
    list_select_related = ("organization", "project")
    list_filter = ("role",)
    search_fields = ProjectParticipantFilterSet.search_fields  # as the API's `q`
    autocomplete_fields = ("project", "organization")
    fields = ("project", ("organization", "role"), ("created_at", "updated_at"))


class ProjectWatchListEntryInline(RecordTabularInline):
    model = WatchListEntry
    extra = 0
    fields = ("watch_list", "region", "outcome_at_next_edition", "reason")
    verbose_name_plural = _("watch-list entries")


@admin.register(Project)
class ProjectAdmin(RecordAdmin):
    list_display = (
        "name",
        "name_ja",
        "country",
        "region",
        "sector",
        "stage",
        "status",
        "scheme",
        "owner",
        "updated_at",
    )
    list_select_related = ("owner",)
    list_filter = (
        country_filter("country"),
        region_filter("country"),
        "sector",
        "stage",
        "status",
        "scheme",
    )
    search_fields = ("name", "name_ja", "description")
    autocomplete_fields = ("owner", "awarded_to")
    date_hierarchy = "awarded_on"
    inlines = (ProjectParticipantInline, ProjectWatchListEntryInline)
    fieldsets = (
        (None, {"fields": (("name", "name_ja"), ("country", "other_countries"), "description")}),
        (
            _("Pipeline"),
            {"fields": (("sector", "stage"), ("status", "scheme"), "estimated_cost_jpy", "owner")},
        ),
        (_("Award"), {"fields": (("tender_due_on", "awarded_on"), "awarded_to")}),
        (_("Record"), {"fields": (("created_at", "updated_at"),)}),
    )

    @admin.display(description=_("region"))
    def region(self, project):
        region = region_of(project.country.code)
        return region.label if region else "-"


class WatchListEntryInline(RecordTabularInline):
    model = WatchListEntry
    extra = 0
    autocomplete_fields = ("project",)
    fields = ("project", "region", "outcome_at_next_edition", "reason")


@admin.register(WatchList)
class WatchListAdmin(RecordAdmin):
    list_display = ("name", "edition_year", "published_on", "previous")
    list_select_related = ("previous",)
    search_fields = ("name",)
    inlines = (WatchListEntryInline,)
    fields = ("name", "edition_year", "published_on", "previous", ("created_at", "updated_at"))


@admin.register(WatchListEntry)
class WatchListEntryAdmin(RecordAdmin):
    list_display = ("project", "watch_list", "region", "outcome_at_next_edition")
    list_select_related = ("project", "watch_list")
    list_filter = ("watch_list", "region", "outcome_at_next_edition", "project__sector")
    search_fields = ("project__name", "project__name_ja", "reason")
    autocomplete_fields = ("project",)


@admin.register(OrderFigure)
class OrderFigureAdmin(RecordAdmin):
    list_display = ("year", "kind", "amount", "source")
    list_filter = ("year", "kind")
    search_fields = ("source",)

    @admin.display(description=_("amount (yen)"), ordering="amount_jpy")
    def amount(self, figure):
        return format_yen(figure.amount_jpy)  # 23兆円, as the bureau writes it
