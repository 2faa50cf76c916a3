"""Thin tasks: they call search.services."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from search import services


@shared_task(
    acks_late=True,
    # Safe to retry: the users already e-mailed today are skipped.
    autoretry_for=(services.SavedFilterDigestError, SMTPException, OperationalError),
    retry_kwargs={"max_retries": 5},
    retry_backoff=60,
    retry_jitter=True,
)
def send_saved_filter_digests():
    """Once a day: each user's e-mail of the new and changed records of their saved
    filters with an alert (daily ones every day, weekly ones on Mondays)."""
    return services.saved_filters_send_digests()
