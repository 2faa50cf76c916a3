"""The records a subscriber can follow: exactly the resources of /api/v1/, each sent as
the API shows it (its viewset's queryset and serializer), so that a webhook never
publishes a field the API does not."""

import functools
import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import translation


@dataclass(frozen=True)
class Resource:
    record_type: str  # the API's name for one record: "meeting", "followup"
    viewset: type

    def view(self):
        view = self.viewset()
        view.request = None
        view.format_kwarg = None
        view.action = "retrieve"
        view.kwargs = {}
        return view


@functools.cache
def resources():
    """{model: Resource} for every record resource of the API router."""
    # Imported here: the router imports every app's views, which need the apps ready.
    from config.api_router import router
    from core.api.views import RecordViewSet

    found = {}
    for _prefix, viewset, basename in router.registry:
        if issubclass(viewset, RecordViewSet):
            found.setdefault(viewset.queryset.model, Resource(basename, viewset))
    return found


def resource_for(model):
    return resources().get(model)


def record_types_q():
    """The content types a subscription may choose (limit_choices_to)."""
    condition = Q(pk__in=[])
    for model in resources():
        condition |= Q(app_label=model._meta.app_label, model=model._meta.model_name)
    return condition


def record_type_of(content_type: ContentType) -> str:
    resource = resource_for(content_type.model_class())
    return resource.record_type if resource else content_type.model


class _SiteAddress:
    """Stands in for the request a worker does not have: the serializers ask a request
    for absolute addresses, which a webhook takes from SITE_URL, and for its reader
    (core.classification), the subscription's owner."""

    def __init__(self, user=None):
        self.user = user

    def build_absolute_uri(self, location):
        return f"{settings.SITE_URL}{location}"


def serialize_record(model, pk, reader=None) -> dict | None:
    """The record as GET /api/v1/<resource>/<pk>/ shows it to `reader` (a subscription's
    owner), in English (the language of integrations), with links under SITE_URL, or
    None when it no longer exists (or `reader` may no longer read it).

    The records it points at are those `reader` may see (core.classification): a
    level-3 project on a meeting's list is left out for an owner not on its access list.
    Without a reader (a subscription without an owner, which is sent records of levels 1
    and 2 only) those of levels 1 and 2."""
    from rest_framework.renderers import JSONRenderer

    from core.classification import LinkedRecords

    resource = resource_for(model)
    if resource is None:
        return None
    view = resource.view()
    request = _SiteAddress(reader)
    if reader is not None:
        view.request = request  # read as the owner reads it: visible_to, relations
    instance = view.get_queryset().filter(pk=pk).first()
    if instance is None:
        return None
    LinkedRecords.of(request).note([instance])
    serializer = view.get_serializer_class()(instance, context={"request": request, "view": view})
    with translation.override("en"):
        # Through the API's own renderer, so that numbers and dates read as they do there.
        return json.loads(JSONRenderer().render(serializer.data))
