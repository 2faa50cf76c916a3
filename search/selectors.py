"""Search everything: one box over every kind of record (search.kinds), grouped by kind
with the count of each and the best matches first.

Each kind is one query (its matches, ranked, the first `limit` of them and their total
in the same query, `COUNT(*) OVER ()`), so a search costs a fixed number of queries.

How a term is found (every term must occur, in any of the kind's columns, compared
folded as core.folding says: ｶﾞｰﾅ finds ガーナ, ＧＨＡＮＡ finds Ghana):
- on PostgreSQL, a term with three ASCII letters or digits in a row through the trigram
  indexes of the list filters' `q` (`<column>__folded__contains`, as they read it);
- any other term of two characters or more (道路, 港湾, ガーナ, EU) through the bigram
  indexes of search.bigrams, each row found then rechecked with the same `contains`;
- a single character (港) has neither: the table is read.
On SQLite every term is the folded `contains`.

Best matches first: a title (or name) that is the whole search, then one that begins
with its first term, then one that holds every term, then a match elsewhere (topics,
description…); within each, the latest record first."""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import Case, Count, F, Func, IntegerField, Q, TextField, Value, When, Window
from django.db.models.functions import StrIndex
from django.db.models.lookups import Exact, GreaterThan
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
    UNION with one branch per column, so that each branch is one index's lookup and
    rechecks its own column only (as core.api.filters' `q`). The array of them is handed
    to the query (`id = ANY(ARRAY(…))`): the records are then fetched by id, whatever
    the order asked for.

    A term pg_trgm can look up goes through the trigram indexes (`__folded__contains`);
    any other of two characters or more through the bigram indexes: a two-character
    term is found exactly by its bigram, a longer one rechecked with STRPOS, which the trigram indexes cannot serve: a LIKE of a term without trigrams
    would lead the planner to an empty column's trigram index, which returns every row
    (200,000 follow-ups read for 港湾)."""
    grams = bigrams(term)
    by_bigrams = bool(grams) and not _TRIGRAM_TERM.search(term)
    branches = []
    for column in kind.columns:
        rows = kind.model._default_manager.order_by()
        if by_bigrams:
            rows = rows.alias(search_bigrams=BigramsOf(Folded(F(column)))).filter(
                search_bigrams__contains=grams
            )
            if len(term) > 2:
                # Every bigram of a longer term in the text is not the term in it.
                rows = rows.alias(search_position=StrIndex(Folded(F(column)), Value(term))).filter(
                    search_position__gt=0
                )
        else:
            rows = rows.filter(**{f"{column}__folded__contains": term})
        branches.append(rows.values_list("pk", flat=True))
    return branches[0].union(*branches[1:]) if len(branches) > 1 else branches[0]


class LowerASCII(Func):
    """The text with its ASCII letters in lower case, the rest as it is: what the rank
    compares on PostgreSQL (core.folding's fast way for ASCII, for every text)."""

    template = '%(function)s(%(expressions)s COLLATE "C")'
    function = "LOWER"
    output_field = TextField()


def rank(kind: Kind, terms: list[str], vendor: str):
    """How well a record matches, the best 0: its title (or name) is the whole search
    (0), begins with it (1), holds it (2), holds every word of it (3); else it matched in
    another column (4). The best of its titles, then the latest record.

    On PostgreSQL the titles are compared in lower case, not folded: folding each title
    once per condition (NFKC, ICU's lower case) took 100 ms for the 9,082 projects named
    港湾, the case 1 ms. A title in half-width kana or full-width letters is found all
    the same (the match is folded) but ranked as a match elsewhere."""
    phrase = " ".join(terms)

    def any_title(test):
        condition = Q()
        for column in kind.title_columns:
            condition |= test(column)
        return condition

    if vendor == "postgresql":

        def title(column):
            return LowerASCII(F(column))

        def position(column, value):
            return StrIndex(title(column), Value(value))

        exact = any_title(lambda column: Q(Exact(title(column), phrase)))
        begins = any_title(lambda column: Q(Exact(position(column, phrase), 1)))
        holds = any_title(lambda column: Q(GreaterThan(position(column, phrase), 0)))
        every_word = Q()
        for term in terms:
            every_word &= any_title(
                lambda column, term=term: Q(GreaterThan(position(column, term), 0))
            )
    else:
        exact = any_title(lambda column: Q(**{f"{column}__folded__exact": phrase}))
        begins = any_title(lambda column: Q(**{f"{column}__folded__startswith": phrase}))
        holds = any_title(lambda column: Q(**{f"{column}__folded__contains": phrase}))
        every_word = Q()
        for term in terms:
            every_word &= any_title(
                lambda column, term=term: Q(**{f"{column}__folded__contains": term})
            )
    return Case(
        When(exact, then=Value(0)),
        When(begins, then=Value(1)),
        When(holds, then=Value(2)),
        When(every_word, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )


def search_kind(kind: Kind, user, terms: list[str], limit: int) -> Group:
    """The first `limit` matches of one kind, best first, and how many there are."""
    queryset = matching(searchable_queryset(kind.model, user), kind, terms)
    related = SELECT_RELATED.get(kind.key)
    if related:
        queryset = queryset.select_related(*related)
    if kind.key in PREFETCH_RELATED:
        queryset = queryset.prefetch_related(*PREFETCH_RELATED[kind.key])
    vendor = connections[queryset.db].vendor
    records = list(
        queryset.annotate(
            search_rank=rank(kind, terms, vendor), search_total=Window(Count("pk"))
        ).order_by("search_rank", F(kind.date_field).desc(nulls_last=True), "-pk")[:limit]
    )
    count = records[0].search_total if records else 0
    return Group(kind, count, [_hit(kind, record, terms) for record in records])


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
