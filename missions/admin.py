from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contacts.models import Organization, Person, Post
from core.admin import (
    RecordAdmin,
    RecordStackedInline,
    VersionedModelForm,
    country_filter,
    fiscal_year_filter,
    region_filter,
    sector_filter,
)
from missions.filters import MissionFilterSet
from missions.models import Meeting, Mission
from missions.services import mission_check_delegation, mission_complete

# A meeting's counterparts with their posts and organisations: the posts held on the
# meeting's date are picked from these (Person.post_on), without a query per person.
COUNTERPARTS_WITH_POSTS = Prefetch(
    "counterparts",
    queryset=Person.objects.prefetch_related(
        Prefetch("posts", queryset=Post.objects.select_related("organization"))
    ),
)


class CounterpartPostsField:
    """Who each counterpart was on the meeting's date, as the reports print it."""

    @admin.display(description=_("Counterparts (post held that day)"))
    def counterpart_posts(self, meeting):
        if not meeting.pk:
            return "-"
        people = [(person, person.post_on(meeting.date)) for person in meeting.counterparts.all()]
        return (
            format_html_join(
                mark_safe("<br>"),
                "{}{}",
                ((person, f" — {post}" if post else "") for person, post in people),
            )
            or "-"
        )


class MeetingInline(CounterpartPostsField, RecordStackedInline):
    model = Meeting
    extra = 1
    autocomplete_fields = ("principal", "counterparts", "counterpart_organizations", "projects")
    fields = (
        ("date", "counterpart_country"),
        ("principal", "principal_rank"),
        ("venue_city", "venue_country"),
        "counterparts",
        "counterpart_posts",
        "counterpart_organizations",
        "projects",
        "topics",
        "outcome",
        "classification",
    )
    readonly_fields = ("counterpart_posts",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("principal")
            .prefetch_related(COUNTERPARTS_WITH_POSTS)
        )


class MissionForm(VersionedModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any organisation is a choice here, so that a foreign one (or one whose kind
        # changed since) is refused with the reason, not as "not one of the available
        # choices"; the autocomplete still offers only Japanese bodies.
        if "delegation" in self.fields:  # not on a page that is only viewed
            self.fields["delegation"].queryset = Organization.objects.all()

    def clean_delegation(self):
        organizations = self.cleaned_data["delegation"]
        try:
            mission_check_delegation(organizations)
        except ValidationError as error:
            raise ValidationError(error.message_dict["delegation"]) from error
        return organizations


@admin.register(Mission)
class MissionAdmin(RecordAdmin):
    form = MissionForm
    list_display = (
        "title",
        "title_ja",
        "leader",
        "leader_rank",
        "kind",
        "start_date",
        "end_date",
        "status",
        "classification",
    )
    list_select_related = ("leader",)
    list_filter = (
        "status",
        "leader_rank",
        "kind",
        sector_filter("sectors"),
        country_filter("meetings__counterpart_country", _("counterpart country")),
        region_filter("meetings__counterpart_country"),
        fiscal_year_filter("start_date"),
    )
    search_fields = MissionFilterSet.search_fields  # as the API's `q`
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
class MeetingAdmin(CounterpartPostsField, RecordAdmin):
    list_display = (
        "date",
        "counterpart_country",
        "mission",
        "principal",
        "principal_rank",
        "venue_city",
        "classification",
    )
    list_select_related = ("mission", "principal")
    list_filter = (
        country_filter("counterpart_country", _("counterpart country")),
        region_filter("counterpart_country"),
        "principal_rank",
        "mission__leader_rank",
        "mission__status",
        "mission__kind",
        sector_filter("mission__sectors"),
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
        "counterpart_organizations__name",
        "counterpart_organizations__name_ja",
    )
    date_hierarchy = "date"
    autocomplete_fields = (
        "mission",
        "principal",
        "counterparts",
        "counterpart_organizations",
        "projects",
    )
    fields = (
        "mission",
        ("date", "counterpart_country"),
        ("principal", "principal_rank"),
        ("venue_city", "venue_country"),
        "counterparts",
        "counterpart_posts",
        "counterpart_organizations",
        "projects",
        "topics",
        "outcome",
        ("created_at", "updated_at"),
    )
    readonly_fields = ("counterpart_posts", *RecordAdmin.readonly_fields)

    def get_object(self, request, object_id, from_field=None):
        meeting = super().get_object(request, object_id, from_field)
        if meeting is not None:
            prefetch_related_objects([meeting], COUNTERPARTS_WITH_POSTS)
        return meeting
