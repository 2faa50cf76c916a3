"""The sentences of the annual report, written from the statistics in either language.

The English text is the msgid and the Japanese wording its translation in
locale/ja, so that a sentence reads as the article prints it:
「2018年に31カ国，延べ69件（うちASEAN諸国が35件）」 (the full-width comma is the
article's).
"""

from collections.abc import Mapping

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from reports.selectors import EngagementStatistics, Period, PeriodKind


def _figure(stats, name):
    return stats[name] if isinstance(stats, Mapping) else getattr(stats, name)


def engagement_sentence(
    stats: EngagementStatistics | Mapping, period: Period | None, language: str
) -> str:
    """The report's top-sales sentence: "In 2018: 69 top-sales engagements in 31
    countries (35 in ASEAN countries)", 「2018年に31カ国，延べ69件（うちASEAN諸国が35件）」.

    `stats` is the result of engagement_statistics() for `period`, or one of its
    by_year rows with the matching one-year period; `period` None means all time."""
    values = {
        "engagements": _figure(stats, "engagements"),
        "countries": _figure(stats, "countries"),
        "asean": _figure(stats, "asean_engagements"),
    }
    with translation.override(language):
        if period is None:
            template = gettext(
                "To date: %(engagements)s top-sales engagements in %(countries)s countries"
                " (%(asean)s in ASEAN countries)"
            )
        elif period.kind == PeriodKind.CALENDAR_YEAR:
            values["year"] = period.year
            template = gettext(
                "In %(year)s: %(engagements)s top-sales engagements in %(countries)s countries"
                " (%(asean)s in ASEAN countries)"
            )
        elif period.kind == PeriodKind.FISCAL_YEAR:
            values["year"] = period.year
            template = gettext(
                "In FY%(year)s: %(engagements)s top-sales engagements in %(countries)s"
                " countries (%(asean)s in ASEAN countries)"
            )
        else:
            values["start"] = date_format(period.start)
            values["end"] = date_format(period.end)
            template = gettext(
                "From %(start)s to %(end)s: %(engagements)s top-sales engagements in"
                " %(countries)s countries (%(asean)s in ASEAN countries)"
            )
        return template % values
