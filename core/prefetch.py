"""Many-relations of a page of records, read as plain rows.

Django's prefetch_related is right for one record and slow for a page of 1,000: for
every record and every relation it builds a related manager and a filtered queryset
clone to hold the rows (5,000 clones for a page of meetings), and a model instance
for every related row, even when the same person sits in a hundred meetings.

`prefetch_page(records, lookups)` reads the same relations, declared the same way
(the `Prefetch` objects of a viewset's queryset: their `only()`, `select_related()`,
ordering and nested prefetches), with one `values_list()` query per relation, builds
one instance per related record, and keeps each record's list where `related()`
finds it. Code that reads a relation of a listed record calls `related()`, which
falls back to the manager for a record read any other way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch, signals
from django.db.models.base import ModelState
from django.db.models.constants import LOOKUP_SEP
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

PAGE_RELATED = "_page_related"


def page_rows(instance, name: str) -> list | None:
    """The rows prefetch_page read for `instance`'s relation `name`, or None."""
    page = getattr(instance, "__dict__", {}).get(PAGE_RELATED)
    return None if page is None else page.get(name)


def related(instance, name: str) -> Sequence:
    """The records of `instance`'s many-relation `name`: the page's rows when
    prefetch_page read them, otherwise the manager's (prefetched or queried)."""
    rows = page_rows(instance, name)
    if rows is not None:
        return rows
    value = getattr(instance, name)
    return value.all() if hasattr(value, "all") else value


def _as_prefetch(model, lookup) -> Prefetch | None:
    """The lookup as a Prefetch with a queryset, or None when prefetch_page cannot
    read it (a path through several relations, a generic relation)."""
    name = lookup.prefetch_through if isinstance(lookup, Prefetch) else lookup
    if LOOKUP_SEP in name or getattr(lookup, "to_attr", None):
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a name only Django's prefetch resolves (a property, ...)
        return None
    if not (field.many_to_many or field.one_to_many) or field.related_model is None:
        return None
    if isinstance(lookup, Prefetch) and lookup.queryset is not None:
        queryset = lookup.queryset
        # A relation narrowed to what the reader may see (core.classification) is read
        # the same way: the condition goes into the relation's query.
        filtered = queryset.query.where and not getattr(queryset, "_only_visibility", False)
        if filtered or queryset.query.annotations or queryset.query.is_sliced:
            return None  # a filtered relation: Django's prefetch says what it means
        return lookup
    return Prefetch(name, queryset=field.related_model._default_manager.all())


def take_over(queryset) -> tuple:
    """(the queryset left with the lookups only Django's prefetch can read, the lookups
    prefetch_page reads for each page or chunk of it)."""
    ours, django = split_lookups(queryset.model, queryset._prefetch_related_lookups)
    return queryset.prefetch_related(None).prefetch_related(*django), ours


def split_lookups(model, lookups: Iterable) -> tuple[list[Prefetch], list]:
    """(what prefetch_page reads, what is left to Django's prefetch_related)."""
    ours, django = [], []
    for lookup in lookups:
        prefetch = _as_prefetch(model, lookup)
        (ours if prefetch is not None else django).append(prefetch or lookup)
    return ours, django


_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _builder(model, attnames: list[str]):
    """`build(using, values)`: what Model.from_db(using, attnames, values) returns, made
    five times faster for the thousands of related records of a page: the values go
    straight into the instance's __dict__, as Model.__init__ would put them, when
    nothing else would happen there (no __init__ or from_db of the model's own, no
    pre_init or post_init receiver, no descriptor that converts a value on the way)."""
    plain = (
        model.__init__ is models.Model.__init__
        and model.from_db.__func__ is models.Model.from_db.__func__
        and not signals.pre_init.has_listeners(model)
        and not signals.post_init.has_listeners(model)
        and all(type(model.__dict__.get(name)) in _PLAIN_ATTRIBUTES for name in attnames)
    )
    if not plain:
        return lambda using, values: model.from_db(using, attnames, values)

    def build(using, values):
        instance = model.__new__(model)
        instance.__dict__.update(zip(attnames, values, strict=True))
        state = instance._state = ModelState()
        state.adding, state.db = False, using
        return instance

    return build


def _in_field_order(model, attnames: set[str]) -> list[str]:
    # Model.from_db takes the values in the order of the model's fields.
    return [f.attname for f in model._meta.concrete_fields if f.attname in attnames]


class _Columns:
    """What one relation's query reads: the related record's own columns, and those of
    the records it points to through select_related()."""

    def __init__(self, queryset):
        model = queryset.model
        names, defer = queryset.query.deferred_loading
        concrete = {field.name: field for field in model._meta.concrete_fields}
        concrete |= {field.attname: field for field in model._meta.concrete_fields}
        wanted = (
            {field.name for field in model._meta.concrete_fields} if defer or not names else set()
        )
        joined: dict[str, set[str]] = defaultdict(set)
        for name in names if not defer else ():
            head, _, rest = name.partition(LOOKUP_SEP)
            if rest:
                joined[head].add(rest)
            else:
                wanted.add(head)
        if defer:
            wanted -= {name for name in names if LOOKUP_SEP not in name}
        selected = queryset.query.select_related
        if selected is True:
            selected = {f.name: {} for f in concrete.values() if f.is_relation}
        for head in selected or {}:
            if head not in joined and not names:  # select_related alone: every column
                joined[head] = {f.name for f in concrete[head].related_model._meta.concrete_fields}
        pk = model._meta.pk
        self.model = model
        own = {concrete[name].attname for name in wanted} | {pk.attname}
        own |= {concrete[head].attname for head in joined}  # the foreign keys followed
        self.own = _in_field_order(model, own)
        self.own_key = tuple(self.own)
        self.pk_index = self.own.index(pk.attname)
        self.build = _builder(model, self.own)
        self.joined = []  # (field, related model, attnames, index of its pk, builder)
        for head, columns in sorted(joined.items()):
            field = concrete[head]
            target = field.related_model
            target_pk = target._meta.pk.attname
            attnames = _in_field_order(
                target, {target._meta.get_field(name).attname for name in columns} | {target_pk}
            )
            pk_index = attnames.index(target_pk)
            self.joined.append((field, target, attnames, pk_index, _builder(target, attnames)))

    def paths(self) -> list[str]:
        return self.own + [
            f"{field.name}{LOOKUP_SEP}{attname}"
            for field, _, attnames, _, _ in self.joined
            for attname in attnames
        ]


def _read(records: list, prefetch: Prefetch, using: str, instances: dict):
    source = type(records[0])
    field = source._meta.get_field(prefetch.prefetch_through)
    if field.many_to_many and not field.auto_created:  # declared on the source
        key = field.related_query_name()
    else:  # the reverse side of a foreign key or of a many-to-many field
        key = field.field.name
    queryset = prefetch.queryset
    columns = _Columns(queryset)
    rows = queryset.using(using).filter(**{f"{key}__in": [r.pk for r in records]})
    by_source = defaultdict(list)
    own_count, own_key = len(columns.own), columns.own_key
    for row in rows.values_list(key, *columns.paths()):
        pk = row[1 + columns.pk_index]
        instance = instances.get((columns.model, own_key, pk))
        if instance is None:
            instance = columns.build(using, row[1 : 1 + own_count])
            offset = 1 + own_count
            for fk, target, attnames, pk_index, build in columns.joined:
                values = row[offset : offset + len(attnames)]
                offset += len(attnames)
                pointed = None
                if values[pk_index] is not None:
                    pointed_key = (target, tuple(attnames), values[pk_index])
                    pointed = instances.get(pointed_key)
                    if pointed is None:
                        pointed = instances[pointed_key] = build(using, values)
                fk.set_cached_value(instance, pointed)
            instances[columns.model, own_key, pk] = instance
        by_source[row[0]].append(instance)
    name = prefetch.prefetch_to
    reverse_of = None if field.many_to_many else field.field  # the related rows' foreign key
    for record in records:
        rows_of_record = by_source.get(record.pk, [])
        record.__dict__.setdefault(PAGE_RELATED, {})[name] = rows_of_record
        if reverse_of is not None:  # as Django's prefetch does: entry.project is the record
            for row in rows_of_record:
                reverse_of.set_cached_value(row, record)
    return list({id(i): i for rows in by_source.values() for i in rows}.values())


def prefetch_page(records: list, lookups: Iterable[Prefetch]):
    """Read the many-relations `lookups` (from split_lookups) of a page of records."""
    if not records:
        return
    using = records[0]._state.db or "default"
    # (model, columns read, pk) -> the one instance of that record on this page
    instances: dict = {}
    for prefetch in lookups:
        fetched = _read(records, prefetch, using, instances)
        nested = getattr(prefetch.queryset, "_prefetch_related_lookups", ())
        if nested and fetched:
            ours, django = split_lookups(type(fetched[0]), nested)
            if django:
                models.prefetch_related_objects(fetched, *django)
            prefetch_page(fetched, ours)


def release_page(records: list):
    """Let go of what prefetch_page read, once the records are printed. A related row
    points back at its record (entry.project) as the record lists it, a cycle that
    refcounting cannot free: left alone, the rows of twenty pages of 1,000 wait for
    one full garbage collection, 900 ms of whichever request it falls in."""
    for record in records:
        page = record.__dict__.pop(PAGE_RELATED, None)
        for rows in (page or {}).values():
            release_page(rows)
