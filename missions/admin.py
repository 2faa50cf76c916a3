from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.formats import date_format, localize_input
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
from core.dates import DateNotUnderstood, parse_date
from core.regions import country_codes_named
from missions.filters import MissionFilterSet
from missions.models import Meeting, Mission
from missions.services import leader_rank_on, mission_check_delegation, mission_complete

# A meeting's counterparts with their posts and organisations: the posts held on the
# meeting's date are picked from these (Person.post_on), without a query per person.
COUNTERPARTS_WITH_POSTS = Prefetch(
    "counterparts",
    queryset=Person.objects.prefetch_related(
        Prefetch("posts", queryset=Post.objects.select_related("organization"))
    ),
)


def meeting_label(meeting) -> str:
    """A meeting as one chooses it from a list: "2019年8月29日 ガーナ — TICAD7 第2回日-アフリカ
    官民インフラ会議 (石井啓一 大臣)": the date, the country, the mission and who held it."""
    label = f"{meeting} — {meeting.mission}"
    if meeting.principal_id:
        rank = meeting.get_principal_rank_display() if meeting.principal_rank else ""
        label += f" ({meeting.principal} {rank})".replace(" )", ")")
    return label


def counterpart_post_lines(people, day) -> list[str]:
    """ "Name — post held that day" for each person (the name alone without a post)."""
    lines = []
    for person in people:
        post = person.post_on(day)
        lines.append(f"{person} — {post}" if post else str(person))
    return lines


class CounterpartPostsField:
    """Who each counterpart was on the meeting's date, as the reports print it; on the
    page, as soon as the counterparts and the date are chosen (core/counterpart_posts.js
    asks counterpart_posts_view), not only once the meeting is saved."""

    class Media:
        # After the admin's jQuery (django.jQuery), which the autocomplete uses.
        js = ("admin/js/jquery.init.js", "core/counterpart_posts.js")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "counterparts" and field is not None:
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs["data-posts-url"] = reverse("admin:missions_meeting_counterpart_posts")
        return field

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

    autocomplete_fields = (
        "principal",
        "counterparts",
        "counterpart_organizations",
        "projects",
        "tags",
    )
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
        "tags",
        "classification",
    )
    readonly_fields = ("counterpart_posts",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("principal")
            .prefetch_related(COUNTERPARTS_WITH_POSTS)
            # In itinerary order, the first meeting first.
            .order_by("date", "pk")
        )

    def get_extra(self, request, obj=None, **kwargs):
        # One empty meeting to start a new mission with; a saved mission's page has
        # none (that would read as a meeting left unfilled): "add another" adds one.
        return 0 if obj is not None else self.extra


class MissionForm(VersionedModelForm):
    class Meta:
        # Room for a real title (大臣のベトナム・カンボジア訪問 及び 官民インフラ会議).
        widgets = {
            "title_ja": forms.TextInput(attrs={"class": "vTextField wide-text"}),
            "title": forms.TextInput(attrs={"class": "vTextField wide-text"}),
        }
        help_texts = {
            "title_ja": _("The title staff read; the English one may be left blank."),
            "title": _("Optional when the Japanese title is given."),
            "leader_rank": _(
                "Left blank, the rank of the post the leader held on the start date "
                "(minister, state minister, parliamentary vice-minister)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "leader_rank" in self.fields:
            self.fields["leader_rank"].required = False
        # Any organisation is a choice here, so that a foreign one (or one whose kind
        # changed since) is refused with the reason, not as "not one of the available
        # choices"; the autocomplete still offers only Japanese bodies.
        if "delegation" in self.fields:  # not on a page that is only viewed
            self.fields["delegation"].queryset = Organization.objects.all()

    def clean(self):
        cleaned_data = super().clean()
        if "leader_rank" in self.fields and not cleaned_data.get("leader_rank"):
            leader, start = cleaned_data.get("leader"), cleaned_data.get("start_date")
            rank = leader_rank_on(leader, start)
            if rank:
                cleaned_data["leader_rank"] = rank
            elif leader and start:
                self.add_error(
                    "leader_rank",
                    _("Choose the leader's rank: no post of %(leader)s on %(date)s says it.")
                    % {"leader": leader, "date": date_format(start)},
                )
            else:
                self.add_error("leader_rank", _("Choose the leader's rank."))
        return cleaned_data

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
        "display_title",
        "leader",
        "leader_rank",
        "kind",
        "start_date",
        "end_date",
        "status",
        "tags_column",
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
        (
            None,
            {
                "fields": ("title_ja", "title", ("leader", "leader_rank"), ("kind", "status")),
                "description": _(
                    "Top sales count only the meetings of a completed mission held by a "
                    "minister, a state minister or a parliamentary vice-minister."
                ),
            },
        ),
        (None, {"fields": (("start_date", "end_date"), "purpose", "summary")}),
        (None, {"fields": ("sectors", "delegation")}),
        (_("Record"), {"fields": (("created_at", "updated_at"),)}),
    )

    # One title column, in the reader's language (the other when it is blank): two
    # long columns would not fit a 1,366 px screen beside the filters.
    @admin.display(description=_("title"), ordering="title_ja")
    def display_title(self, mission):
        return str(mission)

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
        "tags_column",
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

    def get_queryset(self, request):
        # The mission and the official name each meeting in a choice list (meeting_label).
        return super().get_queryset(request).select_related("mission", "principal")

    def autocomplete_result(self, meeting):
        """A meeting as the agreement form offers it: its label, and the date (as the
        form shows one) and country the form copies once it is chosen."""
        return {
            "text": meeting_label(meeting),
            "date": localize_input(meeting.date),
            "country": meeting.counterpart_country.code,
        }

    def get_search_results(self, request, queryset, search_term):
        """Found by date (2019/8/29, 令和元年8月29日: core.dates) and by country name (ガーナ,
        Ghana) as well as by the text the search fields hold."""
        terms, rest = [], []
        for term in search_term.split():
            try:
                terms.append(Q(date=parse_date(term)))
                continue
            except DateNotUnderstood:
                pass
            codes = country_codes_named(term)
            if codes:
                terms.append(Q(counterpart_country__in=codes))
            else:
                rest.append(term)
        for condition in terms:
            queryset = queryset.filter(condition)
        if not rest:
            return queryset, False
        return super().get_search_results(request, queryset, " ".join(rest))

    def get_urls(self):
        return [
            path(
                "counterpart-posts/",
                self.admin_site.admin_view(self.counterpart_posts_view),
                name="missions_meeting_counterpart_posts",
            ),
            *super().get_urls(),
        ]

    def counterpart_posts_view(self, request):
        """`?person=<id>&person=<id>&date=2019/8/29`: each person's line as the meeting's
        page shows it, for the date as typed (any form core.dates reads)."""
        person_admin = self.admin_site.get_model_admin(Person)
        if not (self.has_view_permission(request) and person_admin.has_view_permission(request)):
            raise PermissionDenied
        try:
            day = parse_date(request.GET.get("date", ""))
        except DateNotUnderstood:
            return JsonResponse({"lines": []})
        ids = [
            value for value in request.GET.getlist("person") if value.isascii() and value.isdigit()
        ]
        people = Person.objects.filter(pk__in=[int(value) for value in ids[:50] if len(value) < 19])
        people = {
            person.pk: person
            for person in people.prefetch_related(
                Prefetch("posts", queryset=Post.objects.select_related("organization"))
            )
        }
        chosen = [people[int(value)] for value in ids if int(value) in people]
        return JsonResponse({"lines": counterpart_post_lines(chosen, day)})

    def get_object(self, request, object_id, from_field=None):
        meeting = super().get_object(request, object_id, from_field)
        if meeting is not None:
            prefetch_related_objects([meeting], COUNTERPARTS_WITH_POSTS)
        return meeting
