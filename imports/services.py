"""Imports asked for through the API or the admin: the job recorded, then run within
the request (a small file) or by a background job (imports.tasks) with progress."""

import io
import logging
import zipfile

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from imports.choices import ImportStatus
from imports.engine import import_file
from imports.models import ImportJob
from imports.reading import FileRefused

logger = logging.getLogger(__name__)


def import_permissions(kind) -> list[str]:
    """Importing adds and changes records of the kind's models."""
    from imports.engine import resource_class

    perms = []
    for model in resource_class(kind).models():
        meta = model._meta
        perms += [
            f"{meta.app_label}.add_{meta.model_name}",
            f"{meta.app_label}.change_{meta.model_name}",
        ]
    return perms


def may_import(user, kind) -> bool:
    return user.is_active and user.has_perms(import_permissions(kind))


def estimate_rows(data: bytes) -> int:
    """Roughly how many rows a file holds, without reading it: to choose between
    importing now and in the background."""
    if data[:4] == b"PK\x03\x04":
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(io.BytesIO(data), read_only=True)
            try:
                return max(sheet.max_row or 0 for sheet in workbook.worksheets)
            finally:
                workbook.close()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return 0
    return data.count(b"\n")


def _progress_key(job_id):
    return f"imports:progress:{job_id}"


def progress_of(job) -> int:
    """A running job's progress: written to the cache, since the rows are imported in a
    transaction no other connection sees before it ends."""
    if job.status == ImportStatus.RUNNING:
        return cache.get(_progress_key(job.pk), job.progress)
    return job.progress


@transaction.atomic
def import_job_create(
    *, user, resource: str, name: str, data: bytes, dry_run: bool, language: str
) -> ImportJob:
    """Record the file; import it now when it is small, else once committed in the
    background. The caller has checked the kind and the permission."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(size)d MB: split it into several files.")
            % {"size": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    job = ImportJob(
        user=user, resource=resource, file_name=name[:255], dry_run=dry_run, language=language
    )
    job.file.save(name.rsplit("/", 1)[-1][:200] or "import", ContentFile(data), save=False)
    job.save()
    if estimate_rows(data) <= settings.IMPORT_SYNC_MAX_ROWS:
        import_job_run(job_id=job.pk, data=data)
        job.refresh_from_db()
    else:
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(job_id), robust=True)
    return job


def _enqueue(job_id):
    from imports.tasks import run_import

    run_import.delay(job_id)


def import_job_run(*, job_id, data: bytes | None = None) -> ImportJob | None:
    """Import a job's file. Safe to run again: a job already finished is left as it is,
    and the rows are imported in one transaction, so a run cut short saved nothing."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
            return job
        job.status = ImportStatus.RUNNING
        job.started_at = timezone.now()
        job.progress = 0
        job.save(update_fields=["status", "started_at", "progress"])
    if data is None:
        with job.file.open("rb") as handle:
            data = handle.read()
    key = _progress_key(job.pk)

    def progress(done, total):
        cache.set(key, min(99, done * 100 // max(total, 1)), timeout=3600)

    with translation.override(job.language):
        try:
            report = import_file(
                kind=job.resource,
                data=data,
                file_name=job.file_name,
                user=job.user,
                dry_run=job.dry_run,
                progress=progress,
            )
        except FileRefused as refused:
            job.errors = [{"row": None, "field": None, "value": None, "message": refused.message}]
            job.status = ImportStatus.FAILED
        except Exception:
            logger.exception("Import job %s failed", job.pk)
            job.errors = [
                {
                    "row": None,
                    "field": None,
                    "value": None,
                    "message": _("The import failed. Try again, or tell the administrator."),
                    "messages": _in_each_language(FAILED_MESSAGE),
                }
            ]
            job.status = ImportStatus.FAILED
        else:
            job.totals = report.totals
            job.errors = report.errors
            job.warnings = report.warnings
            job.row_count = report.rows
            job.status = ImportStatus.SUCCEEDED if report.ok else ImportStatus.FAILED
    if job.errors or job.warnings:
        _translate_messages(job, data)
    cache.delete(key)
    job.progress = 100
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "progress",
            "totals",
            "errors",
            "warnings",
            "row_count",
            "finished_at",
        ]
    )
    return job


FAILED_MESSAGE = gettext_noop("The import failed. Try again, or tell the administrator.")


def _in_each_language(message) -> dict:
    return {code: _translated(message, code) for code, _name in settings.LANGUAGES}


def _translated(message, language):
    with translation.override(language):
        return _(message)


def _translate_messages(job, data: bytes) -> None:
    """The job's errors and warnings in every language of the site, so that each reader
    reads them in theirs (job_messages()), not in the importer's. The messages are made
    as the import runs, in its language: they are made again in each other language by
    reading the file again and, when the import wrote nothing (a dry run, or a file
    refused), importing it again as a dry run, which finds the same errors (a file with
    errors writes nothing). A message that does not come out the same (the same row,
    column and cell) is left in the importer's language."""
    others = [code for code, _name in settings.LANGUAGES if code != job.language]
    if not job.warnings and all(
        set(others) <= set(error.get("messages") or {}) for error in job.errors
    ):
        return  # already in every language
    committed = job.status == ImportStatus.SUCCEEDED and not job.dry_run
    renderings = {}
    for language in others:
        with translation.override(language):
            try:
                if committed:
                    # Written: only the file's reading is done again (its warnings).
                    from imports.engine import resource_class
                    from imports.reading import read_table

                    table = read_table(data, job.file_name, resource_class(job.resource))
                    renderings[language] = ([], table.warnings)
                    continue
                report = import_file(
                    kind=job.resource,
                    data=data,
                    file_name=job.file_name,
                    user=job.user,
                    dry_run=True,
                )
            except FileRefused as refused:
                renderings[language] = (
                    [{"row": None, "field": None, "value": None, "message": refused.message}],
                    [],
                )
            except Exception:  # noqa: BLE001 -- the messages stay in the importer's language
                logger.exception("Import job %s: messages in %s", job.pk, language)
            else:
                renderings[language] = (report.errors, report.warnings)
    errors = []
    for index, error in enumerate(job.errors):
        error = dict(error)
        messages = dict(error.get("messages") or {job.language: error["message"]})
        for language, (their_errors, _warnings) in renderings.items():
            theirs = their_errors[index] if index < len(their_errors) else None
            if theirs and all(theirs[k] == error[k] for k in ("row", "field", "value")):
                messages.setdefault(language, theirs["message"])
        error["messages"] = messages
        errors.append(error)
    job.errors = errors
    warnings = []
    for index, warning in enumerate(job.warnings):
        messages = {job.language: warning}
        for language, (_errors, their_warnings) in renderings.items():
            if index < len(their_warnings):
                messages[language] = their_warnings[index]
        warnings.append(messages)
    job.warnings = warnings


def job_messages(job, language=None) -> tuple[list[dict], list[str]]:
    """The job's errors ({row, field, value, message}) and warnings in `language` (the
    reader's, by default the active one), else as the import wrote them."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    errors = []
    for error in job.errors or []:
        messages = error.get("messages") or {}
        errors.append(
            {
                "row": error.get("row"),
                "field": error.get("field"),
                "value": error.get("value"),
                "message": messages.get(language, error.get("message")),
            }
        )
    warnings = []
    for warning in job.warnings or []:
        if isinstance(warning, dict):
            warning = (
                warning.get(language)
                or warning.get(job.language)
                or next(iter(warning.values()), "")
            )
        warnings.append(warning)
    return errors, warnings
