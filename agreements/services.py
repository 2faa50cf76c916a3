import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.choices import AgreementStatus, Renewal
from agreements.models import Agreement, ExpiryAlert
from core.services import validated_save

logger = logging.getLogger(__name__)


@transaction.atomic
def agreement_save(*, agreement: Agreement) -> Agreement:
    """Save an agreement; one that supersedes an earlier agreement marks it superseded,
    so that no agreement is left in force beside its replacement."""
    previous_superseded_id = None
    if agreement.pk:
        previous_superseded_id = (
            Agreement.objects.filter(pk=agreement.pk)
            .values_list("supersedes_id", flat=True)
            .first()
        )
    validated_save(agreement)
    if agreement.supersedes_id:
        earlier = Agreement.objects.select_for_update().get(pk=agreement.supersedes_id)
        if earlier.status != AgreementStatus.SUPERSEDED:
            earlier.status = AgreementStatus.SUPERSEDED
            validated_save(earlier)
    if previous_superseded_id and previous_superseded_id != agreement.supersedes_id:
        # The link was removed or changed: the earlier agreement is in force again.
        earlier = Agreement.objects.get(pk=previous_superseded_id)
        if earlier.status == AgreementStatus.SUPERSEDED:
            earlier.status = AgreementStatus.IN_FORCE
            validated_save(earlier)
    return agreement


# Stored in the history of each agreement the expiry job moves (read in both languages).
EXPIRED_AUTOMATICALLY = "Expired automatically / 有効期限の到来により自動で失効"


@transaction.atomic
def agreement_expire(*, agreement: Agreement) -> Agreement:
    """Mark an agreement in force as expired, with a reason its history shows."""
    if agreement.status != AgreementStatus.IN_FORCE:
        raise ValidationError({"status": _("Only an agreement in force can expire.")})
    agreement.status = AgreementStatus.EXPIRED
    agreement._change_reason = EXPIRED_AUTOMATICALLY
    return agreement_save(agreement=agreement)


def agreements_due_to_expire(*, today: datetime.date):
    """In force, past their last day, and not renewed automatically (an agreement that
    renews itself goes on; the bureau records its new term)."""
    return Agreement.objects.filter(status=AgreementStatus.IN_FORCE, expires_on__lt=today).exclude(
        renewal=Renewal.AUTOMATIC
    )


def agreements_expire_due(*, today: datetime.date | None = None) -> list[int]:
    """Expire every agreement due to (the day after its expires_on), one transaction
    each; returns their ids. Running it again finds nothing more to do."""
    today = today or timezone.localdate()
    expired = []
    for pk in agreements_due_to_expire(today=today).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and read again: another run may have expired it meanwhile.
            agreement = (
                agreements_due_to_expire(today=today).select_for_update().filter(pk=pk).first()
            )
            if agreement is None:
                continue
            try:
                agreement_expire(agreement=agreement)
            except ValidationError:
                # A record another rule now refuses: the bureau must correct it by hand.
                logger.exception("Agreement %s could not be expired", pk)
                continue
            expired.append(pk)
    return expired


@transaction.atomic
def agreements_send_expiry_alerts(*, today: datetime.date | None = None) -> int:
    """E-mail the bureau (BUREAU_ALERT_EMAIL) about agreements whose expiry is within
    one of AGREEMENT_EXPIRY_ALERT_DAYS (180, 90 and 30 days), each threshold once: one
    e-mail lists all the new ones. An agreement first seen inside several thresholds
    gets one alert. Returns how many agreements the e-mail lists."""
    recipient = settings.BUREAU_ALERT_EMAIL
    if not recipient:
        logger.warning("BUREAU_ALERT_EMAIL is not set: no agreement expiry alerts sent.")
        return 0
    today = today or timezone.localdate()
    thresholds = sorted(settings.AGREEMENT_EXPIRY_ALERT_DAYS)
    candidates = (
        Agreement.objects.filter(
            status__in=[AgreementStatus.SIGNED, AgreementStatus.IN_FORCE],
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=thresholds[-1]),
        )
        .select_related("japanese_signatory")
        .order_by("expires_on", "pk")
    )
    alerts = []
    for agreement in candidates:
        days_left = (agreement.expires_on - today).days
        reached = [days for days in thresholds if days_left <= days]
        new = [
            days
            for days in reached
            # The unique constraint: a concurrent run waits here, then finds them all.
            if ExpiryAlert.objects.get_or_create(
                agreement=agreement, expires_on=agreement.expires_on, days_before=days
            )[1]
        ]
        if new:
            alerts.append((agreement, days_left))
    if alerts:
        _expiry_message(alerts, recipient).send()
    return len(alerts)


def _expiry_message(alerts, recipient):
    subjects, sections = [], []
    for language in [code for code, _name in settings.LANGUAGES]:
        with translation.override(language):
            subjects.append(gettext("Agreements expiring soon: %(count)d") % {"count": len(alerts)})
            lines = [gettext("These agreements expire soon:"), ""]
            for agreement, days_left in alerts:
                path = reverse("admin:agreements_agreement_change", args=[agreement.pk])
                lines += [
                    f"- {agreement} ({agreement.counterpart_country.name})",
                    "  "
                    + gettext("expires on %(date)s, in %(days)d days; %(renewal)s")
                    % {
                        "date": date_format(agreement.expires_on),
                        "days": days_left,
                        "renewal": agreement.get_renewal_display(),
                    },
                    f"  {settings.SITE_URL}{path}",
                ]
            sections.append("\n".join(lines))
    return EmailMessage(
        subject=" / ".join(subjects),
        body="\n\n----------------------------------------\n\n".join(sections) + "\n",
        to=[recipient],
    )
