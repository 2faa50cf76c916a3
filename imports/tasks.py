"""Thin tasks: they take ids and call imports.services."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from imports import services


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_kwargs={"max_retries": 3},
    retry_backoff=True,
    soft_time_limit=settings.IMPORT_TIME_LIMIT_SECONDS,
    time_limit=settings.IMPORT_TIME_LIMIT_SECONDS + 60,
)
def run_import(job_id: int):
    services.import_job_run(job_id=job_id)
