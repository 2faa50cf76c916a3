import datetime
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext

from core.services import validated_save
from followups.choices import FollowUpStatus
from followups.models import FollowUp, ReminderDigest

logger = logging.getLogger(__name__)


@transaction.atomic
def followup_mark_done(*, followup: FollowUp, done_on: datetime.date | None = None) -> FollowUp:
    """Close a follow-up as done (today unless told otherwise)."""
    followup.status = FollowUpStatus.DONE
    followup.done_on = done_on or timezone.localdate()
    return validated_save(followup)


# -- reminders -------------------------------------------------------------------------


class ReminderDigestError(Exception):
    """Some digests could not be sent; the others were, and a retry sends only the rest."""


def _open_followups_due(*, user_id=None, until: datetime.date):
    followups = FollowUp.objects.filter(
        status=FollowUpStatus.OPEN,
        due_on__lte=until,
        assignee__is_active=True,
    ).exclude(assignee__email="")
    if user_id is not None:
        followups = followups.filter(assignee_id=user_id)
    return followups


def followups_send_reminder_digests(*, today: datetime.date | None = None) -> int:
    """Send each assignee one e-mail listing their open follow-ups that are overdue or
    due within FOLLOWUP_REMINDER_DAYS. Returns how many e-mails were sent; a user
    already reminded today is skipped, so running it twice sends nothing more."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=settings.FOLLOWUP_REMINDER_DAYS)
    user_ids = (
        _open_followups_due(until=until).order_by().values_list("assignee_id", flat=True).distinct()
    )
    sent, failed = 0, []
    for user in get_user_model().objects.filter(pk__in=list(user_ids)).order_by("pk"):
        try:
            sent += followup_send_reminder_digest(user=user, today=today)
        except SoftTimeLimitExceeded as error:
            # Stop here rather than be killed mid-send: the retry reminds the rest.
            raise ReminderDigestError("time limit reached before every digest was sent") from error
        except Exception:
            logger.exception("Could not send the reminder digest of user %s", user.pk)
            failed.append(user.pk)
    if failed:
        raise ReminderDigestError(f"digests not sent to users {failed}")
    return sent


@transaction.atomic
def followup_send_reminder_digest(*, user, today: datetime.date) -> bool:
    """Send one user's digest for `today` unless it was sent already. The record of it
    is written in the same transaction as the sending: if the e-mail fails, the record
    is rolled back and a retry sends it; if another run holds it, this one waits for it
    and then finds it (the unique constraint) and sends nothing."""
    until = today + datetime.timedelta(days=settings.FOLLOWUP_REMINDER_DAYS)
    followups = list(
        _open_followups_due(user_id=user.pk, until=until)
        .select_related("content_type")
        .prefetch_related("target")
        .order_by("due_on", "id")
    )
    if not followups:
        return False
    _digest, created = ReminderDigest.objects.get_or_create(
        user=user, day=today, defaults={"item_count": len(followups)}
    )
    if not created:
        return False
    _reminder_message(user, followups, today).send()
    return True


def _languages_for(user):
    """The user's language first, then the other one: one e-mail reads in both."""
    codes = [code for code, _name in settings.LANGUAGES]
    first = user.language if user.language in codes else settings.LANGUAGE_CODE
    return [first, *(code for code in codes if code != first)]


def _admin_url(record):
    meta = record._meta
    path = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
    return f"{settings.SITE_URL}{path}"


def _reminder_section(user, overdue, due_soon, today):
    name = user.get_full_name() or user.get_username()
    lines = [
        gettext("Hello %(name)s,") % {"name": name},
        "",
        gettext("Your open follow-ups as of %(date)s:") % {"date": date_format(today)},
    ]
    for heading, items in (
        (gettext("Overdue"), overdue),
        (
            gettext("Due within %(days)d days") % {"days": settings.FOLLOWUP_REMINDER_DAYS},
            due_soon,
        ),
    ):
        if not items:
            continue
        lines += ["", f"{heading} ({len(items)})"]
        for followup in items:
            target = followup.target
            lines += [
                f"- {date_format(followup.due_on)}  {followup.title}",
                f"  {_admin_url(followup)}",
            ]
            if target is None:  # the record it was about has been deleted
                lines.append(f"  {followup.content_type}")
            else:
                lines += [
                    f"  {capfirst(target._meta.verbose_name)}: {target}",
                    f"  {_admin_url(target)}",
                ]
    return "\n".join(lines)


def _reminder_message(user, followups, today):
    overdue = [followup for followup in followups if followup.due_on < today]
    due_soon = [followup for followup in followups if followup.due_on >= today]
    subjects, sections = [], []
    for language in _languages_for(user):
        with translation.override(language):
            subjects.append(
                gettext("Follow-ups: %(overdue)d overdue, %(due)d due soon")
                % {"overdue": len(overdue), "due": len(due_soon)}
            )
            sections.append(_reminder_section(user, overdue, due_soon, today))
    return EmailMessage(
        subject=" / ".join(subjects),
        body="\n\n----------------------------------------\n\n".join(sections) + "\n",
        to=[user.email],
    )
