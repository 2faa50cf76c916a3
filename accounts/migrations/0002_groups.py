from django.db import migrations


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_groups

    sync_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contacts", "0001_initial"),
        ("projects", "0001_initial"),
        ("missions", "0001_initial"),
        ("agreements", "0001_initial"),
        ("followups", "0001_initial"),
    ]
    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
