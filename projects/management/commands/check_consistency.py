from django.core.management.base import BaseCommand, CommandError

from projects.selectors import watch_list_contradictions


class Command(BaseCommand):
    help = (
        "List every record that contradicts another (domain.md, “Consistency between "
        "records”): watch-list outcomes that disagree with the next edition. Exits with "
        "status 1 if there is any."
    )

    def handle(self, *args, **options):
        contradictions = watch_list_contradictions()
        for contradiction in contradictions:
            entry = contradiction.entry
            self.stdout.write(
                f"{entry.watch_list} – {entry.project} (watch-list entry {entry.pk}): "
                f"{contradiction.message}"
            )
        if contradictions:
            raise CommandError(
                f"{len(contradictions)} contradictions between records: the transitions "
                "they belong to do not add up until they are corrected."
            )
        self.stdout.write(self.style.SUCCESS("No contradiction between records."))
