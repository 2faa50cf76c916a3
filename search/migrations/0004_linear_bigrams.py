from django.db import migrations

from core.migration_operations import PostgreSQLOnly
from search import bigrams


class Migration(migrations.Migration):
    """crm_bigrams() in linear time (search.bigrams): the same bigrams, so the indexes
    built on it stay valid; a text of a megabyte no longer holds its INSERT for half an
    hour."""

    dependencies = [("search", "0003_role_permissions")]

    operations = [PostgreSQLOnly(bigrams.CREATE_FUNCTION, reverse_sql=migrations.RunSQL.noop)]
