from django.db import migrations

from core.migration_operations import folded_trigram_indexes


class Migration(migrations.Migration):
    """The free-text filter `q` compares text folded (NFKC, lower case: core.folding):
    its trigram indexes are rebuilt on the folded columns (PostgreSQL only)."""

    dependencies = [
        ("contacts", "0002_trigram_indexes"),
    ]

    operations = [
        *folded_trigram_indexes("contacts_person", "name", "name_ja"),
        *folded_trigram_indexes("contacts_organization", "name", "name_ja"),
    ]
