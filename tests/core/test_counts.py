"""Counts of large unfiltered lists are estimates (core.counts); the pages built on
them still reach every row, and say exactly whether there is a next one."""

import pytest

from core import counts
from core.counts import EstimatedCountPaginator, estimated_count
from projects.models import Project
from tests import factories


@pytest.fixture
def seven(db):
    return factories.ProjectFactory.create_batch(7)


def test_small_and_filtered_lists_are_counted_exactly(seven):
    assert estimated_count(Project.objects.all()) == 7
    assert estimated_count(Project.objects.filter(pk__in=[p.pk for p in seven[:3]])) == 3


@pytest.mark.parametrize("estimate", [3, 7, 40])
def test_pages_reach_every_row_whatever_the_estimate(seven, monkeypatch, estimate):
    monkeypatch.setattr(counts, "estimated_count", lambda queryset: estimate)
    monkeypatch.setattr(counts, "ESTIMATE_ABOVE", 0)
    paginator = EstimatedCountPaginator(Project.objects.order_by("pk"), 3)
    assert paginator.count == estimate and paginator.estimated
    seen, number = [], 1
    while True:
        page = paginator.page(number)
        seen.extend(page.object_list)
        if not page.has_next():
            break
        number += 1
    assert seen == sorted(seven, key=lambda p: p.pk)
    assert number == 3
    with pytest.raises(counts.EmptyPage):
        paginator.page(4)


def test_the_admin_never_counts_a_whole_table_twice(
    admin_client, seven, django_assert_max_num_queries
):
    response = admin_client.get("/admin/projects/project/")
    assert response.status_code == 200
    assert response.context["cl"].full_result_count is None
    assert response.context["cl"].result_count == 7


def test_a_readers_count_leaves_out_the_need_to_know_rows_they_may_not_read(
    seven, monkeypatch, django_user_model
):
    """On PostgreSQL a large table's count for a reader is its estimate less the
    level-3 rows the reader may not see, without counting the table; exact elsewhere.
    Either way, the same number."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    insider, outsider = (
        django_user_model.objects.create_user(username=name) for name in ("insider", "outsider")
    )
    for project in seven[:2]:
        project.classification = 3
        project.save()
        project.access_users.set([insider])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE projects_project")
    monkeypatch.setattr(counts, "ESTIMATE_ABOVE", 1)

    with CaptureQueriesContext(connection) as queries:
        assert estimated_count(Project.objects.visible_to(outsider)) == 5
    assert estimated_count(Project.objects.visible_to(insider)) == 7
    paginator = EstimatedCountPaginator(Project.objects.visible_to(outsider).order_by("pk"), 3)
    assert paginator.count == 5
    if connection.vendor == "postgresql":
        assert paginator.estimated
        # One query: the estimate less the level-3 rows hidden from the reader, the
        # reader's condition counted among the level-3 rows only.
        assert len(queries.captured_queries) == 1
        (sql,) = (q["sql"] for q in queries.captured_queries)
        assert '"classification" >= 3 AND NOT' in sql
