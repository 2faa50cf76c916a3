"""Lists downloaded at once from a real gunicorn with the production settings
(config/gunicorn.conf.py) and short timeouts: a download cut because its worker was
stopped (a restart at a release, or, with sync workers, the timeout) is seen as cut by
every client, over HTTP/1.1 and HTTP/1.0, and a list too long is refused up front.

The worker is stopped while the clients are downloading: the file is larger than the
socket buffers between them, and the clients read slowly (curl at a limited rate) or
pause until the worker is gone (urllib, requests), so it cannot have finished sending.

Needs PostgreSQL: the server processes open the test database.
"""

import http.client
import json
import secrets
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
import requests

from accounts.models import APIToken
from tests import factories
from tests.api import client_for
from tests.servers import ON_POSTGRESQL, Gunicorn, alive

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL, reason="needs PostgreSQL so that gunicorn sees the test database"
    ),
    pytest.mark.django_db(transaction=True),
]

MEETINGS = "/api/v1/meetings/?format=csv"
# Some 40 MB of CSV: far more than the kernel buffers between the server and a slow
# client hold (a few MB), and 80 s of reading at curl's limited rate.
ROWS, TOPICS_CHARS = 40, 1_000_000


@pytest.fixture
def token(data_entry_user):
    key_holder = APIToken(name="served exports", user=data_entry_user)
    key = key_holder.issue_key()
    key_holder.save()
    return key


@pytest.fixture
def large_list():
    mission = factories.MissionFactory()
    for _ in range(ROWS):
        # Random text, so that nothing on the way can compress it below the buffers.
        factories.MeetingFactory(mission=mission, topics=secrets.token_hex(TOPICS_CHARS // 2))


def _curl(url, key, body, *options):
    """curl downloading to `body`, at a limited rate (a slow client)."""
    return subprocess.Popen(
        ["curl", "--silent", "--show-error", "--limit-rate", "500k", "--output", str(body),
         "--write-out", "%{http_code} %{size_download}",
         "--header", f"Authorization: Token {key}", *options, url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _wait_for_bytes(path, curl, timeout=60.0):
    """Until curl has received part of the body (or has ended)."""
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.stat().st_size > 0) and curl.poll() is None:
        assert time.monotonic() < deadline, f"{path} received nothing"
        time.sleep(0.05)


class _PausedReader(threading.Thread):
    """Reads the headers and a first piece, waits until `resume` is set, then reads the
    rest as a download does, piece by piece; records the status, how the body is
    framed, the bytes read and how it ended."""

    def __init__(self, open_response, resume):
        super().__init__(daemon=True)
        self.open_response, self.resume = open_response, resume
        self.started_body = threading.Event()
        self.status = self.framing = self.error = None
        self.received = 0

    def run(self):
        try:
            status, headers, chunks = self.open_response()
            self.status = status
            self.framing = headers.get("Transfer-Encoding"), headers.get("Content-Length")
            self.received += len(next(chunks))
            self.started_body.set()
            self.resume.wait(60)
            for chunk in chunks:
                self.received += len(chunk)
        except Exception as error:  # noqa: BLE001 -- what the client raised is the finding
            self.error = error
        finally:
            self.started_body.set()


def _urllib(url, key):
    def open_response():
        request = urllib.request.Request(url, headers={"Authorization": f"Token {key}"})
        response = urllib.request.urlopen(request, timeout=60)  # noqa: S310
        chunks = iter(lambda: response.read(65536), b"")
        return response.status, response.headers, chunks

    return open_response


def _requests(url, key):
    def open_response():
        response = requests.get(
            url, headers={"Authorization": f"Token {key}"}, stream=True, timeout=60
        )
        return response.status_code, response.headers, response.iter_content(65536)

    return open_response


def _wait_until_gone(pids, timeout=30.0):
    deadline = time.monotonic() + timeout
    while any(alive(pid) for pid in pids):
        assert time.monotonic() < deadline, "the worker was not stopped"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("worker_options", "stop"),
    [
        # The production settings: a release restarts the workers (HUP); a worker still
        # sending after the graceful timeout stops reporting, and is killed after the
        # timeout.
        (("--graceful-timeout", "1", "--timeout", "2"), "restart"),
        # Sync workers (gunicorn's default, the README's command before): a worker busy
        # sending longer than the timeout is killed.
        # (With more than one thread gunicorn would use gthread whatever the class.)
        (
            ("--worker-class", "sync", "--threads", "1", "--workers", "4", "--timeout", "5"),
            "timeout",
        ),
    ],
    ids=["gthread-restart", "sync-timeout"],
)
def test_a_download_cut_by_a_stopped_worker_is_seen_as_cut_by_every_client(
    tmp_path, token, large_list, data_entry_user, worker_options, stop
):
    with Gunicorn(*worker_options, home=tmp_path) as server:
        url = server.url + MEETINGS
        # What a complete download is.
        whole = b"".join(client_for(data_entry_user, None).get(MEETINGS).streaming_content)
        assert whole.count(b"\r\n") == 1 + ROWS
        workers = server.workers()

        resume = threading.Event()
        readers = [_PausedReader(_urllib(url, token), resume), _PausedReader(_requests(url, token), resume)]  # fmt: skip
        for reader in readers:
            reader.start()
        bodies = [tmp_path / "curl-1.1", tmp_path / "curl-1.0"]
        curls = [_curl(url, token, bodies[0]), _curl(url, token, bodies[1], "--http1.0")]
        for reader in readers:
            assert reader.started_body.wait(60)
            assert reader.error is None, reader.error
        for body, curl in zip(bodies, curls, strict=True):
            _wait_for_bytes(body, curl)

        if stop == "restart":
            server.process.send_signal(signal.SIGHUP)
        _wait_until_gone(workers)
        resume.set()
        for reader in readers:
            reader.join(60)
        outcomes = [curl.communicate(timeout=120) for curl in curls]

    for reader in readers:
        assert (reader.status, reader.framing) == (200, ("chunked", None))
        assert reader.received < len(whole)
    urllib_reader, requests_reader = readers
    assert isinstance(urllib_reader.error, http.client.IncompleteRead), urllib_reader.error
    assert isinstance(requests_reader.error, requests.exceptions.ChunkedEncodingError), (
        requests_reader.error
    )
    # curl: exit 18, "transfer closed with … bytes remaining to read" (a partial file).
    # Over HTTP/1.0 the file is built before the answer starts: a worker stopped while
    # building it answers no success at all (gunicorn's 500, or no answer).
    (out_11, err_11), (out_10, err_10) = outcomes
    status, size = out_11.split()
    assert (curls[0].returncode, status) == (18, "200"), err_11
    assert int(size) < len(whole)
    status, size = out_10.split()
    assert (curls[1].returncode, status) == (18, "200") or not status.startswith("2"), err_10
    assert int(size) < len(whole)


def test_a_list_too_long_is_refused_before_anything_is_sent(tmp_path, token):
    factories.MeetingFactory.create_batch(3)
    with Gunicorn(home=tmp_path, environment={"EXPORT_SYNC_MAX_ROWS": "2"}) as server:
        request = urllib.request.Request(
            server.url + MEETINGS, headers={"Authorization": f"Token {token}"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=60)  # noqa: S310
        error = refused.value
        assert error.code == 400
        body = json.loads(error.read())
        assert body["code"] == "too_many_rows"
        assert body["background_export"]["url"] == server.url + "/api/v1/exports/"
