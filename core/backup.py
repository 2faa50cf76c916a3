"""Back up and restore the whole database: pg_dump / pg_restore for PostgreSQL, the
online-backup API for SQLite (a consistent copy even while the site runs)."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(RuntimeError):
    pass


def _postgres_environment():
    settings = connection.settings_dict
    environment = dict(os.environ)
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = settings["PASSWORD"]
    arguments = ["--dbname", settings["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            arguments += [option, str(settings[key])]
    return arguments, environment


def _run(command, environment=None):
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} failed")


def backup(path: Path) -> None:
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        arguments, environment = _postgres_environment()
        # Custom format: compressed, and pg_restore can restore it selectively.
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(path), *arguments],
            environment,
        )
    elif connection.vendor == "sqlite":
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
    else:
        raise BackupError(f"No backup method for {connection.vendor}.")


def restore(path: Path) -> None:
    if not Path(path).exists():
        raise BackupError(f"{path} does not exist.")
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        arguments, environment = _postgres_environment()
        connection.close()  # pg_restore replaces the tables this connection would hold
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *arguments,
                str(path),
            ],
            environment,
        )
    elif connection.vendor == "sqlite":
        with sqlite3.connect(path) as source:
            source.backup(connection.connection)
        source.close()
    else:
        raise BackupError(f"No restore method for {connection.vendor}.")
