"""The statistics, on small hand-made records whose answers can be counted by eye."""

import datetime

import pytest
from django.utils import translation

from agreements.choices import AgreementKind, AgreementStatus
from agreements.models import Agreement
from core.models import Sector
from core.regions import Region
from core.sectors import SectorCode
from missions.choices import LeaderRank, MissionStatus
from missions.models import Meeting
from projects.choices import FigureKind, ProjectStatus, Stage, WatchListOutcome
from projects.models import OrderFigure, Project, WatchListEntry
from reports.selectors import (
    Period,
    PeriodKind,
    agreement_statistics,
    agreements_expiring,
    edition_breakdown,
    engagement_statistics,
    engagements_by_year_and_region,
    order_figures_against_target,
    project_pipeline,
    top_sales_effect,
    watch_list_transition,
)
from tests.factories import (
    AgreementFactory,
    JapaneseCompanyFactory,
    MeetingFactory,
    MissionFactory,
    OrderFigureFactory,
    PersonFactory,
    ProjectFactory,
    WatchListEntryFactory,
    WatchListFactory,
)

pytestmark = pytest.mark.django_db

day = datetime.date
Y2018 = Period.calendar_year(2018)
MAY_2018 = day(2018, 5, 1)


def mission(start=MAY_2018, days=3, **kwargs):
    kwargs.setdefault("status", MissionStatus.COMPLETED)
    return MissionFactory(
        start_date=start, end_date=start + datetime.timedelta(days=days), **kwargs
    )


def meet(on_mission, country, date=None, **kwargs):
    return MeetingFactory(
        mission=on_mission,
        counterpart_country=country,
        venue_country=country,
        date=date or on_mission.start_date,
        **kwargs,
    )


def headline(stats):
    return stats.engagements, stats.countries, stats.asean_engagements, stats.meetings


# Period


def test_calendar_and_fiscal_years_and_ranges():
    assert (Y2018.start, Y2018.end, Y2018.kind, Y2018.year) == (
        day(2018, 1, 1),
        day(2018, 12, 31),
        PeriodKind.CALENDAR_YEAR,
        2018,
    )
    fy = Period.fiscal_year(2018)
    assert (fy.start, fy.end, fy.is_fiscal) == (day(2018, 4, 1), day(2019, 3, 31), True)
    spring = Period.between(day(2018, 3, 1), day(2018, 5, 31))
    assert (spring.kind, spring.year) == (PeriodKind.RANGE, None)
    assert day(2018, 3, 1) in spring and day(2018, 6, 1) not in spring


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="cannot end before"):
        Period.between(day(2018, 2, 1), day(2018, 1, 31))


def test_period_labels_read_in_either_language():
    with translation.override("en"):
        assert (Y2018.label, Period.fiscal_year(2018).label) == ("2018", "FY2018")
    with translation.override("ja"):
        assert (Y2018.label, Period.fiscal_year(2018).label) == ("2018年", "2018年度")
        assert Period.between(day(2018, 1, 1), day(2018, 6, 30)).label == (
            "2018年1月1日 – 2018年6月30日"
        )


# Top-sales engagements: what counts


def test_two_meetings_with_one_country_on_one_mission_are_one_engagement():
    trip = mission()
    meet(trip, "VN", day(2018, 5, 1))
    meet(trip, "VN", day(2018, 5, 2))
    assert headline(engagement_statistics(period=Y2018)) == (1, 1, 1, 2)


def test_two_missions_to_one_country_are_two_engagements():
    meet(mission(day(2018, 5, 1)), "VN")
    meet(mission(day(2018, 9, 1)), "VN")
    assert headline(engagement_statistics(period=Y2018)) == (2, 1, 2, 2)


def test_one_occasion_meeting_eight_ministers_of_seven_countries_is_seven_engagements():
    ticad = mission(day(2018, 8, 28), days=2)
    for country in ["GH", "GH", "TN", "KE", "MZ", "NG", "EG", "ZA"]:
        meet(ticad, country)
    with translation.override("en"):
        stats = engagement_statistics(period=Y2018)
    assert headline(stats) == (7, 7, 0, 8)
    assert stats.by_region == [
        {"region": "africa", "label": "Africa", "engagements": 7, "meetings": 8}
    ]


# The engagement is (mission, principal, country): who held the meeting, not who led
# the mission (domain.md).

PVM = LeaderRank.PARLIAMENTARY_VICE_MINISTER


def test_one_principal_meeting_one_country_twice_on_a_mission_is_one_engagement():
    adachi = PersonFactory(name="Adachi")
    trip = mission()
    meet(trip, "KE", day(2018, 5, 1), principal=adachi, principal_rank=PVM)
    meet(trip, "KE", day(2018, 5, 2), principal=adachi, principal_rank=PVM)
    stats = engagement_statistics(period=Y2018)
    assert headline(stats) == (1, 1, 0, 2)
    assert [(row["principal"], row["engagements"]) for row in stats.by_principal] == [("Adachi", 1)]


def test_a_minister_and_a_vice_minister_each_meeting_a_country_are_two_engagements():
    trip = mission(leader=PersonFactory(name="Ishii"))
    meet(trip, "KE")
    meet(trip, "KE", principal=PersonFactory(name="Adachi"), principal_rank=PVM)
    with translation.override("en"):
        stats = engagement_statistics(period=Y2018)
    assert headline(stats) == (2, 1, 0, 2)
    assert [(row["label"], row["engagements"]) for row in stats.by_rank] == [
        ("Minister", 1),
        ("Parliamentary Vice-Minister", 1),
    ]
    assert [row["principal"] for row in stats.by_principal] == ["Adachi", "Ishii"]
    assert headline(engagement_statistics(period=Y2018, principal_ranks=[PVM])) == (1, 1, 0, 1)


def test_a_senior_officials_meeting_on_a_ministers_mission_is_not_top_sales():
    trip = mission()  # led by a minister
    official = PersonFactory(name="Ueno")
    meet(trip, "VN", principal=official, principal_rank=LeaderRank.SENIOR_OFFICIAL)
    assert headline(engagement_statistics(period=Y2018)) == (0, 0, 0, 0)
    assert engagement_statistics(period=Y2018, principal_ids=[official.pk]).engagements == 0
    meet(trip, "VN")  # the minister meets Viet Nam too: that one counts
    assert headline(engagement_statistics(period=Y2018)) == (1, 1, 1, 1)


def test_a_vice_ministers_meeting_on_a_senior_officials_mission_is_top_sales():
    trip = mission(leader_rank=LeaderRank.SENIOR_OFFICIAL)
    meet(trip, "VN")
    meet(trip, "TH", principal=PersonFactory(), principal_rank=PVM)
    stats = engagement_statistics(period=Y2018)
    assert headline(stats) == (1, 1, 1, 1)
    assert [row["rank"] for row in stats.by_rank] == [PVM]
    # The mission's leader still narrows by the mission.
    assert (
        engagement_statistics(period=Y2018, leader_ranks=[LeaderRank.SENIOR_OFFICIAL]).engagements
        == 1
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"leader_rank": LeaderRank.SENIOR_OFFICIAL},
        {"leader_rank": LeaderRank.OTHER},
        {"status": MissionStatus.CANCELLED},
        {"status": MissionStatus.PLANNED},
    ],
)
def test_only_completed_missions_led_at_top_sales_rank_count(kwargs):
    meet(mission(**kwargs), "VN")
    assert headline(engagement_statistics(period=Y2018)) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "rank",
    [LeaderRank.MINISTER, LeaderRank.STATE_MINISTER, LeaderRank.PARLIAMENTARY_VICE_MINISTER],
)
def test_every_top_sales_rank_counts(rank):
    meet(mission(leader_rank=rank), "VN")
    stats = engagement_statistics(period=Y2018)
    assert stats.engagements == 1
    assert [row["rank"] for row in stats.by_rank] == [rank]


def test_timor_leste_counts_as_asean_from_26_october_2025():
    meet(mission(day(2025, 10, 20)), "TL", day(2025, 10, 25))
    meet(mission(day(2025, 10, 24)), "TL", day(2025, 10, 26))
    # A pair is dated by its first meeting: the 25th, before membership.
    spanning = mission(day(2025, 10, 25))
    meet(spanning, "TL", day(2025, 10, 25))
    meet(spanning, "TL", day(2025, 10, 27))
    stats = engagement_statistics(period=Period.calendar_year(2025))
    assert headline(stats) == (3, 1, 1, 4)
    assert engagement_statistics(period=Period.calendar_year(2025), asean=True).engagements == 1
    assert engagement_statistics(period=Period.calendar_year(2025), asean=False).engagements == 2


def test_a_year_boundary_splits_calendar_and_fiscal_years_on_1_april():
    trip = mission(day(2018, 3, 30))
    meet(trip, "VN", day(2018, 3, 31))
    meet(trip, "TH", day(2018, 4, 1))
    assert engagement_statistics(period=Y2018).engagements == 2
    fy2017 = engagement_statistics(period=Period.fiscal_year(2017))
    with translation.override("en"):
        fy2018 = engagement_statistics(period=Period.fiscal_year(2018))
    assert [row["country"] for row in fy2017.by_country] == ["VN"]
    assert [row["country"] for row in fy2018.by_country] == ["TH"]
    assert fy2018.by_year == [
        {
            "year": 2018,
            "label": "FY2018",
            "engagements": 1,
            "meetings": 1,
            "countries": 1,
            "asean_engagements": 1,
        }
    ]


def test_only_meetings_inside_the_period_count():
    # One pair with meetings on both sides of 1 April counts in both fiscal years.
    trip = mission(day(2018, 3, 30))
    meet(trip, "VN", day(2018, 3, 31))
    meet(trip, "VN", day(2018, 4, 1))
    meet(trip, "VN", day(2018, 4, 2))
    assert headline(engagement_statistics(period=Period.fiscal_year(2017))) == (1, 1, 1, 1)
    assert headline(engagement_statistics(period=Period.fiscal_year(2018))) == (1, 1, 1, 2)
    assert headline(engagement_statistics(period=Y2018)) == (1, 1, 1, 3)


def test_every_breakdown_counts_the_meetings_inside_the_period():
    # The pair straddles 1 April: within FY2018, it has two meetings, whatever the view.
    trip = mission(day(2018, 3, 30), leader=PersonFactory(name="Ishii"))
    for date in (day(2018, 3, 31), day(2018, 4, 1), day(2018, 4, 2)):
        meet(trip, "VN", date)
    meet(mission(day(2018, 6, 1), leader=PersonFactory(name="Aoki")), "VN")
    stats = engagement_statistics(period=Period.fiscal_year(2018))
    assert [(row["engagements"], row["meetings"]) for row in stats.by_country] == [(2, 3)]
    assert [(row["engagements"], row["meetings"]) for row in stats.by_region] == [(2, 3)]
    assert [(row["engagements"], row["meetings"]) for row in stats.by_rank] == [(2, 3)]
    assert [(row["principal"], row["meetings"]) for row in stats.by_principal] == [
        ("Aoki", 1),
        ("Ishii", 2),
    ]
    assert [(row["year"], row["engagements"], row["meetings"]) for row in stats.by_year] == [
        (2018, 2, 3)
    ]


def test_a_range_and_all_time_group_the_years_by_calendar_year():
    meet(mission(day(2018, 2, 1)), "VN")
    meet(mission(day(2019, 2, 1)), "IN")
    meet(mission(day(2019, 6, 1)), "IN")
    stats = engagement_statistics(period=None)
    assert headline(stats) == (3, 2, 1, 3)
    with translation.override("en"):
        rows = engagement_statistics(period=None).by_year
    assert [
        (row["year"], row["label"], row["engagements"], row["meetings"], row["countries"])
        for row in rows
    ] == [(2018, "2018", 1, 1, 1), (2019, "2019", 2, 2, 1)]
    spring = Period.between(day(2018, 1, 1), day(2019, 3, 31))
    assert [row["year"] for row in engagement_statistics(period=spring).by_year] == [2018, 2019]


def test_engagements_by_year_and_region_agree_with_the_years_of_all_time(
    django_assert_num_queries,
):
    meet(mission(day(2018, 2, 1)), "VN")
    trip = mission(day(2018, 3, 30))
    meet(trip, "IN", day(2018, 3, 31))
    meet(trip, "TH", day(2018, 4, 1))
    meet(mission(day(2019, 6, 1)), "IN")
    meet(mission(day(2019, 6, 1), status=MissionStatus.PLANNED), "GH")  # not top sales

    with translation.override("en"), django_assert_num_queries(1):
        calendar = engagements_by_year_and_region()
    assert [row["region"] for row in calendar.regions] == ["southeast_asia", "south_asia"]
    assert [(row["label"], row["total"], row["by_region"]) for row in calendar.years] == [
        ("2018", 3, {"southeast_asia": 2, "south_asia": 1}),
        ("2019", 1, {"south_asia": 1}),
    ]
    assert [row["engagements"] for row in engagement_statistics(period=None).by_year] == [3, 1]

    with translation.override("ja"):
        fiscal = engagements_by_year_and_region(fiscal=True)
    assert [(row["label"], row["by_region"]) for row in fiscal.years] == [
        ("2017年度", {"southeast_asia": 1, "south_asia": 1}),
        ("2018年度", {"southeast_asia": 1}),
        ("2019年度", {"south_asia": 1}),
    ]


# Top-sales engagements: filters and breakdowns


@pytest.fixture
def season():
    """Three leaders, five engagements in four countries of three regions."""
    minister, state_minister, vice_minister = (
        PersonFactory(name="Ishii"),
        PersonFactory(name="Aoki"),
        PersonFactory(name="Adachi"),
    )
    asia = mission(day(2018, 5, 1), leader=minister)
    meet(asia, "VN")
    meet(asia, "VN")
    meet(asia, "TH")
    meet(mission(day(2018, 7, 1), leader=minister), "VN")
    meet(
        mission(day(2018, 8, 1), leader=state_minister, leader_rank=LeaderRank.STATE_MINISTER),
        "IN",
    )
    meet(
        mission(
            day(2018, 8, 28),
            leader=vice_minister,
            leader_rank=LeaderRank.PARLIAMENTARY_VICE_MINISTER,
        ),
        "GH",
    )
    return minister, state_minister, vice_minister


def test_breakdowns_by_country_region_rank_and_leader(season):
    minister, state_minister, vice_minister = season
    with translation.override("en"):
        stats = engagement_statistics(period=Y2018)
    assert headline(stats) == (5, 4, 3, 6)
    assert stats.by_country == [
        {
            "country": "VN",
            "name": "Vietnam",
            "region": Region.SOUTHEAST_ASIA,
            "engagements": 2,
            "meetings": 3,
        },
        {
            "country": "GH",
            "name": "Ghana",
            "region": Region.AFRICA,
            "engagements": 1,
            "meetings": 1,
        },
        {
            "country": "IN",
            "name": "India",
            "region": Region.SOUTH_ASIA,
            "engagements": 1,
            "meetings": 1,
        },
        {
            "country": "TH",
            "name": "Thailand",
            "region": Region.SOUTHEAST_ASIA,
            "engagements": 1,
            "meetings": 1,
        },
    ]
    # Two meetings with Viet Nam on one mission: one engagement, two meetings.
    assert stats.by_region == [
        {"region": "southeast_asia", "label": "Southeast Asia", "engagements": 3, "meetings": 4},
        {"region": "south_asia", "label": "South Asia", "engagements": 1, "meetings": 1},
        {"region": "africa", "label": "Africa", "engagements": 1, "meetings": 1},
    ]
    assert [(row["rank"], row["engagements"], row["meetings"]) for row in stats.by_rank] == [
        ("minister", 3, 4),
        ("state_minister", 1, 1),
        ("parliamentary_vice_minister", 1, 1),
    ]
    assert stats.by_principal == [
        {"principal_id": minister.pk, "principal": "Ishii", "engagements": 3, "meetings": 4},
        {
            "principal_id": vice_minister.pk,
            "principal": "Adachi",
            "engagements": 1,
            "meetings": 1,
        },
        {"principal_id": state_minister.pk, "principal": "Aoki", "engagements": 1, "meetings": 1},
    ]
    assert [(row["year"], row["engagements"], row["meetings"]) for row in stats.by_year] == [
        (2018, 5, 6)
    ]


def test_filters_narrow_the_engagements(season):
    minister, state_minister, _vice_minister = season

    def count(**filters):
        return headline(engagement_statistics(period=Y2018, **filters))

    assert count(regions=[Region.SOUTHEAST_ASIA]) == (3, 2, 3, 4)
    assert count(regions=["south_asia", "africa"]) == (2, 2, 0, 2)
    assert count(countries=["vn"]) == (2, 1, 2, 3)
    assert count(countries=["VN", "GH"], regions=["africa"]) == (1, 1, 0, 1)
    assert count(asean=True) == (3, 2, 3, 4)
    assert count(asean=False) == (2, 2, 0, 2)
    assert count(leader_ranks=[LeaderRank.STATE_MINISTER]) == (1, 1, 0, 1)
    assert count(leader_ids=[minister.pk, state_minister.pk]) == (4, 3, 3, 5)
    # A filter narrows the top-sales set; it cannot widen it to other ranks.
    assert count(leader_ranks=[LeaderRank.SENIOR_OFFICIAL]) == (0, 0, 0, 0)
    assert count(countries=[]) == (0, 0, 0, 0)


def test_country_names_in_japanese(season):
    with translation.override("ja"):
        stats = engagement_statistics(period=Y2018, countries=["VN"])
    assert stats.by_country[0]["name"] == "ベトナム"


def test_given_meetings_keep_the_pairs_that_have_one_and_count_all_their_meetings():
    metro = ProjectFactory(name="Metro")
    trip = mission(day(2018, 5, 1))
    meet(trip, "VN", projects=[metro])
    meet(trip, "VN", day(2018, 5, 2))
    meet(trip, "TH")
    meet(mission(day(2018, 9, 1)), "VN")
    # A pair straddling the end of the period: promoted within it, met again after.
    late = mission(day(2018, 12, 31))
    meet(late, "IN", projects=[metro])
    meet(late, "IN", day(2019, 1, 1))
    promoting = Meeting.objects.filter(projects=metro)

    stats = engagement_statistics(period=Y2018, meetings=promoting)
    assert headline(stats) == (2, 2, 1, 3)  # VN (both meetings of the pair), IN
    assert [(row["country"], row["meetings"]) for row in stats.by_country] == [
        ("IN", 1),
        ("VN", 2),
    ]
    in_asean = engagement_statistics(period=Y2018, meetings=promoting, asean=True)
    assert headline(in_asean) == (1, 1, 1, 2)
    assert engagement_statistics(period=Y2018, meetings=Meeting.objects.none()).engagements == 0
    # Only a meeting within the period qualifies a pair: in 2019, India was met again,
    # without the project.
    y2019 = Period.calendar_year(2019)
    assert engagement_statistics(period=y2019).engagements == 1
    assert engagement_statistics(period=y2019, meetings=promoting).engagements == 0


def _engagements_in(number_of_missions):
    for index in range(number_of_missions):
        trip = mission(day(2018, 1, 1) + datetime.timedelta(days=7 * index))
        for country in ["VN", "TH", "TL", "GH"]:
            meet(trip, country)
            meet(trip, country, trip.end_date)


@pytest.mark.parametrize("number_of_missions", [1, 12])
def test_engagement_statistics_runs_a_fixed_number_of_queries_however_many_rows(
    number_of_missions, django_assert_num_queries
):
    _engagements_in(number_of_missions)
    # By country and year, by leader, and with a period the pairs straddling its ends.
    with django_assert_num_queries(3):
        stats = engagement_statistics(period=Period.fiscal_year(2017), regions=["southeast_asia"])
    assert stats.engagements == 3 * number_of_missions
    with django_assert_num_queries(2):
        engagement_statistics(period=None, asean=True, leader_ids=[1, 2, 3])
    # Given meetings are a subquery, not a query of their own.
    with django_assert_num_queries(3):
        engagement_statistics(
            period=Period.fiscal_year(2017), meetings=Meeting.objects.filter(venue_city="Hanoi")
        )


# Top-sales effect


def test_top_sales_effect_follows_the_promoted_projects():
    won_japanese = ProjectFactory(
        status=ProjectStatus.WON_JAPANESE,
        awarded_on=day(2019, 1, 10),
        awarded_to=JapaneseCompanyFactory(),
    )
    won_foreign = ProjectFactory(status=ProjectStatus.WON_FOREIGN, awarded_on=day(2019, 2, 1))
    dropped = ProjectFactory(status=ProjectStatus.DROPPED)
    active = ProjectFactory(status=ProjectStatus.ACTIVE)
    on_hold = ProjectFactory(status=ProjectStatus.ON_HOLD)
    trip = mission(day(2018, 5, 1))
    meet(trip, "VN", projects=[won_japanese, active])
    meet(trip, "VN", projects=[won_japanese, won_foreign])  # promoted twice, counted once
    meet(mission(day(2018, 9, 1)), "TH", projects=[dropped, on_hold])
    # Neither a senior official's meeting nor one of another year counts.
    not_top_sales = ProjectFactory()
    meet(mission(leader_rank=LeaderRank.SENIOR_OFFICIAL), "VN", projects=[not_top_sales])
    meet(mission(day(2019, 5, 1)), "VN", projects=[not_top_sales])

    effect = top_sales_effect(period=Y2018)
    assert (
        effect.projects,
        effect.won_japanese,
        effect.won_foreign,
        effect.dropped,
        effect.still_open,
    ) == (5, 1, 1, 1, 2)
    assert effect.project_ids == {
        "won_japanese": [won_japanese.pk],
        "won_foreign": [won_foreign.pk],
        "dropped": [dropped.pk],
        "still_open": sorted([active.pk, on_hold.pk]),
        "won_before_promotion": [],
    }
    assert top_sales_effect(period=None).projects == 6


def test_top_sales_effect_counts_wins_after_the_first_promotion_of_the_period():
    def won(on, status=ProjectStatus.WON_JAPANESE):
        return ProjectFactory(status=status, awarded_on=on, awarded_to=JapaneseCompanyFactory())

    before = won(day(2018, 3, 1))  # already won when promoted in May
    same_day = won(MAY_2018)  # signed at the meeting
    foreign_before = won(day(2017, 12, 1), ProjectStatus.WON_FOREIGN)
    # Promoted in 2017 too, but the period's first promotion is what counts.
    between = won(day(2018, 2, 1))
    meet(mission(day(2017, 10, 1)), "VN", projects=[between])
    trip = mission(MAY_2018)
    meet(trip, "VN", projects=[before, same_day, foreign_before, between])
    meet(trip, "VN", trip.end_date, projects=[before])

    effect = top_sales_effect(period=Y2018)
    assert (effect.projects, effect.won_japanese, effect.won_foreign) == (4, 1, 0)
    assert effect.won_before_promotion == 3
    assert effect.project_ids["won_japanese"] == [same_day.pk]
    assert effect.project_ids["won_before_promotion"] == sorted(
        [before.pk, foreign_before.pk, between.pk]
    )
    # Over all time, `between` was first promoted in October 2017, before its award.
    assert top_sales_effect(period=None).project_ids["won_japanese"] == sorted(
        [same_day.pk, between.pk]
    )


def test_top_sales_effect_among_given_meetings():
    road, port = ProjectFactory(), ProjectFactory(status=ProjectStatus.DROPPED)
    trip = mission()
    meet(trip, "VN", projects=[road])
    meet(trip, "GH", projects=[port])
    ghana = Meeting.objects.filter(counterpart_country="GH")
    effect = top_sales_effect(period=Y2018, meetings=ghana)
    assert (effect.projects, effect.dropped, effect.still_open) == (1, 1, 0)
    assert top_sales_effect(period=Y2018, meetings=Meeting.objects.none()).projects == 0


def test_top_sales_effect_runs_one_query(django_assert_num_queries):
    meet(mission(), "VN", projects=[ProjectFactory(), ProjectFactory()])
    with django_assert_num_queries(1):
        top_sales_effect(period=Y2018)
    with django_assert_num_queries(1):
        top_sales_effect(period=Y2018, meetings=Meeting.objects.filter(counterpart_country="VN"))


# Agreements


def sectors(*codes):
    return list(Sector.objects.filter(code__in=codes))


def signed(on, status=AgreementStatus.SIGNED, **kwargs):
    return AgreementFactory(status=status, signed_on=on, **kwargs)


def test_agreement_statistics_by_status_country_sector_and_kind():
    signed(day(2019, 8, 29), counterpart_country="GH", sectors=sectors("road", "other"))
    signed(day(2019, 8, 30), AgreementStatus.IN_FORCE, counterpart_country="TN")
    signed(
        day(2018, 6, 1),
        AgreementStatus.EXPIRED,
        counterpart_country="TN",
        kind=AgreementKind.MOU,
        sectors=sectors("road"),
    )
    AgreementFactory(counterpart_country="VN", sectors=sectors("railway"))  # proposed

    with translation.override("en"):
        everything = agreement_statistics()
    assert everything.total == 4
    assert everything.by_status == [
        {"status": "proposed", "label": "Proposed", "count": 1},
        {"status": "signed", "label": "Signed", "count": 1},
        {"status": "in_force", "label": "In force", "count": 1},
        {"status": "expired", "label": "Expired", "count": 1},
    ]
    assert everything.by_country == [
        {"country": "TN", "name": "Tunisia", "count": 2},
        {"country": "GH", "name": "Ghana", "count": 1},
        {"country": "VN", "name": "Vietnam", "count": 1},
    ]
    assert [(row["sector"], row["count"]) for row in everything.by_sector] == [
        ("railway", 1),
        ("road", 2),
        ("other", 1),
    ]
    assert [(row["kind"], row["count"]) for row in everything.by_kind] == [("moc", 3), ("mou", 1)]

    # A period counts what was signed within it: nothing proposed.
    fy2019 = agreement_statistics(period=Period.fiscal_year(2019))
    assert fy2019.total == 2
    assert [row["country"] for row in fy2019.by_country] == ["GH", "TN"]

    road = agreement_statistics(sectors=[SectorCode.ROAD])
    assert road.total == 2
    assert [(row["sector"], row["count"]) for row in road.by_sector] == [("road", 2)]
    assert agreement_statistics(sectors=["road", "other"]).total == 2  # GH counted once
    assert agreement_statistics(countries=["tn"], kinds=[AgreementKind.MOU]).total == 1
    assert agreement_statistics(period=Period.calendar_year(2017)).total == 0


def test_agreement_statistics_among_given_agreements_count_each_once():
    road_and_port = signed(
        day(2019, 8, 29), counterpart_country="GH", sectors=sectors("road", "port")
    )
    signed(day(2019, 8, 29), counterpart_country="GH", sectors=sectors("railway"))
    signed(day(2019, 8, 29), counterpart_country="TN", sectors=sectors("road"))
    # A join over two sectors lists the Ghanaian agreement twice; it counts once.
    ghana_transport = Agreement.objects.filter(
        counterpart_country="GH", sectors__code__in=["road", "port"]
    )
    stats = agreement_statistics(agreements=ghana_transport)
    assert stats.total == 1
    assert [(row["sector"], row["count"]) for row in stats.by_sector] == [("road", 1), ("port", 1)]
    assert (
        agreement_statistics(
            agreements=Agreement.objects.filter(pk=road_and_port.pk), kinds=[AgreementKind.MOU]
        ).total
        == 0
    )


def test_agreement_statistics_runs_four_queries(django_assert_num_queries):
    for _ in range(3):
        signed(day(2019, 8, 29), sectors=sectors("road", "port"))
    with django_assert_num_queries(4):
        agreement_statistics(period=Y2018, countries=["VN"], sectors=["road"], kinds=["moc"])


def test_agreements_expiring_within_the_window_soonest_first(django_assert_num_queries):
    today = day(2020, 3, 1)

    def ending(on, status=AgreementStatus.IN_FORCE):
        return signed(day(2017, 3, 1), status, expires_on=on)

    later = ending(day(2020, 3, 31))  # the last day of a 30-day window
    soon = ending(today)
    signed_only = ending(day(2020, 3, 15), AgreementStatus.SIGNED)
    ending(day(2020, 4, 1))  # one day too late
    ending(day(2020, 2, 29))  # already past
    ending(day(2020, 3, 10), AgreementStatus.EXPIRED)
    ending(day(2020, 3, 10), AgreementStatus.SUPERSEDED)
    signed(day(2017, 3, 1))  # no end

    with django_assert_num_queries(2):
        expiring = list(agreements_expiring(within_days=30, today=today))
        displayed = [
            (a.japanese_signatory.name, a.signed_by, list(a.counterpart_organizations.all()))
            for a in expiring
        ]
    assert expiring == [soon, signed_only, later]
    assert len(displayed) == 3
    assert list(agreements_expiring(within_days=0, today=today)) == [soon]
    among = Agreement.objects.filter(pk__in=[later.pk, signed_only.pk])
    assert list(agreements_expiring(within_days=30, today=today, agreements=among)) == [
        signed_only,
        later,
    ]


# Watch lists


@pytest.fixture
def editions():
    """Five projects on the first edition become three on the next: two won by
    Japanese firms, one by a foreign firm, one removed, one continued, two added."""
    first = WatchListFactory(edition_year=2018, name="Action Plan 2018")
    second = WatchListFactory(edition_year=2019, name="Action Plan 2019", previous=first)
    names = ["Metro A", "Metro B", "Port C", "Airport D", "Road E", "Water F"]
    projects = {name: ProjectFactory(name=name) for name in names}
    projects["Sewer G"] = ProjectFactory(name="Sewer G", sector=SectorCode.SEWERAGE)
    outcomes = {
        "Metro A": WatchListOutcome.WON_JAPANESE,
        "Metro B": WatchListOutcome.WON_JAPANESE,
        "Port C": WatchListOutcome.WON_FOREIGN,
        "Airport D": WatchListOutcome.REMOVED,
        "Road E": WatchListOutcome.CONTINUED,
    }
    for name, outcome in outcomes.items():
        WatchListEntryFactory(
            watch_list=first,
            project=projects[name],
            outcome_at_next_edition=outcome,
            reason="Tender delayed" if outcome == WatchListOutcome.REMOVED else "",
        )
    WatchListEntryFactory(watch_list=second, project=projects["Road E"])
    WatchListEntryFactory(watch_list=second, project=projects["Water F"], region=Region.SOUTH_ASIA)
    WatchListEntryFactory(watch_list=second, project=projects["Sewer G"], region=Region.AFRICA)
    return first, second, projects


def test_watch_list_transition_numbers_and_groups(editions, django_assert_num_queries):
    first, second, projects = editions
    with django_assert_num_queries(2):
        transition = watch_list_transition(edition=2019)
    assert (
        transition.previous_total,
        transition.won_japanese,
        transition.won_foreign,
        transition.removed,
        transition.continued,
        transition.added,
        transition.total,
    ) == (5, 2, 1, 1, 1, 2, 3)
    assert transition.pending == 0 and transition.balanced
    assert transition.edition == {"id": second.pk, "name": "Action Plan 2019", "year": 2019}
    assert transition.previous == {"id": first.pk, "name": "Action Plan 2018", "year": 2018}

    def names(group):
        return [project["name"] for project in transition.projects[group]]

    assert names("won_japanese") == ["Metro A", "Metro B"]
    assert names("won_foreign") == ["Port C"]
    assert names("removed") == ["Airport D"]
    assert names("continued") == ["Road E"]
    assert names("added") == ["Sewer G", "Water F"]
    assert transition.projects["added"][0]["id"] == projects["Sewer G"].pk
    assert watch_list_transition(edition=second) == transition


def test_first_edition_has_everything_added_and_blank_outcomes_are_pending(editions):
    first, _second, _projects = editions
    transition = watch_list_transition(edition=first)
    assert (transition.previous, transition.previous_total, transition.added, transition.total) == (
        None,
        0,
        5,
        5,
    )
    third = WatchListFactory(edition_year=2020, name="Action Plan 2020", previous=_second)
    with translation.override("en"):
        transition = watch_list_transition(edition=third)
    assert (transition.pending, transition.balanced) == (3, False)
    assert transition.problems == [
        "Action Plan 2019 lists 3 projects, but won by Japanese firms, won by foreign firms, "
        "removed and continued add up to 0: 3 outcomes are not recorded yet."
    ]


def test_a_transition_names_each_outcome_that_contradicts_the_new_list(editions):
    """As records stored before the rule (or by SQL) can hold them."""
    first, _second, projects = editions
    entries = WatchListEntry.objects.filter(watch_list=first)
    entries.filter(project=projects["Airport D"]).update(outcome_at_next_edition="continued")
    entries.filter(project=projects["Road E"]).update(outcome_at_next_edition="")
    with translation.override("en"):
        transition = watch_list_transition(edition=2019)
    assert (transition.continued, transition.pending, transition.balanced) == (1, 1, False)
    assert transition.problems == [
        "Action Plan 2018 lists 5 projects, but won by Japanese firms, won by foreign firms, "
        "removed and continued add up to 4: 1 outcome is not recorded yet.",
        "“Airport D” is recorded on Action Plan 2018 as continued, but it is not on Action "
        "Plan 2019.",
        "“Road E” is on Action Plan 2019, but Action Plan 2018 records it as “not recorded yet”.",
    ]


def test_edition_breakdown_by_printed_region_and_project_sector(editions):
    _first, second, _projects = editions
    with translation.override("en"):
        breakdown = edition_breakdown(edition=2019)
    assert breakdown.total == 3
    assert breakdown.by_region == [
        {"region": "southeast_asia", "label": "Southeast Asia", "count": 1},
        {"region": "south_asia", "label": "South Asia", "count": 1},
        {"region": "africa", "label": "Africa", "count": 1},
    ]
    assert breakdown.by_sector == [
        {"sector": "railway", "label": "Railway", "count": 2},
        {"sector": "sewerage", "label": "Sewerage", "count": 1},
    ]


# Project pipeline


def _pipeline_projects(copies):
    for _ in range(copies):
        ProjectFactory(country="VN", sector=SectorCode.RAILWAY, stage=Stage.OPERATION)
        ProjectFactory(country="TH", sector=SectorCode.RAILWAY, stage=Stage.OPERATION)
        ProjectFactory(country="IN", sector=SectorCode.PORT, stage=Stage.MASTER_PLAN)
        ProjectFactory(
            country="KE",
            sector=SectorCode.ROAD,
            stage=Stage.MASTER_PLAN,
            status=ProjectStatus.ON_HOLD,
        )


def test_project_pipeline_counts_by_stage_sector_region_and_status():
    _pipeline_projects(1)
    pipeline = project_pipeline()
    assert pipeline.total == 4
    # VN and TH fold into one Southeast Asia row; upstream stages first, then sectors.
    assert pipeline.rows == [
        {
            "stage": "master_plan",
            "sector": "road",
            "region": "africa",
            "status": "on_hold",
            "count": 1,
        },
        {
            "stage": "master_plan",
            "sector": "port",
            "region": "south_asia",
            "status": "active",
            "count": 1,
        },
        {
            "stage": "operation",
            "sector": "railway",
            "region": "southeast_asia",
            "status": "active",
            "count": 2,
        },
    ]
    assert [(row["stage"], row["count"]) for row in pipeline.by_stage] == [
        ("identification", 0),
        ("master_plan", 2),
        ("feasibility_study", 0),
        ("procurement", 0),
        ("construction", 0),
        ("operation", 2),
    ]


def test_project_pipeline_filters():
    _pipeline_projects(1)
    assert project_pipeline(regions=[Region.SOUTHEAST_ASIA]).total == 2
    assert project_pipeline(countries=["th"]).total == 1
    assert project_pipeline(sectors=[SectorCode.PORT, SectorCode.ROAD]).total == 2
    assert project_pipeline(statuses=[ProjectStatus.ON_HOLD]).total == 1
    assert project_pipeline(regions=["africa"], statuses=["active"]).total == 0
    among = Project.objects.filter(country__in=["TH", "KE"])
    assert project_pipeline(projects=among).total == 2
    assert project_pipeline(projects=among, statuses=[ProjectStatus.ON_HOLD]).total == 1


@pytest.mark.parametrize("copies", [1, 10])
def test_project_pipeline_runs_one_query_however_many_rows(copies, django_assert_num_queries):
    _pipeline_projects(copies)
    with django_assert_num_queries(1):
        pipeline = project_pipeline(regions=["southeast_asia", "africa"])
    assert pipeline.total == 3 * copies


# Order figures


def test_order_figures_against_the_target():
    OrderFigureFactory(year=2010, amount_jpy=10_000_000_000_000)
    OrderFigureFactory(year=2017, amount_jpy=23_000_000_000_000, source="Cabinet Secretariat")
    OrderFigureFactory(year=2020, amount_jpy=30_000_000_000_000, kind=FigureKind.TARGET)
    OrderFigureFactory(year=2025, amount_jpy=34_000_000_000_000, kind=FigureKind.TARGET)
    figures = order_figures_against_target()
    assert [row["year"] for row in figures.actuals] == [2010, 2017]
    assert [row["year"] for row in figures.targets] == [2020, 2025]
    assert figures.latest_actual == {
        "year": 2017,
        "amount_jpy": 23_000_000_000_000,
        "source": "Cabinet Secretariat",
    }
    assert figures.target["year"] == 2020
    assert figures.ratio == pytest.approx(23 / 30)


def test_order_figures_among_given_figures():
    OrderFigureFactory(year=2017, amount_jpy=23_000_000_000_000)
    OrderFigureFactory(year=2020, amount_jpy=30_000_000_000_000, kind=FigureKind.TARGET)
    actuals = order_figures_against_target(figures=OrderFigure.objects.filter(kind="actual"))
    assert ([row["year"] for row in actuals.actuals], actuals.target, actuals.ratio) == (
        [2017],
        None,
        None,
    )


def test_order_figures_without_data_have_no_ratio():
    figures = order_figures_against_target()
    assert (figures.latest_actual, figures.target, figures.ratio) == (None, None, None)
    OrderFigureFactory(year=2020, amount_jpy=30_000_000_000_000, kind=FigureKind.TARGET)
    assert order_figures_against_target().ratio is None
