from django import template

register = template.Library()


@register.filter
def post_on(person, day):
    """{{ person|post_on:meeting.date }}: the post held that day, from prefetched posts."""
    return person.post_on(day) if person is not None and day else None
