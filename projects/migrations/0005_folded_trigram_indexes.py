from django.db import migrations

from core.migration_operations import folded_trigram_indexes


class Migration(migrations.Migration):
    """The free-text filter `q` compares text folded (NFKC, lower case: core.folding):
    its trigram indexes are rebuilt on the folded columns (PostgreSQL only)."""

    dependencies = [
        ("projects", "0004_watch_list_outcome_help"),
    ]

    operations = [
        *folded_trigram_indexes("projects_project", "name", "name_ja", "description"),
    ]
