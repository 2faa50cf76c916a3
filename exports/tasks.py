"""Thin tasks: they take ids and call exports.services."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from exports import services


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_kwargs={"max_retries": 5},
    retry_backoff=True,
    retry_jitter=True,
    soft_time_limit=settings.EXPORT_TIME_LIMIT_SECONDS,
    time_limit=settings.EXPORT_TIME_LIMIT_SECONDS + 60,
)
def build_export(job_id: int):
    services.export_build(job_id=job_id)


@shared_task(acks_late=True)
def purge_expired_exports():
    """Hourly: fail the jobs whose run was killed by the time limit, queue again the
    jobs whose message was lost (the outbox relay of exports), and delete the expired
    exports."""
    services.exports_fail_stuck()
    services.exports_relay_stale()
    return services.exports_purge_expired()
