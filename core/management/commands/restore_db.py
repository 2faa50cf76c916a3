from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by backup_db."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--noinput", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, path, noinput=False, **options):
        if not noinput:
            answer = input("This replaces every record in the database. Type 'yes' to go on: ")
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restore(Path(path))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored from {path}"))
