"""Search everything: one box over every kind of record (search.kinds), grouped by kind
with the count of each and the best matches first.

Each kind is read in a few steps (`search_kind`): the ids of its matches from the
indexes, how many of them the user may read, the best ids tier by tier, then those
records; a kind without matches costs one query, one with four to six (a fixed
number, whatever the number of matches).

How a term is found (every term must occur, in any of the kind's columns, compared
folded as core.folding says: ｶﾞｰﾅ finds ガーナ, ＧＨＡＮＡ finds Ghana):
- on PostgreSQL, a term with three ASCII letters or digits in a row through the trigram
  indexes of the list filters' `q` (`<column>__folded__contains`, as they read it);
- any other term of two characters or more (道路, 港湾, ガーナ, EU) through the bigram
  indexes of search.bigrams, each row found then rechecked with the same `contains`;
- a single character (港) has neither: the table is read.
On SQLite every term is the folded `contains`.

Best matches first: a title (or name) that is the whole search, then one that begins
with it, then one that holds it, then one that holds every word of it (as the search
matches: folded), then a match elsewhere (topics, description…); within each, the
latest record first."""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import (
    Case,
    F,
    Func,
    IntegerField,
    Lookup,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import StrIndex
from django.db.models.lookups import Exact, GreaterThan, StartsWith
from django.utils.text import Truncator

from core.counts import PkAmong
from core.folding import Folded, fold
from search.bigrams import BigramsOf, bigrams
from search.kinds import KINDS, Kind
from search.services import searchable_queryset

# What a trigram index can look up under any server's collation (as core.api.filters).
_TRIGRAM_TERM = re.compile(r"[a-z0-9]{3}")
MAX_TERMS = 10
MAX_LENGTH = 200
EXCERPT_CHARS = 140
# Related records shown beside a hit's own name.
SELECT_RELATED = {"meetings": ("mission",)}
# A note is shown with the record it is on: one query per kind of record.
PREFETCH_RELATED = {"notes": ("target",)}


@dataclass
class Hit:
    kind: Kind
    record: object
    display: str
    excerpt: str


@dataclass
class Group:
    kind: Kind
    count: int
    hits: list[Hit] = field(default_factory=list)


def terms_of(q: str) -> list[str]:
    """The words of a search, as typed (the database folds them); an ideographic space
    separates words too."""
    return fold(q or "").split()[:MAX_TERMS]


def kinds_for(user) -> list[Kind]:
    """The kinds of record the user may view."""
    return [kind for kind in KINDS if user.has_perm(kind.view_permission)]


def matching(queryset, kind: Kind, terms: list[str]):
    """The records of `queryset` in which every term occurs in one of the kind's columns."""
    if connections[queryset.db].vendor != "postgresql":
        for term in terms:
            condition = Q()
            for column in kind.columns:
                condition |= Q(**{f"{column}__folded__contains": term})
            queryset = queryset.filter(condition)
        return queryset
    for term in terms:
        queryset = queryset.filter(PkAmong(ArraySubquery(_ids_matching(kind, term))))
    return queryset


def _ids_matching(kind: Kind, term: str):
    """The ids of the records holding `term` (folded) in one of the kind's columns, as a
    UNION with one branch per column (`_column_ids`)."""
    db = kind.model._default_manager.db
    branches = [_column_ids(kind, term, column, db) for column in kind.columns]
    return branches[0].union(*branches[1:]) if len(branches) > 1 else branches[0]


class LowerASCII(Func):
    """The text with its ASCII letters in lower case, the rest as it is: what the rank
    compares on PostgreSQL (core.folding's fast way for ASCII, for every text)."""

    template = '%(function)s(%(expressions)s COLLATE "C")'
    function = "LOWER"
    output_field = TextField()


def search_kind(kind: Kind, user, terms: list[str], limit: int) -> Group:
    """The first `limit` matches of one kind, best first, and how many there are.

    Read in steps, so that a kind of 9,000 matches does not fetch and rank 9,000 rows
    (docs/performance.md, "Search everything"):
    1. the ids of the matches, by term and column, from the indexes alone (one query;
       nothing more when there are none);
    2. how many of them the user may read (the count);
    3. the best ids, tier by tier (`_best_ids`), each tier read in the order of an
       index and cut where enough are found: `limit` and as many again as the user
       may not read, so that hiding those still leaves `limit`;
    4. those records, read through `searchable_queryset`, in that order."""
    visible = searchable_queryset(kind.model, user)
    vendor = connections[visible.db].vendor
    every, titled = _matches(kind, terms, visible.db)
    if not every:
        return Group(kind, 0)
    count = _visible_count(visible, every, vendor)
    if not count:
        return Group(kind, 0)
    best = _best_ids(kind, terms, every, titled, limit + len(every) - count, vendor)
    records = visible.filter(_among(best, vendor))
    related = SELECT_RELATED.get(kind.key)
    if related:
        records = records.select_related(*related)
    if kind.key in PREFETCH_RELATED:
        records = records.prefetch_related(*PREFETCH_RELATED[kind.key])
    by_id = {record.pk: record for record in records}
    ordered = [by_id[pk] for pk in best if pk in by_id][:limit]
    return Group(kind, count, [_hit(kind, record, terms) for record in ordered])


def _visible_count(visible, every: set[int], vendor: str) -> int:
    """How many of the ids `every` the user may read (`visible`).

    Counted as core.counts counts a list: every row below level 3 may be read by whoever
    may view the model (core.classification), so only the level-3 rows among them are
    read (through the classification's index), and those the user may read of them
    added back: the matches' own rows are not fetched to be counted."""
    restricted = getattr(visible, "restricted_q", None)
    # The ids as a parameter the planner does not count (core.counts.PkAmong): it
    # estimates a constant array element by element (10 ms for 9,000 ids), and the
    # classification's index finds the few level-3 rows anyway.
    among = PkAmong(sorted(every)) if vendor == "postgresql" else Q(pk__in=sorted(every))
    if restricted is None:
        return visible.filter(among).count()
    hidden = list(
        visible.model._default_manager.order_by()
        .filter(restricted(), among)
        .values_list("pk", flat=True)
    )
    if not hidden:
        # No level-3 match: the visibility condition is not even planned (15 ms for
        # the meetings' at load 4).
        return len(every)
    return len(every) - len(hidden) + visible.filter(pk__in=hidden).count()


def _matches(kind: Kind, terms: list[str], db: str) -> tuple[set[int], set[int]]:
    """(the ids of the records in which every term occurs in one of the kind's
    columns, those in which every term occurs in one of its titles), read in one
    query: the ids of each term's matches in each column (search.bigrams, the trigram
    indexes), without the rows (visibility is applied to what is read next)."""
    branches = [
        (index, column, _column_ids(kind, term, column, db))
        for index, term in enumerate(terms)
        for column in kind.columns
    ]
    connection = connections[db]
    if connection.vendor == "postgresql":
        parts, params = [], []
        for _index, _column, ids in branches:
            sql, branch_params = ids.query.get_compiler(db).as_sql()
            parts.append(f"ARRAY({sql})")
            params.extend(branch_params)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            found = [set(ids) for ids in cursor.fetchone()]
    else:
        labelled = [
            ids.annotate(search_branch=Value(number)).values_list("search_branch", "pk")
            for number, (_index, _column, ids) in enumerate(branches)
        ]
        found = [set() for _branch in branches]
        rows = labelled[0].union(*labelled[1:], all=True) if len(labelled) > 1 else labelled[0]
        for number, pk in rows:
            found[number].add(pk)
    every, titled = None, None
    for index in range(len(terms)):
        in_any = set().union(
            *(ids for (i, _c, _q), ids in zip(branches, found, strict=True) if i == index)
        )
        in_title = set().union(
            *(
                ids
                for (i, column, _q), ids in zip(branches, found, strict=True)
                if i == index and column in kind.title_columns
            )
        )
        every = in_any if every is None else every & in_any
        titled = in_title if titled is None else titled & in_title
    return every or set(), (titled or set()) & (every or set())


def _column_ids(kind: Kind, term: str, column: str, db: str):
    """The ids of the records holding `term` (folded) in `column`: one branch per column,
    so that each is one index's lookup and rechecks its own column only (as
    core.api.filters' `q`; with the columns OR-ed, the whole OR is the heap's filter).

    A term pg_trgm can look up goes through the trigram indexes (`__folded__contains`);
    any other of two characters or more through the bigram indexes: a two-character
    term is found exactly by its bigram, a longer one rechecked with STRPOS, which the
    trigram indexes cannot serve: a LIKE of a term without trigrams would lead the
    planner to an empty column's trigram index, which returns every row (200,000
    follow-ups read for 港湾)."""
    rows = kind.model._default_manager.using(db).order_by()
    if connections[db].vendor != "postgresql":
        return rows.filter(**{f"{column}__folded__contains": term}).values_list("pk", flat=True)
    grams = bigrams(term)
    if grams and not _TRIGRAM_TERM.search(term):
        rows = rows.alias(search_bigrams=BigramsOf(Folded(F(column)))).filter(
            search_bigrams__contains=grams
        )
        if len(term) > 2:
            rows = rows.alias(search_position=StrIndex(Folded(F(column)), Value(term))).filter(
                search_position__gt=0
            )
    else:
        rows = rows.filter(**{f"{column}__folded__contains": term})
    return rows.values_list("pk", flat=True)


class AmongIds(Lookup):
    """`pk = ANY('{1,2,3}'::bigint[])`: ids already read, given to PostgreSQL as one
    constant, so that the planner knows how many they are and tests each row against
    them by hash (a filter while it walks the index of an order), not one by one."""

    lookup_name = "search_among"
    prepare_rhs = False

    def __init__(self, ids):
        super().__init__(F("pk"), ids)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        text = "{" + ",".join(str(int(pk)) for pk in sorted(self.rhs)) + "}"
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, text)


def _among(ids, vendor: str):
    return AmongIds(ids) if vendor == "postgresql" else Q(pk__in=sorted(ids))


def _latest_first(kind: Kind) -> list:
    """The order of equal matches: the latest record first. NULLS LAST only where the
    date may be empty: a date index serves the order of a column that is never."""
    field = kind.model._meta.get_field(kind.date_field)
    date = F(kind.date_field).desc(nulls_last=True) if field.null else F(kind.date_field).desc()
    return [date, F("pk").desc()]


# The length of the title indexes' prefix (search/0006): the longest search.
TITLE_PREFIX = MAX_LENGTH


class TitlePrefix(Func):
    """`LEFT(LOWER(title COLLATE "C"), 200)`: what the title indexes of migration
    search/0006 hold, so that a title that is the search, or begins with it, is looked
    up (`LIKE 'term%'` on a C-collated btree), not read from every match."""

    template = 'LEFT(LOWER(%(expressions)s COLLATE "C"), ' + str(TITLE_PREFIX) + ")"
    output_field = TextField()


def _best_ids(kind, terms, every, titled, wanted: int, vendor: str) -> list[int]:
    """The ids of the first `wanted` matches, best first (the rank's tiers, `rank`):
    - the titles that are the search or begin with it, looked up in the title
      indexes (search/0006) among the matches;
    - then the other title matches (every term in a title, folded; with several
      terms, those holding the whole search first), the latest first;
    - then the matches elsewhere, the latest first.
    Each tier is read only when the ones before it gave fewer than `wanted`, in the
    order of the date's index, and cut there."""
    phrase = " ".join(terms)
    rows = kind.model._default_manager.order_by()
    latest = _latest_first(kind)
    begins, exact, holds = _title_tests(kind, phrase, vendor)
    first = (
        rows.filter(begins)
        .annotate(
            search_rank=Case(
                When(exact, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("search_rank", *latest)
        .values_list("pk", flat=True)
    )
    # Looked up by title alone (the index's range), the matches kept here: the ids as a
    # constant cost more to plan (6 ms for 13,000) than the titles that begin with the
    # search and are no match (a rare Unicode form) cost to skip.
    size = wanted
    while True:
        read = list(first[:size])
        best = [pk for pk in read if pk in every][:wanted]
        if len(best) == wanted or len(read) < size:
            break
        size *= 4
    taken = set(best)
    rest = titled - taken
    if len(best) < wanted and rest:
        titles = rows.filter(_among(rest, vendor))
        if len(terms) > 1:
            titles = titles.annotate(
                search_rank=Case(
                    When(holds, then=Value(2)), default=Value(3), output_field=IntegerField()
                )
            ).order_by("search_rank", *latest)
        else:
            titles = titles.order_by(*latest)
        best += list(titles.values_list("pk", flat=True)[: wanted - len(best)])
    rest = every - titled - taken
    if len(best) < wanted and rest:
        elsewhere = rows.filter(_among(rest, vendor)).order_by(*latest)
        best += list(elsewhere.values_list("pk", flat=True)[: wanted - len(best)])
    return best


def _title_tests(kind: Kind, phrase: str, vendor: str):
    """(a title begins with the search, a title is the search, a title holds it) as
    conditions; on PostgreSQL in lower case (ASCII's), the first through the title
    indexes; on SQLite folded."""

    def any_title(test):
        condition = Q()
        for column in kind.title_columns:
            condition |= test(column)
        return condition

    if vendor != "postgresql":
        return (
            any_title(lambda column: Q(**{f"{column}__folded__startswith": phrase})),
            any_title(lambda column: Q(**{f"{column}__folded__exact": phrase})),
            any_title(lambda column: Q(**{f"{column}__folded__contains": phrase})),
        )

    def title(column):
        return LowerASCII(F(column))

    def begins(column):
        indexed = Q(StartsWith(TitlePrefix(F(column)), phrase[:TITLE_PREFIX]))
        if len(phrase) <= TITLE_PREFIX:
            return indexed
        return indexed & Q(Exact(StrIndex(title(column), Value(phrase)), 1))

    return (
        any_title(begins),
        any_title(lambda column: Q(Exact(title(column), phrase))),
        any_title(lambda column: Q(GreaterThan(StrIndex(title(column), Value(phrase)), 0))),
    )


def search_everything(user, q: str, *, limit: int = 10, kinds=None) -> list[Group]:
    """Every kind the user may view (or those of `kinds` among them), one query each;
    nothing when the search has no term."""
    terms = terms_of(q)
    if not terms:
        return []
    chosen = kinds_for(user)
    if kinds:
        chosen = [kind for kind in chosen if kind.key in kinds]
    return [search_kind(kind, user, terms, limit) for kind in chosen]


def _hit(kind: Kind, record, terms: list[str]) -> Hit:
    display = str(record)
    if kind.key == "meetings":
        display = f"{display} · {record.mission}"
    elif kind.key == "notes" and record.target is not None:
        display = f"{display} · {record.target}"
    return Hit(kind, record, display, _excerpt(kind, record, terms))


def _excerpt(kind: Kind, record, terms: list[str]) -> str:
    """The first of the record's other columns that holds a term, cut short."""
    for column in kind.columns:
        if column in kind.title_columns and kind.key not in ("meetings", "notes"):
            continue
        text = getattr(record, column) or ""
        folded = fold(text)
        if any(term in folded for term in terms):
            return Truncator(" ".join(text.split())).chars(EXCERPT_CHARS)
    return ""
