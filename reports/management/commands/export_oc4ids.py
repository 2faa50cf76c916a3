"""Write every project as an OC4IDS project package (README: OC4IDS)."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from projects.models import Project
from reports import oc4ids


class Command(BaseCommand):
    help = (
        "Write the projects as an OC4IDS 0.9 project package (JSON) to PATH, or to the "
        "standard output; streamed, whatever the number of projects."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the file to write (default: stdout)")

    def handle(self, *args, path=None, **options):
        chunks = oc4ids.project_package(
            Project.objects.all(),
            uri=f"{settings.SITE_URL}/api/v1/oc4ids/",
            base_url=settings.SITE_URL,
        )
        if path is None:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return
        target = Path(path)
        partial = target.with_name(target.name + ".partial")
        # Written beside, then renamed: a reader never sees half a package.
        with partial.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        partial.replace(target)
        self.stderr.write(f"Wrote {target}")
