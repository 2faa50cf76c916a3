from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the whole database to a file (pg_dump custom format, or an SQLite copy) "
        "and the uploaded files (MEDIA_ROOT) to <file>.media.tar.gz beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="Where to write; default var/backups/<database>-<date-time>.dump",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database to back up.")

    def handle(self, *args, path=None, database=DEFAULT_DB_ALIAS, **options):
        if path is None:
            folder = Path(settings.VAR_DIR) / "backups"
            folder.mkdir(parents=True, exist_ok=True)
            name = Path(str(settings.DATABASES[database]["NAME"])).stem
            path = folder / f"{name}-{timezone.localtime():%Y%m%d-%H%M%S}.dump"
        try:
            archive = backup(Path(path), using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the database to {path} and the uploaded files to {archive}"
            )
        )
