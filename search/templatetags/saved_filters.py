"""The saved-filters box of an analysts' list page: save the page's filters under a
name, reopen one saved for this list (search.views)."""

from django import template

from search.forms import NewSavedFilterForm
from search.services import list_address, saved_filters_visible_to

register = template.Library()


@register.inclusion_tag("search/saved_filters_box.html", takes_context=True)
def saved_filters_box(context, resource, query):
    user = context["request"].user
    saved = list(saved_filters_visible_to(user).filter(resource=resource))
    for saved_filter in saved:
        saved_filter.address = list_address(saved_filter)
        saved_filter.mine = saved_filter.owner_id == user.pk
    form = NewSavedFilterForm(user=user, initial={"resource": resource, "query": query})
    return {
        "saved": saved,
        "form": form,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
