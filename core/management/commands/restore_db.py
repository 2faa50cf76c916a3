from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from core.backup import BackupError, media_archive_path, restore


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by backup_db, and put back the "
        "uploaded files of the <file>.media.tar.gz beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--noinput", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database to replace.")

    def handle(self, *args, path, noinput=False, database=DEFAULT_DB_ALIAS, **options):
        if not noinput:
            answer = input("This replaces every record in the database. Type 'yes' to go on: ")
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        try:
            with_files = restore(Path(path), using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if with_files:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored the database from {path} and the uploaded files from "
                    f"{media_archive_path(path)}"
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Restored the database from {path}; there is no {media_archive_path(path)} "
                    "beside it, so the uploaded files were not restored."
                )
            )
