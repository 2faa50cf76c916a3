"""A real Celery worker process on a real broker, against the test database.

Runs when TEST_CELERY_BROKER_URL names a Redis database these tests may purge (CI:
redis://127.0.0.1:6379/15) and the tests run on PostgreSQL, whose test database the
worker process can open (an SQLite test database may live in this process's memory).
The rest of the suite runs tasks in-process; only this module sends them to a broker.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.choices import AgreementStatus, Renewal
from agreements.models import Agreement
from agreements.services import EXPIRED_AUTOMATICALLY
from agreements.tasks import expire_agreements
from config.celery import app
from contacts.models import Organization
from exports.models import ExportJob
from followups.models import ReminderDigest
from followups.tasks import send_reminder_digests
from imports.models import ImportJob
from missions.models import Mission
from tests import factories
from tests.servers import children, database_url
from tests.webhooks.receiver import Receiver
from webhooks.choices import DeliveryStatus
from webhooks.models import Delivery, Subscription
from webhooks.services import INTERRUPTED, signature

BROKER = os.environ.get("TEST_CELERY_BROKER_URL", "")
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
BASE_DIR = Path(settings.BASE_DIR)
# What the worker process is told (and this process mirrors where it matters).
WORKER_TIMEOUT_SECONDS = 2
WORKER_BACKOFF_SECONDS = 0.5


def _broker_unreachable() -> str:
    if not BROKER:
        return "TEST_CELERY_BROKER_URL is not set (e.g. redis://127.0.0.1:6379/15)"
    parts = urlsplit(BROKER)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(64).startswith(b"+PONG"):
                return f"no Redis answers PING at {BROKER}"
    except OSError as error:
        return f"no broker reachable at {BROKER}: {error}"
    return ""


UNREACHABLE = _broker_unreachable() if ON_POSTGRESQL else ""

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="needs PostgreSQL so that the worker process sees the test database",
    ),
    pytest.mark.skipif(bool(UNREACHABLE), reason=UNREACHABLE or "broker reachable"),
    pytest.mark.django_db(transaction=True),
]


class Worker:
    def __init__(self, process, log_path, mail_dir, media_root):
        self.process = process
        self.log_path = log_path
        self.mail_dir = mail_dir
        self.media_root = media_root

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, pattern, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.log()):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"worker log never showed {pattern!r}:\n{self.log()[-4000:]}")

    def wait_for_task(self, task_id, timeout=30.0):
        self.wait_for_log(rf"\[{re.escape(task_id)}\] succeeded", timeout)

    def pool_processes(self) -> list[int]:
        return sorted(children(self.process.pid))


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    """`celery -A config worker` on the broker, with the test database (created by
    django_db_setup, so NAME is now the test database's)."""
    home = tmp_path_factory.mktemp("worker")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(home / "mail"),
        "MEDIA_ROOT": str(home / "media"),
        "BUREAU_ALERT_EMAIL": "kaigai@example.go.jp",
        "WEBHOOK_TIMEOUT_SECONDS": str(WORKER_TIMEOUT_SECONDS),
        "WEBHOOK_BACKOFF_SECONDS": str(WORKER_BACKOFF_SECONDS),
        "WEBHOOK_MAX_ATTEMPTS": "5",
        "LOG_LEVEL": "INFO",
    }
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    subprocess.run([*celery, "purge", "-f"], env=env, cwd=BASE_DIR, check=True, capture_output=True)
    log_path = home / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                *celery,
                "worker",
                "-P",
                "prefork",
                "--concurrency",
                "2",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            env=env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = Worker(process, log_path, home / "mail", home / "media")
    try:
        running.wait_for_log(r"ready\.", timeout=60)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        subprocess.run([*celery, "purge", "-f"], env=env, cwd=BASE_DIR, capture_output=True)


@pytest.fixture
def broker(worker):
    """This process sends its tasks to the broker instead of running them."""
    import kombu.pools

    def reset():
        # Not app.close(): it would unregister the app that shared tasks resolve to.
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None
        kombu.pools.reset()

    reset()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = BROKER, False
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        reset()


def wait_until(condition, timeout=30.0, every=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"not true within {timeout} s")


def subscribe(url, *models):
    subscription = Subscription.objects.create(name="Receiver", url=url)
    subscription.record_types.set([ContentType.objects.get_for_model(m) for m in models])
    return subscription


def finished_delivery():
    return Delivery.objects.exclude(status=DeliveryStatus.PENDING).first()


# -- webhooks ------------------------------------------------------------------------------


def test_a_webhook_refused_twice_is_delivered_once_signed_after_three_attempts(
    worker, broker, capsys
):
    with Receiver((500, 500, 200)) as hook:
        subscription = subscribe(hook.url, Mission)
        committed_at = time.monotonic()
        with transaction.atomic():
            factories.MissionFactory(title="Visit to Ghana")
        delivery = wait_until(finished_delivery)
        time.sleep(2 * WORKER_BACKOFF_SECONDS + 1)  # would anything more arrive?

    assert delivery.status == DeliveryStatus.DELIVERED
    attempts = list(delivery.attempts.all())
    assert [a.status_code for a in attempts] == [500, 500, 200]
    assert len(hook.requests) == 3
    assert {r.headers["X-Delivery-Id"] for r in hook.requests} == {str(delivery.pk)}
    assert len({r.body for r in hook.requests}) == 1
    for request in hook.requests:
        assert request.headers["X-Signature"] == signature(subscription.secret, request.body)
    assert json.loads(hook.requests[0].body)["record"]["title"] == "Visit to Ghana"

    gaps = [
        (later.started_at - earlier.started_at).total_seconds()
        for earlier, later in zip(attempts, attempts[1:], strict=False)
    ]
    # Backoff with jitter: the upper half of base × 2^(n-1).
    assert WORKER_BACKOFF_SECONDS / 2 <= gaps[0] <= WORKER_BACKOFF_SECONDS + 1
    assert WORKER_BACKOFF_SECONDS <= gaps[1] <= 2 * WORKER_BACKOFF_SECONDS + 1
    with capsys.disabled():
        print(
            f"\n[worker] commit → first POST {hook.requests[0].at - committed_at:.3f} s; "
            f"gaps between attempts {[round(g, 3) for g in gaps]} s; "
            f"durations {[a.duration_ms for a in attempts]} ms"
        )


def test_a_rolled_back_change_delivers_nothing(worker, broker):
    with Receiver((200,)) as hook:
        subscribe(hook.url, Mission)
        with pytest.raises(RuntimeError), transaction.atomic():
            factories.MissionFactory(title="Rolled back")
            raise RuntimeError("the change fails")
        with transaction.atomic():
            factories.MissionFactory(title="Kept")
        wait_until(finished_delivery)
        time.sleep(1)

    assert [json.loads(r.body)["record"]["title"] for r in hook.requests] == ["Kept"]
    assert Delivery.objects.count() == 1
    assert not Mission.objects.filter(title="Rolled back").exists()


def test_a_worker_killed_mid_delivery_leads_to_one_redelivery_with_the_same_id(
    worker, broker, capsys
):
    hold = threading.Event()
    with Receiver((200,), hold_first=hold) as hook:
        subscribe(hook.url, Mission)
        with transaction.atomic():
            factories.MissionFactory()
        assert hook.first_arrived.wait(30), worker.log()[-3000:]
        for pid in worker.pool_processes():
            os.kill(pid, signal.SIGKILL)  # the pool process posting it, mid-request
        killed_at = time.monotonic()
        hold.set()
        delivery = wait_until(finished_delivery, timeout=settings.WEBHOOK_LEASE_SECONDS + 60)
        time.sleep(1)

    assert delivery.status == DeliveryStatus.DELIVERED
    first, second = delivery.attempts.all()
    assert (first.status_code, first.error) == (None, INTERRUPTED)
    assert second.status_code == 200
    assert len(hook.requests) == 2
    assert len({r.headers["X-Delivery-Id"] for r in hook.requests}) == 1
    assert len({r.body for r in hook.requests}) == 1
    with capsys.disabled():
        print(
            f"\n[worker] killed mid-POST; redelivered {hook.requests[1].at - killed_at:.1f} s "
            "later (after the lease of the dead attempt lapsed)"
        )


# -- reminders and expiry -------------------------------------------------------------------


def test_the_reminder_digest_is_sent_once_per_user_and_day_when_the_task_runs_twice(worker, broker):
    soon = timezone.localdate() + timezone.timedelta(days=2)
    users = [factories.UserFactory(username=f"officer{n}") for n in range(3)]
    for user in users:
        factories.FollowUpFactory.create_batch(2, assignee=user, due_on=soon)

    runs = [send_reminder_digests.delay(), send_reminder_digests.delay()]
    for run in runs:
        worker.wait_for_task(run.id)

    recipients = [
        line.removeprefix("To: ")
        for mail_file in worker.mail_dir.glob("*.log")
        for line in mail_file.read_text().splitlines()
        if line.startswith("To: ")
    ]
    assert sorted(recipients) == sorted(user.email for user in users)
    assert ReminderDigest.objects.filter(day=timezone.localdate()).count() == 3


def test_the_expiry_job_moves_exactly_the_agreements_due(worker, broker):
    today = timezone.localdate()

    def agreement(expires_in_days, **fields):
        fields.setdefault("status", AgreementStatus.IN_FORCE)
        return factories.AgreementFactory(
            signed_on=today - timezone.timedelta(days=1000),
            expires_on=today + timezone.timedelta(days=expires_in_days),
            **fields,
        )

    due = [agreement(-1), agreement(-30)]
    not_due = [
        agreement(0),
        agreement(5),
        agreement(-1, renewal=Renewal.AUTOMATIC),
        agreement(-1, status=AgreementStatus.TERMINATED),
        agreement(-1, status=AgreementStatus.SIGNED),
    ]
    before = dict(Agreement.objects.values_list("pk", "status"))

    run = expire_agreements.delay()
    worker.wait_for_task(run.id)

    after = dict(Agreement.objects.values_list("pk", "status"))
    assert {pk for pk in after if after[pk] != before[pk]} == {a.pk for a in due}
    assert all(after[a.pk] == AgreementStatus.EXPIRED for a in due)
    assert all(after[a.pk] == before[a.pk] for a in not_due)
    for expired in due:
        assert expired.history.first().history_change_reason == EXPIRED_AUTOMATICALLY


# -- exports -------------------------------------------------------------------------------


def test_an_export_is_built_by_the_worker_and_downloaded(worker, broker, settings):
    settings.MEDIA_ROOT = worker.media_root  # where the worker writes it
    factories.MissionFactory.create_batch(3)
    # The roles' groups went with the flush of an earlier transactional test: the
    # permission itself is what an export needs.
    reader = factories.UserFactory()
    reader.user_permissions.add(
        Permission.objects.get(content_type__app_label="missions", codename="view_mission")
    )
    client = APIClient()
    client.force_authenticate(reader)
    response = client.post(
        "/api/v1/exports/", {"resource": "missions", "format": "xlsx"}, format="json"
    )
    assert response.status_code == 202
    job = wait_until(lambda: ExportJob.objects.filter(status__in=["done", "failed"]).first())
    assert (job.status, job.row_count, job.progress) == ("done", 3, 100)
    download = client.get(f"/api/v1/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")  # a zip: XLSX


def test_a_long_import_is_run_by_the_worker(worker, broker, settings):
    settings.MEDIA_ROOT = worker.media_root  # where the worker reads the file
    settings.IMPORT_SYNC_MAX_ROWS = 2
    clerk = factories.UserFactory()
    clerk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="contacts",
            codename__in=["add_organization", "change_organization"],
        )
    )
    client = APIClient()
    client.force_authenticate(clerk)
    rows = "name,kind,country\n" + "".join(f"Ministry {n},外国政府機関,GH\n" for n in range(5))
    upload = SimpleUploadedFile("bureau.csv", rows.encode("utf-8-sig"))
    response = client.post(
        "/api/v1/imports/", {"resource": "organizations", "file": upload}, format="multipart"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    job = wait_until(lambda: ImportJob.objects.filter(status__in=["succeeded", "failed"]).first())
    assert (job.status, job.totals["new"], job.progress) == ("succeeded", 5, 100), job.errors
    assert Organization.objects.filter(name__startswith="Ministry ").count() == 5
