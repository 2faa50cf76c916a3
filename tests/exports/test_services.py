"""Exports that do not depend on their message: queued once committed even if the broker
is out of reach, queued again by the hourly relay when the message was lost, and built
once when two messages of a job are taken at the same time."""

import datetime

import pytest
from django.utils import timezone

from exports import services, tasks
from exports.choices import ExportStatus
from exports.models import ExportJob
from tests import factories

pytestmark = pytest.mark.django_db


def _ask(user, **changes):
    job = services.export_job_create(
        user=user, resource="meetings", format="csv", query="", language="en"
    )
    if changes:
        ExportJob.objects.filter(pk=job.pk).update(**changes)
        job.refresh_from_db()
    return job


class _BrokerDown(Exception):
    pass


def test_a_broker_out_of_reach_leaves_the_job_waiting_not_the_request_failing(
    analyst_user, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(job_id):
        raise _BrokerDown

    monkeypatch.setattr(tasks.build_export, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = _ask(analyst_user)
    assert len(callbacks) == 1  # it was queued on commit, and its failure only logged
    job.refresh_from_db()
    assert job.status == ExportStatus.PENDING


def test_the_relay_queues_again_only_jobs_waiting_too_long(analyst_user, monkeypatch):
    now = timezone.now()
    old = now - services.RELAY_AFTER - datetime.timedelta(minutes=1)
    recent = now - services.RELAY_AFTER + datetime.timedelta(minutes=1)
    lost = _ask(analyst_user, created_at=old)
    just_asked = _ask(analyst_user, created_at=recent)
    running = _ask(analyst_user, created_at=old, status=ExportStatus.RUNNING)
    done = _ask(analyst_user, created_at=old, status=ExportStatus.DONE)
    failed = _ask(analyst_user, created_at=old, status=ExportStatus.FAILED)
    expired = _ask(analyst_user, created_at=old, expires_at=now - datetime.timedelta(seconds=1))
    queued = []
    monkeypatch.setattr(tasks.build_export, "delay", queued.append)

    assert services.exports_relay_stale(now=now) == 1
    assert queued == [lost.pk]
    assert {just_asked.pk, running.pk, done.pk, failed.pk, expired.pk}.isdisjoint(queued)


def test_the_hourly_task_relays_and_the_relayed_job_is_built(analyst_user):
    factories.MeetingFactory(counterpart_country="VN")
    lost = _ask(analyst_user, created_at=timezone.now() - datetime.timedelta(hours=1))
    tasks.purge_expired_exports()  # no broker: the relayed job is built at once
    lost.refresh_from_db()
    assert (lost.status, lost.row_count, lost.progress) == (ExportStatus.DONE, 1, 100)


def test_of_two_runs_of_one_job_at_once_the_first_to_finish_keeps_its_file(
    analyst_user, monkeypatch
):
    """A relayed message taken by a second worker while the first is still building."""
    factories.MeetingFactory(counterpart_country="VN")
    job = _ask(analyst_user)
    write = services._write
    runs = []

    def write_while_another_run_finishes(job):
        runs.append(job.pk)
        if len(runs) == 1:
            services.export_build(job_id=job.pk)  # the second worker, done first
        return write(job)

    monkeypatch.setattr(services, "_write", write_while_another_run_finishes)
    outcome = services.export_build(job_id=job.pk)

    assert len(runs) == 2
    job.refresh_from_db()
    assert (job.status, job.row_count) == (ExportStatus.DONE, 1)
    assert outcome.file.name == job.file.name
    folder = job.file.storage.path(job.file.name).rsplit("/", 1)[0]
    files = job.file.storage.listdir(folder)[1]
    assert files == [job.file.name.rsplit("/", 1)[1]]  # the slower run's file is gone


def test_a_failed_run_does_not_undo_a_finished_one(analyst_user, monkeypatch):
    factories.MeetingFactory(counterpart_country="VN")
    job = _ask(analyst_user)
    write = services._write
    runs = []

    def fail_after_another_run_finishes(job):
        runs.append(job.pk)
        if len(runs) == 1:
            services.export_build(job_id=job.pk)
            raise RuntimeError("the first worker's disk is full")
        return write(job)

    monkeypatch.setattr(services, "_write", fail_after_another_run_finishes)
    services.export_build(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportStatus.DONE, "")


def test_the_hourly_task_fails_a_job_killed_by_the_time_limit_and_leaves_a_live_one(
    analyst_user, monkeypatch
):
    """The hard time limit kills the run without a word: the job would stay "running"
    (and My exports reload itself) until it expires."""
    now = timezone.now()
    longest = datetime.timedelta(seconds=tasks.build_export.time_limit) + services.STUCK_MARGIN
    killed = _ask(
        analyst_user,
        status=ExportStatus.RUNNING,
        started_at=now - longest - datetime.timedelta(minutes=1),
    )
    building = _ask(
        analyst_user,
        status=ExportStatus.RUNNING,
        started_at=now - longest + datetime.timedelta(minutes=1),
    )
    monkeypatch.setattr(tasks.build_export, "delay", lambda job_id: None)

    tasks.purge_expired_exports()

    for job in (killed, building):
        job.refresh_from_db()
    assert (killed.status, killed.finished_at is not None) == (ExportStatus.FAILED, True)
    assert killed.error.startswith("The export was stopped before it was finished")
    assert (building.status, building.error, building.finished_at) == (
        ExportStatus.RUNNING,
        "",
        None,
    )


def test_a_run_finishing_after_its_job_was_failed_as_stuck_keeps_nothing(analyst_user, monkeypatch):
    factories.MeetingFactory(counterpart_country="VN")
    job = _ask(analyst_user)
    write = services._write

    def write_while_the_hourly_task_runs(job):
        later = timezone.now() + services._longest_run() + services.STUCK_MARGIN
        assert services.exports_fail_stuck(now=later + datetime.timedelta(minutes=1)) == 1
        return write(job)

    written = []

    def write_and_note(job):
        rows = write_while_the_hourly_task_runs(job)
        written.append(job.file.name)
        return rows

    monkeypatch.setattr(services, "_write", write_and_note)
    services.export_build(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.file.name) == (ExportStatus.FAILED, "")
    # The file the late run wrote is removed, not left behind with no job to purge it.
    assert written and not job.file.storage.exists(written[0])
