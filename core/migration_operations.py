"""Migration operations that only mean something on PostgreSQL.

The project runs its tests on SQLite as well, so an operation that SQLite cannot run
(trigram indexes for `q`) is skipped there instead of breaking `migrate`."""

from django.db import migrations

from core.folding import POSTGRESQL_TEMPLATE


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL on PostgreSQL; nothing on any other database."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{super().describe()} (PostgreSQL only)"


def trigram_indexes(table: str, *columns: str) -> list[PostgreSQLOnly]:
    """GIN trigram indexes that serve `icontains` (Django's UPPER(column) LIKE
    UPPER('%term%')) on each column: the free-text filter `q`."""
    operations = [
        PostgreSQLOnly(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
    for column in columns:
        name = f"{table}_{column}_trgm"
        operations.append(
            PostgreSQLOnly(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin (UPPER("{column}") gin_trgm_ops)',
                reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
            )
        )
    return operations


def folded_trigram_indexes(table: str, *columns: str) -> list[PostgreSQLOnly]:
    """GIN trigram indexes on each column as the free-text filter `q` compares it,
    folded (core.folding: `<column>__folded__contains`), in place of the indexes of
    `trigram_indexes` on the same columns, which no query uses any more. The
    trigrams also serve pg_trgm's similarity (%), for likely duplicates."""
    operations = []
    for column in columns:
        old, new = f"{table}_{column}_trgm", f"{table}_{column}_folded_trgm"
        expression = POSTGRESQL_TEMPLATE.format(f'"{column}"')
        operations += [
            PostgreSQLOnly(
                f'CREATE INDEX IF NOT EXISTS "{new}" ON "{table}" '
                f"USING gin (({expression}) gin_trgm_ops)",
                reverse_sql=f'DROP INDEX IF EXISTS "{new}"',
            ),
            PostgreSQLOnly(
                f'DROP INDEX IF EXISTS "{old}"',
                reverse_sql=f'CREATE INDEX IF NOT EXISTS "{old}" ON "{table}" '
                f'USING gin (UPPER("{column}") gin_trgm_ops)',
            ),
        ]
    # The planner's statistics of the new expressions: without them it guesses how many
    # rows a search matches, and no change to the rows makes autovacuum gather them.
    operations.append(PostgreSQLOnly(f'ANALYZE "{table}"', reverse_sql=migrations.RunSQL.noop))
    return operations
