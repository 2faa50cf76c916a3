from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import RecordAdmin
from followups.choices import FollowUpStatus
from followups.models import FollowUp
from followups.services import followup_mark_done


@admin.register(FollowUp)
class FollowUpAdmin(RecordAdmin):
    list_display = ("title", "target", "assignee", "due_on", "status", "overdue", "done_on")
    list_select_related = ("assignee", "content_type")
    list_filter = ("status", "content_type", "assignee")
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
