from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database to a file (pg_dump custom format, or an SQLite copy)."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="Where to write; default var/backups/<database>-<date-time>.dump",
        )

    def handle(self, *args, path=None, **options):
        from django.conf import settings

        if path is None:
            folder = Path(settings.VAR_DIR) / "backups"
            folder.mkdir(parents=True, exist_ok=True)
            path = (
                folder
                / f"{Path(str(settings.DATABASES['default']['NAME'])).stem}-{timezone.localtime():%Y%m%d-%H%M%S}.dump"
            )
        try:
            backup(Path(path))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path}"))
