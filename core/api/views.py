"""The base of every record's viewset: permissions, filters, pagination, ETags that
prevent lost updates, and spreadsheet exports of any filtered list."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core import audit
from core.api.export import EXPORT_RENDERERS, Column, export_response
from core.api.history import (
    DeletionFilterSet,
    DeletionPagination,
    DeletionSerializer,
    HistoryEntrySerializer,
    deletions_of,
    history_entries,
)
from core.api.schema import RecordSchema
from core.classification import (
    LinkedRecords,
    fill_access_lists,
    hide_deleted,
    history_row_hidden,
    visible_prefetches,
)
from core.prefetch import prefetch_page, release_page, take_over


def etag_of(instance) -> str:
    return f'"{instance.version}"'


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy(
        "The record has changed since you read it; read it again and retry."
    )
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = gettext_lazy(
        "Send the record's ETag as If-Match: this server refuses writes without it."
    )
    default_code = "precondition_required"


class ParametersMixin:
    """Parameters given wrong are a 400 that names them: an unknown `?format=` and, on
    a list, a parameter it does not take. Errors are JSON, even when a spreadsheet was
    asked for."""

    def finalize_response(self, request, response, *args, **kwargs):
        if (
            getattr(response, "data", None) is not None
            and response.status_code >= 400
            and getattr(request, "accepted_renderer", None).__class__ in EXPORT_RENDERERS
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            # DRF answers an unknown `?format=` (a spreadsheet of one record, a pdf) with
            # a 404, as if the record were missing: it is a parameter given wrong.
            wanted = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
            if not wanted:
                raise
            formats = sorted({renderer.format for renderer in self.get_renderers()})
            raise exceptions.ValidationError(
                {
                    api_settings.URL_FORMAT_OVERRIDE: [
                        _("Give one of these formats here: %(formats)s.")
                        % {"formats": ", ".join(formats)}
                    ]
                }
            ) from None

    def filter_queryset(self, queryset):
        if self.action == "list":
            self._refuse_unknown_parameters()
        return super().filter_queryset(queryset)

    def known_parameters(self) -> set[str]:
        """What a list understands: its FilterSet's filters, the paginator's parameters
        and `format` (which the browsable API's links send too)."""
        known = {api_settings.URL_FORMAT_OVERRIDE}
        if self.filterset_class is not None:
            known |= set(self.filterset_class.base_filters)
        paginator = self.paginator
        for attribute in ("page_query_param", "page_size_query_param", "cursor_query_param"):
            name = getattr(paginator, attribute, None)
            if name:
                known.add(name)
        return known

    def unknown_parameter_errors(self) -> dict[str, list[str]]:
        """A misspelt filter (`?stauts=x`) would otherwise be ignored and answer the
        whole list: a wrong list by accident. Checked here, not in the FilterSets,
        which the analysts' pages reuse with parameters of their own."""
        unknown = sorted(set(self.request.query_params) - self.known_parameters())
        return {name: [_("There is no such parameter.")] for name in unknown}

    def _refuse_unknown_parameters(self):
        errors = self.unknown_parameter_errors()
        if errors:
            raise exceptions.ValidationError(errors)


class RecordViewSet(ParametersMixin, viewsets.ModelViewSet):
    """Subclasses declare queryset (with what the serializer needs), serializer_class,
    filterset_class, ordering_fields and export_columns."""

    renderer_classes = (*api_settings.DEFAULT_RENDERER_CLASSES, *EXPORT_RENDERERS)
    export_columns: list[Column] = []
    schema = RecordSchema()

    def get_renderers(self):
        # Spreadsheets are of lists: a record's address with `?format=csv` is a 400
        # (no such format there), not its JSON labelled text/csv.
        renderers = super().get_renderers()
        if self.action == "list":
            return renderers
        return [renderer for renderer in renderers if type(renderer) not in EXPORT_RENDERERS]

    def get_queryset(self):
        """Only the records the reader may see (core.classification): every action,
        list, detail (404 for one hidden), history, cursor, export, goes through here."""
        queryset = super().get_queryset()
        if self.request is None:
            # No request: the system's own reading (a webhook's payload, whose
            # subscription was checked against its owner when it was written).
            return queryset
        user = self.request.user
        visible_to = getattr(queryset, "visible_to", None)
        if visible_to is not None:
            queryset = visible_to(user)
        return visible_prefetches(queryset, user)

    # -- exports ------------------------------------------------------------------

    def list(self, request, *args, **kwargs):
        export_format = getattr(request.accepted_renderer, "format", None)
        if export_format in ("csv", "xlsx"):
            if hasattr(self.paginator, "check_parameters"):
                self.paginator.check_parameters(request)
            return export_response(self, self.filter_queryset(self.get_queryset()), export_format)
        queryset = self.filter_queryset(self.get_queryset())
        # The page's many-relations are read as plain rows (core.prefetch), not by
        # Django's prefetch_related, which costs more than the rows on a page of 1,000.
        queryset, ours = take_over(queryset)
        page = self.paginate_queryset(queryset)
        prefetch_page(page, ours)
        fill_access_lists(page)
        # Whether the reader may see what the page points at: one query per related
        # model, and none when nothing on it is at level 3.
        LinkedRecords.of(request).note(page)
        audit.note_records(request, audit.CHANNEL_API, page)
        serializer = self.get_serializer(page, many=True)
        response = self.get_paginated_response(serializer.data)
        # The records are let go once printed. A serializer and its fields refer to each
        # other, as do a DRF request and its view, so what they hold waits for the
        # garbage collector: a page of 1,000 meetings is some 50,000 objects, and the
        # collection that freed twenty such pages at once took 900 ms of the request it
        # fell in. The output goes with the response only; the records, nowhere.
        del serializer._data
        release_page(page)
        page.clear()  # the serializer's instance, and the cursor paginator's page
        if hasattr(getattr(self.paginator, "page", None), "object_list"):
            self.paginator.page.object_list = ()
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(self._release)
        return response

    def _release(self, response):
        """Once the response is rendered, break the cycles DRF makes between a request,
        its view and its response (their parser and renderer contexts), so that what
        they hold is freed when the request ends. Left to the garbage collector, the
        output of some twenty pages of 1,000 was freed at once, in 200 ms of the
        request that happened to trigger the collection."""
        response.renderer_context = {}
        self.request.parser_context = {}
        self.response = None

    # -- history --------------------------------------------------------------------

    @extend_schema(responses=HistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None, format=None):  # noqa: A002 -- DRF passes ?format
        """Every change to this record: who, when, and each field before → after; for a
        deleted record too, down to who deleted it."""
        model = self.get_queryset().model
        try:
            record = self.get_object()
            entries = history_entries(model, record.pk, request)
            audit.note_records(request, audit.CHANNEL_API, [record], detail=True)
        except Http404:
            # The permission to view these records has been checked (initial()); a
            # deleted record is answered from its history rows, if it has any.
            try:
                pk = model._meta.pk.to_python(
                    self.kwargs[self.lookup_url_kwarg or self.lookup_field]
                )
            except DjangoValidationError:
                raise Http404 from None
            entries = history_entries(model, pk, request) if pk is not None else []
            if not entries or self._deleted_hidden(model, pk):
                raise
        return Response(HistoryEntrySerializer(entries, many=True).data)

    def _deleted_hidden(self, model, pk) -> bool:
        """A record deleted at level 3 leaves no trace for those who could not read it
        (core.classification.history_row_hidden)."""
        latest = (
            model.history.filter(**{model._meta.pk.attname: pk})
            .order_by("-history_date", "-history_id")
            .first()
        )
        return latest is not None and history_row_hidden(model, latest, self.request.user)

    # -- deletions ------------------------------------------------------------------

    @extend_schema(
        responses=DeletionSerializer(many=True),
        filters=False,
        parameters=DeletionPagination.schema_parameters(),
    )
    @action(
        detail=False,
        methods=["get"],
        pagination_class=DeletionPagination,
        filterset_class=None,
        filter_backends=[],
    )
    def deletions(self, request, format=None):  # noqa: A002 -- DRF passes ?format
        """The records of this list deleted, oldest first, in the sync cursor's
        (time, id) order: start with `?cursor=` empty, follow `next`; keep the last
        `deleted_at` and start the next sync with `?deleted_since=` it. With the list's
        `?cursor=` feed a mirror stays exact without webhooks: delete a record when its
        `deleted_at` is later than the `updated_at` the mirror holds (a record restored
        after it was deleted comes back in the list with a later `updated_at`)."""
        unknown = sorted(set(request.query_params) - self.paginator.parameters())
        if unknown:
            raise exceptions.ValidationError(
                {name: [_("There is no such parameter.")] for name in unknown}
            )
        model = self.get_queryset().model
        # A record deleted at level 3 leaves no trace for those who could not read it.
        history = hide_deleted(model, model.history.all(), request.user)
        found = DeletionFilterSet(request.query_params, queryset=deletions_of(history))
        if not found.is_valid():
            raise exceptions.ValidationError(found.errors)
        page = self.paginate_queryset(found.qs)
        return self.get_paginated_response(DeletionSerializer(page, many=True).data)

    # -- lost updates ---------------------------------------------------------------

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        audit.note_records(request, audit.CHANNEL_API, [self._object], detail=True)
        response["ETag"] = etag_of(self._object)
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        # The new record as GET shows it (the schema's record), read back through the
        # list's queryset: a create serializer may write nested records (a mission's
        # meetings) that the record itself shows in brief.
        instance = self.get_queryset().get(pk=self._object.pk)
        data = self.serializer_class(instance, context=self.get_serializer_context()).data
        headers = self.get_success_headers(data)
        response = Response(data, status=status.HTTP_201_CREATED, headers=headers)
        response["ETag"] = etag_of(instance)
        return response

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._object = serializer.instance

    def get_object(self):
        self._object = super().get_object()
        fill_access_lists([self._object])
        LinkedRecords.of(self.request).note([self._object])
        return self._object

    def _check_if_match(self, request):
        """With If-Match, claim the row at the version the client read, or refuse the
        write: of several clients holding the same ETag, exactly one succeeds."""
        wanted = request.headers.get("If-Match")
        if not wanted:
            if settings.API_REQUIRE_IF_MATCH:
                # Checked once the record is known to exist (a missing one stays a 404).
                self.get_object()
                raise PreconditionRequired()
            return
        instance = self.get_object()
        tags = {tag.strip().removeprefix("W/").strip('"') for tag in wanted.split(",")}
        if "*" in tags:
            return
        if not any(instance.claim_version(tag) for tag in tags):
            raise PreconditionFailed(
                _("The record has changed since you read it; read it again and retry.")
            )

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            self._check_if_match(request)
            response = super().update(request, *args, **kwargs)
        if response.status_code < 400:
            response["ETag"] = etag_of(self._object)  # auto_now has moved updated_at
        return response

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            self._check_if_match(request)
            return super().destroy(request, *args, **kwargs)
