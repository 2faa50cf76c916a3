"""Dates as Japanese staff write them: one parser and one form field, used by every date
field of the admin, the analysts' filters and the API's filters (and for imports).

Accepted, with full-width digits as well as ASCII ones:

- 2019-08-29 (ISO 8601) and 2019/8/29 (with or without leading zeros);
- 2019年8月29日;
- 令和元年8月29日, 平成31年4月30日 (元 for the first year of an era; the day must fall in
  that era: 令和元年4月30日 did not exist).

Refused: the American 11/17/2026 and the European 17/11/2026, which a Japanese reader
cannot tell apart from each other, and anything else."""

import datetime
import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from core.japanese import ERAS

_ERA_FIRST_DAY = {name: first_day for first_day, name in ERAS}
# The day after each era's last day: the next era's first day.
_ERA_END = {
    name: ERAS[index - 1][0] if index else None for index, (_first, name) in enumerate(ERAS)
}

_WESTERN = re.compile(r"([0-9]{4})\s*([-/])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})")
_WESTERN_KANJI = re.compile(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日")
_ERA_NAMES = "|".join(_ERA_FIRST_DAY)
_ERA = re.compile(
    rf"({_ERA_NAMES})\s*(元|[0-9]{{1,2}})\s*年\s*([0-9]{{1,2}})\s*月\s*([0-9]{{1,2}})\s*日"
)


class DateNotUnderstood(ValueError):
    pass


def parse_date(text: str) -> datetime.date:
    """The date `text` names, in any of the forms above; DateNotUnderstood otherwise."""
    value = unicodedata.normalize("NFKC", str(text)).strip()
    try:
        if match := _WESTERN.fullmatch(value):
            year, _separator, month, day = match.groups()
            return datetime.date(int(year), int(month), int(day))
        if match := _WESTERN_KANJI.fullmatch(value):
            return datetime.date(*(int(part) for part in match.groups()))
        if match := _ERA.fullmatch(value):
            era, era_year, month, day = match.groups()
            first_day = _ERA_FIRST_DAY[era]
            year = first_day.year + (0 if era_year == "元" else int(era_year) - 1)
            found = datetime.date(year, int(month), int(day))
            end = _ERA_END[era]
            if found < first_day or (end is not None and found >= end):
                raise DateNotUnderstood(value)
            return found
    except ValueError as error:  # 2019/2/30, a year 0
        raise DateNotUnderstood(value) from error
    raise DateNotUnderstood(value)


class JapaneseDateField(forms.DateField):
    """A form's date in any of the forms parse_date reads. Shown (by its widget, from the
    locale's DATE_INPUT_FORMATS, config/formats) as 2019/08/29."""

    default_error_messages = {
        "invalid": _(
            "Enter a date such as 2019/8/29, 2019-08-29, 2019年8月29日 or 令和元年8月29日 "
            "(year first)."
        ),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(value)
        except DateNotUnderstood:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
