from django.apps import apps
from django.contrib import admin, messages
from django.db.models import Case, Value, When
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Their admins register the records a follow-up can be on; followups may read every app.
import agreements.admin  # noqa: F401
import missions.admin  # noqa: F401
import projects.admin  # noqa: F401
from accounts.names import display_name
from core.admin import RecordAdmin, RecordGenericTabularInline
from followups.choices import FOLLOWABLE_MODELS, TARGET_TYPES, FollowUpStatus
from followups.models import FollowUp, overdue_q
from followups.services import followup_mark_done


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue_q())
        if self.value() == "no":
            return queryset.exclude(overdue_q())
        return queryset


def _assignee_label(user):
    name = display_name(user)
    return name if name == user.get_username() else f"{name} ({user.get_username()})"


class AssigneeByName:
    """The assignee chosen reads by the person's name, as in the autocomplete's list."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "assignee" and field is not None:
            field.label_from_instance = _assignee_label
        return field


class RecordTypeFilter(admin.SimpleListFilter):
    """Which kind of record a follow-up is on, in words (ミッション, 会談…), where
    Django's filter of the content type would read "コンテンツタイプ"."""

    title = _("record it follows")
    parameter_name = "record_type"

    def lookups(self, request, model_admin):
        return [
            (f"{app_label}.{model_name}", apps.get_model(app_label, model_name)._meta.verbose_name)
            for app_label, model_name in FOLLOWABLE_MODELS
        ]

    def queryset(self, request, queryset):
        if self.value() in TARGET_TYPES:
            app_label, model_name = TARGET_TYPES[self.value()]
            return queryset.filter(
                content_type__app_label=app_label, content_type__model=model_name
            )
        return queryset


@admin.register(FollowUp)
class FollowUpAdmin(AssigneeByName, RecordAdmin):
    list_display = (
        "title",
        "followed",
        "assignee_name",
        "due_on",
        "status",
        "overdue",
        "done_on",
        "classification",
    )
    list_select_related = ("assignee", "content_type")
    list_filter = ("status", OverdueFilter, RecordTypeFilter, "assignee")
    # Open ones first, the most pressing first; then the others by due date.
    ordering = (
        Case(When(status=FollowUpStatus.OPEN, then=Value(0)), default=Value(1)).asc(),
        "due_on",
        "id",
    )
    search_fields = ("title", "description")
    date_hierarchy = "due_on"
    autocomplete_fields = ("assignee",)
    actions = ("mark_done",)
    fields = (
        ("content_type", "object_id"),
        "country",
        "title",
        "description",
        ("assignee", "due_on"),
        ("status", "done_on"),
        ("created_at", "updated_at"),
    )

    def get_queryset(self, request):
        # One query per kind of target, however many rows the page shows.
        return super().get_queryset(request).prefetch_related("target")

    # A generic relation has no verbose name: the admin would print "Target", in English.
    @admin.display(description=_("target"))
    def followed(self, followup):
        return followup.target

    @admin.display(description=_("assignee"), ordering="assignee__last_name")
    def assignee_name(self, followup):
        return display_name(followup.assignee)

    # Said of an open follow-up past its date only: a done one is not late any more.
    @admin.display(description=_("overdue"))
    def overdue(self, followup):
        if followup.status == FollowUpStatus.OPEN and followup.is_overdue:
            return format_html('<strong class="overdue">{}</strong>', _("overdue"))
        return ""

    @admin.action(description=_("Mark selected follow-ups as done"), permissions=["change"])
    def mark_done(self, request, queryset):
        count = 0
        for followup in queryset.exclude(status=FollowUpStatus.DONE):
            followup_mark_done(followup=followup)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d follow-up marked as done.", "%(count)d follow-ups marked as done.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


class FollowUpInline(AssigneeByName, RecordGenericTabularInline):
    """A record's follow-ups on its own page: what was promised there is written down
    where it was promised, with no record type or id to look up."""

    model = FollowUp
    fields = ("title", "assignee", "due_on", "status", "done_on", "classification")
    autocomplete_fields = ("assignee",)
    extra = 0


# The records to the left of followups cannot name it (dependencies run one way), so
# the inline joins their admins from here.
for app_label, model_name in FOLLOWABLE_MODELS:
    followed_admin = admin.site.get_model_admin(apps.get_model(app_label, model_name))
    followed_admin.inlines = (*followed_admin.inlines, FollowUpInline)
