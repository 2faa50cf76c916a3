from django.db import migrations

from core.migration_operations import folded_trigram_indexes


class Migration(migrations.Migration):
    """The free-text filter `q` compares text folded (NFKC, lower case: core.folding):
    its trigram indexes are rebuilt on the folded columns (PostgreSQL only)."""

    dependencies = [
        ("agreements", "0004_analyst_filter_indexes"),
    ]

    operations = [
        *folded_trigram_indexes("agreements_agreement", "title", "title_ja", "scope"),
    ]
