from django.core.management.base import BaseCommand

from contacts.models import Organization, Person
from contacts.services import likely_duplicates

MODELS = {"people": Person, "organizations": Organization}


class Command(BaseCommand):
    help = (
        "List the people and organisations likely entered twice: names (English or "
        "Japanese) the same or nearly the same once case and character width are "
        "ignored (organisations within one country). Merge them in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", choices=sorted(MODELS), help="list only people or only organisations"
        )

    def handle(self, *args, only=None, **options):
        found = 0
        for key, model in MODELS.items():
            if only and key != only:
                continue
            pairs = likely_duplicates(model)
            found += len(pairs)
            self.stdout.write(f"{model._meta.verbose_name_plural}: {len(pairs)}")
            for pair in pairs:
                self.stdout.write(
                    f"  {pair.score:.2f}  #{pair.first.pk} {_describe(pair.first)}"
                    f"  ~  #{pair.second.pk} {_describe(pair.second)}"
                )
        self.stdout.write(f"{found} likely duplicates" if found else "No likely duplicates.")


def _describe(record) -> str:
    names = " / ".join(name for name in (record.name, record.name_ja) if name)
    country = getattr(record, "country", None)
    return f"{names} ({country.code})" if country else names
