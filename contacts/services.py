"""The directory's writes with rules beyond one row: one organisation, one person.

- Likely duplicates: before a person or an organisation is created, the records whose
  name (English or Japanese) is the same or nearly the same once folded (NFKC, lower
  case: core.folding), by pg_trgm's similarity on PostgreSQL (served by the trigram
  indexes of the free-text search) and by the same measure in Python elsewhere.
- Merges: a record entered twice becomes one. Everything that refers to the merged
  record, found through the model's relations (so a reference added later is moved
  too), is moved to the kept one in one transaction; the merged record is deleted.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from contacts.models import Organization, Person
from core.folding import (
    SIMILARITY_THRESHOLD,
    Folded,
    TrigramSimilar,
    fold,
    similarity,
    trigrams,
)

# The names compared, and what two records must share to be the same one (an
# organisation's name is unique in its country; a person's nowhere).
NAME_FIELDS = ("name", "name_ja")
SAME_SCOPE = {Person: (), Organization: ("country",)}
# Offered at most, most similar first.
CANDIDATES_SHOWN = 10


# -- likely duplicates ------------------------------------------------------------------


def contact_similar(
    model, *, name: str, name_ja: str = "", exclude_pk=None, **scope
) -> list[models.Model]:
    """The records of `model` (Person or Organization) that are likely the record
    being entered: a name (English or Japanese) the same or nearly the same once
    folded, within `scope` (an organisation's country). Most similar first."""
    names = {
        field_name: value
        for field_name, value in zip(NAME_FIELDS, (name, name_ja), strict=True)
        if value and value.strip()
    }
    if not names:
        return []
    queryset = model._default_manager.filter(**scope)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    if connections[queryset.db].vendor == "postgresql":
        return _similar_in_postgresql(queryset, names)
    return _similar_in_python(queryset, names)


def _pg_similarity(field_name, value):
    return Func(
        Folded(F(field_name)),
        Value(fold(value)),
        function="SIMILARITY",
        output_field=models.FloatField(),
    )


def _similar_in_postgresql(queryset, names):
    # `%` finds the candidates through the trigram index of each folded name;
    # similarity() then holds them to the threshold whatever the server's setting.
    condition, scores = Q(), []
    for field_name, value in names.items():
        condition |= TrigramSimilar(Folded(F(field_name)), Value(fold(value)))
        scores.append(_pg_similarity(field_name, value))
    score = Greatest(*scores) if len(scores) > 1 else scores[0]
    return list(
        queryset.filter(condition)
        .alias(score=score)
        .filter(score__gte=SIMILARITY_THRESHOLD)
        .order_by("-score", "pk")[:CANDIDATES_SHOWN]
    )


def _similar_in_python(queryset, names):
    wanted = {field_name: trigrams(fold(value)) for field_name, value in names.items()}
    scored = []
    for pk, *values in queryset.values_list("pk", *names):
        score = max(
            similarity(wanted[field_name], trigrams(fold(value or "")))
            for field_name, value in zip(names, values, strict=True)
        )
        if score >= SIMILARITY_THRESHOLD:
            scored.append((-score, pk))
    chosen = [pk for _score, pk in sorted(scored)[:CANDIDATES_SHOWN]]
    records = queryset.in_bulk(chosen)
    return [records[pk] for pk in chosen]


@dataclass(frozen=True)
class LikelyDuplicate:
    first: models.Model
    second: models.Model
    score: float


def likely_duplicates(model) -> list[LikelyDuplicate]:
    """Every pair of records of `model` likely to be one record, for
    `manage.py find_duplicates`: the measure of contact_similar(), computed in Python
    over the whole table at once, most similar first.

    Pairs that cannot reach the threshold are never compared (prefix filtering): a
    pair at least that similar shares at least ⌊threshold × size⌋ of each name's
    trigrams, so it shares one of the rarest `size - ⌊threshold × size⌋ + 1` of each."""
    scope = SAME_SCOPE[model]
    rows = list(model._default_manager.order_by("pk").values_list("pk", *NAME_FIELDS, *scope))
    best: dict[tuple[int, int], float] = {}
    for position in range(1, len(NAME_FIELDS) + 1):
        sets = {index: trigrams(fold(row[position] or "")) for index, row in enumerate(rows)}
        sets = {index: grams for index, grams in sets.items() if grams}
        frequency = Counter(gram for grams in sets.values() for gram in grams)
        prefixes = defaultdict(list)  # (scope values, trigram) -> row indexes
        for index, grams in sets.items():
            rarest = sorted(grams, key=lambda gram: (frequency[gram], gram))
            length = len(rarest) - int(SIMILARITY_THRESHOLD * len(rarest)) + 1
            where = rows[index][len(NAME_FIELDS) + 1 :]
            for gram in rarest[:length]:
                prefixes[(where, gram)].append(index)
        candidates = {pair for indexes in prefixes.values() for pair in combinations(indexes, 2)}
        for first, second in candidates:
            score = similarity(sets[first], sets[second])
            if score >= SIMILARITY_THRESHOLD and score > best.get((first, second), 0):
                best[(first, second)] = score
    records = model._default_manager.in_bulk({rows[i][0] for pair in best for i in pair})
    return [
        LikelyDuplicate(records[rows[first][0]], records[rows[second][0]], score)
        for (first, second), score in sorted(best.items(), key=lambda item: (-item[1], item[0]))
    ]


# -- merges --------------------------------------------------------------------------------

# The history's reasons (values tools may match, as core.services.RESTORED_REASON).
MERGED_INTO_REASON = "Merged into #{keep_pk} ({keep})"
MERGED_FROM_REASON = "Merged #{merge_pk} ({merge}) into this record"
MOVED_REASON = "Moved from #{merge_pk} to #{keep_pk} by a merge"


@dataclass
class Reference:
    """The records of one relation that refer to the record being merged."""

    relation: models.ForeignObjectRel
    # Records that will refer to the kept record instead.
    moved: list = field(default_factory=list)
    # Records that already refer to the kept one the same way: for a foreign key, the
    # row is deleted (the kept record has the same row); for a many-to-many relation,
    # the record keeps its link to the kept record and loses the duplicate one.
    duplicates: list = field(default_factory=list)

    @property
    def label(self) -> str:
        model = self.relation.related_model
        return f"{model._meta.verbose_name_plural} ({self.relation.field.verbose_name})"

    @property
    def count(self) -> int:
        return len(self.moved) + len(self.duplicates)


@dataclass
class MergePlan:
    keep: models.Model
    merge: models.Model
    references: list[Reference]
    # Fields of the kept record that take the merged record's value: (field, value).
    filled: list[tuple[models.Field, object]]


def referring_relations(model) -> list[models.ForeignObjectRel]:
    """Every foreign key, one-to-one and many-to-many relation of any model that points
    at `model`, as the model's own _meta knows them: a reference added by any app later
    is found without changing this code. Relations without a reverse accessor
    (histories') are records of the past, left as they were; a many-to-many relation
    through a model of its own is moved as that model's foreign key."""
    relations = []
    for relation in model._meta.related_objects:
        if relation.hidden:
            continue
        if relation.many_to_many and not relation.through._meta.auto_created:
            continue
        relations.append(relation)
    return sorted(relations, key=lambda rel: (rel.related_model._meta.label, rel.field.name))


def _unique_sets(model, field_name) -> list[tuple[str, ...]]:
    """The sets of fields unique together that include `field_name`."""
    meta = model._meta
    sets = [tuple(c.fields) for c in meta.total_unique_constraints if field_name in c.fields]
    sets += [tuple(fields) for fields in meta.unique_together if field_name in fields]
    return sets


def _clashes(row, relation, keep) -> bool:
    """Whether `row`, once pointing at `keep`, would repeat a row unique together."""
    model = relation.related_model
    for fields in _unique_sets(model, relation.field.name):
        lookup = {}
        for name in fields:
            model_field = model._meta.get_field(name)
            lookup[model_field.attname] = (
                keep.pk if name == relation.field.name else getattr(row, model_field.attname)
            )
        if model._base_manager.filter(**lookup).exclude(pk=row.pk).exists():
            return True
    return False


def _m2m_names(relation):
    """(the through model's field naming the record that holds the relation, the one
    naming the contact)."""
    return relation.field.m2m_field_name(), relation.field.m2m_reverse_field_name()


def _references(relation, *, keep, merge, lock=False) -> Reference:
    """The records of `relation` that refer to `merge`, every one of them: read through
    the base manager, which hides none (a default manager may leave some out)."""
    reference = Reference(relation)
    records = relation.related_model._base_manager.all()
    if lock:
        records = records.select_for_update()
    if relation.many_to_many:
        links = relation.through._base_manager.all()
        source, target = _m2m_names(relation)
        source_ids = set(links.filter(**{target: merge}).values_list(f"{source}_id", flat=True))
        both = set(
            links.filter(**{target: keep, f"{source}_id__in": source_ids}).values_list(
                f"{source}_id", flat=True
            )
        )
        found = records.in_bulk(source_ids)
        for pk in sorted(source_ids):
            (reference.duplicates if pk in both else reference.moved).append(found[pk])
        return reference
    for row in records.filter(**{relation.field.name: merge}).order_by("pk"):
        (reference.duplicates if _clashes(row, relation, keep) else reference.moved).append(row)
    return reference


def _fillable_fields(model):
    return [
        model_field
        for model_field in model._meta.concrete_fields
        if model_field.editable and model_field.blank and not model_field.primary_key
    ]


def _check_mergeable(*, keep, merge):
    if type(keep) is not type(merge):
        raise ValidationError(_("Only two records of the same kind can be merged."))
    if keep.pk == merge.pk:
        raise ValidationError(_("Choose two different records to merge."))
    if isinstance(keep, Organization):
        if keep.kind != merge.kind or keep.country != merge.country:
            raise ValidationError(
                _(
                    "Only organisations of the same kind and country can be merged: "
                    "correct the kind or the country of the one that is wrong first."
                )
            )
        for inner, outer in ((keep, merge), (merge, keep)):
            ancestor, seen = inner.parent, set()
            while ancestor is not None and ancestor.pk not in seen:
                if ancestor.pk == outer.pk:
                    raise ValidationError(
                        _(
                            "“%(inner)s” is inside “%(outer)s”: an organisation cannot be "
                            "merged with one of its own departments."
                        )
                        % {"inner": inner, "outer": outer}
                    )
                seen.add(ancestor.pk)
                ancestor = ancestor.parent


def contact_merge_plan(*, keep, merge, lock=False) -> MergePlan:
    """What contact_merge() would do, to be shown before it is done. Refused
    (ValidationError) when the two cannot be merged. With `lock`, inside a
    transaction, the records it would change are locked until it ends."""
    _check_mergeable(keep=keep, merge=merge)
    references = [
        reference
        for relation in referring_relations(type(keep))
        if (reference := _references(relation, keep=keep, merge=merge, lock=lock)).count
    ]
    filled = []
    for model_field in _fillable_fields(type(keep)):
        kept, merged = getattr(keep, model_field.attname), getattr(merge, model_field.attname)
        if merged in model_field.empty_values or kept == merged:
            continue
        if kept in model_field.empty_values:
            filled.append((model_field, getattr(merge, model_field.name)))
        elif isinstance(model_field, models.TextField):
            filled.append((model_field, f"{kept}\n\n{merged}"))  # notes: both kept
    return MergePlan(keep=keep, merge=merge, references=references, filled=filled)


def contact_merge(*, keep, merge, user=None) -> models.Model:
    """Merge `merge` into `keep` (two people or two organisations), in one transaction:
    every record that refers to `merge` refers to `keep` instead (a link `keep` already
    has is not repeated), blank fields of `keep` take the values of `merge` (notes are
    joined), and `merge` is deleted. Each record changed is saved once, with a version
    saying why: webhooks send `updated` for each and `deleted` for the merged record."""
    model = type(keep)
    if type(merge) is not model:
        raise ValidationError(_("Only two records of the same kind can be merged."))
    with transaction.atomic():
        # Both rows locked and read again: what is merged is what is in the database.
        locked = model._base_manager.select_for_update().in_bulk([keep.pk, merge.pk])
        if keep.pk not in locked or merge.pk not in locked:
            raise ValidationError(_("One of the two records no longer exists."))
        keep, merge = locked[keep.pk], locked[merge.pk]
        # The records that refer to `merge` are locked too: each is saved whole, so
        # none may change between its reading and its saving.
        plan = contact_merge_plan(keep=keep, merge=merge, lock=True)
        reason = MOVED_REASON.format(merge_pk=merge.pk, keep_pk=keep.pk)
        # One instance per record, however many of its relations point at `merge` (a
        # project owned by and awarded to it): every change made on it, saved once.
        changed, deleted = {}, set()
        for reference in plan.references:
            relation = reference.relation
            if relation.many_to_many:
                _move_links(reference, keep=keep, merge=merge)
                for record in [*reference.moved, *reference.duplicates]:
                    changed.setdefault(_identity(record), record)
                continue
            for row in reference.duplicates:
                deleted.add(_identity(row))
                _save_version(row, reason, user, delete=True)
            for row in reference.moved:
                setattr(changed.setdefault(_identity(row), row), relation.field.name, keep)
        for identity, record in changed.items():
            if identity not in deleted:
                _save_version(record, reason, user)
        merge_pk, merge_name = merge.pk, merge.name
        _save_version(
            merge, MERGED_INTO_REASON.format(keep_pk=keep.pk, keep=keep.name), user, delete=True
        )
        for model_field, value in plan.filled:
            setattr(keep, model_field.name, value)
        keep.full_clean()
        _save_version(keep, MERGED_FROM_REASON.format(merge_pk=merge_pk, merge=merge_name), user)
    return keep


def _identity(record):
    return (record._meta.label, record.pk)


def _save_version(record, reason, user, *, delete=False):
    """Save (or delete) `record` with a history version that says why and who."""
    record._change_reason = reason
    if user is not None:
        record._history_user = user
    if delete:
        record.delete()
    else:
        record.save()


def _move_links(reference, *, keep, merge):
    """Rewrite the links of a many-to-many relation in its own table, a link `keep`
    already has removed rather than repeated; the records holding them are then saved
    once each (one version, with the links as they end up, and one webhook), rather
    than once per link removed and added."""
    source, target = _m2m_names(reference.relation)
    links = reference.relation.through._base_manager.filter(**{target: merge})
    duplicate_ids = [record.pk for record in reference.duplicates]
    links.filter(**{f"{source}_id__in": duplicate_ids}).delete()
    links.update(**{f"{target}_id": keep.pk})
