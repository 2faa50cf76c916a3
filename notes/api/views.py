from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.parsers import MultiPartParser

from core.api.export import Column, columns
from core.api.parsers import JSONParser
from core.api.views import RecordViewSet
from notes.api.serializers import NoteJSONRequestSerializer, NoteSerializer
from notes.filters import NoteFilterSet
from notes.models import Note


def _target_type(target):
    return target._meta.verbose_name


_JSON_WRITE = extend_schema(request={"application/json": NoteJSONRequestSerializer})


@extend_schema_view(create=_JSON_WRITE, update=_JSON_WRITE, partial_update=_JSON_WRITE)
class NoteViewSet(RecordViewSet):
    """Dated notes on missions, meetings, agreements, projects, organisations and people
    (`target`), newest first; `?target_type=…&target_id=…` is one record's journal. The
    author and the time are the server's; an attachment is sent as multipart/form-data
    and downloaded through `download_url`."""

    # One query per kind of target, however many notes the page shows.
    queryset = Note.objects.select_related("author").prefetch_related("target")
    serializer_class = NoteSerializer
    filterset_class = NoteFilterSet
    parser_classes = (JSONParser, MultiPartParser)
    export_columns = [
        *columns(Note, "created_at"),
        Column(Note._meta.get_field("content_type").verbose_name, "target", display=_target_type),
        Column(gettext_lazy("target"), "target"),
        *columns(Note, "author", "text"),
        Column(
            Note._meta.get_field("attachment").verbose_name,
            "attachment",
            transform=lambda name: (name or "").rsplit("/", 1)[-1],
        ),
    ]

    def perform_create(self, serializer):
        serializer.save(author=self.request.user)
        self._object = serializer.instance
