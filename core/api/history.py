"""A record's history as the API serves it: who changed what, when, before → after.

Read from django-simple-history's tables, which every record keeps (admin, API,
imports and jobs all write through the same models)."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _
from django_countries.fields import MultipleCountriesDescriptor
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from core.api.filters import UTCDateTimeFilter
from core.api.pagination import MAX_PAGE_SIZE, PageNumberPagination, SyncCursorPagination
from core.api.serializers import api_detail_url
from core.classification import LinkedRecords, history_row_hidden


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(
        allow_null=True,
        help_text="The value before; a related record as `{id, url, display}` (a list of "
        "them for a many-to-many field; `url` null once it is deleted).",
    )
    new = serializers.JSONField(allow_null=True, help_text="The value after, as `old`.")


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    date = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    changes = FieldChangeSerializer(many=True)


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
ENCODER = DjangoJSONEncoder()


def _plain(value, model):
    """A value JSON carries as it is, whatever the field that held it: codes for
    countries (one, or a list of them), a file's name, ISO dates and times, ids for
    relations (a many-to-many field's through rows become the sorted ids they point at)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "code"):  # a django-countries Country
        return value.code
    if isinstance(value, FieldFile):
        return value.name
    if isinstance(value, dict):
        return {str(key): _plain(item, model) for key, item in value.items()}
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
        source = model._meta.model_name  # a many-to-many field: the through rows
        return sorted(next(v for k, v in row.items() if k != source) for row in value)
    if isinstance(value, list | tuple | MultipleCountriesDescriptor):
        return [_plain(item, model) for item in value]
    try:
        # Dates and times in ISO 8601, decimals and UUIDs as strings, lazy texts.
        return ENCODER.default(value)
    except TypeError:
        return str(value)


def _id_relations(model) -> dict:
    """The fields of `model` that point at records with numeric ids, by the name a
    history change gives them: foreign keys and many-to-many fields. (Sectors, whose
    rows are codes, stay codes as the API shows them.)"""
    relations = {}
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        target = field.related_model
        if not (field.many_to_one or field.one_to_one or field.many_to_many) or target is None:
            continue
        if target._meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField"):
            relations[field.name] = target
    return relations


def _briefly(entries, model, request):
    """Related records' ids become `{id, url, display}`, as the record itself shows them:
    one query per related model for the whole history. A record deleted since keeps its
    id, with no `url`, and the name its own history last gave it."""
    relations = _id_relations(model)
    wanted: dict = {}
    for entry in entries:
        for change in entry["changes"]:
            target = relations.get(change["field"])
            if target is not None:
                for value in (change["old"], change["new"]):
                    ids = value if isinstance(value, list) else [value]
                    wanted.setdefault(target, set()).update(i for i in ids if isinstance(i, int))
    found = {target: target._default_manager.in_bulk(ids) for target, ids in wanted.items()}
    # A related record the reader may not see is no value (core.classification).
    linked = LinkedRecords.of(request)
    linked.decide([record for records in found.values() for record in records.values()])
    user = getattr(request, "user", None)

    def brief(target, pk):
        record = found[target].get(pk)
        if record is not None:
            if linked.hidden(record):
                return None
            return {"id": pk, "url": api_detail_url(request, target, pk), "display": str(record)}
        last = None
        if hasattr(target, "history"):
            last = (
                target.history.filter(**{target._meta.pk.attname: pk})
                .order_by("-history_date", "-history_id")
                .first()
            )
            if last is not None and history_row_hidden(target, last, user):
                return None
        return {"id": pk, "url": None, "display": str(last.instance) if last else f"#{pk}"}

    for entry in entries:
        shown = []
        for change in entry["changes"]:
            target = relations.get(change["field"])
            if target is None:
                shown.append(change)
                continue
            for key in ("old", "new"):
                value = change[key]
                if isinstance(value, list):
                    change[key] = [
                        named
                        for i in value
                        if (named := brief(target, i) if isinstance(i, int) else i) is not None
                    ]
                elif isinstance(value, int):
                    change[key] = brief(target, value)
            # A change between records the reader may not see is no change to them.
            if change["old"] != change["new"]:
                shown.append(change)
        entry["changes"] = shown
    return entries


def history_entries(model, pk, request=None):
    """Newest first; the first version lists the values it was created with. By the
    record's model and id, so that a deleted record's trail reads too (who deleted it).
    Related records are `{id, url, display}` (links built for `request`)."""
    records = list(
        model.history.filter(**{model._meta.pk.attname: pk})
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    tracked = [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]
    entries, previous = [], None
    for record in records:
        if previous is None:
            changes = [
                {
                    "field": field.name,
                    "old": None,
                    "new": _plain(getattr(record, field.attname), model),
                }
                for field in tracked
                if getattr(record, field.attname) not in (None, "")
            ]
        else:
            delta = record.diff_against(previous)
            changes = [
                {
                    "field": change.field,
                    "old": _plain(change.old, model),
                    "new": _plain(change.new, model),
                }
                for change in delta.changes
            ]
        user = record.history_user
        entries.append(
            {
                "history_id": record.history_id,
                "date": record.history_date,
                "type": HISTORY_TYPES[record.history_type],
                "user": (user.get_full_name() or user.get_username()) if user else None,
                "reason": record.history_change_reason,
                "changes": changes,
            }
        )
        previous = record
    entries.reverse()
    return _briefly(entries, model, request)


# -- deletions ------------------------------------------------------------------------


class DeletionSerializer(serializers.Serializer):
    """A record deleted: its id and when. (Its last state is in its history.)"""

    id = serializers.IntegerField(help_text="The deleted record's id.")
    deleted_at = serializers.DateTimeField(source="history_date")


def deletions_of(history):
    """The deletion rows of a model's history: only the columns printed, one query a
    page whatever the model."""
    return history.filter(history_type="-").only("history_id", "id", "history_date")


class DeletionFilterSet(filters.FilterSet):
    """What a sync that kept the last `deleted_at` asks for next time: deletions at or
    after it (one seen already comes again: deleting twice is harmless)."""

    deleted_since = UTCDateTimeFilter(
        field_name="history_date", lookup_expr="gte", label=_("deleted since")
    )


class DeletionPagination(SyncCursorPagination):
    """The sync cursor over deletions: (deleted_at, history id), `page_size` as a list's."""

    ordering = ("history_date", "history_id")
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return PageNumberPagination.get_page_size(self, request)

    def parameters(self) -> set[str]:
        return {self.cursor_query_param, self.page_size_query_param, "deleted_since"}

    @classmethod
    def schema_parameters(cls):
        return [
            OpenApiParameter(
                "cursor",
                {"type": "string", "pattern": r"^[A-Za-z0-9_=-]{0,200}$"},
                description="Empty for the first page, then `next` of the page before.",
            ),
            OpenApiParameter(
                "deleted_since",
                OpenApiTypes.DATETIME,
                description="Only deletions at or after this time (the last `deleted_at` "
                "a sync kept).",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                description="Deletions a page (500 by default).",
            ),
        ]

    def get_schema_operation_parameters(self, view):
        return []  # declared by schema_parameters(), with their limits
