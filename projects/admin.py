from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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


def warn_outcomes_to_record(model_admin, request, editions):
    """Say which projects of the editions that `editions` revise still need their
    outcome recorded: taking a project off an edition turns the previous edition's
    "continued" into "not recorded yet" (projects.services)."""
    for edition in editions:
        if edition.previous_id is None:
            continue
        pending = list(
            WatchListEntry.objects.filter(
                watch_list_id=edition.previous_id, outcome_at_next_edition=""
            )
            .select_related("project")
            .order_by("project__name")[:11]
        )
        if not pending:
            continue
        names = ", ".join(f"“{entry.project}”" for entry in pending[:10])
        model_admin.message_user(
            request,
            ngettext(
                "%(previous)s does not record yet what became of %(projects)s by "
                "%(edition)s: record it there (won, or removed with the reason).",
                "%(previous)s does not record yet what became of %(projects)s by "
                "%(edition)s: record them there (won, or removed with the reason).",
                len(pending),
            )
            % {
                "previous": edition.previous,
                "projects": names + (", …" if len(pending) > 10 else ""),
                "edition": edition,
            },
            messages.WARNING,
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
        "tags_column",
        "classification",
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        editions = {
            entry.watch_list
            for formset in formsets
            if formset.model is WatchListEntry
            for entry in [*formset.new_objects, *formset.deleted_objects]
        }
        warn_outcomes_to_record(self, request, editions)


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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_outcomes_to_record(self, request, [form.instance])


@admin.register(WatchListEntry)
class WatchListEntryAdmin(RecordAdmin):
    list_display = ("project", "watch_list", "region", "outcome_at_next_edition")
    list_select_related = ("project", "watch_list")
    list_filter = ("watch_list", "region", "outcome_at_next_edition", "project__sector")
    search_fields = ("project__name", "project__name_ja", "reason")
    autocomplete_fields = ("project",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warn_outcomes_to_record(self, request, [obj.watch_list])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        warn_outcomes_to_record(self, request, [obj.watch_list])

    def delete_queryset(self, request, queryset):
        editions = set(WatchList.objects.filter(entries__in=queryset).select_related("previous"))
        super().delete_queryset(request, queryset)
        warn_outcomes_to_record(self, request, editions)


@admin.register(OrderFigure)
class OrderFigureAdmin(RecordAdmin):
    list_display = ("year", "kind", "amount", "source")
    list_filter = ("year", "kind")
    search_fields = ("source",)

    @admin.display(description=_("amount (yen)"), ordering="amount_jpy")
    def amount(self, figure):
        return format_yen(figure.amount_jpy)  # 23兆円, as the bureau writes it
