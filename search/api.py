"""GET /api/v1/search/?q=: search everything (search.selectors), grouped by kind."""

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core import audit
from core.api.permissions import TokenScope
from core.api.views import ParametersMixin
from core.validators import TextCharactersValidator
from search import selectors, services
from search.kinds import KINDS
from search.models import SavedFilter
from search.services import list_address


class SearchParameters(serializers.Serializer):
    q = serializers.CharField(
        max_length=selectors.MAX_LENGTH,
        help_text=_("The words to find, all of them, in any kind of record."),
    )
    kind = serializers.MultipleChoiceField(
        choices=[kind.key for kind in KINDS],
        required=False,
        help_text=_("Only these kinds of record (several allowed)."),
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=100,
        default=10,
        help_text=_("How many records of each kind, best first."),
    )

    def to_internal_value(self, data):
        # Several `kind`s from a query string.
        if hasattr(data, "getlist"):
            data = {**data.dict(), "kind": data.getlist("kind")} if "kind" in data else data.dict()
        return super().to_internal_value(data)

    def validate_q(self, value):
        if not selectors.terms_of(value):
            raise serializers.ValidationError(_("Give a word to search for."))
        return value


_HIT = inline_serializer(
    "SearchHit",
    {
        "id": serializers.IntegerField(),
        "url": serializers.URLField(),
        "display": serializers.CharField(),
        "excerpt": serializers.CharField(),
        "page": serializers.URLField(allow_null=True),
    },
    many=True,
)
_GROUP = inline_serializer(
    "SearchGroup",
    {
        "kind": serializers.ChoiceField(choices=[kind.key for kind in KINDS]),
        "label": serializers.CharField(),
        "count": serializers.IntegerField(),
        "results": _HIT,
    },
    many=True,
)


def record_page(request, record) -> str | None:
    """The record's page: on the analysts' pages for a mission, meeting, agreement or
    project (for a reader who may open it), else in the admin (read-only for those who
    may only view it) for staff; None for others. As the search page links
    (search.views.record_page)."""
    from search.views import record_page as page_of

    page = page_of(request.user, record)
    return request.build_absolute_uri(page) if page else None


class SearchView(ParametersMixin, APIView):
    """Every kind of record the user may view, each with its number of matches and its
    best matches first. Every word must occur; case and width do not matter (ｶﾞｰﾅ finds
    ガーナ, ghana finds GHANA), and a two-character Japanese word finds what contains it."""

    permission_classes = (permissions.IsAuthenticated, TokenScope)

    def known_parameters(self):
        return {*SearchParameters().fields, api_settings.URL_FORMAT_OVERRIDE}

    @extend_schema(
        parameters=[SearchParameters],
        responses=inline_serializer(
            "SearchResults",
            {"q": serializers.CharField(), "count": serializers.IntegerField(), "groups": _GROUP},
        ),
    )
    def get(self, request):
        errors = self.unknown_parameter_errors()
        parameters = SearchParameters(data=request.query_params)
        if not parameters.is_valid():
            errors |= parameters.errors
        if errors:
            raise serializers.ValidationError(errors)
        given = parameters.validated_data
        groups = selectors.search_everything(
            request.user, given["q"], limit=given["limit"], kinds=given.get("kind")
        )
        for group in groups:
            audit.note_records(request, audit.CHANNEL_API, [hit.record for hit in group.hits])
        return Response(
            {
                "q": given["q"],
                "count": sum(group.count for group in groups),
                "groups": [
                    {
                        "kind": group.kind.key,
                        "label": str(group.kind.label),
                        "count": group.count,
                        "results": [self.hit(request, hit) for hit in group.hits],
                    }
                    for group in groups
                ],
            }
        )

    @staticmethod
    def hit(request, hit):
        record = hit.record
        return {
            "id": record.pk,
            "url": request.build_absolute_uri(
                reverse(f"api:{hit.kind.api_basename}-detail", kwargs={"pk": record.pk})
            ),
            "display": hit.display,
            "excerpt": hit.excerpt,
            "page": record_page(request, hit.kind.page_record(record)),
        }


# -- saved filters -----------------------------------------------------------------------


class GroupNameField(serializers.SlugRelatedField):
    """A group by its name. A name no group may have (a control character) is refused by
    the text rule before the lookup: PostgreSQL would refuse a NUL byte in the query."""

    def to_internal_value(self, data):
        TextCharactersValidator()(data)
        return super().to_internal_value(data)


class SavedFilterSerializer(serializers.ModelSerializer):
    """A list's filters under a name: `resource` is the list as in its URL
    (`meetings`), `filters` its query parameters as an object, as POST /api/v1/exports/
    takes them; `shared_with` the name of one of the owner's groups (null: private)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:savedfilter-detail")
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    shared_with = GroupNameField(
        slug_field="name", queryset=Group.objects.all(), allow_null=True, required=False
    )
    alert_label = serializers.CharField(source="get_alert_display", read_only=True)
    filters = serializers.DictField(required=False, default=dict)
    list_url = serializers.SerializerMethodField()

    class Meta:
        model = SavedFilter
        fields = [
            "id",
            "url",
            "name",
            "resource",
            "filters",
            "shared_with",
            "alert",
            "alert_label",
            "owner",
            "list_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "url", "owner", "created_at", "updated_at"]
        # Checked by the services, with the owner known (search.services._check).
        validators = []

    @extend_schema_field(OpenApiTypes.URI)
    def get_list_url(self, saved_filter):
        """The list with these filters: the analysts' page when it has one."""
        request = self.context.get("request")
        address = list_address(saved_filter)
        return request.build_absolute_uri(address) if request and address else address

    def create(self, validated_data):
        return services.saved_filter_create(owner=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.saved_filter_update(saved_filter=instance, **validated_data)


class OwnerChanges(permissions.BasePermission):
    message = _("Only its owner changes or deletes a saved filter.")

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or obj.owner_id == request.user.pk


class SavedFilterViewSet(viewsets.ModelViewSet):
    """The user's saved filters and those shared with one of their groups; only the
    owner renames, changes or deletes one."""

    serializer_class = SavedFilterSerializer
    permission_classes = (permissions.IsAuthenticated, TokenScope, OwnerChanges)
    pagination_class = None
    filter_backends = ()
    filterset_class = None
    queryset = SavedFilter.objects.none()  # the schema's model; get_queryset narrows

    def get_queryset(self):
        return services.saved_filters_visible_to(self.request.user)

    def perform_destroy(self, instance):
        services.saved_filter_delete(saved_filter=instance)
