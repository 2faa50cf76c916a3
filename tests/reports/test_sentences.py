"""The annual report's sentence, word for word as the article prints it."""

import datetime

import pytest
from django.utils import translation

from missions.choices import MissionStatus
from reports.selectors import EngagementStatistics, Period, engagement_statistics
from reports.sentences import engagement_sentence
from tests.factories import MeetingFactory, MissionFactory

ARTICLE_2018 = EngagementStatistics(
    engagements=69,
    countries=31,
    asean_engagements=35,
    meetings=80,
    by_country=[],
    by_region=[],
    by_rank=[],
    by_principal=[],
    by_year=[],
)


@pytest.mark.parametrize(
    ("period", "language", "sentence"),
    [
        (Period.calendar_year(2018), "ja", "2018年に31カ国，延べ69件（うちASEAN諸国が35件）"),
        (
            Period.calendar_year(2018),
            "en",
            "In 2018: 69 top-sales engagements in 31 countries (35 in ASEAN countries)",
        ),
        (Period.fiscal_year(2018), "ja", "2018年度に31カ国，延べ69件（うちASEAN諸国が35件）"),
        (
            Period.fiscal_year(2018),
            "en",
            "In FY2018: 69 top-sales engagements in 31 countries (35 in ASEAN countries)",
        ),
        (
            Period.between(datetime.date(2018, 4, 1), datetime.date(2018, 9, 30)),
            "ja",
            "2018年4月1日から2018年9月30日までに31カ国，延べ69件（うちASEAN諸国が35件）",
        ),
        (
            Period.between(datetime.date(2018, 4, 1), datetime.date(2018, 9, 30)),
            "en",
            "From April 1, 2018 to Sept. 30, 2018: 69 top-sales engagements in 31 countries"
            " (35 in ASEAN countries)",
        ),
        (None, "ja", "これまでに31カ国，延べ69件（うちASEAN諸国が35件）"),
        (
            None,
            "en",
            "To date: 69 top-sales engagements in 31 countries (35 in ASEAN countries)",
        ),
    ],
)
def test_engagement_sentence(period, language, sentence):
    assert engagement_sentence(ARTICLE_2018, period, language) == sentence


@pytest.mark.parametrize(
    ("figures", "english", "japanese"),
    [
        (
            (1, 1, 0),
            "In 2018: 1 top-sales engagement in 1 country (0 in ASEAN countries)",
            "2018年に1カ国，延べ1件（うちASEAN諸国が0件）",
        ),
        (
            (2, 1, 1),
            "In 2018: 2 top-sales engagements in 1 country (1 in ASEAN countries)",
            "2018年に1カ国，延べ2件（うちASEAN諸国が1件）",
        ),
    ],
)
def test_each_count_takes_its_own_plural(figures, english, japanese):
    engagements, countries, asean = figures
    row = {"engagements": engagements, "countries": countries, "asean_engagements": asean}
    assert engagement_sentence(row, Period.calendar_year(2018), "en") == english
    assert engagement_sentence(row, Period.calendar_year(2018), "ja") == japanese


def test_the_sentence_leaves_the_active_language_alone():
    with translation.override("en"):
        engagement_sentence(ARTICLE_2018, Period.calendar_year(2018), "ja")
        assert translation.get_language() == "en"


def test_a_by_year_row_makes_a_sentence_of_its_own():
    row = {"year": 2018, "engagements": 2, "countries": 1, "asean_engagements": 2}
    assert engagement_sentence(row, Period.fiscal_year(row["year"]), "ja") == (
        "2018年度に1カ国，延べ2件（うちASEAN諸国が2件）"
    )


@pytest.mark.django_db
def test_the_sentence_from_recorded_meetings():
    for start, countries in [
        (datetime.date(2018, 3, 1), ["VN", "TH"]),  # FY2017
        (datetime.date(2018, 5, 1), ["VN", "VN", "IN"]),
        (datetime.date(2019, 2, 1), ["TH"]),
    ]:
        mission = MissionFactory(start_date=start, status=MissionStatus.COMPLETED)
        for country in countries:
            MeetingFactory(mission=mission, counterpart_country=country)
    calendar, fiscal = Period.calendar_year(2018), Period.fiscal_year(2018)
    assert engagement_sentence(engagement_statistics(period=calendar), calendar, "ja") == (
        "2018年に3カ国，延べ4件（うちASEAN諸国が3件）"
    )
    assert engagement_sentence(engagement_statistics(period=fiscal), fiscal, "en") == (
        "In FY2018: 3 top-sales engagements in 3 countries (2 in ASEAN countries)"
    )
