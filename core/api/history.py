"""A record's history as the API serves it: who changed what, when, before → after.

Read from django-simple-history's tables, which every record keeps (admin, API,
imports and jobs all write through the same models)."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile
from django_countries.fields import MultipleCountriesDescriptor
from rest_framework import serializers


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


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


def history_entries(model, pk):
    """Newest first; the first version lists the values it was created with. By the
    record's model and id, so that a deleted record's trail reads too (who deleted it)."""
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
    return entries
