from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import permissions, serializers, viewsets
from rest_framework.settings import api_settings

from audit.filters import ReadEventFilterSet
from audit.models import ReadEvent
from core.api.export import EXPORT_RENDERERS, columns, export_response
from core.api.views import ParametersMixin


class CanReadAudit(permissions.BasePermission):
    """Administrators (the permission to view the audit) only."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm("audit.view_readevent"))


class ReadEventSerializer(serializers.ModelSerializer):
    record_type = serializers.SerializerMethodField()
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)

    class Meta:
        model = ReadEvent
        fields = [
            "id",
            "at",
            "user",
            "username",
            "channel",
            "channel_label",
            "path",
            "query",
            "record_type",
            "object_id",
            "record_count",
            "classification",
            "client_address",
        ]

    def get_record_type(self, event) -> str | None:
        content_type = event.content_type
        return f"{content_type.app_label}.{content_type.model}" if content_type else None


class ReadEventViewSet(ParametersMixin, viewsets.ReadOnlyModelViewSet):
    """Who read which classified records (the read audit), newest first; with
    `?format=csv` as a spreadsheet. Administrators only."""

    queryset = ReadEvent.objects.select_related("content_type")
    serializer_class = ReadEventSerializer
    filterset_class = ReadEventFilterSet
    filter_backends = [DjangoFilterBackend]
    permission_classes = [permissions.IsAuthenticated, CanReadAudit]
    renderer_classes = (*api_settings.DEFAULT_RENDERER_CLASSES, *EXPORT_RENDERERS)
    export_columns = columns(
        ReadEvent,
        "at",
        "username",
        "channel",
        "path",
        "query",
        "content_type",
        "object_id",
        "record_count",
        "classification",
        "client_address",
    )
    ordering = ["-at", "-id"]

    def list(self, request, *args, **kwargs):
        export_format = getattr(request.accepted_renderer, "format", None)
        if export_format in ("csv", "xlsx"):
            return export_response(self, self.filter_queryset(self.get_queryset()), export_format)
        return super().list(request, *args, **kwargs)
