from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ViewOnlyHistoryAdmin
from core.classification import is_classified, pointing_at_hidden, sees_everything
from webhooks.choices import DeliveryStatus
from webhooks.models import Delivery, DeliveryAttempt, Subscription
from webhooks.registry import resources
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


def _payload_shown(delivery, user) -> bool:
    owner_id = delivery.subscription.owner_id
    return owner_id is None or owner_id == user.pk or sees_everything(user)


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
        names = ["payload_withheld"]
        for entry in self.fields:
            names.extend(entry if isinstance(entry, tuple) else [entry])
        return names

    def get_queryset(self, request):
        """The deliveries of records the user may read (core.classification): one of a
        level-3 record they may not read, alive or deleted, is not listed, found by its
        name, nor opened."""
        queryset = super().get_queryset(request)
        user = request.user
        if sees_everything(user):
            return queryset
        for model in resources():
            if is_classified(model):
                content_type = ContentType.objects.get_for_model(model)
                queryset = queryset.exclude(
                    Q(content_type=content_type) & pointing_at_hidden(model, user, "object_id")
                )
        return queryset

    def get_fields(self, request, obj=None):
        """The body as sent names the related records its subscription's owner may read:
        shown to that owner and to superusers (and for a subscription without an owner,
        which is sent levels 1 and 2 only); to others, a note in its place."""
        fields = list(super().get_fields(request, obj))
        if obj is not None and not _payload_shown(obj, request.user):
            fields = ["payload_withheld" if name == "payload" else name for name in fields]
        return fields

    @admin.display(description=_("record as sent"))
    def payload_withheld(self, delivery):
        return _("Shown to the subscription's owner only: it names the records they may read.")

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
