from django.db import migrations

from core.migration_operations import trigram_indexes


class Migration(migrations.Migration):
    """The free-text filter `q` of people and organisations, and of the meetings and
    agreements that search their counterparts by name (PostgreSQL only)."""

    dependencies = [
        ("contacts", "0001_initial"),
    ]

    operations = [
        *trigram_indexes("contacts_person", "name", "name_ja"),
        *trigram_indexes("contacts_organization", "name", "name_ja"),
    ]
