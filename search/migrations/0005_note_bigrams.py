from django.db import migrations

from core.migration_operations import PostgreSQLOnly
from search import bigrams


class Migration(migrations.Migration):
    """Notes are searched too (search.kinds): the bigram index of their text."""

    dependencies = [
        ("search", "0004_linear_bigrams"),
        ("notes", "0001_initial"),
    ]

    operations = [
        PostgreSQLOnly(
            bigrams.create_index_sql("notes_note", "text"),
            reverse_sql=f'DROP INDEX IF EXISTS "{bigrams.index_name("notes_note", "text")}"',
        ),
        PostgreSQLOnly('ANALYZE "notes_note"', reverse_sql=migrations.RunSQL.noop),
    ]
