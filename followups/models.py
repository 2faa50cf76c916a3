from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from core.classification import AttachedRecord, ParentLink
from core.models import TimeStampedModel
from followups.choices import FOLLOWABLE_MODELS, FollowUpStatus


def followable_content_types():
    query = Q()
    for app_label, model in FOLLOWABLE_MODELS:
        query |= Q(app_label=app_label, model=model)
    return query


def overdue_q() -> Q:
    """FollowUp.is_overdue in the database: open, and due before today."""
    return Q(status=FollowUpStatus.OPEN, due_on__lt=timezone.localdate())


class FollowUp(AttachedRecord, TimeStampedModel):
    """Something promised at a meeting or owed on a mission, agreement or project
    (フォローアップ), with who does it and by when."""

    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        on_delete=models.PROTECT,
        limit_choices_to=followable_content_types,
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    target = GenericForeignKey("content_type", "object_id")
    title = models.CharField(_("title"), max_length=255)
    # A mission meets several countries; the promise usually concerns one of them.
    country = CountryField(
        _("country concerned"),
        blank=True,
        help_text=_(
            "For a follow-up on a mission: the country it concerns, so that it appears in "
            "that country's brief only. Required when the mission met several countries."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
    )
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.OPEN,
        db_index=True,
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="followup_target_idx"),
            # The reminders' and the analysts' question: what is open and due when.
            models.Index(fields=["status", "due_on"], name="followup_status_due_idx"),
            models.Index(fields=["updated_at", "id"], name="followup_sync_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=FollowUpStatus.DONE, done_on__isnull=False)
                | (~Q(status=FollowUpStatus.DONE) & Q(done_on__isnull=True)),
                name="followup_done_on_iff_done",
                violation_error_message=_(
                    "A follow-up has a completion date exactly when it is done."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    @classmethod
    def classification_parents(cls):
        from django.apps import apps

        # The record it is attached to, one kind of record after the other.
        return tuple(
            ParentLink(apps.get_model(app_label, model_name), "object_id", "content_type")
            for app_label, model_name in FOLLOWABLE_MODELS
        )

    def clean(self):
        super().clean()
        if not self.content_type_id:
            return
        key = (self.content_type.app_label, self.content_type.model)
        if key not in FOLLOWABLE_MODELS:
            raise ValidationError(
                {
                    "content_type": _(
                        "Follow-ups attach to missions, meetings, agreements or projects."
                    )
                }
            )
        if (
            self.object_id is not None
            and not self.content_type.model_class()
            ._default_manager.filter(pk=self.object_id)
            .exists()
        ):
            raise ValidationError({"object_id": _("There is no such record.")})
        if key == ("missions", "mission") and self.object_id is not None:
            self._check_country_of_mission()

    def _check_country_of_mission(self):
        """On a mission, the country concerned is one the mission met, and is named when
        it met several (or the follow-up would show in none of their briefs)."""
        from missions.models import Meeting

        met = set(
            Meeting.objects.filter(mission_id=self.object_id)
            .values_list("counterpart_country", flat=True)
            .distinct()
        )
        if self.country and str(self.country) not in met:
            raise ValidationError({"country": _("The mission held no meeting with this country.")})
        if not self.country and len(met) > 1:
            raise ValidationError(
                {
                    "country": _(
                        "The mission met several countries: choose the one this follow-up concerns."
                    )
                }
            )

    @property
    def is_overdue(self):
        return self.status == FollowUpStatus.OPEN and self.due_on < timezone.localdate()


class ReminderDigest(models.Model):
    """The one reminder e-mail a user gets on a day, recorded in the transaction that
    sends it: a job that runs twice, or twice at once, sends it once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reminder_digests",
    )
    day = models.DateField(_("day"))
    item_count = models.PositiveIntegerField(_("follow-ups listed"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder digest")
        verbose_name_plural = _("reminder digests")
        ordering = ["-day", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day"],
                name="reminder_digest_once_per_user_and_day",
                violation_error_message=_("This user's reminder for this day was already sent."),
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.day}"
