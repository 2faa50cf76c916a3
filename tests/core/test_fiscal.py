import datetime

import pytest

from core.fiscal import calendar_year_range, fiscal_year_of, fiscal_year_range


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (datetime.date(2018, 3, 31), 2017),
        (datetime.date(2018, 4, 1), 2018),
        (datetime.date(2018, 1, 1), 2017),
        (datetime.date(2018, 12, 31), 2018),
        (datetime.date(2019, 3, 31), 2018),
    ],
)
def test_fiscal_year_of(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


def test_fiscal_year_range_runs_from_1_april_to_31_march():
    assert fiscal_year_range(2017) == (datetime.date(2017, 4, 1), datetime.date(2018, 3, 31))


def test_fiscal_year_range_and_fiscal_year_of_agree_on_every_day():
    # FY2023 ends in a leap year's March: the range must still end on 31 March.
    first, last = fiscal_year_range(2023)
    assert last == datetime.date(2024, 3, 31)
    day = first
    while day <= last:
        assert fiscal_year_of(day) == 2023, day
        day += datetime.timedelta(days=1)
    assert fiscal_year_of(first - datetime.timedelta(days=1)) == 2022
    assert fiscal_year_of(last + datetime.timedelta(days=1)) == 2024


def test_calendar_year_range():
    assert calendar_year_range(2018) == (datetime.date(2018, 1, 1), datetime.date(2018, 12, 31))
