"""Counting rows without reading them all.

An exact COUNT(*) reads every row of the table (PostgreSQL keeps no row count), which
on a million meetings costs more than the page itself. When a list is not filtered,
its count is the table's size, and PostgreSQL keeps an estimate of that size
(pg_class.reltuples, refreshed by autovacuum and ANALYZE) that is good to a fraction
of a percent. Small tables, filtered lists, and other databases are counted exactly.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap enough and always right.
ESTIMATE_ABOVE = 100_000


def _is_whole_table(queryset: QuerySet) -> bool:
    query = queryset.query
    return not (
        query.where
        or query.distinct
        or query.combinator
        or query.group_by
        or query.low_mark
        or query.high_mark is not None
        or query.extra
        or query.extra_tables
    )


def estimated_count(queryset: QuerySet) -> int:
    """The number of rows of the queryset, estimated when it is a whole large table
    of a PostgreSQL database, exact otherwise. One query either way: the estimate
    and, only if it is small or unknown, the exact count in the same statement."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not _is_whole_table(queryset):
        return queryset.count()
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        # The scalar subquery runs only when the CASE reaches it (an InitPlan is
        # evaluated on first use), so a large table is never counted.
        cursor.execute(
            "SELECT CASE WHEN c.reltuples >= %s THEN c.reltuples::bigint "
            f"ELSE (SELECT COUNT(*) FROM {table}) END "
            "FROM pg_class c WHERE c.oid = %s::regclass",
            [ESTIMATE_ABOVE, table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else queryset.count()


class EstimatedPage(Page):
    more: bool | None = None  # known when the count is an estimate

    def has_next(self):
        return self.more if self.more is not None else super().has_next()


class EstimatedCountPaginator(Paginator):
    """A paginator whose count of a whole large table is PostgreSQL's estimate.

    With an estimate, the pages are not cut at the estimated end: each page reads one
    row more than it shows, so that "is there a next page" is always exactly right
    and every row stays reachable, whatever the estimate."""

    estimated = False

    @cached_property
    def count(self):
        if not isinstance(self.object_list, QuerySet):
            return super().count
        estimate = estimated_count(self.object_list)
        self.estimated = estimate >= ESTIMATE_ABOVE and _is_whole_table(self.object_list)
        return estimate

    def validate_number(self, number):
        if not (self.count and self.estimated):
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.estimated:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        page = self._get_page(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def _get_page(self, *args, **kwargs):
        return EstimatedPage(*args, **kwargs)
