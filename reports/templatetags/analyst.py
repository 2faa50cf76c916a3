from django import template
from django.urls import reverse
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
def record_url(context, model_label, pk):
    """{% record_url "projects.project" project.id as url %}: the record's page in the
    admin, for a reader who may open it there (staff with the view permission); ""
    otherwise, and the name is then shown without a link."""
    user = context.get("user")
    if user is None or not user.is_staff or not pk:
        return ""
    app_label, model_name = model_label.split(".")
    if not user.has_perm(f"{app_label}.view_{model_name}"):
        return ""
    return reverse(f"admin:{app_label}_{model_name}_change", args=[pk])
