"""What every FilterSet shares: free text, sync, dates by calendar or fiscal year,
countries by code or region, ASEAN membership on the record's date.

The same FilterSets serve the API and the analysts' pages."""

import copy
import datetime
import re

import django_filters as filters
from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.fields import IsoDateTimeField, ModelMultipleChoiceField
from django_filters.filters import FilterMethod
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import extend_schema_field

from core.counts import PkAmong
from core.dates import JapaneseDateField
from core.fiscal import FIRST_YEAR, LAST_YEAR, calendar_year_range, fiscal_year_range
from core.folding import fold, name_key
from core.models import TAG_MAX_LENGTH, Tag
from core.regions import Region, asean_q, countries_in
from core.tags import carries_tags, tagged_q
from core.validators import FORBIDDEN_CHARACTERS

_YEAR = {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}


@extend_schema_field({**_YEAR, "description": "A calendar year: January to December."})
class YearFilter(filters.NumberFilter):
    """A calendar year over one date field."""

    field_class = forms.IntegerField
    year_range = staticmethod(calendar_year_range)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", _YEAR["minimum"])
        kwargs.setdefault("max_value", _YEAR["maximum"])
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__range": self.year_range(int(value))})


@extend_schema_field(
    {
        **_YEAR,
        "description": "A Japanese fiscal year (年度): 1 April of that year to 31 March of the next.",
    }
)
class FiscalYearFilter(YearFilter):
    """A Japanese fiscal year (April to March) over one date field."""

    year_range = staticmethod(fiscal_year_range)


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
        if LOOKUP_SEP in self.country_field:
            # Through a many-relation (a mission's meetings): one filter() matches the
            # country and the date on the same row, and `false` is the records with no
            # such row, where an exclude() of the condition would not pair them.
            members = qs.model._default_manager.filter(condition).values("pk")
            return qs.filter(pk__in=members) if value else qs.exclude(pk__in=members)
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
    (a 400 naming the parameter) instead of an OverflowError from the database, and so
    is one of a record `reader` may not see (core.classification)."""

    def __init__(self, *args, reader=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reader = reader

    def _check_values(self, value):
        visible_to = getattr(self.queryset, "visible_to", None)
        if visible_to is not None:
            self.queryset = visible_to(self.reader)
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


class IntegerFilter(filters.NumberFilter):
    """A whole number: `2019`, never `2019.5`."""

    field_class = forms.IntegerField


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


class JapaneseDateFilter(filters.DateFilter):
    field_class = JapaneseDateField


class TagChoiceField(ModelMultipleChoiceField):
    """Tags by name, as names compare (`?tag=港湾&tag=ghana ports`): a name no tag has is
    "not one of the choices", a 400 naming the parameter."""

    def _check_values(self, value):
        if not isinstance(value, list | tuple):
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        keys = {}
        for name in value:
            name = str(name)
            # Nothing PostgreSQL could not take in a query, nothing longer than a tag.
            if len(name) > TAG_MAX_LENGTH or FORBIDDEN_CHARACTERS.search(name):
                key = None
            else:
                key = name_key(name)
            if not key:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": name},
                )
            keys.setdefault(key, name)
        found = {tag.name_key: tag for tag in self.queryset.filter(name_key__in=keys)}
        for key, name in keys.items():
            if key not in found:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": name},
                )
        return list(found.values())


TAG_MATCH_ALL = "all"


# One tag's name (the parameter is repeated for several).
@extend_schema_field({"type": "string", "minLength": 1, "maxLength": TAG_MAX_LENGTH})
class TagFilter(filters.ModelMultipleChoiceFilter):
    """`?tag=港湾&tag=Ghana ports`: records with any of the tags, or with all of them
    when the FilterSet's `tag_match` is `all`."""

    field_class = TagChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Tag.objects.all())
        kwargs.setdefault("to_field_name", "name")
        kwargs.setdefault("label", _("tags"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        match = self.parent.form.cleaned_data.get("tag_match") if self.parent else None
        every = match == TAG_MATCH_ALL
        return qs.filter(tagged_q(qs.model, [tag.pk for tag in value], every=every))


def _tag_match(queryset, name, value):
    return queryset  # read by TagFilter


def tag_filters() -> dict:
    """The filters of a FilterSet whose records carry tags: `tag` and `tag_match`."""
    return {
        "tag": TagFilter(field_name="tags"),
        "tag_match": filters.ChoiceFilter(
            choices=[("any", _("any of the tags")), (TAG_MATCH_ALL, _("all of the tags"))],
            method=_tag_match,
            label=_("records with"),
            empty_label=None,
        ),
    }


# What pg_trgm can look up under this server's C collation: ASCII letters and digits
# (in a term as folded: full-width ＧＨＡ is gha).
_TRIGRAM_TERM = re.compile(r"[A-Za-z0-9]{3}")


Q_MAX_LENGTH = 200


@extend_schema_field({"type": "string", "maxLength": Q_MAX_LENGTH})
class FreeTextFilter(filters.CharFilter):
    """`q`, its limit in the schema as the server enforces it."""


def _fresh_filter(declared):
    """A FilterSet's own copy of one of its class's filters: the filter's attributes
    shared (what it was declared with, never changed after), its `extra` (the form
    field's arguments, which a FilterSet fills in) its own, no form field built yet, and
    a `method` bound to the copy (so that it calls the method of the copy's FilterSet)."""
    fresh = copy.copy(declared)
    fresh.__dict__.pop("_field", None)
    fresh.extra = dict(declared.extra)
    if isinstance(fresh.__dict__.get("filter"), FilterMethod):
        fresh.filter = FilterMethod(fresh)
    return fresh


class RecordFilterSet(filters.FilterSet):
    """Base FilterSet: `q` over `search_fields`, `updated_since`, and for each field of
    `date_ranges` the pair `<field>_after` / `<field>_before` (inclusive)."""

    search_fields: tuple[str, ...] = ()
    date_ranges: tuple[str, ...] = ()

    q = FreeTextFilter(method="filter_q", label=_("free text"), max_length=Q_MAX_LENGTH)
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
            # Dates as staff write them (2019/8/29, 令和元年8月29日: core.dates), in
            # the analysts' forms and the API alike; labels in words, not ≥ and ≤.
            declared[f"{field_name}_after"] = JapaneseDateFilter(
                field_name=field_name,
                lookup_expr="gte",
                label=format_lazy(_("{field} (from)"), field=verbose),
            )
            declared[f"{field_name}_before"] = JapaneseDateFilter(
                field_name=field_name,
                lookup_expr="lte",
                label=format_lazy(_("{field} (until)"), field=verbose),
            )
        if cls._meta.model is not None and carries_tags(cls._meta.model):
            for name, tag_filter in tag_filters().items():
                declared.setdefault(name, tag_filter)
        for declared_filter in declared.values():
            if isinstance(declared_filter, filters.BooleanFilter):
                declared_filter.field_class = StrictNullBooleanField
            elif isinstance(declared_filter, TagFilter):
                continue
            elif isinstance(declared_filter, filters.ModelMultipleChoiceFilter):
                declared_filter.field_class = RecordChoiceField
        return declared

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__, but for its copy of the class's filters: a deep
        # copy of every filter for each request (some 5 ms of Python a list request,
        # whatever the parameters) where what a FilterSet changes in its filters is
        # their parent, model, `extra` and the form field they build (_fresh_filter).
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _fresh_filter(f) for name, f in self.base_filters.items()}
        for declared in self.filters.values():
            declared.model = queryset.model
            declared.parent = self
        # A filter that names records by id (`?mission=12`) chooses among those the
        # reader may see: one hidden from them (core.classification) is refused as an
        # id that names no record is, with the same message, rather than answering an
        # empty list that would tell it exists. (RecordChoiceField narrows its choices
        # when it is given ids, not for every list.)
        reader = getattr(self.request, "user", None)
        for declared in self.filters.values():
            if declared.field_class is RecordChoiceField:
                declared.extra["reader"] = reader

    def filter_queryset(self, queryset):
        # `?ordering=,` names no field, which django-filter would apply as order_by():
        # the list would come in no stable order, page after page. It is no ordering:
        # the list keeps its own.
        ordering = self.form.cleaned_data.get("ordering")
        if ordering is not None and not any(ordering):
            self.form.cleaned_data["ordering"] = None
        queryset = super().filter_queryset(queryset)
        # `?ordering=date`: records of one day come in the order of their ids, the same
        # on every page and in every export (without it, PostgreSQL may order them
        # differently from one query to the next, and a page repeat or skip a record).
        order = queryset.query.order_by
        if self.form.cleaned_data.get("ordering") and not {"id", "-id", "pk", "-pk"} & set(order):
            queryset = queryset.order_by(*order, "id")
        return queryset

    def filter_q(self, queryset, name, value):
        """Every term must occur, in any of `search_fields`.

        Each term is a UNION of the ids it matches, one branch per table it searches
        (the record's own columns, then each relation's): every branch can use that
        table's trigram indexes (PostgreSQL), where one WHERE joining all the tables
        with OR reads every row of every table, and the union repeats no record, so
        no DISTINCT over the whole result is needed.

        On PostgreSQL the ids are handed over as an array, `id = ANY(<array>)`, not as
        `id IN (union)`: with IN, the planner guesses how many records match from the
        trigram statistics and, the page being sorted and cut at 50 rows, often walks
        the index of the list's order testing every record against the union until it
        has 50 (63,000 projects read for the 1,041 named Mombasa, whose names all sort
        under M), or reads the whole table to join it with the union (the million
        meetings for 13,002 in Surabaya). The records the array names are fetched by
        primary key and sorted: the cost follows the number of matches. The ids are
        read once, here, and the array given as a value (up to IDS_READ_AT_MOST of
        them): the count of the page is then their number, and the union is not
        computed again for the count and for the page. Beyond that, the database
        computes the array in each query, `id = ANY(ARRAY(union))`.

        A term with three letters or digits in a row, which the trigram indexes can
        look up, gets one branch per column rather than per table: each branch then
        rechecks only its own column on the rows its index found, where one branch
        per table evaluates every column's condition on every row any of them found
        (13 ms instead of 30 to 50 ms for the meetings in Surabaya, whose topics and
        outcome are the long columns). A term the indexes cannot look up keeps one
        branch per table: each branch then reads its whole table, once.

        Text is compared folded (core.folding): the column and the term both in NFKC
        and lower case, so that ｶﾞｰﾅ finds ガーナ and ＧＨＡＮＡ or ghana find GHANA; on
        PostgreSQL the trigram indexes are built on the same folded expression."""
        if not self.search_fields:
            return queryset
        return search(queryset, self.search_fields, value.split())


# A search that matches at most this many records reads their ids once (RecordFilterSet.
# filter_q): some 800 kB of query for the array, against a second union per query.
IDS_READ_AT_MOST = 100_000


def search(queryset, search_fields, terms):
    """The records of `queryset` in which every term occurs, folded, in one of
    `search_fields`: the filter `q` (RecordFilterSet.filter_q) and the admin's search."""
    if connections[queryset.db].vendor != "postgresql":
        for term in terms:
            queryset = queryset.filter(pk__in=_ids_matching(queryset.model, search_fields, term))
        return queryset
    read = None  # the ids every term read so far matched (a union repeats none)
    for term in terms:
        by_column = _TRIGRAM_TERM.search(fold(term)) is not None
        ids = _ids_matching(queryset.model, search_fields, term, by_column)
        matched = list(ids[: IDS_READ_AT_MOST + 1])
        if len(matched) > IDS_READ_AT_MOST:
            queryset = queryset.filter(PkAmong(ArraySubquery(ids)))
        else:
            read = matched if read is None else list(set(read).intersection(matched))
    if read is not None:
        queryset = queryset.filter(PkAmong(read))
    return queryset


def _ids_matching(model, search_fields, term, by_column=False):
    branches: dict[str, Q] = {}
    for field in search_fields:
        key = field if by_column else field.rpartition("__")[0]
        branches[key] = branches.get(key, Q()) | Q(**{f"{field}__folded__contains": term})
    queries = [
        model._default_manager.order_by().filter(condition).values_list("pk", flat=True)
        for condition in branches.values()
    ]
    return queries[0].union(*queries[1:]) if len(queries) > 1 else queries[0]
