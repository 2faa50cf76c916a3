from django import template

from core.japanese import era_year, format_yen

register = template.Library()


@register.filter
def yen(amount):
    """{{ figure.amount_jpy|yen }} → 23兆円 (ja) / ¥23 trillion (en)."""
    return format_yen(amount)


@register.filter
def era(day):
    """{{ meeting.date|era }} → 令和元年."""
    return era_year(day) if day else ""
