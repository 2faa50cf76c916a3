from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api.pagination import PageNumberPagination
from core.api.permissions import TokenScope
from core.api.views import ParametersMixin
from imports.api.serializers import ImportJobSerializer, ImportRequestSerializer
from imports.engine import kinds
from imports.models import ImportJob
from imports.reading import FileRefused
from imports.services import import_job_create, may_import
from imports.templates import XLSX_MEDIA_TYPE, template_file


class ImportJobViewSet(
    ParametersMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Spreadsheets imported into a list. POST a file (201 with the job); GET follows
    it: `status`, `totals` and every error by spreadsheet row. Small files are imported
    within the request, larger ones in the background. Each user sees their own."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    # Not ModelPermissions: what matters is the right to add and change the records of
    # the kind imported, checked in create().
    permission_classes = [permissions.IsAuthenticated, TokenScope]
    parser_classes = (MultiPartParser,)
    filterset_class = None
    filter_backends = []
    pagination_class = PageNumberPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        return super().get_queryset().filter(user=self.request.user)

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={201: ImportJobSerializer},
    )
    def create(self, request, *args, **kwargs):
        asked = ImportRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        resource = asked.validated_data["resource"]
        if not may_import(request.user, resource):
            raise exceptions.PermissionDenied(_("You are not allowed to import these records."))
        upload = asked.validated_data["file"]
        try:
            job = import_job_create(
                user=request.user,
                resource=resource,
                name=upload.name or "import",
                data=upload.read(),
                dry_run=asked.validated_data["dry_run"],
                language=translation.get_language() or "ja",
            )
        except FileRefused as refused:
            raise exceptions.ValidationError({"file": [refused.message]}) from refused
        data = self.get_serializer(job).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["url"]})

    @extend_schema(
        parameters=[OpenApiParameter("resource", str, OpenApiParameter.PATH, enum=sorted(kinds()))],
        responses={(200, XLSX_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=False, methods=["get"], url_path=r"templates/(?P<resource>[^/.]+)")
    def template(self, request, resource=None):
        """The blank template of a kind: XLSX, headers in Japanese and English, drop-downs
        for the coded columns, one example row."""
        if resource not in kinds():
            raise exceptions.ValidationError(
                {
                    "resource": [
                        _("Choose one of: %(names)s.") % {"names": ", ".join(sorted(kinds()))}
                    ]
                }
            )
        if not may_import(request.user, resource):
            raise exceptions.PermissionDenied(_("You are not allowed to import these records."))
        response = HttpResponse(template_file(resource), content_type=XLSX_MEDIA_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{resource}-template.xlsx"'
        return response
