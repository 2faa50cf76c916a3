"""Exports built in the background: asked for through the API, built by a worker with
the list endpoint's own filters and columns, downloaded by their owner until they
expire."""

import datetime
import logging
import tempfile

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_export
from core.api.export import EXPORT_CHUNK, write_csv, write_xlsx_of
from core.classification import is_classified
from exports import resources
from exports.choices import ExportStatus
from exports.models import ExportJob

logger = logging.getLogger(__name__)


class NotAllowed(Exception):
    """The user may no longer view the records asked for."""


# A job still waiting this long after it was asked for has lost its message.
RELAY_AFTER = datetime.timedelta(minutes=15)
# A run still "running" this long past the build task's hard time limit was killed by
# it; the margin covers the clocks of the worker and of the hourly job disagreeing.
STUCK_MARGIN = datetime.timedelta(minutes=10)


def _ttl():
    return datetime.timedelta(hours=settings.EXPORT_TTL_HOURS)


def filters_as_query(filters: dict) -> str:
    """{"country": ["VN", "TH"], "fiscal_year": 2018} → "country=VN&country=TH&fiscal_year=2018"."""
    query = QueryDict(mutable=True)
    for name, value in filters.items():
        values = value if isinstance(value, list | tuple) else [value]
        query.setlist(name, [str(v).lower() if isinstance(v, bool) else str(v) for v in values])
    return query.urlencode()


def query_as_filters(query: str) -> dict:
    parsed = QueryDict(query)
    return {name: values[0] if len(values) == 1 else values for name, values in parsed.lists()}


@transaction.atomic
def export_job_create(*, user, resource: str, format: str, query: str, language: str) -> ExportJob:
    """Record the request and queue its building once the record is committed. The
    caller has checked the resource, the permission and the filters."""
    job = ExportJob.objects.create(
        user=user,
        resource=resource,
        format=format,
        query=query,
        language=language,
        expires_at=timezone.now() + _ttl(),
    )
    # robust: a broker out of reach must not turn the request into an error; the job
    # stays pending and exports_relay_stale() queues it again.
    # (A lambda, not functools.partial: Django names the failed callback by its
    # __qualname__, which a partial lacks.)
    job_id = job.pk
    transaction.on_commit(lambda: _enqueue(job_id), robust=True)
    return job


def _enqueue(job_id):
    from exports.tasks import build_export

    build_export.delay(job_id)


def _progress(rows, total, job_id):
    """Pass the rows through (the header, then one per record), writing the percentage
    done now and then."""
    step = max(EXPORT_CHUNK // 4, total // 50, 1)
    yield next(rows)
    for index, row in enumerate(rows, 1):
        yield row
        if index % step == 0:
            ExportJob.objects.filter(pk=job_id).update(progress=min(99, index * 100 // total))


def export_build(*, job_id) -> ExportJob | None:
    """Build the file of a job. Safe to run again: a job already finished is left as
    it is, and one left running by a worker that died is built again from the start."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (ExportStatus.DONE, ExportStatus.FAILED):
            return job
        job.status = ExportStatus.RUNNING
        job.started_at = timezone.now()
        job.progress = 0
        job.save(update_fields=["status", "started_at", "progress"])

    with translation.override(job.language):
        try:
            row_count = _write(job)
        except NotAllowed:
            return _fail(job, _("You are no longer allowed to view these records."))
        except SoftTimeLimitExceeded:
            return _fail(job, _("The export took too long. Narrow it with filters and ask again."))
        except Exception:
            logger.exception("Export job %s failed", job.pk)
            return _fail(job, _("The export failed. Ask again, or tell the administrator."))

    now = timezone.now()
    job.status = ExportStatus.DONE
    job.progress = 100
    job.row_count = row_count
    model = resources.model_of(job.resource)
    if row_count and is_classified(model):
        # The read audit: the list the job's owner asked for, built here for them.
        audit_export(
            user=job.user,
            path=f"/api/v1/exports/{job.pk}/",
            query=job.query,
            model=model,
            count=row_count,
        )
    job.finished_at = now
    job.expires_at = now + _ttl()
    job.error = ""
    return _finish(
        job,
        ["status", "progress", "row_count", "finished_at", "expires_at", "error", "file"],
    )


def _finish(job, fields) -> ExportJob | None:
    """Save the outcome of this run, unless another run of the same job (a relayed
    message taken by a second worker while this one was building) finished first or
    the job was purged: then this run's file is removed and the other outcome stands."""
    with transaction.atomic():
        current = ExportJob.objects.select_for_update().filter(pk=job.pk).first()
        if current is None or current.status != ExportStatus.RUNNING:
            if job.file and (current is None or job.file.name != current.file.name):
                job.file.delete(save=False)
            return current
        job.save(update_fields=fields)
    return job


def _write(job) -> int:
    if not job.user.is_active or not job.user.has_perm(resources.view_permission(job.resource)):
        raise NotAllowed(job.resource)
    view = resources.list_view(job.resource, job.user, job.query)
    queryset = resources.filtered_queryset(view)
    total = queryset.count()
    if job.file:  # a run cut short left a file: start again
        job.file.delete(save=False)
    filename = f"{view.basename}-{timezone.localtime(job.created_at):%Y%m%d-%H%M}.{job.format}"
    with tempfile.TemporaryFile() as handle:
        step = max(EXPORT_CHUNK // 4, total // 50, 1)
        done = [0]

        def progress(rows):
            # Now and then: every `step` rows at most.
            if rows - done[0] >= step:
                done[0] = rows
                ExportJob.objects.filter(pk=job.pk).update(
                    progress=min(99, rows * 100 // max(total, 1))
                )

        if job.format == "csv":
            write_csv(handle, queryset, view.export_columns, job.user, progress)
        else:
            write_xlsx_of(handle, queryset, view.export_columns, job.user, progress)
        handle.seek(0)
        job.file.save(filename, File(handle), save=False)
    return total


def _fail(job, message) -> ExportJob | None:
    job.status = ExportStatus.FAILED
    job.error = message
    job.finished_at = timezone.now()
    return _finish(job, ["status", "error", "finished_at"])


def exports_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the files and records of expired exports."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count


def exports_relay_stale(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Queue again the jobs still waiting RELAY_AFTER after they were asked for: their
    message was lost (the broker out of reach at commit). A worker takes a job within
    moments of its message, so one waiting that long has none, or sits behind a long
    queue. In that case the second message is harmless, not free: export_build() does
    nothing for a job already built, but one taken while the first run is still
    building starts a second build, and of the two only the first to finish keeps
    its file."""
    now = now or timezone.now()
    stale = list(
        ExportJob.objects.filter(
            status=ExportStatus.PENDING, created_at__lt=now - RELAY_AFTER, expires_at__gt=now
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for job_id in stale:
        _enqueue(job_id)
    if stale:
        logger.info("Relayed %d stale export jobs", len(stale))
    return len(stale)


def _longest_run() -> datetime.timedelta:
    """How long a run may last before Celery kills it: the build task's hard limit."""
    from exports.tasks import build_export

    return datetime.timedelta(seconds=build_export.time_limit)


def exports_fail_stuck(*, now: datetime.datetime | None = None) -> int:
    """Fail the jobs still running STUCK_MARGIN after the build task's hard time limit.

    At the hard limit Celery kills the run, which records nothing, and acknowledges its
    message: the job would stay "running" until it expires, and My exports reload
    itself all that time. (The soft limit, a minute earlier, fails the job itself;
    the hard one catches a run stuck where it cannot be interrupted.)

    Failed, not queued again: a run killed by the limit took too long and would most
    likely be killed again, holding a worker as long; counting the attempts would
    need one more column for little gain. The user reads why on My exports and asks
    again, with narrower filters. A run finishing after all keeps nothing: _finish()
    saves only the outcome of a job still running; a message delivered again later (its
    worker's machine lost) finds the job failed and builds nothing."""
    now = now or timezone.now()
    stuck = ExportJob.objects.filter(
        status=ExportStatus.RUNNING, started_at__lt=now - _longest_run() - STUCK_MARGIN
    ).order_by("started_at")
    count = 0
    for job in stuck:
        with translation.override(job.language):
            message = _(
                "The export was stopped before it was finished, most likely because it "
                "took too long. Narrow it with filters and ask again."
            )
        count += _fail(job, message) is job  # not if a run finished it meanwhile
    if count:
        logger.warning("Failed %d export jobs left running past the time limit", count)
    return count
