"""Thin tasks: they call audit.services."""

from celery import shared_task

from audit import services


@shared_task(acks_late=True)
def purge_read_audit():
    """Daily: delete the read audit's entries older than AUDIT_RETENTION_DAYS."""
    return services.audit_purge()
