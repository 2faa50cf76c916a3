import os

from django.http import FileResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.export import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from core.api.pagination import PageNumberPagination
from core.api.views import ParametersMixin
from exports import resources
from exports.api.serializers import ExportJobSerializer, ExportRequestSerializer
from exports.choices import ExportStatus
from exports.models import ExportJob
from exports.services import export_job_create, filters_as_query


class ExportNotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The export is not ready.")
    default_code = "not_ready"


class ExportGone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = gettext_lazy("The export has expired; ask for it again.")
    default_code = "expired"


class ExportJobViewSet(
    ParametersMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Exports of a whole filtered list, built in the background. POST asks for one
    (202); GET follows its progress and gives `download_url` when it is ready. Each
    user sees and downloads only their own; anyone who may view a list may export it."""

    queryset = ExportJob.objects.all()
    serializer_class = ExportJobSerializer
    # Not ModelPermissions: what matters is the right to view the list exported,
    # checked in create(). An export reads, so a read-only token may ask for one.
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = None
    filter_backends = []
    pagination_class = PageNumberPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, without a user
            return ExportJob.objects.none()
        return super().get_queryset().filter(user=self.request.user)

    @extend_schema(request=ExportRequestSerializer, responses={202: ExportJobSerializer})
    def create(self, request, *args, **kwargs):
        asked = ExportRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        resource = asked.validated_data["resource"]
        if not request.user.has_perm(resources.view_permission(resource)):
            raise exceptions.PermissionDenied(_("You are not allowed to view these records."))
        query = filters_as_query(asked.validated_data["filters"])
        # The list endpoint's own filters judge the values, as they would in a GET.
        try:
            resources.filtered_queryset(resources.list_view(resource, request.user, query))
        except exceptions.ValidationError as error:
            raise exceptions.ValidationError({"filters": error.detail}) from error
        job = export_job_create(
            user=request.user,
            resource=resource,
            format=asked.validated_data["format"],
            query=query,
            language=translation.get_language() or "ja",
        )
        job.refresh_from_db()  # without a broker, it is already built
        data = self.get_serializer(job).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})

    @extend_schema(
        responses={
            # The file's own media type (the hook in core.api.schema describes each).
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, XLSX_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.BINARY),
            403: OpenApiResponse(description="No longer allowed to view the list."),
            409: OpenApiResponse(description="Not ready yet."),
            410: OpenApiResponse(description="Expired."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file, once `status` is `done`, for the user who asked for it while they
        may still view the list."""
        job = self.get_object()
        # The right to view the list may have been withdrawn since the file was built.
        if not request.user.has_perm(resources.view_permission(job.resource)):
            raise exceptions.PermissionDenied(_("You are no longer allowed to view these records."))
        if job.status != ExportStatus.DONE:
            raise ExportNotReady(_("The export is not ready."))
        if (
            job.expires_at <= timezone.now()
            or not job.file
            or not job.file.storage.exists(job.file.name)
        ):
            raise ExportGone(_("The export has expired; ask for it again."))
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=os.path.basename(job.file.name),
            content_type=CSV_MEDIA_TYPE if job.format == "csv" else XLSX_MEDIA_TYPE,
        )
