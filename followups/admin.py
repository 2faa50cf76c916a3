from django.apps import apps
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Their admins register the records a follow-up can be on; followups may read every app.
import agreements.admin  # noqa: F401
import missions.admin  # noqa: F401
import projects.admin  # noqa: F401
from core.admin import RecordAdmin, RecordGenericTabularInline
from followups.choices import FOLLOWABLE_MODELS, FollowUpStatus
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


@admin.register(FollowUp)
class FollowUpAdmin(RecordAdmin):
    list_display = (
        "title",
        "followed",
        "assignee",
        "due_on",
        "status",
        "overdue",
        "done_on",
        "classification",
    )
    list_select_related = ("assignee", "content_type")
    list_filter = ("status", OverdueFilter, "content_type", "assignee")
    search_fields = ("title", "description")
    date_hierarchy = "due_on"
    autocomplete_fields = ("assignee",)
    actions = ("mark_done",)
    fields = (
        ("content_type", "object_id"),
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

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, followup):
        return followup.is_overdue

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


class FollowUpInline(RecordGenericTabularInline):
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
