"""The site served by gunicorn, as production serves it, against the test database.

For tests of what only a real server shows (its own stack, its worker process). On
PostgreSQL gunicorn opens the test database itself; on SQLite, whose test database
lives in this process's memory, it gets a file copy of it made when the server starts
(so the rows a test wants it to see must be committed and made before).

The port is TEST_SERVER_PORT when set (a range reserved for the run), else one the
system picks and gunicorn reports."""

import contextlib
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def _database_url(home: Path) -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = home / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def gunicorn_site(home: Path, timeout: float = 60.0):
    """Start `gunicorn config.wsgi` (one sync worker, DEBUG off) and yield its base URL;
    stop it when the block ends."""
    port = int(os.environ.get("TEST_SERVER_PORT", "0"))
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(home),
        "DJANGO_ENV": "development",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(home / "media"),
        "CELERY_BROKER_URL": "",
    }
    log_path = home / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "config.wsgi"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "info"),
            ],
            env=env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            text = log_path.read_text(errors="replace")
            listening = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
            if listening and "Booting worker" in text:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{text[-4000:]}")
            time.sleep(0.1)
        yield listening.group(1)
    finally:
        stop(process)


def stop(process: subprocess.Popen, grace: float = 30.0):
    """End a server or worker the test started: SIGTERM (a graceful shutdown), then
    SIGKILL if it has not ended within `grace` seconds."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
