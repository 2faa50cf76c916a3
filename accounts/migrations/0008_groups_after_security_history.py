from django.db import migrations


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_groups

    sync_groups(apps, schema_editor)


class Migration(migrations.Migration):
    """The Administrator group holds every permission, those of the new histories of
    users, API tokens and webhook subscriptions too. After the latest migration of
    every app, so that the groups are given the permissions of every model there is."""

    dependencies = [
        ("accounts", "0007_history_of_users_and_tokens"),
        ("agreements", "0004_analyst_filter_indexes"),
        ("contacts", "0002_trigram_indexes"),
        ("core", "0002_sector_rows"),
        ("exports", "0001_initial"),
        ("followups", "0003_analyst_filter_indexes"),
        ("missions", "0004_delegation_japanese_only"),
        ("projects", "0003_awarded_on_index"),
        ("webhooks", "0002_history_of_subscriptions"),
    ]
    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
