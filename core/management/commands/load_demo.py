import time

from django.core.management.base import BaseCommand

from core.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data: the records the source document names and a synthetic set "
        "reproducing its figures. Safe to run again: it creates only the rows that are "
        "missing and leaves the others as they are; --reset brings changed demo rows back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Also bring the demo rows already present back to their demo values, undoing "
                "the changes made to them (follow-up dates move relative to today)."
            ),
        )

    def handle(self, *args, reset=False, **options):
        started = time.monotonic()
        tally = load_demo(reset=reset)
        self.stdout.write("Demo data, rows per model:")
        for line in tally.lines():
            self.stdout.write(line)
        if tally.created or tally.reset:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS("Nothing to do: the demo data was already loaded.")
            )
        # A rerun: staff may have changed demo rows, which a plain run leaves alone. (A
        # first run finds rows too, the groups the migrations made, and needs no hint.)
        if tally.present and not tally.created and not reset:
            self.stdout.write(
                "Rows already present were left as they are; "
                "`manage.py load_demo --reset` brings changed demo rows back to their demo values."
            )
