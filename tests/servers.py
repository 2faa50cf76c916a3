"""Real server processes for tests: the address by which another process reaches the
test database (PostgreSQL's, or a file copy of SQLite's), and gunicorn started with the
production settings (config/gunicorn.conf.py) on that database."""

import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def database_url(home: Path | None = None) -> str:
    """DATABASE_URL of the test database (once created, NAME is the test database's). On
    SQLite, whose test database lives in this process's memory, a file copy of it made
    now in `home`: the other process sees the rows committed before, not those after."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        if home is None:
            raise ValueError("Another process reaches an SQLite test database by a copy.")
        copy = home / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid`."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Gunicorn:
    """`gunicorn -c config/gunicorn.conf.py` on a free port of 127.0.0.1, against the
    test database, with `options` added to its command line (they override the file)
    and `environment` added to its settings. A context manager."""

    def __init__(self, *options: str, environment: dict | None = None, home: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "gunicorn.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(home),
            "DEBUG": "0",
            "SECRET_KEY": "tests-only-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "CELERY_BROKER_URL": "",
            "MEDIA_ROOT": str(home / "media"),
            **(environment or {}),
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{self.port}",
            # One control socket per user otherwise: two servers on a machine would fight.
            "--no-control-socket",
            *options,
        ]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def workers(self) -> set[int]:
        return children(self.process.pid)

    def wait_until_serving(self, timeout=60.0):
        """Until a worker answers (a 401 for the anonymous question)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{self.log()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("GET", "/api/v1/")
                if connection.getresponse().status < 500:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start:\n{self.log()[-3000:]}")

    def __enter__(self):
        try:
            self.wait_until_serving()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
