"""Back up and restore the whole database and the uploaded files.

The database: pg_dump / pg_restore for PostgreSQL, the online-backup API for SQLite (a
consistent copy even while the site runs). The files under MEDIA_ROOT (agreement
documents, exports): a tar archive beside the dump, `<dump>.media.tar.gz`, since every
document row names a file and a database restored without its files would offer
documents that cannot be downloaded.
"""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


class BackupError(RuntimeError):
    pass


def media_archive_path(path) -> Path:
    """Where the uploaded files of the backup at `path` are kept."""
    return Path(f"{path}.media.tar.gz")


def _postgres_environment(connection):
    settings_dict = connection.settings_dict
    environment = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = settings_dict["PASSWORD"]
    arguments = ["--dbname", settings_dict["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            arguments += [option, str(settings_dict[key])]
    return arguments, environment


def _run(command, environment=None):
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} failed")


def backup(path: Path, *, using=DEFAULT_DB_ALIAS) -> Path:
    """Write the database `using` to `path` and MEDIA_ROOT to the archive beside it,
    whose path is returned."""
    _backup_database(Path(path), connections[using])
    # The files after the database: a file uploaded in between is archived without its
    # row (harmless), never a row without its file.
    archive = media_archive_path(path)
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(archive, "w:gz") as tar:
        if media_root.is_dir():
            for child in sorted(media_root.iterdir()):
                tar.add(child, arcname=child.name)
    return archive


def _backup_database(path, connection):
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        arguments, environment = _postgres_environment(connection)
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


def restore(path: Path, *, using=DEFAULT_DB_ALIAS) -> bool:
    """Replace the database `using` with the backup at `path`, and put the uploaded
    files of its archive back under MEDIA_ROOT. Returns whether there was an archive
    (backups made before it existed have none)."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist.")
    archive = media_archive_path(path)
    # The files first: should the database restore then fail, the database is left as
    # it was, with at most some files it does not name. Files not in the archive stay.
    if archive.exists():
        _restore_media(archive)
    _restore_database(path, connections[using])
    _forget_what_was_kept(using)
    return archive.exists()


def _forget_what_was_kept(using):
    """What the shared cache kept from the database before (who holds which permission,
    what each reader may not see) is not what was restored: a restore replaces the
    tables past the ORM, so no signal says so."""
    from accounts import permissions
    from core.classification import forget_hidden

    permissions.forget_all(using=using)
    forget_hidden(using=using)


def _restore_media(archive):
    if not hasattr(tarfile, "data_filter"):
        raise BackupError("Restoring the uploaded files needs Python 3.11.4 or later.")
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive) as tar:
            # The "data" filter refuses absolute paths, links leading out of MEDIA_ROOT
            # and device files: an archive can write only files under MEDIA_ROOT.
            tar.extractall(media_root, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"Cannot restore the uploaded files from {archive}: {error}") from error


def _restore_database(path, connection):
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        arguments, environment = _postgres_environment(connection)
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
