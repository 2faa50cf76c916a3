import django_filters as filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from core.api.filters import FiscalYearFilter, IntegerFilter, RecordFilterSet, YearFilter
from followups.choices import TARGET_TYPES, FollowUpStatus
from followups.models import FollowUp, overdue_q

# "missions.meeting" and the like, as the API writes a follow-up's target type.
TARGET_TYPE_CHOICES = [(key, key) for key in sorted(TARGET_TYPES)]


class FollowUpFilterForm(forms.Form):
    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("target_id") is not None and not cleaned_data.get("target_type"):
            self.add_error("target_id", _("Give target_type with target_id."))
        return cleaned_data


class FollowUpFilterSet(RecordFilterSet):
    date_ranges = ("due_on",)
    search_fields = ("title", "description")

    status = filters.MultipleChoiceFilter(choices=FollowUpStatus.choices, label=_("status"))
    assignee = filters.ModelMultipleChoiceFilter(
        queryset=get_user_model().objects.all(), label=_("assignee")
    )
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    type = filters.MultipleChoiceFilter(
        choices=TARGET_TYPE_CHOICES, method="filter_type", label=_("record type")
    )
    # One record's follow-ups: ?target_type=missions.meeting&target_id=12
    target_type = filters.ChoiceFilter(
        choices=TARGET_TYPE_CHOICES, method="filter_type", label=_("record type")
    )
    target_id = IntegerFilter(field_name="object_id", min_value=1, label=_("record id"))
    year = YearFilter(field_name="due_on", label=_("year"))
    fiscal_year = FiscalYearFilter(field_name="due_on", label=_("fiscal year"))
    ordering = filters.OrderingFilter(
        fields=("due_on", "done_on", "status", "title", "updated_at", "id")
    )

    class Meta:
        model = FollowUp
        fields = ()
        form = FollowUpFilterForm

    def filter_overdue(self, queryset, name, value: bool):
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_type(self, queryset, name, value):
        types = [value] if isinstance(value, str) else value
        return queryset.filter(
            # ContentType's manager caches: no query to find the types.
            content_type__in=[
                ContentType.objects.get_by_natural_key(*TARGET_TYPES[target_type])
                for target_type in types
            ]
        )
