from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.choices import Channel
from core.classification import Classification

APPEND_ONLY = _("The read audit is append-only: its entries cannot be changed or deleted.")


class ReadEventQuerySet(models.QuerySet):
    """No change and no deletion through the application; on PostgreSQL a trigger
    refuses them in the database as well (migration 0002). Only the retention job
    deletes old entries (audit.services.audit_purge)."""

    def update(self, **kwargs):
        raise PermissionDenied(APPEND_ONLY)

    def delete(self):
        raise PermissionDenied(APPEND_ONLY)


class ReadEvent(models.Model):
    """Who read classified records, when, through which channel, which record or which
    list (its path, filters and number of records): one entry per request."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # Kept as it was: an entry outlives the account it names (no constraint, no cascade).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    path = models.CharField(_("path"), max_length=500)
    query = models.TextField(_("filters"), blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    record_count = models.PositiveIntegerField(_("number of records"), default=0)
    classification = models.PositiveSmallIntegerField(
        _("highest classification"), choices=Classification.choices, null=True
    )
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    objects = ReadEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("read audit entry")
        verbose_name_plural = _("read audit")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "at"], name="readevent_user_at_idx"),
            models.Index(fields=["content_type", "object_id"], name="readevent_record_idx"),
        ]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.path}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(APPEND_ONLY)
