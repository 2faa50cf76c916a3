from django.db import migrations

from core.migration_operations import PostgreSQLOnly
from search import bigrams

# The tables and columns as this migration found them (search.kinds may change later).
COLUMNS = {
    "missions_mission": ("title", "title_ja", "purpose", "summary"),
    "missions_meeting": ("topics", "outcome", "venue_city"),
    "agreements_agreement": ("title", "title_ja", "scope"),
    "projects_project": ("name", "name_ja", "description"),
    "contacts_organization": ("name", "name_ja"),
    "contacts_person": ("name", "name_ja"),
    "followups_followup": ("title", "description"),
}


def _operations():
    operations = [PostgreSQLOnly(bigrams.CREATE_FUNCTION, reverse_sql=bigrams.DROP_FUNCTION)]
    for table, columns in COLUMNS.items():
        operations += [
            PostgreSQLOnly(
                bigrams.create_index_sql(table, column),
                reverse_sql=f'DROP INDEX IF EXISTS "{bigrams.index_name(table, column)}"',
            )
            for column in columns
        ]
        # The planner's statistics of the new expressions (how common each bigram is).
        operations.append(PostgreSQLOnly(f'ANALYZE "{table}"', reverse_sql=migrations.RunSQL.noop))
    return operations


class Migration(migrations.Migration):
    """Search everything (search.selectors): a GIN index on the bigrams of each searched
    column, folded, so that a two-character Japanese term is looked up, not read from
    every row (PostgreSQL only; search.bigrams says why trigrams cannot)."""

    dependencies = [
        ("contacts", "0005_organization_unique_name_key"),
        ("projects", "0005_folded_trigram_indexes"),
        ("missions", "0006_folded_trigram_indexes"),
        ("agreements", "0005_folded_trigram_indexes"),
        ("followups", "0004_folded_trigram_indexes"),
    ]

    operations = _operations()
