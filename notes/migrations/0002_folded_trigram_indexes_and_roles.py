from django.db import migrations

from core.migration_operations import folded_trigram_indexes


def sync_groups(apps, schema_editor):
    # The roles hold the notes' permissions as they hold the follow-ups'.
    from accounts.roles import sync_groups

    sync_groups(apps, schema_editor)


class Migration(migrations.Migration):
    """The free-text filter `q` over a note's text, folded (core.folding), through a
    trigram index (PostgreSQL only); and the roles' permissions on notes."""

    dependencies = [
        ("notes", "0001_initial"),
        ("followups", "0006_analyze_classified_tables"),
    ]

    operations = [
        *folded_trigram_indexes("notes_note", "text"),
        migrations.RunPython(sync_groups, migrations.RunPython.noop),
    ]
