from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exports import resources
from exports.choices import ExportFormat, ExportStatus
from exports.models import ExportJob
from exports.services import query_as_filters


class ExportRequestSerializer(serializers.Serializer):
    """What to export: a list of /api/v1/ by its name, a format, and the list's filters
    exactly as its query parameters would give them."""

    resource = serializers.CharField(help_text="The list, as in its URL: `meetings`, `projects`…")
    format = serializers.ChoiceField(choices=ExportFormat.choices)
    filters = serializers.DictField(
        required=False,
        default=dict,
        help_text='The list\'s query parameters, e.g. `{"fiscal_year": 2018, "country": ["VN"]}`.',
    )

    def validate_resource(self, value):
        if value not in resources.exportable():
            raise serializers.ValidationError(
                _("Choose one of: %(names)s.")
                % {"names": ", ".join(sorted(resources.exportable()))}
            )
        return value

    def validate_filters(self, filters):
        def plain(value):
            return isinstance(value, str | int | float | bool) and "\x00" not in str(value)

        for name, value in filters.items():
            values = value if isinstance(value, list) else [value]
            if "\x00" in name or not values or not all(plain(v) for v in values):
                raise serializers.ValidationError(
                    {name: [_("Give a value, or a list of values, as the list's filter takes.")]}
                )
        return filters

    def validate(self, attrs):
        unknown = set(attrs["filters"]) - resources.filter_names(attrs["resource"])
        if unknown:
            # A misspelt filter would otherwise export everything.
            raise serializers.ValidationError(
                {"filters": {name: [_("There is no such filter.")] for name in sorted(unknown)}}
            )
        return attrs


class ExportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    filters = serializers.SerializerMethodField()
    format_label = serializers.CharField(source="get_format_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "url",
            "resource",
            "format",
            "format_label",
            "filters",
            "status",
            "status_label",
            "progress",
            "row_count",
            "error",
            "download_url",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
        ]
        read_only_fields = fields

    def _absolute(self, path):
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job):
        return self._absolute(reverse("api:exportjob-detail", args=[job.pk]))

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_filters(self, job):
        return query_as_filters(job.query)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download_url(self, job):
        """Set once the file is ready; only the user who asked downloads it."""
        if job.status != ExportStatus.DONE or not job.file:
            return None
        return self._absolute(reverse("api:exportjob-download", args=[job.pk]))
