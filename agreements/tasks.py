"""Thin tasks: they call agreements.services."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from agreements import services


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_kwargs={"max_retries": 5},
    retry_backoff=60,
    retry_jitter=True,
)
def expire_agreements():
    """Once a day: agreements in force past their expiry date become expired."""
    return services.agreements_expire_due()


@shared_task(
    acks_late=True,
    # Safe to retry: an alert already sent is recorded and not sent again.
    autoretry_for=(SMTPException, OperationalError),
    retry_kwargs={"max_retries": 5},
    retry_backoff=60,
    retry_jitter=True,
)
def send_expiry_alerts():
    """Once a day: tell the bureau which agreements expire within 180, 90 or 30 days."""
    return services.agreements_send_expiry_alerts()
