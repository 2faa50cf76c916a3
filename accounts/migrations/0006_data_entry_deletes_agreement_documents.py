from django.db import migrations


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_groups

    sync_groups(apps, schema_editor)


class Migration(migrations.Migration):
    """Data entry may now delete an agreement's documents (a file uploaded by mistake):
    only agreements themselves stay out of their reach, not the whole app."""

    dependencies = [
        ("accounts", "0005_groups_after_axes"),
        ("agreements", "0002_expiryalert"),
    ]
    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
