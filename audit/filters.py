import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from audit.choices import Channel
from audit.models import ReadEvent
from core.api.filters import IntegerFilter, UTCDateTimeFilter


class ReadEventFilterSet(django_filters.FilterSet):
    user = django_filters.ModelMultipleChoiceFilter(
        queryset=get_user_model().objects.all(), label=_("user")
    )
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label=_("channel"))
    record_type = django_filters.CharFilter(
        method="filter_record_type", label=_("record type (app_label.model)")
    )
    object_id = IntegerFilter(min_value=1, label=_("record id"))
    at_after = UTCDateTimeFilter(field_name="at", lookup_expr="gte", label=_("from"))
    at_before = UTCDateTimeFilter(field_name="at", lookup_expr="lte", label=_("until"))

    class Meta:
        model = ReadEvent
        fields = ["user", "channel", "record_type", "object_id", "at_after", "at_before"]

    def filter_record_type(self, queryset, name, value):
        app_label, _dot, model = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)
