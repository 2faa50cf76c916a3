"""Text compared the way a Japanese reader compares it (domain.md, "Consistency between
records"): after Unicode NFKC, so that half-width ｶﾞｰﾅ is ガーナ and full-width ＧＨＡＮＡ
is GHANA, and in lower case, so that GHANA is ghana.

One definition, `fold()`, spelt three ways that give the same text:
- in Python, for the keys stored beside names (uniqueness) and the duplicate checks;
- on SQLite, as the function `crm_fold` registered on every connection (it is
  `fold()` itself);
- on PostgreSQL, as POSTGRESQL_TEMPLATE: NFKC, then ICU's full Unicode lower case,
  which is Python's `str.lower()` (final sigma and the dotted İ included; the
  server's own collation, C.UTF-8 here, lowers by glibc, which does neither). It is
  an immutable expression, so the trigram indexes of the free-text search are built
  on it (core.migration_operations), and a search rechecks it on every row its index
  finds: ASCII text, which NFKC leaves as it is and whose lower case is ASCII's, takes
  a short way (faster than the UPPER() of Django's icontains), and text already in
  NFKC is not normalised again (NORMALIZE() costs four times UPPER()).

Lower case rather than Python's `casefold()`, which no database spells: the two differ
only on a few letters (ß, ς) that the bureau's names do not use, and a search must find
the same records on either database.
"""

import unicodedata

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import Lookup, Transform

# The name of fold() in SQL on SQLite.
SQLITE_FUNCTION = "crm_fold"
# fold() in SQL on PostgreSQL; {0} is the folded expression. The indexes repeat it.
# (ASCII: as many bytes as characters in UTF-8.)
POSTGRESQL_TEMPLATE = (
    'CASE WHEN OCTET_LENGTH({0}) = CHAR_LENGTH({0}) THEN LOWER({0} COLLATE "C") '
    "ELSE LOWER((CASE WHEN {0} IS NFKC NORMALIZED THEN {0} ELSE NORMALIZE({0}, NFKC) END) "
    'COLLATE "und-x-icu") COLLATE "C" END'
)

# pg_trgm's own default for its % operator ("similar"): the similarity from which two
# names are offered as likely the same record (contacts.services).
SIMILARITY_THRESHOLD = 0.3


def fold(text: str) -> str:
    """NFKC, then lower case: ｶﾞｰﾅ → ガーナ, ＧＨＡＮＡ → ghana."""
    return unicodedata.normalize("NFKC", text).lower()


def name_key(text: str) -> str:
    """A name as stored for uniqueness: folded, its spaces evened out (an ideographic
    space, which NFKC makes an ordinary one, a double space, a trailing one)."""
    return " ".join(fold(text).split())


def _fold_or_null(text):
    return None if text is None else fold(str(text))


def register_sqlite_function(sender, connection, **kwargs):
    """connection_created: `crm_fold()` on every SQLite connection (core.apps)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, _fold_or_null, deterministic=True)


def connect_signals():
    connection_created.connect(register_sqlite_function, dispatch_uid="core.folding.sqlite")


class Folded(Transform):
    """`<field>__folded`: the column folded, and the value it is compared with folded
    the same way by the database (bilateral), so that a search term is normalised
    exactly as the indexed expression is: `name__folded__contains="ＧＨＡ"`."""

    lookup_name = "folded"
    bilateral = True
    function = SQLITE_FUNCTION
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return POSTGRESQL_TEMPLATE.format(sql), tuple(params) * POSTGRESQL_TEMPLATE.count("{0}")


for _field in (models.CharField, models.TextField, models.FileField):
    _field.register_lookup(Folded)


# -- similarity (pg_trgm's, and the same in Python) ---------------------------------------


class TrigramSimilar(Lookup):
    """`lhs % rhs` on PostgreSQL: pg_trgm's "similar", which a GIN trigram index of
    the left side serves. Used with both sides folded."""

    lookup_name = "trigram_similar"
    prepare_rhs = False

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} %% {rhs}", (*lhs_params, *rhs_params)


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigrams of a text: each word (letters and digits) in lower case,
    padded with two spaces before and one after, cut in overlapping threes."""
    found = set()
    word = []
    for char in f"{text} ":
        if char.isalnum():
            word.append(char)
        elif word:
            padded = f"  {''.join(word).lower()} "
            found.update(padded[i : i + 3] for i in range(len(padded) - 2))
            word = []
    return frozenset(found)


def similarity(left: frozenset[str], right: frozenset[str]) -> float:
    """pg_trgm's similarity() of two sets of trigrams: shared / all."""
    if not left or not right:
        return 0.0
    shared = len(left & right)
    return shared / (len(left) + len(right) - shared)
