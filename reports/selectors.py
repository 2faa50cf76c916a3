"""The statistics of the annual report and the dashboard, read from every other app.

Every selector reads, never writes, and runs a fixed number of queries however many
rows there are: the database groups and counts (values() + annotate()), and Python
only adds what the database cannot know, such as a country's region or whether it was
an ASEAN member on a given day (both from core.regions), then labels the groups.

Results are frozen dataclasses whose breakdowns are lists of plain dicts, ready for a
template or a JSON response. A breakdown lists the groups that have something, in the
order of their vocabulary (Region, LeaderRank, SectorCode, ...); countries and people,
which have no such order, come by count, largest first.
"""

from __future__ import annotations

import datetime
import enum
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext
from django_countries import countries as country_names

from agreements.choices import AgreementKind, AgreementStatus
from agreements.models import Agreement
from core.classification import Classification, readable_q, sees_everything
from core.fiscal import calendar_year_range, fiscal_year_of, fiscal_year_range, year_expression
from core.i18n import localized
from core.regions import Region, asean_q, countries_in, is_asean, region_expression, region_of
from core.sectors import SectorCode
from missions.choices import TOP_SALES_RANKS, LeaderRank, MissionStatus
from missions.models import Engagement, Meeting
from projects.choices import WON_STATUSES, FigureKind, ProjectStatus, Stage, WatchListOutcome
from projects.models import OrderFigure, Project, WatchList, WatchListEntry

# Periods


class PeriodKind(enum.StrEnum):
    CALENDAR_YEAR = "calendar_year"
    FISCAL_YEAR = "fiscal_year"
    RANGE = "range"


@dataclass(frozen=True)
class Period:
    """A span of days, both ends inclusive, and how the reader names it: the article
    counts top sales "in 2018" and strategies "in FY2017" (年度, from 1 April)."""

    start: datetime.date
    end: datetime.date
    kind: PeriodKind = PeriodKind.RANGE
    year: int | None = None

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")
        if (self.kind == PeriodKind.RANGE) != (self.year is None):
            raise ValueError("A calendar or fiscal year needs its year; a range has none.")

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        start, end = calendar_year_range(year)
        return cls(start, end, PeriodKind.CALENDAR_YEAR, year)

    @classmethod
    def fiscal_year(cls, year: int) -> Period:
        start, end = fiscal_year_range(year)
        return cls(start, end, PeriodKind.FISCAL_YEAR, year)

    @classmethod
    def between(cls, start: datetime.date, end: datetime.date) -> Period:
        return cls(start, end)

    @property
    def is_fiscal(self) -> bool:
        return self.kind == PeriodKind.FISCAL_YEAR

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        """How the report names the period: 2018 or FY2018 (2018年, 2018年度), or its
        two dates for a range."""
        if self.kind == PeriodKind.RANGE:
            return f"{date_format(self.start)} – {date_format(self.end)}"
        return year_label(self.year, fiscal=self.is_fiscal)


def year_label(year: int, *, fiscal: bool) -> str:
    if fiscal:
        return pgettext("fiscal year", "FY%(year)s") % {"year": year}
    return pgettext("calendar year", "%(year)s") % {"year": year}


def _year_of(period: Period | None, day: datetime.date) -> int:
    """The year a day is counted in: fiscal within a fiscal-year period, else calendar."""
    return fiscal_year_of(day) if period is not None and period.is_fiscal else day.year


def _within(period: Period | None, field: str) -> dict:
    return {} if period is None else {f"{field}__range": (period.start, period.end)}


# Helpers for labelling and ordering groups


def _rank_in(choices) -> dict[str, int]:
    return {value: index for index, value in enumerate(choices.values)}


def _in_vocabulary_order(
    counts: Mapping, choices, key: str, count_key: str = "count"
) -> list[dict]:
    """One row per value of `choices` that has a count, in the vocabulary's order;
    values outside the vocabulary (stale data) come last, labelled by their value."""
    labels = dict(choices.choices)
    order = _rank_in(choices)
    return [
        {key: value, "label": str(labels.get(value, value)), count_key: counts[value]}
        for value in sorted(counts, key=lambda value: (order.get(value, len(order)), str(value)))
    ]


def _region_label(region: str | None) -> str:
    if not region:
        return gettext("No region")
    return str(dict(Region.choices).get(region, region))


def _by_region(counts: Mapping, key: str = "count") -> list[dict]:
    """Rows per region in Region's order; countries of no region (None) last."""
    order = _rank_in(Region)
    return [
        {"region": region, "label": _region_label(region), key: counts[region]}
        for region in sorted(counts, key=lambda region: order.get(region, len(order)))
    ]


def _region_value(country: str) -> str | None:
    region = region_of(country)
    return region.value if region else None


def _country_name(code: str) -> str:
    return str(country_names.name(code)) or code


def _codes(values: Iterable[str]) -> list[str]:
    return [str(value).upper() for value in values]


def _visible(records: QuerySet, user) -> QuerySet:
    """The records `user` may read (core.classification); user None: every record, for
    the system's own work (commands, jobs): every page and endpoint passes its reader."""
    return records if user is None else records.visible_to(user)


def _hidden_meetings(user) -> QuerySet[Meeting] | None:
    """The meetings hidden from `user` (None when none can be: superusers, or no
    reader given). Level 3 only: read through the classification index."""
    if user is None or sees_everything(user):
        return None
    return Meeting.objects.filter(classification=Classification.NEED_TO_KNOW).exclude(
        readable_q(Meeting, user)
    )


def _among(records: QuerySet, among: QuerySet | None) -> QuerySet:
    """`records` that are also in `among` (None: all of them). A subquery on the ids,
    not a filter merged into `records`: `among` may join many-relations (a sector, a
    project), and a join would count a record once per related row."""
    return records if among is None else records.filter(pk__in=among.values("pk"))


# Top sales (missions)


# Top sales are the meetings of completed missions held by a minister, state minister or
# parliamentary vice-minister (the meeting's principal, whoever led the mission). The
# same condition reads meetings and engagements, which both carry principal_rank.
_OF_TOP_SALES = Q(mission__status=MissionStatus.COMPLETED, principal_rank__in=TOP_SALES_RANKS)


def top_sales_meetings(period: Period | None = None, user=None) -> QuerySet[Meeting]:
    """The meetings that count as top sales, held within the period (those `user` may
    read)."""
    return _visible(Meeting.objects, user).filter(_OF_TOP_SALES, **_within(period, "date"))


@dataclass(frozen=True)
class EngagementStatistics:
    """Top-sales engagements (トップセールス件数): (mission, principal, counterpart
    country) triples."""

    engagements: int
    countries: int
    asean_engagements: int
    meetings: int
    by_country: list[dict]  # {country, name, region, engagements, meetings}
    by_region: list[dict]  # {region, label, engagements, meetings}
    by_rank: list[dict]  # {rank, label, engagements, meetings}: the principal's rank
    by_principal: list[dict]  # {principal_id, principal, engagements, meetings}
    by_year: list[dict]  # {year, label, engagements, meetings, countries, asean_engagements}


def top_sales_engagements() -> QuerySet[Engagement]:
    """The (mission, principal, country) triples that count as top sales, of all time
    (missions.Engagement, kept equal to the meetings on every write)."""
    return Engagement.objects.filter(_OF_TOP_SALES)


def _asean_in_database(date_field: str):
    """Whether the triple's country was an ASEAN member on that date (core.regions)."""
    return Case(
        When(asean_q("counterpart_country", date_field), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


_PRINCIPAL = ("principal_id", "principal_rank", "principal__name", "principal__name_ja")
_TRIPLE = ("mission_id", "principal_id", "counterpart_country")


def _touched_by_hidden(hidden: QuerySet[Meeting]) -> Q:
    """A triple one of whose meetings is hidden from the reader: its stored figures
    count that meeting, so it is recomputed from the meetings the reader may see.

    The triples are found once (one query: finding the hidden meetings means checking
    every level-3 meeting against the reader's access, some 16 ms on a million
    meetings) and named by id in the queries that follow, which would otherwise each
    find them again."""
    touched = Engagement.objects.filter(
        Exists(hidden.filter(**{name: OuterRef(name) for name in _TRIPLE}))
    )
    return Q(pk__in=list(touched.values_list("pk", flat=True)))


def _straddling(period: Period | None, crossing: QuerySet[Engagement], user=None) -> list[dict]:
    """The triples of `crossing` (which straddle one end of the period, or have a
    meeting hidden from `user`) recomputed from their top-sales meetings within it that
    `user` may read: first date, meetings, and the principal's rank at that first
    date."""
    rows = (
        top_sales_meetings(period, user)
        .filter(Exists(crossing.filter(**{name: OuterRef(name) for name in _TRIPLE})))
        .values(*_TRIPLE, *_PRINCIPAL[1:])
        .annotate(first_date=Min("date"), meetings=Count("id"))
        .order_by("first_date")
    )
    triples = {}
    for row in rows:  # a triple has one row but for a reshuffle on the mission's days
        key = tuple(row[name] for name in _TRIPLE)
        if key in triples:
            triples[key]["meetings"] += row["meetings"]
        else:
            triples[key] = row
    return list(triples.values())


def engagement_statistics(
    *,
    period: Period | None,
    countries: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    principal_ranks: Iterable[str] | None = None,
    principal_ids: Iterable[int] | None = None,
    leader_ranks: Iterable[str] | None = None,
    leader_ids: Iterable[int] | None = None,
    asean: bool | None = None,
    meetings: QuerySet[Meeting] | None = None,
    user=None,
) -> EngagementStatistics:
    """The article's "69 engagements in 31 countries, 35 in ASEAN countries" (2 queries;
    3 with a period).

    A triple belongs to the period by its first meeting within the period, and is in
    ASEAN if its country was a member on that day. Each filter narrows the set; None
    means "any": the principal's rank and person (who held the meetings), the leader's
    (who led the mission). `meetings` (the argument) keeps the triples that have at
    least one of those meetings within the period, for what the triples do not record
    (a project promoted, a sector, a counterpart...). The figures named `meetings`
    count all the meetings of the triples counted, within the period.

    The triples are read from missions.Engagement, grouped in the database: one query
    by (country, year, ASEAN), one by principal and rank. A triple whose meetings all
    fall within the period counts as stored; the few that straddle one of its ends are
    recomputed from their meetings within it (the third query) and added in Python."""
    triples = top_sales_engagements()
    if countries is not None:
        triples = triples.filter(counterpart_country__in=_codes(countries))
    if regions is not None:
        triples = triples.filter(counterpart_country__in=countries_in(*regions))
    if principal_ranks is not None:
        triples = triples.filter(principal_rank__in=list(principal_ranks))
    if principal_ids is not None:
        triples = triples.filter(principal_id__in=list(principal_ids))
    if leader_ranks is not None:
        triples = triples.filter(mission__leader_rank__in=list(leader_ranks))
    if leader_ids is not None:
        triples = triples.filter(mission__leader_id__in=list(leader_ids))
    if meetings is not None:
        triples = triples.filter(
            Exists(
                meetings.filter(
                    **{name: OuterRef(name) for name in _TRIPLE}, **_within(period, "date")
                )
            )
        )
    straddling = []
    hidden = _hidden_meetings(user)
    # Counts count what the reader may see: a triple with a meeting hidden from them
    # is recomputed from the others (no more than the straddling ones cost).
    touched = _touched_by_hidden(hidden) if hidden is not None else None
    if period is not None:
        crossing = triples.filter(first_date__lte=period.end, last_date__gte=period.start)
        recomputed = Q(first_date__lt=period.start) | Q(last_date__gt=period.end)
        if touched is not None:
            recomputed |= touched
        straddling = _straddling(period, crossing.filter(recomputed), user)
        triples = triples.filter(first_date__gte=period.start, last_date__lte=period.end)
        if touched is not None:
            triples = triples.exclude(touched)
    elif touched is not None:
        straddling = _straddling(None, triples.filter(touched), user)
        triples = triples.exclude(touched)
    triples = triples.alias(in_asean=_asean_in_database("first_date"))
    if asean is not None:
        triples = triples.filter(in_asean=asean)
    fiscal = period is not None and period.is_fiscal

    # (country, year, in ASEAN) -> [engagements, meetings]
    groups = defaultdict(lambda: [0, 0])
    for row in (
        triples.values(
            "counterpart_country",
            year=year_expression("first_date", fiscal=fiscal),
            asean=F("in_asean"),
        )
        .annotate(engagements=Count("id"), meetings_sum=Sum("meetings"))
        .order_by()
    ):
        group = groups[(str(row["counterpart_country"]), int(row["year"]), bool(row["asean"]))]
        group[0] += row["engagements"]
        group[1] += row["meetings_sum"]
    # (principal..., rank) -> [engagements, meetings]
    principals = defaultdict(lambda: [0, 0])
    for row in (
        triples.values(*_PRINCIPAL)
        .annotate(engagements=Count("id"), meetings_sum=Sum("meetings"))
        .order_by()
    ):
        principal = principals[tuple(row[name] for name in _PRINCIPAL)]
        principal[0] += row["engagements"]
        principal[1] += row["meetings_sum"]
    for triple in straddling:
        country = str(triple["counterpart_country"])
        in_asean = is_asean(country, triple["first_date"])
        if asean is not None and in_asean != asean:
            continue
        group = groups[(country, _year_of(period, triple["first_date"]), in_asean)]
        group[0] += 1
        group[1] += triple["meetings"]
        principal = principals[tuple(triple[name] for name in _PRINCIPAL)]
        principal[0] += 1
        principal[1] += triple["meetings"]

    # Each breakdown counts engagements, and its `meetings_by_...` twin their meetings.
    by_country, meetings_by_country = Counter(), Counter()
    by_region, meetings_by_region = Counter(), Counter()
    by_rank, meetings_by_rank = Counter(), Counter()
    by_principal, meetings_by_principal = Counter(), Counter()
    principal_names = {}
    by_year, meetings_by_year, asean_by_year = Counter(), Counter(), Counter()
    countries_by_year = defaultdict(set)
    for (country, year, in_asean), (engagements, count) in groups.items():
        by_country[country] += engagements
        meetings_by_country[country] += count
        by_region[_region_value(country)] += engagements
        meetings_by_region[_region_value(country)] += count
        by_year[year] += engagements
        meetings_by_year[year] += count
        asean_by_year[year] += engagements if in_asean else 0
        countries_by_year[year].add(country)
    for (principal_id, rank, name, name_ja), (engagements, count) in principals.items():
        by_rank[rank] += engagements
        meetings_by_rank[rank] += count
        by_principal[principal_id] += engagements
        meetings_by_principal[principal_id] += count
        principal_names[principal_id] = localized(name, name_ja)

    return EngagementStatistics(
        engagements=by_country.total(),
        countries=len(by_country),
        asean_engagements=asean_by_year.total(),
        meetings=meetings_by_country.total(),
        by_country=sorted(
            (
                {
                    "country": country,
                    "name": _country_name(country),
                    "region": _region_value(country),
                    "engagements": count,
                    "meetings": meetings_by_country[country],
                }
                for country, count in by_country.items()
            ),
            key=lambda row: (-row["engagements"], row["name"]),
        ),
        by_region=[
            {**row, "meetings": meetings_by_region[row["region"]]}
            for row in _by_region(by_region, key="engagements")
        ],
        by_rank=[
            {**row, "meetings": meetings_by_rank[row["rank"]]}
            for row in _in_vocabulary_order(by_rank, LeaderRank, "rank", "engagements")
        ],
        by_principal=sorted(
            (
                {
                    "principal_id": principal_id,
                    "principal": principal_names[principal_id],
                    "engagements": count,
                    "meetings": meetings_by_principal[principal_id],
                }
                for principal_id, count in by_principal.items()
            ),
            key=lambda row: (-row["engagements"], row["principal"], row["principal_id"]),
        ),
        by_year=[
            {
                "year": year,
                "label": year_label(year, fiscal=fiscal),
                "engagements": by_year[year],
                "meetings": meetings_by_year[year],
                "countries": len(countries_by_year[year]),
                "asean_engagements": asean_by_year[year],
            }
            for year in sorted(by_year)
        ],
    )


@dataclass(frozen=True)
class EngagementsByYearAndRegion:
    """Top-sales engagements of all time, by year and by region: the dashboard's chart."""

    fiscal: bool
    regions: list[dict]  # {region, label}: the regions that have engagements, in order
    years: list[dict]  # {year, label, total, by_region: {region: engagements}}


def engagements_by_year_and_region(
    *, fiscal: bool = False, user=None
) -> EngagementsByYearAndRegion:
    """Engagements per calendar (or fiscal) year and region (1 query, grouped by
    region and year in the database). A triple is counted in the year of its first
    meeting, as engagement_statistics(period=None) counts its by_year, so that the
    totals of both agree."""
    triples = top_sales_engagements()
    hidden = _hidden_meetings(user)
    recomputed = []
    if hidden is not None:
        touched = _touched_by_hidden(hidden)
        recomputed = _straddling(None, triples.filter(touched), user)
        triples = triples.exclude(touched)
    rows = (
        triples.values(
            region=region_expression("counterpart_country"),
            year=year_expression("first_date", fiscal=fiscal),
        )
        .annotate(engagements=Count("id"))
        .order_by()
    )
    counts, regions = defaultdict(Counter), Counter()
    for row in rows:
        counts[int(row["year"])][row["region"]] += row["engagements"]
        regions[row["region"]] += row["engagements"]
    for triple in recomputed:
        first = triple["first_date"]
        year = fiscal_year_of(first) if fiscal else first.year
        region = _region_value(str(triple["counterpart_country"]))
        counts[year][region] += 1
        regions[region] += 1
    return EngagementsByYearAndRegion(
        fiscal=fiscal,
        regions=[{"region": row["region"], "label": row["label"]} for row in _by_region(regions)],
        years=[
            {
                "year": year,
                "label": year_label(year, fiscal=fiscal),
                "total": sum(counts[year].values()),
                "by_region": dict(counts[year]),
            }
            for year in sorted(counts)
        ],
    )


@dataclass(frozen=True)
class TopSalesEffect:
    """What became of the projects that top sales promoted."""

    projects: int  # the five groups below together
    won_japanese: int  # won on or after their first promotion
    won_foreign: int
    dropped: int
    still_open: int  # any other status: active, on hold, completed
    won_before_promotion: int  # already won, by anyone, when first promoted
    project_ids: dict[str, list[int]]  # the five groups above -> project ids


_EFFECT_GROUPS = {
    ProjectStatus.WON_JAPANESE: "won_japanese",
    ProjectStatus.WON_FOREIGN: "won_foreign",
    ProjectStatus.DROPPED: "dropped",
}


def top_sales_effect(
    *, period: Period | None, meetings: QuerySet[Meeting] | None = None, user=None
) -> TopSalesEffect:
    """Of the distinct projects promoted at top-sales meetings within the period (and
    among `meetings`, when given), how many were won afterwards, by a Japanese or a
    foreign firm, how many were dropped and how many are still open (1 query).

    A win counts as an effect when the project was awarded on or after the day of its
    first promotion in the period: a contract signed at the meeting itself counts. A
    project awarded before that day was promoted when it was already won (a visit to
    the works, say): it is no effect of the promotion, and is counted apart, in
    `won_before_promotion`, so that the groups still add up to `projects`. A dropped
    project records no date, so it counts as dropped whenever that happened, even
    before the promotion."""
    promotions = _among(top_sales_meetings(period, user), meetings)
    links = Meeting.projects.through.objects.filter(meeting__in=promotions)
    if user is not None and not sees_everything(user):
        links = links.filter(project__in=Project.objects.visible_to(user).values("pk"))
    promoted = (
        links.values_list("project_id", "project__status", "project__awarded_on")
        .annotate(first_promoted_on=Min("meeting__date"))
        .order_by("project_id")
    )
    groups = {
        "won_japanese": [],
        "won_foreign": [],
        "dropped": [],
        "still_open": [],
        "won_before_promotion": [],
    }
    for project_id, status, awarded_on, first_promoted_on in promoted:
        group = _EFFECT_GROUPS.get(status, "still_open")
        # (A won project has its date, a constraint says; a row without one stays a win.)
        if status in WON_STATUSES and awarded_on is not None and awarded_on < first_promoted_on:
            group = "won_before_promotion"
        groups[group].append(project_id)
    return TopSalesEffect(
        projects=sum(len(ids) for ids in groups.values()),
        **{group: len(ids) for group, ids in groups.items()},
        project_ids=groups,
    )


# Agreements


@dataclass(frozen=True)
class AgreementStatistics:
    total: int
    by_status: list[dict]  # {status, label, count}
    by_country: list[dict]  # {country, name, count}
    by_sector: list[dict]  # {sector, label, count}; an agreement counts in each sector
    by_kind: list[dict]  # {kind, label, count}


def agreement_statistics(
    *,
    period: Period | None = None,
    countries: Iterable[str] | None = None,
    sectors: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    agreements: QuerySet[Agreement] | None = None,
    user=None,
) -> AgreementStatistics:
    """Agreements by status, counterpart country, sector and kind (4 queries).

    A period counts the agreements signed within it, so none still proposed or under
    negotiation. With `sectors`, the agreements covering any of them, and by_sector
    shows only those sectors. `agreements` (a filtered list, say) narrows the set too."""
    agreements = _among(
        _visible(Agreement.objects, user).filter(**_within(period, "signed_on")), agreements
    )
    if countries is not None:
        agreements = agreements.filter(counterpart_country__in=_codes(countries))
    if kinds is not None:
        agreements = agreements.filter(kind__in=list(kinds))
    coverage = Agreement.sectors.through.objects.all()
    if sectors is not None:
        sectors = list(sectors)
        coverage = coverage.filter(sector_id__in=sectors)
        # A subquery, not a join, so that an agreement of two sectors counts once.
        agreements = agreements.filter(id__in=coverage.values("agreement_id"))

    def counts(queryset, field, count="id"):
        grouped = queryset.values(field).annotate(count=Count(count)).order_by()
        return {row[field]: row["count"] for row in grouped}

    by_status = counts(agreements, "status")
    by_country = counts(agreements, "counterpart_country")
    by_kind = counts(agreements, "kind")
    by_sector = counts(coverage.filter(agreement__in=agreements), "sector_id")
    return AgreementStatistics(
        total=sum(by_status.values()),
        by_status=_in_vocabulary_order(by_status, AgreementStatus, "status"),
        by_country=sorted(
            (
                {"country": str(code), "name": _country_name(code), "count": count}
                for code, count in by_country.items()
            ),
            key=lambda row: (-row["count"], row["name"]),
        ),
        by_sector=_in_vocabulary_order(by_sector, SectorCode, "sector"),
        by_kind=_in_vocabulary_order(by_kind, AgreementKind, "kind"),
    )


def agreements_expiring(
    *,
    within_days: int,
    today: datetime.date | None = None,
    agreements: QuerySet[Agreement] | None = None,
    user=None,
) -> QuerySet[Agreement]:
    """Signed or in-force agreements (among `agreements`, when given) whose end falls
    within the next `within_days` days (today included), soonest first, ready to list
    without a query per row."""
    today = today or timezone.localdate()
    return (
        _among(_visible(Agreement.objects, user), agreements)
        .filter(
            status__in=(AgreementStatus.SIGNED, AgreementStatus.IN_FORCE),
            expires_on__range=(today, today + datetime.timedelta(days=within_days)),
        )
        .select_related("japanese_signatory", "signed_by")
        .prefetch_related("counterpart_organizations")
        .order_by("expires_on", "id")
    )


# Watch lists (projects)


def _edition(edition: WatchList | int) -> WatchList:
    if isinstance(edition, WatchList):
        return edition
    return WatchList.objects.select_related("previous").get(edition_year=edition)


def _brief_edition(edition: WatchList | None) -> dict | None:
    if edition is None:
        return None
    # The name in the reader's language (WatchList.name_ja, else name).
    return {"id": edition.pk, "name": str(edition), "year": edition.edition_year}


@dataclass(frozen=True)
class WatchListTransition:
    """From one edition of the watch list to the next, as the Action Plan prints it:
    "83 → 10 won by Japanese firms, 1 by a foreign firm, 7 removed, 65 continued,
    18 added → 83"."""

    edition: dict  # {id, name, year}
    previous: dict | None
    previous_total: int
    won_japanese: int
    won_foreign: int
    removed: int
    continued: int
    pending: int  # entries of the previous edition whose outcome is not recorded yet
    added: int
    total: int
    # won_japanese, won_foreign, removed, continued, pending, added -> [{id, name}]
    projects: dict[str, list[dict]]
    # Whether the figures add up as printed: previous total = won by Japanese firms + won
    # by foreign firms + removed + continued, and total = continued + added. When they
    # do not, `problems` says why, one sentence each, in the reader's language.
    balanced: bool
    problems: list[str]


_OUTCOME_GROUPS = {
    WatchListOutcome.WON_JAPANESE: "won_japanese",
    WatchListOutcome.WON_FOREIGN: "won_foreign",
    WatchListOutcome.REMOVED: "removed",
    WatchListOutcome.CONTINUED: "continued",
}


def watch_list_transition(*, edition: WatchList | int, user=None) -> WatchListTransition:
    """The transition into `edition` (a WatchList or its edition year) from the
    edition it revises (2 queries). The outcomes are those recorded
    on the previous edition's entries; "added" are the entries of `edition` whose
    project was not on the previous one.

    The figures are checked against each other and against the two lists, not
    trusted: records written before the rule of domain.md ("Consistency between
    records"), or around it, would otherwise print a transition that does not add up
    without a word."""
    edition = _edition(edition)
    previous = edition.previous
    entries = (
        _entries_visible(WatchListEntry.objects.all(), user)
        .filter(watch_list_id__in=[edition.pk] + ([previous.pk] if previous else []))
        .values(
            "watch_list_id",
            "project_id",
            "project__name",
            "project__name_ja",
            "outcome_at_next_edition",
        )
        .order_by("project__name", "project_id")
    )
    groups = {group: [] for group in [*_OUTCOME_GROUPS.values(), "pending", "added"]}
    previous_projects, current = set(), []
    for entry in entries:
        brief = {
            "id": entry["project_id"],
            "name": localized(entry["project__name"], entry["project__name_ja"]),
        }
        if entry["watch_list_id"] == edition.pk:
            current.append(brief)
        else:
            previous_projects.add(entry["project_id"])
            group = _OUTCOME_GROUPS.get(entry["outcome_at_next_edition"], "pending")
            groups[group].append(brief)
    groups["added"] = [brief for brief in current if brief["id"] not in previous_projects]
    counts = {group: len(projects) for group, projects in groups.items()}
    problems = (
        _transition_problems(edition, previous, groups, {brief["id"] for brief in current})
        if previous is not None
        else []
    )
    return WatchListTransition(
        edition=_brief_edition(edition),
        previous=_brief_edition(previous),
        previous_total=len(previous_projects),
        **counts,
        total=len(current),
        projects=groups,
        balanced=not problems,
        problems=problems,
    )


def _transition_problems(edition, previous, groups, current) -> list[str]:
    """Why the transition does not add up, if it does not: each of its two sums that
    fails, then each outcome that contradicts the new edition's list."""
    counts = {group: len(projects) for group, projects in groups.items()}
    problems = []
    recorded = sum(counts[group] for group in _OUTCOME_GROUPS.values())
    if counts["pending"]:
        problems.append(
            ngettext(
                "%(previous)s lists %(total)s projects, but won by Japanese firms, won by "
                "foreign firms, removed and continued add up to %(sum)s: %(pending)s "
                "outcome is not recorded yet.",
                "%(previous)s lists %(total)s projects, but won by Japanese firms, won by "
                "foreign firms, removed and continued add up to %(sum)s: %(pending)s "
                "outcomes are not recorded yet.",
                counts["pending"],
            )
            % {
                "previous": str(previous),
                "total": recorded + counts["pending"],
                "sum": recorded,
                "pending": counts["pending"],
            }
        )
    if counts["continued"] + counts["added"] != len(current):
        problems.append(
            gettext(
                "%(edition)s lists %(total)s projects, but continued and added add up to %(sum)s."
            )
            % {
                "edition": str(edition),
                "total": len(current),
                "sum": counts["continued"] + counts["added"],
            }
        )
    names = {"previous": str(previous), "edition": str(edition)}
    for brief in groups["continued"]:
        if brief["id"] not in current:
            problems.append(
                gettext(
                    "“%(project)s” is recorded on %(previous)s as continued, but it is not "
                    "on %(edition)s."
                )
                % {**names, "project": brief["name"]}
            )
    labels = {**dict(WatchListOutcome.choices), "pending": gettext("not recorded yet")}
    for outcome, group in (*_OUTCOME_GROUPS.items(), ("pending", "pending")):
        if group == "continued":
            continue
        for brief in groups[group]:
            if brief["id"] in current:
                problems.append(
                    gettext(
                        "“%(project)s” is on %(edition)s, but %(previous)s records it as "
                        "“%(outcome)s”."
                    )
                    % {**names, "project": brief["name"], "outcome": labels[outcome]}
                )
    return problems


@dataclass(frozen=True)
class EditionBreakdown:
    edition: dict  # {id, name, year}
    total: int
    by_region: list[dict]  # {region, label, count}, by the region printed in the entry
    by_sector: list[dict]  # {sector, label, count}, by the project's sector


def _entries_visible(entries, user):
    """Watch-list entries of the projects `user` may read."""
    if user is None or sees_everything(user):
        return entries
    return entries.filter(project__in=Project.objects.visible_to(user).values("pk"))


def edition_breakdown(*, edition: WatchList | int, user=None) -> EditionBreakdown:
    """One edition of the watch list by region ("Southeast Asia 46, South Asia 9")
    and by sector (1 query, 2 with a year)."""
    edition = _edition(edition)
    grouped = (
        _entries_visible(WatchListEntry.objects.filter(watch_list=edition), user)
        .values("region", "project__sector")
        .annotate(count=Count("id"))
        .order_by()
    )
    by_region, by_sector = Counter(), Counter()
    for row in grouped:
        by_region[row["region"]] += row["count"]
        by_sector[row["project__sector"]] += row["count"]
    return EditionBreakdown(
        edition=_brief_edition(edition),
        total=sum(by_region.values()),
        by_region=_by_region(by_region),
        by_sector=_in_vocabulary_order(by_sector, SectorCode, "sector"),
    )


# Project pipeline


@dataclass(frozen=True)
class ProjectPipeline:
    total: int
    by_stage: list[dict]  # {stage, label, count}: every stage, upstream (川上) first
    rows: list[dict]  # {stage, sector, region, status, count}, in the vocabularies' order


def project_pipeline(
    *,
    countries: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    sectors: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    projects: QuerySet[Project] | None = None,
    user=None,
) -> ProjectPipeline:
    """Projects by stage × sector × region × status (1 query). A project's region is
    that of its primary country. `projects` (a filtered list, say) narrows the set."""
    projects = _among(_visible(Project.objects, user), projects)
    if countries is not None:
        projects = projects.filter(country__in=_codes(countries))
    if regions is not None:
        projects = projects.filter(country__in=countries_in(*regions))
    if sectors is not None:
        projects = projects.filter(sector__in=list(sectors))
    if statuses is not None:
        projects = projects.filter(status__in=list(statuses))
    grouped = (
        projects.annotate(region=region_expression("country"))
        .values("stage", "sector", "region", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts = {
        (row["stage"], row["sector"], row["region"], row["status"]): row["count"] for row in grouped
    }

    orders = [_rank_in(Stage), _rank_in(SectorCode), _rank_in(Region), _rank_in(ProjectStatus)]

    def position(key):
        return tuple(order.get(value, len(order)) for order, value in zip(orders, key, strict=True))

    rows = [
        {"stage": stage, "sector": sector, "region": region, "status": status, "count": count}
        for (stage, sector, region, status), count in sorted(
            counts.items(), key=lambda item: position(item[0])
        )
    ]
    by_stage = Counter()
    for row in rows:
        by_stage[row["stage"]] += row["count"]
    return ProjectPipeline(
        total=sum(by_stage.values()),
        by_stage=[
            {"stage": stage.value, "label": str(stage.label), "count": by_stage[stage]}
            for stage in Stage
        ],
        rows=rows,
    )


# Order figures


@dataclass(frozen=True)
class OrderFiguresAgainstTarget:
    """Orders won by Japanese firms against the government's target (Figure 1)."""

    actuals: list[dict]  # {year, amount_jpy, source (in the reader's language)}, by year
    targets: list[dict]
    latest_actual: dict | None
    target: dict | None  # the first target not before the latest actual, else the last
    ratio: float | None  # latest actual / target


def order_figures_against_target(
    *, figures: QuerySet[OrderFigure] | None = None
) -> OrderFiguresAgainstTarget:
    """The latest actual figure against the target: "about ¥23 trillion in 2017, target
    about ¥30 trillion in 2020" (1 query). `figures` (a filtered list, say) narrows the
    figures read."""
    actuals, targets = [], []
    for figure in _among(OrderFigure.objects.all(), figures).order_by("year", "kind"):
        # The source in the reader's language (source_ja, else source).
        row = {
            "year": figure.year,
            "amount_jpy": figure.amount_jpy,
            "source": figure.source_display,
        }
        (targets if figure.kind == FigureKind.TARGET else actuals).append(row)
    latest = actuals[-1] if actuals else None
    target = None
    if targets:
        ahead = [row for row in targets if latest is None or row["year"] >= latest["year"]]
        target = ahead[0] if ahead else targets[-1]
    ratio = (
        latest["amount_jpy"] / target["amount_jpy"]
        if latest and target and target["amount_jpy"]
        else None
    )
    return OrderFiguresAgainstTarget(
        actuals=actuals, targets=targets, latest_actual=latest, target=target, ratio=ratio
    )
