from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ViewOnlyHistoryAdmin
from webhooks.choices import DeliveryStatus
from webhooks.models import Delivery, DeliveryAttempt, Subscription
from webhooks.services import delivery_resend


@admin.register(Subscription)
class SubscriptionAdmin(ViewOnlyHistoryAdmin):
    list_display = ("name", "url", "owner", "active", "on_created", "on_updated", "on_deleted")
    autocomplete_fields = ("owner",)
    list_filter = ("active",)
    search_fields = ("name", "url")
    filter_horizontal = ("record_types",)
    readonly_fields = ("standard_webhooks_secret", "created_at", "updated_at")
    fields = (
        "name",
        "url",
        "owner",
        "secret",
        "standard_webhooks_secret",
        "record_types",
        ("on_created", "on_updated", "on_deleted"),
        "active",
        ("created_at", "updated_at"),
    )

    @admin.display(description=_("secret for a Standard Webhooks library"))
    def standard_webhooks_secret(self, subscription):
        return subscription.standard_webhooks_secret if subscription.pk else "-"


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "finished_at", "status_code", "error", "duration_ms")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: deliveries are written by changes and by the workers."""

    list_display = (
        "occurred_at",
        "subscription",
        "event",
        "content_type",
        "record_display",
        "status",
        "attempt_count",
        "delivered_at",
    )
    list_select_related = ("subscription", "content_type")
    list_filter = ("status", "event", "subscription", "content_type")
    search_fields = ("=id", "record_display")
    date_hierarchy = "occurred_at"
    inlines = (DeliveryAttemptInline,)
    actions = ("resend",)
    fields = (
        "id",
        "subscription",
        ("event", "occurred_at"),
        ("content_type", "object_id", "record_display"),
        ("status", "attempt_count", "next_attempt_at", "delivered_at"),
        "payload",
        "created_at",
    )

    def get_readonly_fields(self, request, obj=None):
        names = []
        for entry in self.fields:
            names.extend(entry if isinstance(entry, tuple) else [entry])
        return names

    def has_add_permission(self, request):
        return False

    @admin.action(
        description=_("Send the selected failed deliveries again"), permissions=["change"]
    )
    def resend(self, request, queryset):
        count = sum(
            delivery_resend(delivery=delivery)
            for delivery in queryset.filter(status=DeliveryStatus.FAILED)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent again.",
                "%(count)d deliveries will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
