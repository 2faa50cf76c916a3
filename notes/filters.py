import django_filters as filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from core.api.filters import IntegerFilter, JapaneseDateFilter, RecordFilterSet
from notes.choices import TARGET_TYPES
from notes.models import Note

# "contacts.person" and the like, as the API writes a note's target type.
TARGET_TYPE_CHOICES = [(key, key) for key in sorted(TARGET_TYPES)]


class NoteFilterForm(forms.Form):
    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("target_id") is not None and not cleaned_data.get("target_type"):
            self.add_error("target_id", _("Give target_type with target_id."))
        return cleaned_data


class NoteFilterSet(RecordFilterSet):
    search_fields = ("text",)

    # The day it was written (a date, in the server's time zone), inclusive.
    written_after = JapaneseDateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("written on or after")
    )
    written_before = JapaneseDateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("written on or before")
    )

    author = filters.ModelMultipleChoiceFilter(
        queryset=get_user_model().objects.all(), label=_("author")
    )
    type = filters.MultipleChoiceFilter(
        choices=TARGET_TYPE_CHOICES, method="filter_type", label=_("record type")
    )
    # One record's journal: ?target_type=contacts.person&target_id=12
    target_type = filters.ChoiceFilter(
        choices=TARGET_TYPE_CHOICES, method="filter_type", label=_("record type")
    )
    target_id = IntegerFilter(field_name="object_id", min_value=1, label=_("record id"))
    ordering = filters.OrderingFilter(fields=("created_at", "updated_at", "id"))

    class Meta:
        model = Note
        fields = ()
        form = NoteFilterForm

    def filter_type(self, queryset, name, value):
        types = [value] if isinstance(value, str) else value
        return queryset.filter(
            # ContentType's manager caches: no query to find the types.
            content_type__in=[
                ContentType.objects.get_by_natural_key(*TARGET_TYPES[target_type])
                for target_type in types
            ]
        )
