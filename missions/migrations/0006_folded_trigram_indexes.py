from django.db import migrations

from core.migration_operations import folded_trigram_indexes


class Migration(migrations.Migration):
    """The free-text filter `q` compares text folded (NFKC, lower case: core.folding):
    its trigram indexes are rebuilt on the folded columns (PostgreSQL only)."""

    dependencies = [
        ("missions", "0005_meeting_principal"),
    ]

    operations = [
        *folded_trigram_indexes("missions_meeting", "topics", "outcome", "venue_city"),
        *folded_trigram_indexes("missions_mission", "title", "title_ja", "purpose", "summary"),
    ]
