from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import (
    RecordAdmin,
    RecordStackedInline,
    country_filter,
    fiscal_year_filter,
    region_filter,
    sector_filter,
)
from missions.models import Meeting, Mission
from missions.services import mission_complete


class MeetingInline(RecordStackedInline):
    model = Meeting
    extra = 1
    autocomplete_fields = ("counterparts", "counterpart_organizations", "projects")
    fields = (
        ("date", "counterpart_country"),
        ("venue_city", "venue_country"),
        "counterparts",
        "counterpart_organizations",
        "projects",
        "topics",
        "outcome",
    )


@admin.register(Mission)
class MissionAdmin(RecordAdmin):
    list_display = (
        "title",
        "title_ja",
        "leader",
        "leader_rank",
        "kind",
        "start_date",
        "end_date",
        "status",
    )
    list_select_related = ("leader",)
    list_filter = (
        "status",
        "leader_rank",
        "kind",
        "sectors",
        country_filter("meetings__counterpart_country", _("counterpart country")),
        region_filter("meetings__counterpart_country"),
        fiscal_year_filter("start_date"),
    )
    search_fields = ("title", "title_ja", "leader__name", "leader__name_ja", "purpose", "summary")
    date_hierarchy = "start_date"
    autocomplete_fields = ("leader", "delegation")
    inlines = (MeetingInline,)
    actions = ("mark_completed",)
    fieldsets = (
        (None, {"fields": (("title", "title_ja"), ("leader", "leader_rank"), ("kind", "status"))}),
        (None, {"fields": (("start_date", "end_date"), "purpose", "summary")}),
        (None, {"fields": ("sectors", "delegation")}),
        (_("Record"), {"fields": (("created_at", "updated_at"),)}),
    )

    @admin.action(description=_("Mark selected missions as completed"), permissions=["change"])
    def mark_completed(self, request, queryset):
        done, refused = 0, []
        for mission in queryset:
            try:
                mission_complete(mission=mission)
                done += 1
            except ValidationError as error:
                refused.append(f"{mission}: {'; '.join(error.messages)}")
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d mission marked as completed.",
                    "%(count)d missions marked as completed.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.ERROR)


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = ("date", "counterpart_country", "mission", "leader_rank", "venue_city")
    list_select_related = ("mission",)
    list_filter = (
        country_filter("counterpart_country", _("counterpart country")),
        region_filter("counterpart_country"),
        "mission__leader_rank",
        "mission__status",
        "mission__kind",
        sector_filter("mission__sectors", _("mission's sector")),
        fiscal_year_filter("date"),
    )
    search_fields = (
        "mission__title",
        "mission__title_ja",
        "topics",
        "outcome",
        "venue_city",
        "counterparts__name",
        "counterparts__name_ja",
    )
    date_hierarchy = "date"
    autocomplete_fields = ("mission", "counterparts", "counterpart_organizations", "projects")
    fields = (
        "mission",
        ("date", "counterpart_country"),
        ("venue_city", "venue_country"),
        "counterparts",
        "counterpart_organizations",
        "projects",
        "topics",
        "outcome",
        ("created_at", "updated_at"),
    )

    @admin.display(description=_("leader's rank"), ordering="mission__leader_rank")
    def leader_rank(self, meeting):
        return meeting.mission.get_leader_rank_display()
