"""Page numbers for people and spreadsheets; a cursor on (updated_at, id) for tools
that sync whole tables."""

import re

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers

from core.counts import EstimatedCountPaginator

MAX_PAGE_SIZE = 1000


def _digits(raw: str) -> bool:
    """ASCII digits only: "²".isdigit() is true yet int() refuses it, and int() of a
    number of thousands of digits raises too; neither may become a 500."""
    return raw.isascii() and raw.isdigit()


class PageNumberPagination(pagination.PageNumberPagination):
    # `count` is exact for a filtered list and for any table under 100,000 rows; an
    # unfiltered list of a larger table gives PostgreSQL's estimate of its size
    # (core.counts), and `next` stays exact.
    django_paginator_class = EstimatedCountPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # A page size out of range is a mistake to report, not to silently correct.
        if not (
            _digits(raw)
            and len(raw) <= len(str(self.max_page_size))
            and 1 <= int(raw) <= self.max_page_size
        ):
            raise serializers.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            elif parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        # A page number past the last page is Django's 404, however many digits it has.
        if raw is not None and raw != "last" and not (_digits(raw) and raw.strip("0")):
            raise serializers.ValidationError(
                {self.page_query_param: [_("Give a page number from 1.")]}
            )
        return super().paginate_queryset(queryset, request, view)


# What DRF's cursors are made of: URL-safe base64 of a query string.
_CURSOR_PATTERN = r"^[A-Za-z0-9_=-]{0,200}$"
_CURSOR = re.compile(r"[A-Za-z0-9_=-]{1,200}")


def _is_time(position: str) -> bool:
    try:
        return parse_datetime(position) is not None
    except ValueError:
        return False


class SyncCursorPagination(pagination.CursorPagination):
    """Stable under concurrent edits: a record changed during a sync moves to the end."""

    ordering = ("updated_at", "id")
    page_size = 500

    def decode_cursor(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        # An empty `cursor=` asks for the first page.
        if not raw:
            return None
        # A cursor is a parameter the client sent wrong, not a record that is gone: a
        # 400 naming it, whether it is not base64 (DRF's 404), decodes to nothing (DRF
        # would answer the first page) or to a position that is no time.
        cursor = None
        if _CURSOR.fullmatch(raw):
            try:
                cursor = super().decode_cursor(request)
            except exceptions.NotFound:
                cursor = None
        if cursor is None or (cursor.position is not None and not _is_time(cursor.position)):
            raise serializers.ValidationError(
                {self.cursor_query_param: [_("Give a cursor from `next` or `previous`, or none.")]}
            )
        return cursor


class RecordPagination(PageNumberPagination):
    """Page numbers by default; `?cursor=` (start with `?cursor=` empty) switches to
    the sync cursor, which ignores `ordering`."""

    cursor_query_param = "cursor"

    def _cursor(self, request):
        return self.cursor_query_param in request.query_params

    def check_parameters(self, request):
        """What a page of the list would refuse, refused for a spreadsheet too (which
        has no pages): `page`, `page_size` and `cursor` mean the same everywhere, so a
        wrong one is a 400 whatever the format asked for."""
        self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and not (_digits(raw) and raw.strip("0")):
            raise serializers.ValidationError(
                {self.page_query_param: [_("Give a page number from 1.")]}
            )
        if self._cursor(request):
            SyncCursorPagination().decode_cursor(request)

    def paginate_queryset(self, queryset, request, view=None):
        if self._cursor(request):
            self._delegate = SyncCursorPagination()
            self._delegate.page_size = self.get_page_size(request)
            return self._delegate.paginate_queryset(queryset.order_by(), request, view)
        self._delegate = None
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self._delegate:
            return self._delegate.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["next"]["description"] = (
            "The next page; with `cursor`, the next cursor page."
        )
        # A cursor page does not count the table (that is what makes it cheap).
        response["properties"]["count"]["description"] = "The number of records; not with `cursor`."
        response["required"] = [name for name in response["required"] if name != "count"]
        return response

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": _(
                    "Sync mode: pages ordered by (updated_at, id). Start with an empty value, "
                    "then follow `next`."
                ),
                "schema": {"type": "string", "pattern": _CURSOR_PATTERN},
            },
        ]
