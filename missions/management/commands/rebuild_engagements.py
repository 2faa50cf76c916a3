from django.core.management.base import BaseCommand

from missions.services import rebuild_engagements


class Command(BaseCommand):
    help = (
        "Recompute every (mission, counterpart country) engagement from the meetings: "
        "a repair, or after meetings were written without the application."
    )

    def handle(self, *args, **options):
        pairs = rebuild_engagements()
        self.stdout.write(self.style.SUCCESS(f"{pairs} engagements rebuilt from the meetings"))
