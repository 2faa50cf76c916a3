"""Two app servers (gunicorn, production settings) and a Celery worker on one
PostgreSQL, one Redis and one S3-compatible object store behave as one system: an API
token's throttle is counted once across the servers, a session opened on one is valid
on the other, a document uploaded through one downloads through the other, and an
export the worker built downloads from either.

Needs PostgreSQL (the server processes open the test database) and the Redis server
this machine runs (databases 13 and 14, emptied before and after); the object store is
moto's S3 server, started here.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import boto3
import pytest
import redis
import requests

from accounts.models import APIToken
from exports.models import ExportJob
from tests import factories
from tests.factories import MINIMAL_PDF
from tests.servers import BASE_DIR, ON_POSTGRESQL, Gunicorn, database_url

CACHE_URL = os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/14")
BROKER_URL = os.environ.get("TEST_SHARED_BROKER_URL", "redis://127.0.0.1:6379/13")
TOKEN_BUDGET = 6

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL, reason="needs PostgreSQL so that gunicorn sees the test database"
    ),
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(condition, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    pytest.fail(f"never happened: {what}")


@pytest.fixture(scope="module")
def object_store(tmp_path_factory):
    """moto's S3 server on a free port, with an empty bucket."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("s3") / "moto.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    credentials = {
        "AWS_ACCESS_KEY_ID": "tests",
        "AWS_SECRET_ACCESS_KEY": "tests-secret",
        "AWS_S3_REGION_NAME": "us-east-1",
    }
    try:

        def serving():
            try:
                return requests.get(endpoint, timeout=2).status_code < 500
            except requests.ConnectionError:
                return False

        _wait_for(serving, "moto's S3 server answers")
        bucket = f"crm-{uuid.uuid4().hex[:8]}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        ).create_bucket(Bucket=bucket)
        yield {
            **credentials,
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": endpoint,
        }
    finally:
        _stop(process)
        log.close()


@pytest.fixture(scope="module")
def system(django_db_setup, object_store, tmp_path_factory):
    """Two gunicorn instances and a Celery worker sharing the database, Redis (cache
    and broker) and the object store; each with a MEDIA_ROOT of its own, so that a
    file found by the other was not found on a shared disk."""
    shared = [redis.Redis.from_url(CACHE_URL), redis.Redis.from_url(BROKER_URL)]
    for store in shared:
        store.flushdb()
    environment = {
        **object_store,
        "CACHE_URL": CACHE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "API_THROTTLE_TOKEN": f"{TOKEN_BUDGET}/hour",
    }
    homes = [tmp_path_factory.mktemp(name) for name in ("first", "second", "worker")]
    worker_log = (homes[2] / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"shared-{uuid.uuid4().hex[:8]}@%h", "-l", "info"],
        env={**os.environ, **environment, "DATABASE_URL": database_url(),
             "MEDIA_ROOT": str(homes[2] / "media")},
        cwd=BASE_DIR, stdout=worker_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        with (
            Gunicorn("--workers", "1", environment=environment, home=homes[0]) as one,
            Gunicorn("--workers", "1", environment=environment, home=homes[1]) as other,
        ):
            yield one, other
    finally:
        _stop(worker)
        worker_log.close()
        for store in shared:
            store.flushdb()


def _token(user, name):
    holder = APIToken(name=name, user=user, can_write=True)
    key = holder.issue_key()
    holder.save()
    return {"Authorization": f"Token {key}"}


def _signed_in(server, user, settings):
    """A browser session opened on `server`'s login page."""
    # The servers know the production hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user.set_password("several-servers-password")
    user.save()
    browser = requests.Session()
    login = f"{server.url}/accounts/login/"
    assert browser.get(login, timeout=30).status_code == 200
    signed_in = browser.post(
        login,
        data={
            "username": user.username,
            "password": "several-servers-password",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": login},
        timeout=30,
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    return browser


def test_a_tokens_throttle_is_counted_once_across_servers(system, analyst_user):
    one, other = system
    headers = _token(analyst_user, "throttled")
    statuses = [
        requests.get(f"{server.url}/api/v1/missions/", headers=headers, timeout=30).status_code
        for server in (one, other) * (TOKEN_BUDGET // 2)
    ]
    assert statuses == [200] * TOKEN_BUDGET
    # The budget is spent, half on each server: a cache per process would have let
    # each server allow as many again.
    for server in (one, other):
        refused = requests.get(f"{server.url}/api/v1/missions/", headers=headers, timeout=30)
        assert refused.status_code == 429, server.url


def test_a_session_opened_on_one_server_is_valid_on_the_other(system, analyst_user, settings):
    one, other = system
    browser = _signed_in(one, analyst_user, settings)
    # Cookies ignore ports: the other server receives the same session cookie.
    assert browser.get(f"{other.url}/api/v1/missions/", timeout=30).status_code == 200


def test_a_document_uploaded_through_one_server_downloads_through_the_other(
    system, data_entry_user, analyst_user, settings
):
    one, other = system
    agreement = factories.AgreementFactory()
    uploaded = requests.post(
        f"{one.url}/api/v1/agreement-documents/",
        headers=_token(data_entry_user, "uploader"),
        data={"agreement": agreement.pk, "language": "en"},
        files={"file": ("moc-signed.pdf", MINIMAL_PDF, "application/pdf")},
        timeout=30,
    )
    assert uploaded.status_code == 201, uploaded.text
    download_path = uploaded.json()["download_url"].split("://", 1)[1].split("/", 1)[1]

    browser = _signed_in(other, analyst_user, settings)
    download = browser.get(f"{other.url}/{download_path}", timeout=30)
    assert download.status_code == 200
    assert download.content == MINIMAL_PDF


def test_an_export_built_by_the_worker_downloads_from_either_server(system, analyst_user):
    one, other = system
    factories.MissionFactory.create_batch(3)
    headers = _token(analyst_user, "exporter")
    started = requests.post(
        f"{one.url}/api/v1/exports/",
        headers=headers,
        json={"resource": "missions", "format": "csv"},
        timeout=30,
    )
    assert started.status_code == 202, started.text
    job = _wait_for(
        lambda: ExportJob.objects.filter(pk=started.json()["id"], status="done").first(),
        "the worker finished the export",
    )
    assert job.row_count == 3
    bodies = []
    for server in (one, other):
        download = requests.get(
            f"{server.url}/api/v1/exports/{job.pk}/download/", headers=headers, timeout=30
        )
        assert download.status_code == 200, server.url
        bodies.append(download.content)
    assert bodies[0] == bodies[1]
    assert len(bodies[0].decode("utf-8-sig").strip().splitlines()) == 1 + 3
