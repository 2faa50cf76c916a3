"""The read path of RecordSerializer, compiled once per serializer instance.

DRF's Serializer.to_representation asks every field of every row, through generic
machinery: Field.get_attribute walks `source_attrs` and inspects each value's
signature to know whether to call it, `get_<field>_display` rebuilds its choices
dictionary for each row, a brief related object climbs to the root serializer for
the request, a country is built as an object and named again for each row. On a
page of 1,000 records that machinery, not the database, was most of the time.

`plan(serializer)` turns the serializer's readable fields into a list of
(name, reader) pairs, each reader a small function of the instance that returns
exactly what DRF would have put in the output. Field types it does not know keep
DRF's own path, so the output is the same for every field (tests pin it).
"""

from __future__ import annotations

import datetime
from functools import cached_property, partialmethod

from django.core.exceptions import ObjectDoesNotExist
from django_countries import countries
from rest_framework import relations, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from core.classification import LinkedRecords
from core.prefetch import related
from core.regions import region_of

SKIP = object()


def _generic(field):
    """DRF's own path for one field (Serializer.to_representation's loop body)."""

    def read(instance):
        try:
            attribute = field.get_attribute(instance)
        except SkipField:
            return SKIP
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check_for_none is None else field.to_representation(attribute)

    return read


def _getter(attribute):
    def get(instance):
        try:
            return getattr(instance, attribute)
        except ObjectDoesNotExist:
            return None

    return get


def brief_reader(request):
    """{id, url, display} of a related record, built once per record and request: on a
    page of meetings the same people and organisations come back hundreds of times.
    None for a record the reader may not see (core.classification.LinkedRecords)."""
    from core.api.serializers import api_detail_url

    # {model: {pk: brief}}: no (model, pk) tuple per record for the collector to walk.
    briefs = request.__dict__.setdefault("_api_briefs", {}) if request is not None else {}
    linked = LinkedRecords.of(request)

    def brief(related):
        model, pk = type(related), related.pk
        of_model = briefs.get(model)
        if of_model is None:
            of_model = briefs[model] = {}
        try:
            return of_model[pk]
        except KeyError:
            of_model[pk] = result = (
                None
                if linked.hidden(related)
                else {
                    "id": pk,
                    "url": api_detail_url(request, model, pk),
                    "display": str(related),
                }
            )
            return result

    return brief


def _related_reader(field, request):
    """How one related record becomes its representation."""
    from core.api.serializers import BriefRelatedField

    if type(field) is BriefRelatedField:
        return brief_reader(request)
    return field.to_representation


def _country_code(instance, attribute):
    value = instance.__dict__.get(attribute, SKIP)
    if value is SKIP:  # deferred: let the descriptor load it
        value = getattr(instance, attribute)
    return getattr(value, "code", value) or ""


def _memoised(store: dict, compute):
    """compute(key), once per key, kept in `store` (a request's: labels and names are
    in its language)."""

    def value(key):
        try:
            return store[key]
        except KeyError:
            store[key] = result = compute(key)
            return result

    return value


def _country_name(code):
    return str(countries.name(code))


def _reader(field, model, request, cache):
    from core.api.serializers import (
        BriefManyRelatedField,
        ChoiceLabelField,
        ChoiceLabelsField,
        CountryCodeField,
        CountryNameField,
        CountryNamesField,
        CountryRegionField,
        CountryRegionLabelField,
        CountryRegionLabelsField,
        CountryRegionsField,
        SelfURLField,
        api_detail_url,
        region_label,
    )

    one_country = (CountryNameField, CountryRegionField, CountryRegionLabelField)
    several_countries = (CountryNamesField, CountryRegionsField, CountryRegionLabelsField)
    kind = type(field)
    if field.source == "*":
        if kind is SelfURLField:
            return lambda instance: api_detail_url(request, type(instance), instance.pk)
        return _generic(field)
    if len(field.source_attrs) != 1:
        return _generic(field)
    attribute = field.source_attrs[0]

    if kind is ChoiceLabelField:
        choices = dict(field.model_field.flatchoices)
        labels = {}  # in the language of this request, computed once per value
        name = field.model_field.attname

        def label(instance):
            value = getattr(instance, name)
            try:
                return labels[value]
            except KeyError:
                shown = choices.get(value, value)
                labels[value] = result = None if shown is None else str(shown)
                return result
            except TypeError:  # an unhashable value: DRF's path
                return _generic(field)(instance)

        return label

    class_attribute = getattr(model, attribute, None) if model is not None else None
    if class_attribute is not None and (
        callable(class_attribute)
        or isinstance(class_attribute, property | partialmethod | cached_property)
    ):
        return _generic(field)  # a method or a computed value: DRF's path calls it
    get = _getter(attribute)

    if kind is ChoiceLabelsField:
        choices = dict(field.code_field.flatchoices)
        # In the language of this request, computed once per code.
        label = _memoised({}, lambda code: str(choices.get(code, code)))

        def labels_of(instance):
            if instance.pk is None:
                return []
            return [label(row.pk) for row in related(instance, attribute)]

        return labels_of
    if kind is CountryCodeField:
        return lambda instance: _country_code(instance, attribute)
    if kind in one_country or kind in several_countries:
        name = _memoised(cache.setdefault("country_names", {}), _country_name)
        region_name = _memoised(cache.setdefault("region_labels", {}), region_label)
        if kind in several_countries:
            each = {
                CountryNamesField: name,
                CountryRegionsField: region_of,
                CountryRegionLabelsField: region_name,
            }[kind]
            return lambda instance: [
                each(getattr(country, "code", country)) for country in get(instance) or ()
            ]
        of_code, no_country = {
            CountryNameField: (name, ""),
            CountryRegionField: (region_of, None),
            CountryRegionLabelField: (region_name, None),
        }[kind]

        def country_value(instance):
            code = _country_code(instance, attribute)
            return of_code(code) if code else no_country

        return country_value
    if kind is serializers.CharField:

        def text(instance):
            value = get(instance)
            return value if value is None or type(value) is str else str(value)

        return text
    if kind is serializers.IntegerField:

        def integer(instance):
            value = get(instance)
            return None if value is None else int(value)

        return integer
    if (
        kind is serializers.DateField
        and (getattr(field, "format", api_settings.DATE_FORMAT) or "").lower() == "iso-8601"
    ):

        def day(instance):
            value = get(instance)
            if not value:
                return None
            if isinstance(value, str):
                return value
            assert not isinstance(value, datetime.datetime)
            return value.isoformat()

        return day
    if isinstance(field, relations.RelatedField) and not field.use_pk_only_optimization():
        represent = _related_reader(field, request)

        def one(instance):
            value = get(instance)
            return None if value is None else represent(value)

        return one
    if kind is relations.ManyRelatedField or kind is BriefManyRelatedField:
        represent = _related_reader(field.child_relation, request)

        def many(instance):
            if instance.pk is None:
                return []
            values = related(instance, attribute)
            if values is None:
                return None
            # A related record the reader may not see is left out (represent: None).
            return [shown for item in values if (shown := represent(item)) is not None]

        return many
    if isinstance(field, serializers.ListSerializer) and hasattr(model, attribute):
        # A nested list of related records (a project's participants).
        represent_list = field.to_representation

        def nested(instance):
            return [] if instance.pk is None else represent_list(related(instance, attribute))

        return nested
    if isinstance(field, serializers.BaseSerializer) or kind in (
        serializers.DateTimeField,
        serializers.BooleanField,
        serializers.ReadOnlyField,
        serializers.ListField,
        serializers.DecimalField,
        serializers.URLField,
        serializers.EmailField,
        serializers.ChoiceField,
        serializers.SlugField,
    ):
        # The attribute directly; the field's own to_representation.
        represent = field.to_representation

        def value_of(instance):
            value = get(instance)
            return None if value is None else represent(value)

        return value_of
    return _generic(field)


def plan(serializer) -> list[tuple[str, object]]:
    """(output name, reader) for each readable field of the serializer."""
    request = serializer.context.get("request")
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    cache: dict = {}
    return [
        (field.field_name, _reader(field, model, request, cache))
        for field in serializer._readable_fields
    ]


def represent(serializer, instance) -> dict:
    readers = serializer.__dict__.get("_representation_plan")
    if readers is None:
        readers = serializer.__dict__["_representation_plan"] = plan(serializer)
    result = {}
    for name, read in readers:
        value = read(instance)
        if value is not SKIP:
            result[name] = value
    return result
