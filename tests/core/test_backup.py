"""A backup of the demo data, restored into a database that has nothing in it (not
even the tables), gives back the source document's figures and the uploaded files."""

import tarfile
import uuid
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from accounts import permissions
from accounts.permissions import GENERATION
from agreements.models import AgreementDocument
from core.backup import media_archive_path
from core.classification import HIDDEN_GENERATION
from tests import factories
from tests.core.demo_figures import DOCUMENT_FIGURES, document_figures

RESTORED = "restored"


@pytest.fixture(scope="module")
def empty_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """The alias of a new, empty database: a new SQLite file, or a database created on
    the PostgreSQL server and dropped afterwards. Module-scoped, so that the alias
    exists before the test case is set up: a test may use it only if it names it in
    its django_db mark."""
    default = connections[DEFAULT_DB_ALIAS]
    settings_dict = dict(default.settings_dict)
    with django_db_blocker.unblock():
        if default.vendor == "sqlite":
            settings_dict["NAME"] = str(tmp_path_factory.mktemp("restore") / "restored.sqlite3")
        elif default.vendor == "postgresql":
            settings_dict["NAME"] = f"restore_test_{uuid.uuid4().hex[:12]}"
            # Outside any transaction (autocommit), as CREATE DATABASE requires.
            with default.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
        else:
            pytest.skip(f"no backup method for {default.vendor}")
        connections.settings[RESTORED] = settings_dict
        try:
            yield RESTORED
        finally:
            connections[RESTORED].close()
            del connections[RESTORED]
            del connections.settings[RESTORED]
            if default.vendor == "postgresql":
                with default.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')


def tables(alias):
    return connections[alias].introspection.table_names()


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, RESTORED])
def test_backup_then_restore_into_an_empty_database(tmp_path, settings, empty_database):
    call_command("load_demo", stdout=StringIO())
    document = factories.AgreementDocumentFactory()
    uploaded = document.file.read()
    path = tmp_path / "demo.dump"
    call_command("backup_db", str(path), stdout=StringIO())
    assert path.stat().st_size > 0
    assert media_archive_path(path).stat().st_size > 0

    # Another machine: no tables at all, no uploaded files.
    assert tables(empty_database) == []
    settings.MEDIA_ROOT = tmp_path / "other-machine-media"
    out = StringIO()
    call_command("restore_db", str(path), "--noinput", "--database", empty_database, stdout=out)

    assert "uploaded files from" in out.getvalue()
    assert document_figures(using=empty_database) == DOCUMENT_FIGURES
    restored = AgreementDocument.objects.using(empty_database).get(pk=document.pk)
    assert restored.file.name == document.file.name
    assert (settings.MEDIA_ROOT / restored.file.name).read_bytes() == uploaded
    # The restore left the database it was backed up from as it was.
    assert document_figures() == DOCUMENT_FIGURES


@pytest.mark.django_db(transaction=True)
def test_a_backup_without_its_files_restores_the_database_and_says_so(tmp_path, settings):
    document = factories.AgreementDocumentFactory()
    path = tmp_path / "small.dump"
    call_command("backup_db", str(path), stdout=StringIO())
    media_archive_path(path).unlink()
    pk, name = document.pk, document.file.name
    document.delete()
    settings.MEDIA_ROOT = tmp_path / "other-machine-media"
    out = StringIO()

    call_command("restore_db", str(path), "--noinput", stdout=out)

    assert AgreementDocument.objects.get(pk=pk).file.name == name
    assert "the uploaded files were not restored" in out.getvalue()
    assert not (settings.MEDIA_ROOT / name).exists()


@pytest.mark.django_db(transaction=True)
def test_a_restore_forgets_the_permissions_and_hidden_rows_kept_in_the_cache(tmp_path, settings):
    # A restore replaces the tables past the ORM: no signal tells the shared cache.
    settings.PERMISSIONS_CACHE = True
    path = tmp_path / "kept.dump"
    call_command("backup_db", str(path), stdout=StringIO())
    kept = {key: permissions.new_generation(key) for key in (GENERATION, HIDDEN_GENERATION)}

    call_command("restore_db", str(path), "--noinput", stdout=StringIO())

    for key, generation in kept.items():
        assert cache.get(key) != generation, key


def test_restoring_a_missing_file_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore_db", str(tmp_path / "nothing.dump"), "--noinput")


def test_an_archive_cannot_write_outside_media_root(tmp_path, settings):
    path = tmp_path / "backups" / "hostile.dump"
    path.parent.mkdir()
    path.write_bytes(b"not read: the files are restored first")
    payload = tmp_path / "payload.txt"
    payload.write_text("escaped")
    with tarfile.open(media_archive_path(path), "w:gz") as tar:
        tar.add(payload, arcname="../escaped.txt")
    settings.MEDIA_ROOT = tmp_path / "media"

    with pytest.raises(CommandError, match="Cannot restore the uploaded files"):
        call_command("restore_db", str(path), "--noinput")

    assert not (tmp_path / "escaped.txt").exists()
