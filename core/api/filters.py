"""What every FilterSet shares: free text, sync, dates by calendar or fiscal year,
countries by code or region, ASEAN membership on the record's date.

The same FilterSets serve the API and the analysts' pages."""

import datetime

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.fields import IsoDateTimeField, ModelMultipleChoiceField
from django_filters.widgets import BooleanWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.fiscal import calendar_year_range, fiscal_year_range
from core.regions import Region, asean_q, countries_in


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(filters.NumberFilter):
    """A year, calendar or fiscal, over one date field."""

    field_class = forms.IntegerField

    def __init__(self, *args, fiscal=False, **kwargs):
        self.fiscal = fiscal
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2200)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        bounds = (fiscal_year_range if self.fiscal else calendar_year_range)(int(value))
        return qs.filter(**{f"{self.field_name}__range": bounds})


class CountryFilter(filters.MultipleChoiceFilter):
    """One or several ISO codes: `?country=GH&country=TN`."""

    def __init__(self, *args, **kwargs):
        # A callable, so that the names follow the reader's language, not the one
        # active when the module was imported.
        kwargs.setdefault("choices", lambda: list(countries))
        super().__init__(*args, **kwargs)


class RegionFilter(filters.MultipleChoiceFilter):
    """One or several regions, through the countries they hold."""

    def __init__(self, *args, country_field, **kwargs):
        self.country_field = country_field
        kwargs.setdefault("choices", Region.choices)
        kwargs.setdefault("label", _("region"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.country_field}__in": countries_in(*value)})


class AseanFilter(filters.BooleanFilter):
    """Membership on the record's own date when it has one, today's otherwise."""

    def __init__(self, *args, country_field, date_field=None, **kwargs):
        self.country_field = country_field
        self.date_field = date_field
        kwargs.setdefault("label", _("ASEAN"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        condition = asean_q(self.country_field, self.date_field)
        return qs.filter(condition) if value else qs.exclude(condition)


class StrictBooleanWidget(BooleanWidget):
    """Passes an unknown value on to the field (to be refused) instead of dropping it."""

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        raw = data.get(name)
        return raw if value is None and raw not in (None, "", "unknown") else value


class StrictNullBooleanField(forms.NullBooleanField):
    """true/false (or 1/0, yes/no); anything else is an error, not "no filter"."""

    accepted = {"true", "false", "1", "0", "unknown", ""}
    widget = StrictBooleanWidget

    def clean(self, value):
        if (
            value is not None
            and not isinstance(value, bool)
            and str(value).lower() not in self.accepted
        ):
            raise forms.ValidationError(_("Give true or false."), code="invalid")
        return super().clean(value)


# The range of a 64-bit integer column: an id outside it names no record, and must not
# reach the database (SQLite cannot even bind it).
MIN_BIGINT, MAX_BIGINT = -(2**63), 2**63 - 1


class RecordChoiceField(ModelMultipleChoiceField):
    """Records by id, where an id too large for any row is "not one of the choices"
    (a 400 naming the parameter) instead of an OverflowError from the database."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number: the parent refuses it as an invalid id
            if not MIN_BIGINT <= number <= MAX_BIGINT:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time, handed on in UTC: Python accepts offsets up to ±24 h,
    PostgreSQL only up to ±16 h, and a date at the edge of the calendar may have no UTC
    equivalent at all; both are a wrong value (400), never a database error."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return value
        try:
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError) as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class UTCDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class RecordFilterSet(filters.FilterSet):
    """Base FilterSet: `q` over `search_fields`, `updated_since`, and for each field of
    `date_ranges` the pair `<field>_after` / `<field>_before` (inclusive)."""

    search_fields: tuple[str, ...] = ()
    date_ranges: tuple[str, ...] = ()

    q = filters.CharFilter(method="filter_q", label=_("free text"), max_length=200)
    updated_since = UTCDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("changed since"),
    )

    @classmethod
    def get_filters(cls):
        declared = super().get_filters()
        for field_name in cls.date_ranges:
            verbose = cls._meta.model._meta.get_field(field_name).verbose_name
            # Two plain parameters, so that an error names the one that is wrong.
            declared[f"{field_name}_after"] = filters.DateFilter(
                field_name=field_name, lookup_expr="gte", label=format_lazy("{} ≥", verbose)
            )
            declared[f"{field_name}_before"] = filters.DateFilter(
                field_name=field_name, lookup_expr="lte", label=format_lazy("{} ≤", verbose)
            )
        for declared_filter in declared.values():
            if isinstance(declared_filter, filters.BooleanFilter):
                declared_filter.field_class = StrictNullBooleanField
            elif isinstance(declared_filter, filters.ModelMultipleChoiceFilter):
                declared_filter.field_class = RecordChoiceField
        return declared

    def filter_q(self, queryset, name, value):
        """Every term must occur, in any of `search_fields`.

        Each term is a UNION of the ids it matches, one branch per table it searches
        (the record's own columns, then each relation's): every branch can use that
        table's trigram indexes (PostgreSQL), where one WHERE joining all the tables
        with OR reads every row of every table, and the union repeats no record, so
        no DISTINCT over the whole result is needed."""
        if not self.search_fields:
            return queryset
        for term in value.split():
            queryset = queryset.filter(pk__in=self._ids_matching(queryset.model, term))
        return queryset

    def _ids_matching(self, model, term):
        by_table: dict[str, Q] = {}
        for field in self.search_fields:
            relation = field.rpartition("__")[0]
            by_table[relation] = by_table.get(relation, Q()) | Q(**{f"{field}__icontains": term})
        branches = [
            model._default_manager.order_by().filter(condition).values("pk")
            for condition in by_table.values()
        ]
        return branches[0].union(*branches[1:]) if len(branches) > 1 else branches[0]
