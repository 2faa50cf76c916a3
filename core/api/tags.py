"""GET /api/v1/tags/: the tags (core.Tag), to list them and to complete one as it is
typed (`?q=`); renaming (PATCH) and merging (POST …/merge/) are an administrator's, as
in the admin (core.tags).

Not a resource of the router: a tag is a label of records, not a record of its own
(no export, no webhooks, no classification: a tag is not secret, the records it is on
are read as each record is)."""

import django_filters
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import folding
from core.api.pagination import PageNumberPagination
from core.api.permissions import ModelPermissions, TokenScope
from core.api.views import ParametersMixin
from core.models import TAG_MAX_LENGTH, Tag
from core.tags import tag_merge, tag_rename


class TagFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=TAG_MAX_LENGTH,
        help_text=_(
            "Tags whose name holds this text, as names compare (width, case and spaces "
            "do not matter); those that begin with it first."
        ),
    )

    class Meta:
        model = Tag
        fields = []

    def filter_q(self, queryset, name, value):
        key = folding.name_key(value)
        if not key:
            return queryset
        return (
            queryset.filter(name_key__contains=key)
            .alias(
                begins=Case(
                    When(name_key__startswith=key, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("begins", "name_key", "pk")
        )


class TagSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:tag-detail")

    class Meta:
        model = Tag
        fields = ["id", "url", "name", "created_at", "updated_at"]
        read_only_fields = ["id", "url", "created_at", "updated_at"]
        # The name's uniqueness (as names compare) is the model's: core.tags.tag_rename.
        validators = []

    def update(self, instance, validated_data):
        if "name" in validated_data:
            return tag_rename(tag=instance, name=validated_data["name"])
        return instance


class TagMergeSerializer(serializers.Serializer):
    tags = serializers.PrimaryKeyRelatedField(
        queryset=Tag.objects.all(),
        many=True,
        allow_empty=False,
        help_text=_("The ids of the tags merged into this one (then deleted)."),
    )


class MayMerge(permissions.BasePermission):
    """Merging deletes tags and changes every record that carried them: the permissions
    to change and delete tags (administrators), as the admin's merge action."""

    message = _("Only administrators merge tags.")

    def has_permission(self, request, view):
        return request.user.has_perm("core.change_tag") and request.user.has_perm("core.delete_tag")


class TagViewSet(
    ParametersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Every tag, by name (`?q=` to complete one); read by whoever may view tags,
    renamed and merged by administrators (a rename is read on every record that
    carries the tag; a merge moves the records of the merged tags to this one)."""

    queryset = Tag.objects.order_by("name_key", "pk")
    serializer_class = TagSerializer
    filterset_class = TagFilter
    pagination_class = PageNumberPagination
    permission_classes = (permissions.IsAuthenticated, ModelPermissions, TokenScope)

    def get_permissions(self):
        if self.action == "merge":
            return [permissions.IsAuthenticated(), MayMerge(), TokenScope()]
        return super().get_permissions()

    @extend_schema(request=TagMergeSerializer, responses=TagSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge the tags given into this one, in one transaction (core.tags.tag_merge)."""
        keep = self.get_object()
        given = TagMergeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        kept = tag_merge(tags=given.validated_data["tags"], keep=keep, user=request.user)
        kept.refresh_from_db()
        return Response(
            TagSerializer(kept, context=self.get_serializer_context()).data,
            status=status.HTTP_200_OK,
        )
