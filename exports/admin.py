from django.contrib import admin

from exports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read-only: for an administrator to see what is being exported, and by whom."""

    list_display = ("created_at", "user", "resource", "format", "status", "progress", "row_count")
    list_select_related = ("user",)
    list_filter = ("status", "format", "resource")
    search_fields = ("user__username", "resource")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
