"""Tags (core.Tag) on records: the records that carry them, tags found or created by
name (the API, spreadsheets), and the administrators' rename and merge.

A tag is a plain many-to-many field, `tags`, on each model that carries one (missions,
meetings, agreements, projects, organisations), rather than django-taggit's generic
relation: its links are rows of an ordinary table with a foreign key on each side, so
that django-simple-history records them in each record's history as it records its
sectors (m2m_fields), the admin's own autocomplete chooses them, a filter is one EXISTS
on an indexed table, and names compare as every name of the project does (NFKC and case,
core.folding), which taggit's slug does not know for Japanese.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core import folding
from core.models import Tag

# The history's reasons (values tools may match, not labels), as contacts' merge writes.
TAG_MERGED_REASON = "Tag merged: {merged} into {keep}"
TAG_MERGED_INTO_REASON = "Merged into tag #{keep_pk} {keep}"


def tagged_models() -> list:
    """The models whose records carry tags (a `tags` field to Tag)."""
    return [
        relation.related_model
        for relation in Tag._meta.related_objects
        if relation.many_to_many and relation.field.name == "tags"
    ]


def carries_tags(model) -> bool:
    try:
        field = model._meta.get_field("tags")
    except FieldDoesNotExist:
        return False
    return field.many_to_many and field.related_model is Tag


def link_names(model) -> tuple[str, str]:
    """(the column of the links' table naming the record, the one naming the tag)."""
    field = model._meta.get_field("tags")
    return field.m2m_field_name(), field.m2m_reverse_field_name()


def tagged_q(model, tag_ids: Iterable[int], *, every: bool = False):
    """The condition on `model`'s records that carry one of the tags (or every one of
    them): an EXISTS on the links' table per condition, so that no record is repeated
    and no DISTINCT is needed."""
    through = model._meta.get_field("tags").remote_field.through
    source, target = link_names(model)
    links = through._default_manager.filter(**{source: OuterRef("pk")})
    tag_ids = list(tag_ids)
    if not every:
        return Exists(links.filter(**{f"{target}__in": tag_ids}))
    condition = None
    for tag_id in tag_ids:
        one = Exists(links.filter(**{target: tag_id}))
        condition = one if condition is None else condition & one
    return condition


def split_names(text: str) -> list[str]:
    """The tags of a spreadsheet's cell: "港湾, Ghana ports" (a full-width comma, or one
    tag a line, too)."""
    parts = re.split("[,\uff0c\r\n]", text)
    return [name for part in parts if (name := " ".join(part.split()))]


def tags_named(names: Iterable[str]) -> list[Tag]:
    """The tags of these names, as names compare, in the order given; a name no tag has
    yet becomes a new tag (tags are free). Names are validated by the caller."""
    wanted: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())
        key = folding.name_key(name)
        if key and key not in wanted:
            wanted[key] = name
    if not wanted:
        return []
    found = {tag.name_key: tag for tag in Tag.objects.filter(name_key__in=wanted)}
    for key, name in wanted.items():
        if key in found:
            continue
        tag = Tag(name=name)
        try:
            with transaction.atomic():
                tag.save()
        except IntegrityError:
            # Created meanwhile by another request: the same tag.
            tag = Tag.objects.get(name_key=key)
        found[key] = tag
    return [found[key] for key in wanted]


def tag_rename(*, tag: Tag, name: str) -> Tag:
    """Rename a tag (an administrator's action): the records that carry it read the new
    name, and count as changed for those who keep a copy (their `updated_at`, hence
    their ETag, moves; their history keeps pointing at the tag)."""
    tag.name = name
    tag.full_clean()
    with transaction.atomic():
        tag.save()
        _touch_records(tag)
    return tag


def _touch_records(tag: Tag):
    now = timezone.now()
    for model in tagged_models():
        model._base_manager.filter(tagged_q(model, [tag.pk])).update(updated_at=now)


def tag_merge(*, tags: Iterable[Tag], keep: Tag, user=None) -> Tag:
    """Merge `tags` into `keep`, in one transaction: every record that carries one of
    them carries `keep` instead (once), and is saved once with a history version saying
    so; the merged tags are deleted, each with a version naming the tag kept."""
    merged = [tag for tag in tags if tag.pk != keep.pk]
    if not merged:
        return keep
    with transaction.atomic():
        # The tags read again, locked: what is merged is what is in the database.
        locked = Tag.objects.select_for_update().in_bulk([keep.pk, *(t.pk for t in merged)])
        keep = locked[keep.pk]
        merged = [locked[tag.pk] for tag in merged if tag.pk in locked]
        merged_ids = [tag.pk for tag in merged]
        reason = TAG_MERGED_REASON.format(
            merged=", ".join(tag.name for tag in merged), keep=keep.name
        )
        for model in tagged_models():
            through = model._meta.get_field("tags").remote_field.through
            source, target = link_names(model)
            links = through._default_manager.filter(**{f"{target}__in": merged_ids})
            record_ids = set(links.values_list(f"{source}_id", flat=True))
            if not record_ids:
                continue
            having_keep = set(
                through._default_manager.filter(
                    **{target: keep.pk, f"{source}_id__in": record_ids}
                ).values_list(f"{source}_id", flat=True)
            )
            # Rewritten in the links' table, then each record saved once: one version
            # (with its tags as they end up) and one webhook, not one per link.
            links.delete()
            through._default_manager.bulk_create(
                through(**{f"{source}_id": pk, f"{target}_id": keep.pk})
                for pk in sorted(record_ids - having_keep)
            )
            for record in model._base_manager.filter(pk__in=record_ids).order_by("pk"):
                record._change_reason = reason
                if user is not None:
                    record._history_user = user
                record.save()
        for tag in merged:
            tag._change_reason = TAG_MERGED_INTO_REASON.format(keep_pk=keep.pk, keep=keep.name)
            if user is not None:
                tag._history_user = user
            tag.delete()
    return keep
