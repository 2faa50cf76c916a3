"""Writing the read audit, and the retention job that alone deletes from it."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from accounts.lockout import client_ip
from audit.choices import Channel
from audit.models import ReadEvent
from core.audit import NOTES


def audit_request(request) -> ReadEvent | None:
    """The one entry of a request that read classified records (core.audit's notes):
    the channel and the record of its first note, the records of all of them."""
    notes = request.__dict__.get(NOTES)
    if not notes:
        return None
    first = notes[0]
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    model = first["model"]
    levels = [note["level"] for note in notes if note["level"] is not None]
    return ReadEvent.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        channel=first["channel"],
        path=request.path[:500],
        query=request.META.get("QUERY_STRING", ""),
        content_type=ContentType.objects.get_for_model(model) if model is not None else None,
        object_id=first["object_id"] if len(notes) == 1 else None,
        record_count=sum(note["count"] or 0 for note in notes),
        classification=max(levels) if levels else None,
        client_address=client_ip(request) or None,
    )


def audit_export(*, user, path: str, query: str, model, count: int) -> ReadEvent:
    """An export built in the background, read by the user who asked for it."""
    return ReadEvent.objects.create(
        user=user,
        username=user.get_username(),
        channel=Channel.EXPORT,
        path=path[:500],
        query=query,
        content_type=ContentType.objects.get_for_model(model),
        record_count=count,
    )


def audit_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the entries older than AUDIT_RETENTION_DAYS, and record that it did (an
    entry of the system channel saying how many and up to when). The one deletion the
    database lets through (the trigger of migration 0002 checks audit.retention)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    table = connection.ops.quote_name(ReadEvent._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL audit.retention = 'on'")
            cursor.execute(f"DELETE FROM {table} WHERE at < %s", [cutoff])  # noqa: S608
            deleted = cursor.rowcount
        ReadEvent.objects.create(
            at=now,
            username="",
            channel=Channel.SYSTEM,
            path="audit_purge",
            query=f"before={cutoff.isoformat()}&deleted={deleted}",
            record_count=deleted,
        )
    return deleted
