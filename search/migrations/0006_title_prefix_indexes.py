from django.db import migrations

from core.migration_operations import PostgreSQLOnly

# The title columns as this migration found them (search.kinds may change later), and
# the prefix the indexes hold: search.selectors.TitlePrefix (the longest search).
TITLES = {
    "missions_mission": ("title", "title_ja"),
    "missions_meeting": ("topics",),
    "agreements_agreement": ("title", "title_ja"),
    "projects_project": ("name", "name_ja"),
    "contacts_organization": ("name", "name_ja"),
    "contacts_person": ("name", "name_ja"),
    "followups_followup": ("title",),
    "notes_note": ("text",),
}
PREFIX = 200


def _operations():
    operations = []
    for table, columns in TITLES.items():
        for column in columns:
            name = f"{table}_{column}_title_prefix"
            operations.append(
                PostgreSQLOnly(
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                    f'(LEFT(LOWER("{column}" COLLATE "C"), {PREFIX}))',
                    reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
                )
            )
        operations.append(PostgreSQLOnly(f'ANALYZE "{table}"', reverse_sql=migrations.RunSQL.noop))
    return operations


class Migration(migrations.Migration):
    """Search everything ranks first the titles that are the search or begin with it
    (search.selectors._best_ids): a btree on each title's first 200 characters in
    lower case (ASCII's, C collation, as the rank compares them) finds those with
    `LIKE 'term%'` instead of reading every match (PostgreSQL only). The prefix keeps
    an index row short whatever a meeting's topics hold."""

    dependencies = [("search", "0005_note_bigrams")]

    operations = _operations()
