"""Thin tasks: they call followups.services."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from followups import services


@shared_task(
    acks_late=True,
    # Safe to retry: the users already reminded today are skipped.
    autoretry_for=(services.ReminderDigestError, SMTPException, OperationalError),
    retry_kwargs={"max_retries": 5},
    retry_backoff=60,
    retry_jitter=True,
)
def send_reminder_digests():
    """Once a day: each assignee's e-mail of overdue and soon-due follow-ups."""
    return services.followups_send_reminder_digests()
