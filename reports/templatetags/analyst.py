from django import template
from django.utils.formats import date_format
from django.utils.translation import get_language

from core.japanese import era_year

register = template.Library()


@register.filter
def post_on(person, day):
    """{{ person|post_on:meeting.date }}: the post held that day, from prefetched posts."""
    return person.post_on(day) if person is not None and day else None


@register.filter
def date_with_era(day):
    """{{ today|date_with_era }} → 2019年（令和元年）8月28日 in Japanese, the era year
    beside the Western one as official papers give it; the plain date otherwise."""
    if not day:
        return ""
    if not (get_language() or "").startswith("ja"):
        return date_format(day, "DATE_FORMAT")
    return f"{day.year}年（{era_year(day)}）{day.month}月{day.day}日"


@register.simple_tag(takes_context=True)
def record_url(context, record):
    """{% record_url record as url %}: the analysts' page of a mission, meeting,
    agreement or project, if the reader may open it; "" otherwise."""
    from reports.views import record_page_url

    request = context.get("request")
    if record is None or request is None:
        return ""
    return record_page_url(request.user, record) or ""
