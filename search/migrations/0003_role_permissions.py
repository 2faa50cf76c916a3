from django.db import migrations


def sync_groups(apps, schema_editor):
    # The Administrator role holds every permission, the saved filters' included.
    from accounts.roles import sync_groups

    sync_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_saved_filters"),
        ("imports", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
