"""Japanese fiscal years (年度): FY N runs from 1 April N to 31 March N+1."""

import datetime

from django.db.models import Case, Value, When
from django.db.models.functions import ExtractYear

FISCAL_YEAR_START_MONTH = 4
# The years a filter or a report takes: anything else is a mistake, told as a 400.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def fiscal_year_of(day: datetime.date) -> int:
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1


def year_expression(date_field: str, *, fiscal: bool):
    """The calendar or fiscal year of a date column, computed by the database (the
    same as fiscal_year_of, for a GROUP BY year)."""
    year = ExtractYear(date_field)
    if not fiscal:
        return year
    return year - Case(
        When(**{f"{date_field}__month__lt": FISCAL_YEAR_START_MONTH}, then=Value(1)),
        default=Value(0),
    )


def fiscal_year_range(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of fiscal year `year`, both inclusive."""
    return (
        datetime.date(year, FISCAL_YEAR_START_MONTH, 1),
        datetime.date(year + 1, FISCAL_YEAR_START_MONTH, 1) - datetime.timedelta(days=1),
    )


def calendar_year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
