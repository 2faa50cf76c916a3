"""What a request read, noted for the read audit (the `audit` app writes it).

core imports no other app: the paths that show records (RecordViewSet, RecordAdmin,
the analysts' pages) note here what they returned, and audit.middleware writes one row
for the whole request, in one INSERT, once the response is ready. Only reads of level-2
and level-3 records are noted (core.classification)."""

from __future__ import annotations

from core.classification import Classification, classification_of

CHANNEL_ADMIN = "admin"
CHANNEL_API = "api"
CHANNEL_PAGE = "page"
CHANNEL_EXPORT = "export"
CHANNEL_DOWNLOAD = "download"

NOTES = "_audit_reads"


def _http_request(request):
    # A DRF Request wraps Django's: the middleware sees Django's.
    return getattr(request, "_request", request)


def note_records(request, channel: str, records, *, detail: bool = False):
    """Note a read of `records` (model instances: a page, a record, what a brief
    lists), if any of them is level 2 or 3."""
    records = [record for record in records if record is not None]
    if not records:
        return
    levels = [classification_of(record) for record in records]
    top = max(levels)
    if top < Classification.INTERNAL:
        return
    record = records[0] if detail and len(records) == 1 else None
    note(
        request,
        channel,
        model=type(records[0]),
        object_id=record.pk if record is not None else None,
        count=len(records),
        level=top,
    )


def note(request, channel: str, *, model=None, object_id=None, count: int = 0, level=None):
    """Note a read whose records are known by model and number (an export's)."""
    request = _http_request(request)
    notes = request.__dict__.setdefault(NOTES, [])
    notes.append(
        {
            "channel": channel,
            "model": model,
            "object_id": object_id,
            "count": count,
            "level": level,
        }
    )


def forget(request):
    """Forget the reads noted so far in this request: what was read to build an answer
    that shows none of it (a page's context, built for one of its tables' files)."""
    _http_request(request).__dict__.pop(NOTES, None)
