"""The lists that can be exported: every record list of /api/v1/, filtered exactly as
the list endpoint filters it, with its export columns."""

import functools

from django.test import RequestFactory
from rest_framework.request import Request


@functools.cache
def exportable():
    """{resource (the URL prefix, e.g. "meetings"): (viewset, basename)}."""
    # Imported here: the router imports this app's views.
    from config.api_router import router
    from core.api.views import RecordViewSet

    return {
        prefix: (viewset, basename)
        for prefix, viewset, basename in router.registry
        if issubclass(viewset, RecordViewSet) and viewset.export_columns
    }


def resource_of(viewset) -> str:
    """The name under which `viewset`'s list is exported (its URL prefix)."""
    return next(
        name for name, (candidate, _basename) in exportable().items() if candidate is viewset
    )


def model_of(resource: str):
    return exportable()[resource][0].queryset.model


def view_permission(resource: str) -> str:
    meta = model_of(resource)._meta
    return f"{meta.app_label}.view_{meta.model_name}"


def list_view(resource: str, user, query: str):
    """The resource's list view as it would answer GET /api/v1/<resource>/?<query>
    for `user`, without a real request."""
    viewset, basename = exportable()[resource]
    request = Request(RequestFactory().get(f"/api/v1/{resource}/", QUERY_STRING=query))
    request.user = user
    view = viewset(basename=basename, action="list", request=request, format_kwarg=None)
    view.args, view.kwargs = (), {}
    return view


def filtered_queryset(view):
    """The records the list endpoint would export; raises DRF's ValidationError for a
    filter it would refuse."""
    return view.filter_queryset(view.get_queryset())


def filter_names(resource: str) -> set[str]:
    viewset, _basename = exportable()[resource]
    return set(viewset.filterset_class.base_filters) if viewset.filterset_class else set()
