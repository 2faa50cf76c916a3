"""Bigram indexes: what lets a search find a two-character Japanese term on PostgreSQL.

pg_trgm cannot: a term of two characters has no trigram to look up (`%港湾%`), and a
server whose character type is plain C (docs/performance.md) finds no word characters
in Japanese text at all. So each searched column also has a GIN index on the set of its
folded text's bigrams (every two characters in a row, `crm_bigrams()`), which does not
depend on the server's locale: a term's bigrams are all in a row's set when the term
occurs in it, and the row is then rechecked with `<column>__folded__contains`. A longer
term looks up all its bigrams, and the index intersects them.

The folded expression is core.folding's, the one the trigram indexes are built on, so
a search compares text exactly as the list filters `q` do."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from core.folding import POSTGRESQL_TEMPLATE, fold

FUNCTION = "crm_bigrams"

# IMMUTABLE, so that an index can be built on it; STRICT, so that NULL gives NULL.
# Linear in the text's length: the characters split once, each paired with the next.
# (`substr($1, i, 2)` for every i walks the UTF-8 text from its start each time: 3 s
# for 40,000 characters, half an hour for a megabyte pasted into a meeting's topics.)
CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT ARRAY(
     SELECT DISTINCT pair FROM (
       SELECT ch || lead(ch) OVER (ORDER BY n) AS pair
       FROM unnest(string_to_array($1, NULL)) WITH ORDINALITY AS chars(ch, n)
     ) AS pairs
     WHERE pair IS NOT NULL
   ) $$
"""
DROP_FUNCTION = f"DROP FUNCTION IF EXISTS {FUNCTION}(text)"


def bigrams(text: str) -> list[str]:
    """The bigrams of a term as the index holds them (folded): 港湾ターミナル →
    港湾, 湾タ, タｰ…; none for a single character."""
    folded = fold(text)
    return sorted({folded[i : i + 2] for i in range(len(folded) - 1)})


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_bigram"


def create_index_sql(table: str, column: str) -> str:
    expression = POSTGRESQL_TEMPLATE.format(f'"{column}"')
    return (
        f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" ON "{table}" '
        f"USING gin ({FUNCTION}({expression}))"
    )


class BigramsOf(models.Func):
    """`crm_bigrams(<expression>)`: the expression given must be the column folded
    (`Folded(F(column))`) for the index to serve it. PostgreSQL only."""

    function = FUNCTION
    output_field = ArrayField(models.TextField())
