from django.contrib import admin

from audit.models import ReadEvent


@admin.register(ReadEvent)
class ReadEventAdmin(admin.ModelAdmin):
    """Read only, for administrators (the permission to view it): no one changes or
    deletes an entry."""

    list_display = (
        "at",
        "username",
        "channel",
        "path",
        "content_type",
        "object_id",
        "record_count",
        "classification",
        "client_address",
    )
    list_filter = ("channel", "classification", "content_type")
    search_fields = ("username", "path", "query")
    date_hierarchy = "at"
    list_select_related = ("content_type",)
    readonly_fields = list_display + ("user", "query")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
