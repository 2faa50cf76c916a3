"""PostgreSQL has no statistics for a column a migration just added: until autovacuum
next analyses the table it guesses, and took a third of the million meetings to be at
level 3, reading the whole table to count a reader's list (docs/performance.md). The
classified tables are analysed once, here, after their classification columns exist."""

from django.db import migrations

TABLES = (
    "missions_mission",
    "missions_meeting",
    "agreements_agreement",
    "projects_project",
    "followups_followup",
)


def analyze(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(TABLES))


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0005_classification"),
        ("missions", "0008_classification"),
        ("agreements", "0006_classification"),
        ("projects", "0006_classification"),
    ]

    operations = [migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True)]
