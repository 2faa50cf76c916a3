from django.db import migrations


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_groups

    sync_groups(apps, schema_editor)


class Migration(migrations.Migration):
    """The Administrator group holds every permission, so also the login-lockout records
    of django-axes: an administrator unlocks an account by deleting its access attempts."""

    dependencies = [
        ("accounts", "0004_api_tokens"),
        ("axes", "0010_accessattemptexpiration"),
    ]
    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
