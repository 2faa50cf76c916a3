"""The statistics read from missions.Engagement give exactly what the meetings give:
the earlier implementation, which grouped the meetings on every call, is kept here as
the reference and compared for every kind of period and filter, on records that
straddle a calendar year, a fiscal year and Timor-Leste's accession to ASEAN, with
meetings held by officials other than the mission's leader."""

import dataclasses
import datetime
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable

import pytest
from django.db.models import Count, Min, QuerySet
from django.utils import translation

from core.fiscal import fiscal_year_of
from core.i18n import localized
from core.regions import asean_ever, countries_in, is_asean
from missions.choices import LeaderRank, MissionStatus
from missions.models import Meeting
from reports.selectors import (
    EngagementsByYearAndRegion,
    EngagementStatistics,
    Period,
    _by_region,
    _codes,
    _country_name,
    _in_vocabulary_order,
    _region_value,
    _year_of,
    engagement_statistics,
    engagements_by_year_and_region,
    top_sales_meetings,
    year_label,
)
from tests.factories import MeetingFactory, MissionFactory, PersonFactory

pytestmark = pytest.mark.django_db

day = datetime.date


# The reference: reports.selectors before the engagements table, with what was added
# since (the meetings of every breakdown, the engagements kept by given meetings, the
# official who held the meetings).


def reference_statistics(
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
) -> EngagementStatistics:
    """The article's "69 engagements in 31 countries, 35 in ASEAN countries" (1 query;
    2 with `meetings`).

    A (mission, principal, country) triple belongs to the period by its first meeting
    within the period, and is in ASEAN if its country was a member on that day. Each
    filter narrows the set; None means "any". With `meetings`, only the triples that
    have one of them within the period. `meetings` counts the meetings of the triples
    counted."""
    held = top_sales_meetings(period)
    if countries is not None:
        held = held.filter(counterpart_country__in=_codes(countries))
    if regions is not None:
        held = held.filter(counterpart_country__in=countries_in(*regions))
    if principal_ranks is not None:
        held = held.filter(principal_rank__in=list(principal_ranks))
    if principal_ids is not None:
        held = held.filter(principal_id__in=list(principal_ids))
    if leader_ranks is not None:
        held = held.filter(mission__leader_rank__in=list(leader_ranks))
    if leader_ids is not None:
        held = held.filter(mission__leader_id__in=list(leader_ids))
    if asean:
        # Only former or present members can qualify; the pair's date decides below.
        held = held.filter(counterpart_country__in=asean_ever())
    qualified = None
    if meetings is not None:
        qualified = {
            (mission_id, principal_id, str(country))
            for mission_id, principal_id, country, date in meetings.values_list(
                "mission_id", "principal_id", "counterpart_country", "date"
            )
            if period is None or date in period
        }
    pairs = (
        held.values(
            "mission_id",
            "principal_id",
            "counterpart_country",
            "principal_rank",
            "principal__name",
            "principal__name_ja",
        )
        .annotate(first_date=Min("date"), meetings=Count("id"))
        .order_by("mission_id", "principal_id", "counterpart_country")
    )

    engagements = meetings_total = asean_total = 0
    by_country, meetings_by_country = Counter(), Counter()
    by_region, by_rank, by_leader = Counter(), Counter(), Counter()
    meetings_by_region, meetings_by_rank, meetings_by_leader = Counter(), Counter(), Counter()
    leader_names = {}
    by_year, meetings_by_year, asean_by_year = Counter(), Counter(), Counter()
    countries_by_year = defaultdict(set)
    for pair in pairs:
        country = str(pair["counterpart_country"])
        in_asean = is_asean(country, pair["first_date"])
        if asean is not None and in_asean != asean:
            continue
        if (
            qualified is not None
            and (pair["mission_id"], pair["principal_id"], country) not in qualified
        ):
            continue
        year = _year_of(period, pair["first_date"])
        leader_id = pair["principal_id"]
        engagements += 1
        meetings_total += pair["meetings"]
        asean_total += in_asean
        by_country[country] += 1
        meetings_by_country[country] += pair["meetings"]
        by_region[_region_value(country)] += 1
        meetings_by_region[_region_value(country)] += pair["meetings"]
        by_rank[pair["principal_rank"]] += 1
        meetings_by_rank[pair["principal_rank"]] += pair["meetings"]
        by_leader[leader_id] += 1
        meetings_by_leader[leader_id] += pair["meetings"]
        leader_names[leader_id] = localized(pair["principal__name"], pair["principal__name_ja"])
        by_year[year] += 1
        meetings_by_year[year] += pair["meetings"]
        asean_by_year[year] += in_asean
        countries_by_year[year].add(country)

    fiscal = period is not None and period.is_fiscal
    return EngagementStatistics(
        engagements=engagements,
        countries=len(by_country),
        asean_engagements=asean_total,
        meetings=meetings_total,
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
                    "principal_id": leader_id,
                    "principal": leader_names[leader_id],
                    "engagements": count,
                    "meetings": meetings_by_leader[leader_id],
                }
                for leader_id, count in by_leader.items()
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


def reference_by_year_and_region(*, fiscal: bool = False) -> EngagementsByYearAndRegion:
    """Engagements per calendar (or fiscal) year and region (1 query). A pair is
    counted in the year of its first meeting, as engagement_statistics(period=None)
    counts its by_year, so that the totals of both agree."""
    pairs = (
        top_sales_meetings()
        .values("mission_id", "principal_id", "counterpart_country")
        .annotate(first_date=Min("date"))
        .order_by()
    )
    counts, regions = defaultdict(Counter), Counter()
    for pair in pairs:
        year = fiscal_year_of(pair["first_date"]) if fiscal else pair["first_date"].year
        region = _region_value(str(pair["counterpart_country"]))
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


# Records whose pairs straddle every kind of boundary


def _mission(start, end, leader, rank=LeaderRank.MINISTER, status=MissionStatus.COMPLETED):
    return MissionFactory(
        start_date=start, end_date=end, leader=leader, leader_rank=rank, status=status
    )


def _meet(mission, country, date, held_by=None):
    """A meeting held by the mission's leader, or `held_by`: (person, rank)."""
    principal, rank = held_by or (None, "")
    MeetingFactory(
        mission=mission,
        counterpart_country=country,
        venue_country=country,
        date=date,
        principal=principal,
        principal_rank=rank,
    )


@pytest.fixture
def leaders():
    ishii = PersonFactory(name="Ishii", name_ja="石井")
    aoki = PersonFactory(name="Aoki", name_ja="青木")
    adachi = PersonFactory(name="Adachi", name_ja="")

    new_year = _mission(day(2018, 12, 28), day(2019, 1, 3), ishii)
    for country, date in [
        ("VN", day(2018, 12, 29)),
        ("VN", day(2018, 12, 31)),
        ("VN", day(2019, 1, 2)),
        ("TH", day(2019, 1, 2)),
        ("KH", day(2018, 12, 30)),
    ]:
        _meet(new_year, country, date)
    fiscal = _mission(day(2018, 3, 29), day(2018, 4, 2), aoki, LeaderRank.STATE_MINISTER)
    _meet(fiscal, "ID", day(2018, 3, 30))
    _meet(fiscal, "ID", day(2018, 4, 1))
    _meet(fiscal, "MY", day(2018, 4, 2))
    # Timor-Leste joins ASEAN on 2025-10-26: a pair is dated by its first meeting.
    accession = _mission(
        day(2025, 10, 24), day(2025, 10, 28), adachi, LeaderRank.PARLIAMENTARY_VICE_MINISTER
    )
    _meet(accession, "TL", day(2025, 10, 25))
    _meet(accession, "TL", day(2025, 10, 27))
    _meet(accession, "PH", day(2025, 10, 26))
    after = _mission(day(2025, 10, 26), day(2025, 10, 27), ishii)
    _meet(after, "TL", day(2025, 10, 26))
    # A pair with no meeting in the middle of its span.
    gap = _mission(day(2019, 12, 20), day(2020, 1, 10), aoki, LeaderRank.STATE_MINISTER)
    _meet(gap, "IN", day(2019, 12, 21))
    _meet(gap, "IN", day(2020, 1, 9))
    ticad = _mission(day(2019, 8, 28), day(2019, 8, 30), ishii)
    for country in ["GH", "GH", "TN", "KE"]:
        _meet(ticad, country, day(2019, 8, 29))
    # Another official held some of the meetings: a second engagement with Kenya, one
    # with Tunisia straddling the end of August, and a senior official's (not top sales).
    pvm = (adachi, LeaderRank.PARLIAMENTARY_VICE_MINISTER)
    _meet(ticad, "KE", day(2019, 8, 30), held_by=pvm)
    _meet(ticad, "TN", day(2019, 8, 30), held_by=pvm)
    _meet(ticad, "MG", day(2019, 8, 28), held_by=(aoki, LeaderRank.SENIOR_OFFICIAL))
    _meet(new_year, "TH", day(2018, 12, 31), held_by=pvm)
    _meet(new_year, "TH", day(2019, 1, 1), held_by=pvm)
    # The same leader at another rank, and records that are not top sales.
    _meet(
        _mission(day(2020, 2, 1), day(2020, 2, 2), ishii, LeaderRank.STATE_MINISTER),
        "LK",
        day(2020, 2, 1),
    )
    _meet(
        _mission(day(2018, 5, 1), day(2018, 5, 2), adachi, LeaderRank.PARLIAMENTARY_VICE_MINISTER),
        "VN",
        day(2018, 5, 1),
    )
    _meet(
        _mission(day(2018, 5, 1), day(2018, 5, 2), aoki, LeaderRank.SENIOR_OFFICIAL),
        "VN",
        day(2018, 5, 1),
    )
    _meet(
        _mission(day(2019, 6, 1), day(2019, 6, 2), ishii, status=MissionStatus.PLANNED),
        "GH",
        day(2019, 6, 1),
    )
    _meet(
        _mission(day(2025, 12, 30), day(2026, 1, 2), ishii, status=MissionStatus.CANCELLED),
        "TL",
        day(2026, 1, 1),
    )
    return ishii, aoki, adachi


PERIODS = [
    None,
    *(Period.calendar_year(year) for year in (2018, 2019, 2020, 2025)),
    *(Period.fiscal_year(year) for year in (2017, 2018, 2019, 2025)),
    Period.between(day(2018, 12, 30), day(2019, 1, 1)),
    Period.between(day(2019, 12, 25), day(2020, 1, 5)),  # inside the gap: nothing
    Period.between(day(2018, 4, 1), day(2018, 4, 1)),
    Period.between(day(2025, 10, 26), day(2025, 12, 31)),
    Period.between(day(2019, 8, 29), day(2019, 8, 29)),
    Period.between(day(2010, 1, 1), day(2030, 12, 31)),
]


def _filters(ishii, aoki, adachi):
    return [
        {},
        {"countries": ["vn", "TL"]},
        {"countries": []},
        {"regions": ["southeast_asia"]},
        {"regions": ["africa", "south_asia"]},
        {"leader_ranks": [LeaderRank.STATE_MINISTER]},
        {"leader_ranks": [LeaderRank.SENIOR_OFFICIAL]},
        {"leader_ids": [ishii.pk]},
        {"principal_ranks": [LeaderRank.PARLIAMENTARY_VICE_MINISTER]},
        {"principal_ranks": [LeaderRank.SENIOR_OFFICIAL]},
        {"principal_ids": [adachi.pk], "leader_ids": [ishii.pk]},
        {"principal_ids": [aoki.pk]},
        {"asean": True},
        {"asean": False},
        {"regions": ["southeast_asia"], "asean": False},
        {"leader_ids": [ishii.pk, aoki.pk], "countries": ["VN", "TL", "IN"], "asean": True},
        # Meetings on both sides of every boundary: the pairs straddling one qualify
        # only by a meeting inside the period.
        {"meetings": Meeting.objects.filter(date__in=_QUALIFYING_DAYS)},
        {"meetings": Meeting.objects.filter(date__in=_QUALIFYING_DAYS), "asean": True},
        {"meetings": Meeting.objects.filter(counterpart_country="GH"), "regions": ["africa"]},
        {"meetings": Meeting.objects.filter(principal=adachi)},
        {"meetings": Meeting.objects.none()},
    ]


_QUALIFYING_DAYS = [
    day(2018, 12, 29),  # VN, the first of three meetings around the new year
    day(2019, 1, 2),  # VN and TH
    day(2018, 4, 1),  # ID, the second of two meetings either side of 1 April
    day(2025, 10, 27),  # TL, after the accession; its pair dates from before
    day(2020, 1, 9),  # IN, after the gap
]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_statistics_are_those_of_the_meetings_for_every_period_and_filter(leaders, language):
    ishii, aoki, adachi = leaders
    with translation.override(language):
        for period, filters in itertools.product(PERIODS, _filters(ishii, aoki, adachi)):
            expected = reference_statistics(period=period, **filters)
            assert dataclasses.asdict(engagement_statistics(period=period, **filters)) == (
                dataclasses.asdict(expected)
            ), (period, filters)


def test_the_records_cover_what_they_are_meant_to(leaders):
    # Guards the comparison above against records that test nothing.
    new_year = engagement_statistics(period=Period.between(day(2018, 12, 30), day(2019, 1, 1)))
    # VN on the 31st, KH, and TH held by the vice-minister (two meetings).
    assert (new_year.engagements, new_year.meetings) == (3, 4)
    ticad = engagement_statistics(period=Period.between(day(2019, 8, 28), day(2019, 8, 30)))
    # GH, TN, KE by the minister; KE and TN by the vice-minister; not the official's MG.
    assert (ticad.engagements, ticad.countries, ticad.meetings) == (5, 3, 6)
    assert [(row["rank"], row["engagements"]) for row in ticad.by_rank] == [
        (LeaderRank.MINISTER, 3),
        (LeaderRank.PARLIAMENTARY_VICE_MINISTER, 2),
    ]
    accession = engagement_statistics(period=Period.calendar_year(2025))
    assert (accession.engagements, accession.asean_engagements) == (3, 2)
    assert (
        engagement_statistics(period=Period.between(day(2019, 12, 25), day(2020, 1, 5))).engagements
        == 0
    )
    assert engagement_statistics(period=Period.fiscal_year(2017)).meetings == 1


@pytest.mark.parametrize("fiscal", [False, True])
def test_by_year_and_region_is_that_of_the_meetings(leaders, fiscal):
    with translation.override("ja"):
        assert engagements_by_year_and_region(fiscal=fiscal) == reference_by_year_and_region(
            fiscal=fiscal
        )
