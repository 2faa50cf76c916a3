from django.db import migrations


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_groups

    sync_groups(apps, schema_editor)


class Migration(migrations.Migration):
    """0002 ran before the admin's and the sessions' models existed in the plan, so the
    Administrator group lacked their permissions; apply the roles once they exist."""

    dependencies = [
        ("accounts", "0002_groups"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("sessions", "0001_initial"),
    ]
    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
