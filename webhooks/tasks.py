"""Thin tasks: they take ids and call webhooks.services."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from webhooks import services


@shared_task(
    bind=True,
    acks_late=True,
    # Our own attempt count (WEBHOOK_MAX_ATTEMPTS) bounds the retries.
    max_retries=None,
    # The database out of reach: a few tries, then the relay takes over.
    autoretry_for=(OperationalError,),
    retry_kwargs={"max_retries": 5},
    retry_backoff=True,
    retry_jitter=True,
    # Below WEBHOOK_LEASE_SECONDS, so that a lease outlives any live attempt.
    soft_time_limit=settings.WEBHOOK_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.WEBHOOK_TASK_SOFT_TIME_LIMIT + 10,
)
def deliver(self, delivery_id: str):
    """One attempt of a delivery; the next one, if any, after a backoff with jitter."""
    retry_in = services.delivery_attempt(delivery_id=delivery_id, task_id=self.request.id)
    if self.request.is_eager:
        # No broker to wait in (development without one, unit tests): the next attempts
        # at once. Celery's eager retry would raise instead (task_eager_propagates).
        for _attempt in range(settings.WEBHOOK_MAX_ATTEMPTS):
            if retry_in is None:
                break
            retry_in = services.delivery_attempt(delivery_id=delivery_id, task_id=self.request.id)
        return
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task(acks_late=True)
def relay_stale_deliveries():
    """Queue again the deliveries whose task message was lost (the outbox relay)."""
    return services.deliveries_relay_stale()
