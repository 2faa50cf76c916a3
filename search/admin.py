from django.contrib import admin

from core.admin import JapaneseDatesMixin
from search.models import SavedFilter, SavedFilterDigest


@admin.register(SavedFilter)
class SavedFilterAdmin(JapaneseDatesMixin, admin.ModelAdmin):
    """Administrators see every saved filter; users keep theirs on the analysts' pages
    and in the API (search.views, search.api)."""

    list_display = ("name", "resource", "owner", "shared_with", "alert", "alerted_until")
    list_filter = ("resource", "alert")
    search_fields = ("name", "owner__username")
    list_select_related = ("owner", "shared_with")
    raw_id_fields = ("owner",)


@admin.register(SavedFilterDigest)
class SavedFilterDigestAdmin(JapaneseDatesMixin, admin.ModelAdmin):
    list_display = ("user", "day", "item_count", "sent_at")
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
