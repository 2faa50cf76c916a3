from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from contacts.api.serializers import OrganizationSerializer, PersonSerializer, PostSerializer
from contacts.filters import (
    OrganizationFilterSet,
    PersonFilterSet,
    PostFilterSet,
    is_current,
)
from contacts.models import Organization, Person, Post
from core.api.export import Column, columns
from core.api.views import RecordViewSet


class OrganizationViewSet(RecordViewSet):
    """Ministries, agencies, companies and international bodies. An organisation that
    posts, projects or agreements still refer to cannot be deleted (409)."""

    # Names repeat across countries: the id keeps pages stable.
    queryset = (
        Organization.objects.select_related("parent")
        .prefetch_related("tags")
        .order_by("name", "id")
    )
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    export_columns = columns(
        Organization, "name", "name_ja", "kind", "country", "parent", "website", "notes", "tags"
    )


class PersonViewSet(RecordViewSet):
    """Counterpart and MLIT officials, with the posts they hold and have held."""

    queryset = Person.objects.order_by("name", "id").prefetch_related(
        Prefetch(
            "posts",
            queryset=Post.objects.select_related("organization").order_by("-start_date", "-id"),
        )
    )
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    export_columns = [
        *columns(Person, "name", "name_ja", "email", "phone"),
        Column(
            _("current posts"),
            "posts",
            display=lambda post: str(post) if is_current(post) else None,
            separator="; ",
        ),
        *columns(Person, "notes"),
    ]


class PostViewSet(RecordViewSet):
    """Who held which position in which organisation, and when (役職)."""

    queryset = Post.objects.select_related("person", "organization").order_by(
        "person__name", "person_id", "-start_date", "id"
    )
    serializer_class = PostSerializer
    filterset_class = PostFilterSet
    export_columns = columns(
        Post, "person", "organization", "title", "title_ja", "start_date", "end_date"
    )
