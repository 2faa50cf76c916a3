from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from imports.engine import kinds
from imports.models import ImportJob
from imports.services import job_messages, progress_of


class ImportRequestSerializer(serializers.Serializer):
    """A spreadsheet to import: the list it goes into, by its name in /api/v1/, the
    file (CSV or XLSX), and whether to check it only (`dry_run`)."""

    resource = serializers.CharField(
        help_text="The list, as in its URL: `organizations`, `missions`…"
    )
    file = serializers.FileField(help_text="CSV (UTF-8 or Shift_JIS) or XLSX, up to 20 MB.")
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Check every row and report, saving nothing."
    )

    def validate_resource(self, value):
        if value not in kinds():
            raise serializers.ValidationError(
                _("Choose one of: %(names)s.") % {"names": ", ".join(sorted(kinds()))}
            )
        return value

    def validate_file(self, value):
        if value.size > settings.IMPORT_MAX_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(size)d MB: split it into several files.")
                % {"size": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return value


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="The row in the spreadsheet.")
    field = serializers.CharField(allow_null=True, help_text="The column, as its header reads.")
    value = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportTotalsSerializer(serializers.Serializer):
    new = serializers.IntegerField(required=False)
    updated = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False)
    errors = serializers.IntegerField(required=False)


class ImportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    progress = serializers.SerializerMethodField()
    totals = ImportTotalsSerializer(read_only=True)
    errors = serializers.SerializerMethodField(
        help_text="Every error, in the reader's language (Accept-Language)."
    )
    warnings = serializers.SerializerMethodField(
        help_text="The warnings, in the reader's language (Accept-Language)."
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "resource",
            "file_name",
            "dry_run",
            "status",
            "status_label",
            "progress",
            "row_count",
            "totals",
            "errors",
            "warnings",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job):
        path = reverse("api:importjob-detail", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(OpenApiTypes.INT)
    def get_progress(self, job):
        return progress_of(job)

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, job):
        return job_messages(job)[0]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, job):
        return job_messages(job)[1]
