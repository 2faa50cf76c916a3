"""The measurements of `make bench`, printed as one table, then one line per target.

Every request goes through the whole Django stack (django.test.Client: middleware,
token authentication, permissions, throttling, filters, pagination, serialisers,
renderer), as an API client or an admin user would. Each measurement is repeated;
the table gives the median and the 95th percentile, and the number of queries the
request ran (counted on one more request).
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import APIToken, User
from accounts.roles import ANALYST
from bench import floor
from core.runtime import prepare_serving_process

PAGE_SIZES = (100, 1000)
RESOURCES = ("meetings", "projects", "agreements")
# Typical questions of the analysts, as the API is asked them (default page size).
FILTERS = [
    ("meetings: country + year", "/api/v1/meetings/?country=VN&year=2019"),
    (
        "projects: region + sector + status",
        "/api/v1/projects/?region=southeast_asia&sector=railway&status=active",
    ),
    ("meetings: q (free text)", "/api/v1/meetings/?q=Surabaya"),
    ("projects: q (free text)", "/api/v1/projects/?q=Mombasa"),
    # Folded as a reader reads (core.folding): full width, half-width kana.
    ("meetings: q full-width", "/api/v1/meetings/?q=ＳＵＲＡＢＡＹＡ"),
    ("organisations: q half-width kana", "/api/v1/organizations/?q=ｲﾝﾌﾗ"),
    ("agreements: fiscal year", "/api/v1/agreements/?fiscal_year=2019"),
    ("meetings: fiscal year", "/api/v1/meetings/?fiscal_year=2019"),
    (
        "meetings: updated_since sync page (cursor)",
        "/api/v1/meetings/?cursor=&updated_since=2025-06-01T00:00:00Z&page_size=500",
    ),
]
# Search everything (search.selectors): every kind of record, its count and first ten.
SEARCHES = [
    ("search: Japanese two characters", "search_japanese_two_characters", "/api/v1/search/?q=港湾"),
    (
        "search: Japanese longer term",
        "search_japanese_longer_term",
        "/api/v1/search/?q=国際空港ターミナル",
    ),
    ("search: English term", "search_english_term", "/api/v1/search/?q=Surabaya"),
]
SEARCH_P95_LIMIT_MS = 150
ADMIN_PAGES = [
    ("admin meetings: unfiltered", "/admin/missions/meeting/"),
    ("admin meetings: country", "/admin/missions/meeting/?counterpart_country=VN"),
    ("admin projects: unfiltered", "/admin/projects/project/"),
    (
        "admin projects: sector + status",
        "/admin/projects/project/?sector__exact=railway&status__exact=active",
    ),
]
BIG_TABLES = ("missions_meeting", "projects_project")
LIST_P95_LIMIT_MS = 150
ADMIN_LIMIT_MS = 500
EXPORT_MEMORY_LIMIT_MB = 150
# Served by gunicorn at concurrency 4 (bench/served.py): requests/s as a share of the
# floor's, and the p95 of the requests a person waits for.
SERVED_FLOOR_RATIOS = {"meetings_100": 0.3, "meetings_1000": 0.4, "projects_1000": 0.4}
SERVED_P95_CASES = ("meetings_100", "meetings_filtered", "meeting_detail", "statistics")
SERVED_P95_LIMIT_MS = 100
EXPORT_CSV_ROWS_PER_S = 50_000
EXPORT_XLSX_ROWS_PER_S = 20_000


@dataclass
class Timing:
    samples: list[float]  # seconds

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Row:
    section: str
    name: str
    timing: Timing | None = None
    queries: int | None = None
    rows: int | None = None
    note: str = ""
    rate: float | None = None  # rows per second (from the median)


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    targets: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def add(self, row: Row):
        self.rows.append(row)
        print(_format_row(row), flush=True)
        return row

    def target(self, name, measured, limit, passed, fmt="{:.2f}"):
        self.targets.append((name, fmt.format(measured), fmt.format(limit), passed))


def _timed(function, repeat, warmup=2) -> Timing:
    for index in range(warmup):
        function(index)
    # Each series starts without the garbage of the one before: the plain way leaves
    # some 50,000 objects in reference cycles per page of 1,000, and their collection
    # would otherwise fall in whichever series comes next.
    gc.collect()
    samples = []
    for index in range(repeat):
        started = time.perf_counter()
        function(index)
        samples.append(time.perf_counter() - started)
    return Timing(samples)


def _count_queries(function):
    with CaptureQueriesContext(connection) as queries:
        function(0)
    # The token's last use is recorded at most once a minute: not the endpoint's query.
    sqls = [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].startswith('UPDATE "accounts_apitoken"')
    ]
    return len(sqls), sqls


def _format_row(row: Row) -> str:
    median = f"{row.timing.median * 1000:9.1f}" if row.timing else " " * 9
    p95 = f"{row.timing.p95 * 1000:9.1f}" if row.timing else " " * 9
    rate = f"{row.rate:12,.0f}" if row.rate else " " * 12
    queries = f"{row.queries:7d}" if row.queries is not None else " " * 7
    return f"| {row.section:9} | {row.name:46} | {median} | {p95} | {rate} | {queries} | {row.note}"


HEADER = (
    f"| {'section':9} | {'measurement':46} | {'median ms':>9} | {'p95 ms':>9} | "
    f"{'rows/s':>12} | {'queries':>7} | note"
)


def _users():
    analyst, _ = User.objects.get_or_create(
        username="bench-analyst", defaults={"email": "bench-analyst@example.org"}
    )
    analyst.groups.add(Group.objects.get(name=ANALYST))
    APIToken.objects.filter(user=analyst).delete()
    token = APIToken(name="benchmark", user=analyst)
    key = token.issue_key()
    token.save()
    admin, _ = User.objects.get_or_create(
        username="bench-admin",
        defaults={"is_staff": True, "is_superuser": True, "email": "bench-admin@example.org"},
    )
    return key, admin


def _get(client, url, **headers):
    response = client.get(url, **headers)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    # The test client ties each response to itself (response.json is a partial of the
    # response), a cycle a served response does not have: left in place, every page's
    # output would wait for the garbage collector, and the measured requests would pay
    # for collections the served ones do not.
    del response.json
    if getattr(response, "streaming", False):
        return response
    return response.content


def run(*, quick=False, skip_export=False, only=frozenset()):
    key, admin = _users()
    cache.clear()  # the throttles' counters
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    staff = Client()
    staff.force_login(admin)
    report = Report()
    print()
    print(HEADER)
    print("|" + "-" * (len(HEADER) - 1))
    with override_settings(ROOT_URLCONF="bench.urls"), translation.override("ja"):
        # As the server does at its start (config/wsgi.py), so that the measured
        # requests pay for the garbage collections the served ones pay for.
        prepare_serving_process()
        if not only or "api" in only:
            _api_lists(report, api, quick)
        if not only or "filters" in only:
            _filters(report, api, quick)
        if not only or "search" in only:
            _search(report, api, quick)
        if not only or "stats" in only:
            _statistics(report, quick)
        if not only or "admin" in only:
            _admin(report, staff, quick)
        if not only or "classified" in only:
            _classified(report, api, quick)
    if not only or "served" in only:
        _served(report, key, quick)
    if not skip_export and (not only or "export" in only):
        _export(report, key)
    if not only or "import" in only:
        from bench.imports import measure as measure_import

        report.targets.extend(measure_import())
    print()
    print("Targets")
    for name, measured, limit, passed in report.targets:
        print(f"TARGET {name} measured={measured} limit={limit} {'PASS' if passed else 'FAIL'}")
    # A missed target is a finding to read (docs/performance.md), not a broken command.
    return 0


def _api_lists(report: Report, api: Client, quick: bool):
    db = floor.connect()
    list_queries = {}
    for resource in RESOURCES:
        for size in PAGE_SIZES:
            repeat = (5 if quick else 15) if size == 1000 else (10 if quick else 30)

            def ours(index, resource=resource, size=size):
                body = _get(api, f"/api/v1/{resource}/?page_size={size}&page={1 + index % 5}")
                return body

            def plain(index, resource=resource, size=size):
                return _get(api, f"/bench/plain/{resource}/?page_size={size}&page={1 + index % 5}")

            def raw(index, resource=resource, size=size):
                return floor.FLOORS[resource](db, limit=size, offset=(index % 5) * size)

            returned = len(json.loads(ours(0))["results"])
            assert returned == size, (resource, size, returned)
            timings = {
                "api": _timed(ours, repeat),
                "plain": _timed(plain, repeat),
                "floor": _timed(raw, repeat),
            }
            queries, _ = _count_queries(ours)
            plain_queries, _ = _count_queries(plain)
            list_queries[resource, size] = queries
            rates = {name: size / timing.median for name, timing in timings.items()}
            report.add(
                Row(
                    "api",
                    f"{resource} page {size}: this API",
                    timings["api"],
                    queries,
                    rate=rates["api"],
                    note=f"{rates['api'] / rates['floor']:.2f}× floor, "
                    f"{rates['api'] / rates['plain']:.2f}× plain",
                )
            )
            report.add(
                Row(
                    "api",
                    f"{resource} page {size}: plain DRF",
                    timings["plain"],
                    plain_queries,
                    rate=rates["plain"],
                )
            )
            report.add(
                Row(
                    "api",
                    f"{resource} page {size}: floor (psycopg+orjson)",
                    timings["floor"],
                    rate=rates["floor"],
                )
            )
            if size == 1000:
                report.target(
                    f"api_{resource}_1000_vs_floor",
                    rates["api"] / rates["floor"],
                    1 / 3,
                    rates["api"] / rates["floor"] >= 1 / 3,
                )
                report.target(
                    f"api_{resource}_1000_vs_plain",
                    rates["api"] / rates["plain"],
                    3.0,
                    rates["api"] / rates["plain"] >= 3.0,
                )
            report.target(
                f"api_{resource}_{size}_p95_ms",
                timings["api"].p95 * 1000,
                LIST_P95_LIMIT_MS,
                timings["api"].p95 * 1000 < LIST_P95_LIMIT_MS,
                "{:.1f}",
            )
    db.close()
    for resource in RESOURCES:
        few, many = list_queries[resource, 100], list_queries[resource, 1000]
        report.target(f"api_{resource}_fixed_queries", many, few, many == few, "{:d}")


def _filters(report: Report, api: Client, quick: bool):
    for name, url in FILTERS:

        def request(index, url=url):
            return _get(api, url)

        body = json.loads(request(0))
        timing = _timed(request, 10 if quick else 30)
        queries, _ = _count_queries(request)
        count = body.get("count")
        note = f"{len(body['results'])} rows" + (f" of {count:,}" if count is not None else "")
        report.add(Row("filter", name, timing, queries, note=note))
        report.target(
            "filter_" + re.sub(r"\W+", "_", name).strip("_") + "_p95_ms",
            timing.p95 * 1000,
            LIST_P95_LIMIT_MS,
            timing.p95 * 1000 < LIST_P95_LIMIT_MS,
            "{:.1f}",
        )


def _search(report: Report, api: Client, quick: bool):
    for name, target, url in SEARCHES:

        def request(index, url=url):
            return _get(api, url)

        body = json.loads(request(0))
        timing = _timed(request, 10 if quick else 30)
        queries, _ = _count_queries(request)
        counts = ", ".join(
            f"{group['kind']} {group['count']:,}" for group in body["groups"] if group["count"]
        )
        report.add(Row("search", name, timing, queries, note=counts or "nothing found"))
        report.target(
            f"{target}_p95_ms",
            timing.p95 * 1000,
            SEARCH_P95_LIMIT_MS,
            timing.p95 * 1000 < SEARCH_P95_LIMIT_MS,
            "{:.1f}",
        )


def _statistics(report: Report, quick: bool):
    from reports.selectors import engagement_statistics, project_pipeline, watch_list_transition

    cases = [
        ("engagement statistics, all years", lambda i: engagement_statistics(period=None)),
        ("watch-list transition 2018 → 2019", lambda i: watch_list_transition(edition=2019)),
        ("project pipeline", lambda i: project_pipeline()),
    ]
    for name, function in cases:
        timing = _timed(function, 5 if quick else 20, warmup=1)
        queries, _ = _count_queries(function)
        report.add(Row("stats", name, timing, queries))
        report.target(
            "stats_" + re.sub(r"\W+", "_", name.split(",")[0]).strip("_") + "_p95_ms",
            timing.p95 * 1000,
            LIST_P95_LIMIT_MS,
            timing.p95 * 1000 < LIST_P95_LIMIT_MS,
            "{:.1f}",
        )


_FULL_COUNT = re.compile(r'SELECT COUNT\(\*\) AS "__count" FROM "(\w+)"\s*$')


def _admin(report: Report, staff: Client, quick: bool):
    for name, url in ADMIN_PAGES:

        def request(index, url=url):
            return _get(staff, url)

        timing = _timed(request, 5 if quick else 15, warmup=1)
        queries, sqls = _count_queries(request)
        full_counts = [
            match.group(1)
            for sql in sqls
            if (match := _FULL_COUNT.match(sql)) and match.group(1) in BIG_TABLES
        ]
        note = f"COUNT(*) over {', '.join(full_counts)}" if full_counts else "no full COUNT(*)"
        report.add(Row("admin", name, timing, queries, note=note))
        slug = re.sub(r"\W+", "_", name).strip("_")
        report.target(
            f"{slug}_p95_ms",
            timing.p95 * 1000,
            ADMIN_LIMIT_MS,
            timing.p95 * 1000 < ADMIN_LIMIT_MS,
            "{:.1f}",
        )
        report.target(f"{slug}_full_counts", len(full_counts), 0, not full_counts, "{:d}")


def _served(report: Report, key: str, quick: bool):
    """Served by gunicorn next to the floor, in processes of their own (bench/served.py)."""
    environment = {
        **os.environ,
        "BENCH_TOKEN": key,
        "BENCH_SERVED_SECONDS": "6" if quick else "20",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bench.served"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        print(completed.stdout, completed.stderr)
        raise RuntimeError("the served benchmark failed")
    results = json.loads(completed.stdout.strip().splitlines()[-1])
    found = {(row["case"], row["concurrency"], row["server"]): row for row in results}
    for (case, concurrency, server), row in found.items():
        if server != "api":
            continue
        floor_row = found.get((case, concurrency, "floor"))
        ratio = row["per_s"] / floor_row["per_s"] if floor_row else None
        note = f"{row['per_s']:.1f} req/s; p99 {row['p99_ms']:.0f} ms"
        if floor_row:
            note += f"; floor {floor_row['per_s']:.1f} req/s, {ratio:.2f}× floor"
        report.add(
            Row(
                "served",
                f"{case}, concurrency {concurrency}",
                Timing([sample / 1000 for sample in row["samples_ms"]]),
                note=note,
            )
        )
        if concurrency != 4:
            continue
        if case in SERVED_FLOOR_RATIOS:
            limit = SERVED_FLOOR_RATIOS[case]
            report.target(f"served_{case}_floor_ratio", ratio, limit, ratio >= limit)
        if case in SERVED_P95_CASES:
            report.target(
                f"served_{case}_p95_ms",
                row["p95_ms"],
                SERVED_P95_LIMIT_MS,
                row["p95_ms"] < SERVED_P95_LIMIT_MS,
                "{:.1f}",
            )


def _export(report: Report, key: str):
    """Served by gunicorn, in a process of its own (bench/export_probe.py)."""
    environment = {**os.environ, "BENCH_TOKEN": key}
    completed = subprocess.run(
        [sys.executable, "-m", "bench.export_probe"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        print(completed.stdout, completed.stderr)
        raise RuntimeError("the export probe failed")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    rows, floor = result["rows"], result["floor_csv"]
    floor_rate = floor["rows"] / floor["seconds"]
    report.add(
        Row(
            "export",
            f"floor: COPY of the CSV's columns, {floor['rows']:,} rows",
            Timing([floor["seconds"]]),
            rate=floor_rate,
        )
    )
    for export_format, limit in (("csv", EXPORT_CSV_ROWS_PER_S), ("xlsx", EXPORT_XLSX_ROWS_PER_S)):
        served = result[export_format]
        rate = rows / served["seconds"]
        report.add(
            Row(
                "export",
                f"{export_format.upper()} of {rows:,} meetings, served",
                Timing([served["seconds"]]),
                rate=rate,
                note=f"{rate / floor_rate:.2f}× floor; worker CPU {served['worker_cpu']:.1f} s; "
                f"peak +{served['peak_mb']:.0f} MB over {served['baseline_mb']:.0f} MB; "
                f"{served['megabytes']:.0f} MB",
            )
        )
        report.target(f"export_{export_format}_rows_per_s", rate, limit, rate >= limit, "{:.0f}")
        report.target(
            f"export_{export_format}_peak_mb",
            served["peak_mb"],
            EXPORT_MEMORY_LIMIT_MB,
            served["peak_mb"] < EXPORT_MEMORY_LIMIT_MB,
            "{:.0f}",
        )


# -- the cost of classification and the read audit (issue 13, item 5) ---------------------

CLASSIFIED_SLOWDOWN_LIMIT = 1.10
CLASSIFIED_GROUP = "bench negotiation team"
_AUDIT_INSERT = 'INSERT INTO "audit_readevent"'


@contextlib.contextmanager
def classification_off():
    """The same process as it read records before classification: `visible_to()` returns
    the queryset for any active user (what it does for a superuser: no condition in the
    SQL), nothing checks the records a record points at, and no read is noted or
    written. The baseline of `_classified`: the same user, the same requests and the
    same code otherwise (permissions, serialisers, the access-list fields of the
    output), switched in-process around each baseline request."""
    from audit.middleware import ReadAuditMiddleware
    from core import audit, classification

    original = classification.sees_everything

    def everything(user):
        return bool(user is not None and user.is_authenticated and user.is_active)

    def unrestricted(self, user):
        return self if everything(user) else self.none()

    patches = [
        (classification.ClassifiedQuerySet, "visible_to", unrestricted),
        (classification.AttachedQuerySet, "visible_to", unrestricted),
        (ReadAuditMiddleware, "__call__", lambda self, request: self.get_response(request)),
        (audit, "note_records", lambda *args, **kwargs: None),
        (audit, "note", lambda *args, **kwargs: None),
    ]
    # Every module that imported the rule's shortcut for superusers.
    patches += [
        (module, "sees_everything", everything)
        for module in list(sys.modules.values())
        if getattr(module, "sees_everything", None) is original
    ]
    saved = [(target, name, target.__dict__[name]) for target, name, _value in patches]
    try:
        for target, name, value in patches:
            setattr(target, name, value)
        yield
    finally:
        for target, name, value in saved:
            setattr(target, name, value)


def _classify_some(analyst):
    """Some of the data at level 3, as a ministry's would be: one mission in a hundred
    with its meetings, one project and one agreement in fifty; half of them readable by
    a negotiation team the benchmark's analyst is in. Done once (the database keeps it)."""
    from django.db.models.functions import Mod

    from agreements.models import Agreement
    from core.classification import Classification
    from missions.models import Meeting, Mission
    from projects.models import Project

    team, _ = Group.objects.get_or_create(name=CLASSIFIED_GROUP)
    analyst.groups.add(team)
    secret = Classification.NEED_TO_KNOW
    if Mission.objects.filter(classification=secret).exists():
        return
    for model, every in ((Mission, 100), (Project, 50), (Agreement, 50)):
        chosen = model.objects.alias(rest=Mod("id", every)).filter(rest=0)
        chosen.update(classification=secret)
        through = model.access_groups.through
        key = model._meta.model_name
        through.objects.bulk_create(
            [
                through(**{f"{key}_id": pk, "group_id": team.pk})
                for pk in chosen.alias(half=Mod("id", 2 * every))
                .filter(half=0)
                .values_list("id", flat=True)
            ]
        )
    Meeting.objects.filter(mission__classification=secret).update(classification=secret)
    with connection.cursor() as cursor:
        for table in ("missions_mission", "missions_meeting", "projects_project"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("ANALYZE agreements_agreement")


def _paired(function, repeat, warmup=2) -> tuple[Timing, Timing]:
    """(with classification and the audit, without), their samples taken in turn, so
    that both meet the same machine (a loaded one drifts between two series)."""
    for index in range(warmup):
        function(index)
        with classification_off():
            function(index)
    gc.collect()
    on, off = [], []
    for index in range(repeat):
        for restricted in (True, False) if index % 2 == 0 else (False, True):
            if restricted:
                started = time.perf_counter()
                function(index)
                on.append(time.perf_counter() - started)
            else:
                with classification_off():
                    started = time.perf_counter()
                    function(index)
                    off.append(time.perf_counter() - started)
    return Timing(on), Timing(off)


def _classified(report: Report, api: Client, quick: bool):
    """The meetings list (pages of 100 and 1,000), a meeting's detail and the engagement
    statistics as the benchmark's analyst reads them, with classification checks and
    the read audit, against the same requests without them (classification_off)."""
    from core.classification import Classification
    from missions.models import Meeting

    analyst = User.objects.get(username="bench-analyst")
    _classify_some(analyst)
    visible = Meeting.objects.visible_to(analyst).order_by("id")
    detail_ids = [
        *visible.filter(classification__lt=Classification.NEED_TO_KNOW).values_list(
            "id", flat=True
        )[:15],
        *visible.filter(classification=Classification.NEED_TO_KNOW).values_list("id", flat=True)[
            :5
        ],
    ]
    cases = [
        (
            "meetings page 100",
            "meetings_100",
            10 if quick else 30,
            True,
            lambda i: _get(api, f"/api/v1/meetings/?page_size=100&page={1 + i % 5}"),
        ),
        (
            "meetings page 1000",
            "meetings_1000",
            5 if quick else 15,
            True,
            lambda i: _get(api, f"/api/v1/meetings/?page_size=1000&page={1 + i % 5}"),
        ),
        (
            "meeting detail",
            "meeting_detail",
            10 if quick else 30,
            True,
            lambda i: _get(api, f"/api/v1/meetings/{detail_ids[i % len(detail_ids)]}/"),
        ),
        # Counts, not records: the audit has nothing to write (at most one row).
        (
            "engagement statistics",
            "statistics",
            10 if quick else 30,
            False,
            lambda i: _get(api, f"/api/v1/reports/engagements/?year={2017 + i % 3}"),
        ),
    ]
    queries = {}
    for name, slug, repeat, audited, function in cases:
        on, off = _paired(function, repeat)
        count, sqls = _count_queries(function)
        with classification_off():
            count_off, _ = _count_queries(function)
        inserts = sum(1 for sql in sqls if sql.startswith(_AUDIT_INSERT))
        queries[slug] = count
        ratio = on.median / off.median
        report.add(
            Row(
                "classified",
                f"{name}: classified, audited",
                on,
                count,
                note=f"{ratio:.3f}× without; {inserts} audit INSERT",
            )
        )
        report.add(Row("classified", f"{name}: without", off, count_off))
        report.target(
            f"classified_{slug}_vs_without",
            ratio,
            CLASSIFIED_SLOWDOWN_LIMIT,
            ratio <= CLASSIFIED_SLOWDOWN_LIMIT,
            "{:.3f}",
        )
        wanted = 1 if audited else 0
        report.target(
            f"classified_{slug}_audit_inserts", inserts, wanted, inserts == wanted, "{:d}"
        )
    few, many = queries["meetings_100"], queries["meetings_1000"]
    report.target("classified_meetings_fixed_queries", many, few, many == few, "{:d}")
