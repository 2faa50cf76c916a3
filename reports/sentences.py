"""The sentences of the annual report, written from the statistics in either language.

The English text is the msgid and the Japanese wording its translation in
locale/ja, so that a sentence reads as the article prints it:
「2018年に31カ国，延べ69件（うちASEAN諸国が35件）」 (the full-width comma is the
article's).
"""

from collections.abc import Mapping

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import npgettext, pgettext

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
    engagements = _figure(stats, "engagements")
    countries = _figure(stats, "countries")
    with translation.override(language):
        if period is None:
            when = pgettext("report sentence", "To date")
        elif period.kind == PeriodKind.CALENDAR_YEAR:
            when = pgettext("report sentence", "In %(year)s") % {"year": period.year}
        elif period.kind == PeriodKind.FISCAL_YEAR:
            when = pgettext("report sentence", "In FY%(year)s") % {"year": period.year}
        else:
            when = pgettext("report sentence", "From %(start)s to %(end)s") % {
                "start": date_format(period.start),
                "end": date_format(period.end),
            }
        # Each count with its own plural ("1 country", "31 countries"); the sentence
        # orders them as the language does (the article names the countries first).
        return pgettext(
            "report sentence",
            "%(when)s: %(engagements)s in %(countries)s (%(asean)s in ASEAN countries)",
        ) % {
            "when": when,
            "engagements": npgettext(
                "report sentence",
                "%(count)s top-sales engagement",
                "%(count)s top-sales engagements",
                engagements,
            )
            % {"count": engagements},
            "countries": npgettext(
                "report sentence", "%(count)s country", "%(count)s countries", countries
            )
            % {"count": countries},
            "asean": _figure(stats, "asean_engagements"),
        }
