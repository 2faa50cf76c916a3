import base64
import secrets
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from webhooks.choices import DeliveryStatus, Event
from webhooks.registry import record_types_q


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_task_id() -> str:
    return str(uuid.uuid4())


class Subscription(models.Model):
    """Another system that wants to hear about changes: the bureau's administrator
    chooses which records and which events, and gives the receiver the secret with
    which it checks that a notification comes from us."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Each notification is POSTed here as JSON."),
    )
    secret = models.CharField(
        _("secret"),
        max_length=128,
        default=new_secret,
        help_text=_(
            "The receiver checks the Standard Webhooks signature (webhook-signature) with "
            "this secret, given to a Standard Webhooks library as whsec_ followed by the "
            "secret in base64; the older X-Signature header is still sent for one release."
        ),
    )
    record_types = models.ManyToManyField(
        ContentType,
        verbose_name=_("record types"),
        related_name="+",
        limit_choices_to=record_types_q,
    )
    on_created = models.BooleanField(_("on creation"), default=True)
    on_updated = models.BooleanField(_("on change"), default=True)
    on_deleted = models.BooleanField(_("on deletion"), default=True)
    active = models.BooleanField(_("active"), default=True)
    # Level-3 records go to a subscriber only if this user may read them
    # (core.classification); a subscription without an owner gets levels 1 and 2 only.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=False,
        related_name="+",
        help_text=_(
            "Records of classification 3 are sent only if this user may read them; "
            "levels 1 and 2 as the owner's permissions allow."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Who sent which records where. The secret is kept out of the history's copies.
    history = HistoricalRecords(excluded_fields=["secret"], m2m_fields=[record_types])

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def standard_webhooks_secret(self) -> str:
        """The secret as a Standard Webhooks library takes it: `whsec_` + base64 of the
        key that signs (the secret's UTF-8 bytes)."""
        return "whsec_" + base64.b64encode(self.secret.encode()).decode()


# Which subscription flag asks for which event.
EVENT_FLAGS = {
    Event.CREATED: "on_created",
    Event.UPDATED: "on_updated",
    Event.DELETED: "on_deleted",
}


class Delivery(models.Model):
    """One notification of one change to one subscriber (the outbox): written in the
    change's own transaction, so that a change that is rolled back notifies nobody and
    one that is committed is notified even if the worker, the broker or the receiver is
    down at that moment. Its id is sent with every attempt, so that a receiver can
    ignore one it has already processed."""

    id = models.UUIDField(_("delivery id"), primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=16, choices=Event.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record_display = models.CharField(_("record"), max_length=255, blank=True)
    payload = models.JSONField(
        _("record as sent"),
        null=True,
        blank=True,
        help_text=_(
            "Taken once, when the change is committed, so that every attempt sends the same body."
        ),
    )
    occurred_at = models.DateTimeField(_("changed at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    # The task message in charge; a message with another id (one the relay replaced) is
    # stale and does nothing. Retries and redeliveries keep the id.
    task_id = models.CharField(_("task id"), max_length=36, default=new_task_id, editable=False)
    attempt_count = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("Attempts since it was last sent or re-sent.")
    )
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # Held by the worker making an attempt; a worker that dies lets it lapse.
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=DeliveryStatus.PENDING),
                name="webhook_delivery_pending_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.DELIVERED, delivered_at__isnull=False)
                | (~Q(status=DeliveryStatus.DELIVERED) & Q(delivered_at__isnull=True)),
                name="webhook_delivered_at_iff_delivered",
                violation_error_message=_(
                    "A delivery has a delivery time exactly when it is delivered."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_event_display()}: {self.record_display} → {self.subscription}"


class DeliveryAttempt(models.Model):
    """One POST of a delivery and what came back."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempts"
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["started_at", "id"]

    def __str__(self):
        return f"{self.delivery_id} @ {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300
