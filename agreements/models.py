import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from agreements.choices import (
    SIGNED_STATUSES,
    AgreementKind,
    AgreementStatus,
    DocumentLanguage,
    Renewal,
)
from agreements.validators import validate_agreement_document
from contacts.models import Organization, Person
from core.classification import AttachedManager, ClassifiedModel
from core.i18n import localized
from core.models import Sector, Tag, TimeStampedModel
from core.regions import JAPAN
from missions.models import Meeting
from projects.models import Project


class Agreement(ClassifiedModel, TimeStampedModel):
    """A bilateral agreement such as a Memorandum of Cooperation (協力覚書), from
    proposal to expiry. Third-country cooperation lists its target countries."""

    title = models.CharField(_("title (English)"), max_length=255)
    title_ja = models.CharField(_("title (Japanese)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=AgreementKind.choices, db_index=True)
    japanese_signatory = models.ForeignKey(
        Organization,
        verbose_name=_("Japanese signatory"),
        on_delete=models.PROTECT,
        related_name="agreements_signed_for_japan",
    )
    signed_by = models.ForeignKey(
        Person,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements_signed",
    )
    counterpart_country = CountryField(_("counterpart country"), db_index=True)
    counterpart_organizations = models.ManyToManyField(
        Organization,
        verbose_name=_("counterpart organisations"),
        related_name="agreements",
        blank=True,
    )
    target_countries = CountryField(
        _("target countries"),
        multiple=True,
        blank=True,
        help_text=_("For third-country cooperation: the countries the cooperation aims at."),
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), related_name="agreements", blank=True
    )
    scope = models.TextField(_("scope"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AgreementStatus.choices,
        default=AgreementStatus.PROPOSED,
        db_index=True,
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True, db_index=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Leave blank if it has no end."),
    )
    renewal = models.CharField(
        _("renewal"), max_length=16, choices=Renewal.choices, default=Renewal.NONE
    )
    signed_at_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("signed at meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements_signed",
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("projects"), related_name="agreements", blank=True
    )

    tags = models.ManyToManyField(
        Tag, verbose_name=_("tags"), related_name="agreements", blank=True
    )

    history = HistoricalRecords(m2m_fields=[counterpart_organizations, sectors, projects, tags])

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "title"]
        # The analysts' filters, the default order, and the sync cursor (updated_at, id).
        indexes = [
            models.Index(
                fields=["counterpart_country", "signed_on"], name="agreement_country_signed_idx"
            ),
            models.Index(fields=["-signed_on", "title"], name="agreement_order_idx"),
            models.Index(fields=["updated_at", "id"], name="agreement_sync_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=SIGNED_STATUSES) | Q(signed_on__isnull=False),
                name="agreement_signed_needs_signed_on",
                violation_error_message=_("An agreement with this status needs its signing date."),
            ),
            models.CheckConstraint(
                condition=Q(effective_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(effective_on__gte=F("signed_on")),
                name="agreement_effective_after_signed",
                violation_error_message=_("An agreement cannot take effect before it is signed."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(effective_on__isnull=True)
                | Q(expires_on__gt=F("effective_on")),
                name="agreement_expires_after_effective",
                violation_error_message=_("An agreement must expire after it takes effect."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(expires_on__gt=F("signed_on")),
                name="agreement_expires_after_signed",
                violation_error_message=_("An agreement must expire after it is signed."),
            ),
            models.CheckConstraint(
                condition=~Q(counterpart_country=JAPAN),
                name="agreement_counterpart_not_japan",
                violation_error_message=_("Japan cannot be the counterpart country."),
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")),
                name="agreement_not_superseding_itself",
                violation_error_message=_("An agreement cannot supersede itself."),
            ),
        ]

    def __str__(self):
        return localized(self.title, self.title_ja)

    def _check_signing_meeting(self, meeting):
        """An agreement signed at a meeting was signed with that meeting's counterpart
        country, on the day of the meeting."""
        errors = {}
        if meeting.counterpart_country != self.counterpart_country:
            errors["signed_at_meeting"] = _(
                "That meeting was with %(country)s, not with the agreement's counterpart country."
            ) % {"country": meeting.counterpart_country.name}
        if self.signed_on and self.signed_on != meeting.date:
            errors["signed_on"] = _(
                "It was signed at a meeting held on %(date)s: the signing date is that day."
            ) % {"date": date_format(meeting.date)}
        if errors:
            raise ValidationError(errors)

    def _supersedes_in_a_circle(self) -> bool:
        # The one it would supersede, or an agreement that one supersedes, is this one.
        # (Superseding itself is refused on its own, by a constraint.)
        return self.supersedes_id != self.pk and _supersedes_chain_reaches(
            self.supersedes_id, self.pk
        )

    def clean(self):
        super().clean()
        if (
            self.pk
            and self.status != AgreementStatus.SUPERSEDED
            and Agreement.objects.filter(supersedes_id=self.pk).exists()
        ):
            raise ValidationError(
                {
                    "status": _(
                        "Another agreement supersedes this one, so its status must be “superseded”."
                    )
                }
            )
        if self.supersedes_id and self.supersedes.status not in SIGNED_STATUSES:
            raise ValidationError({"supersedes": _("Only a signed agreement can be superseded.")})
        if self.signed_at_meeting_id:
            self._check_signing_meeting(self.signed_at_meeting)
        if self.pk and self.supersedes_id and self._supersedes_in_a_circle():
            raise ValidationError(
                {
                    "supersedes": _(
                        "That agreement already supersedes this one, directly or through "
                        "others: two agreements cannot each supersede the other."
                    )
                }
            )
        if self.supersedes_id and self.supersedes.counterpart_country != self.counterpart_country:
            raise ValidationError(
                {
                    "supersedes": _(
                        "An agreement can only supersede one with the same counterpart country."
                    )
                }
            )


def _supersedes_chain_reaches(start_id, target_id) -> bool:
    """Whether following `supersedes` from start_id (one query a step) reaches target_id."""
    seen, current = set(), start_id
    while current is not None and current not in seen:
        if current == target_id:
            return True
        seen.add(current)
        current = (
            Agreement.objects.filter(pk=current).values_list("supersedes_id", flat=True).first()
        )
    return False


def agreement_document_path(document, filename):
    # A random folder per file: its address cannot be guessed, even were MEDIA_ROOT
    # ever served by mistake, and the file keeps its own name for the download.
    return f"agreements/{document.agreement_id}/{uuid.uuid4().hex}/{filename}"


class AgreementDocument(TimeStampedModel):
    """A file of an agreement: the signed text, a translation, an annex. It carries
    its agreement's classification: no document is less restricted than its
    agreement."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(
        _("file"),
        upload_to=agreement_document_path,
        max_length=255,
        validators=[validate_agreement_document],
        help_text=_("PDF, Word, Excel, PowerPoint, PNG or JPEG."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=DocumentLanguage.choices,
        default=DocumentLanguage.JAPANESE,
    )
    description = models.CharField(_("description"), max_length=255, blank=True)

    history = HistoricalRecords()

    objects = AttachedManager()
    # Its classification is its agreement's (core.classification.history_row_hidden).
    classified_via = "agreement"

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["agreement", "id"]

    def __str__(self):
        return self.description or self.file.name.rsplit("/", 1)[-1]


class ExpiryAlert(models.Model):
    """An alert sent to the bureau that an agreement expires within `days_before` days;
    each threshold once per agreement."""

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="expiry_alerts",
    )
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    expires_on = models.DateField(
        _("expiry date alerted"),
        help_text=_("The expiry date the alert was about; a new date makes new alerts."),
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("expiry alert")
        verbose_name_plural = _("expiry alerts")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "expires_on", "days_before"],
                name="expiry_alert_once_per_threshold",
                violation_error_message=_("This alert was already sent."),
            ),
        ]

    def __str__(self):
        return f"{self.agreement} ({self.days_before})"
