import time

from django.core.management.base import BaseCommand

from core.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data: the records the source document names and a synthetic set "
        "reproducing its figures. Safe to run again: it writes only the rows that are missing "
        "or differ from the demo set."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        tally = load_demo()
        self.stdout.write("Demo data, rows per model:")
        for line in tally.lines():
            self.stdout.write(line)
        if tally.created or tally.updated:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS("Nothing to do: the demo data was already loaded.")
            )
