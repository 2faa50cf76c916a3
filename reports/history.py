"""A record's history as its analysts' page shows it: who changed what, when, before →
after, as the admin's history does, in a fixed number of queries.

django-simple-history's own diff (HistoricalChanges.diff_against) reads each version's
many-to-many rows with two queries per field and per version; here the versions are read
in one query, each many-to-many field's rows for all of them in one more, and the records
the changes name in one query per kind of record. Those the reader may not see
(core.classification) are named by no title, only as hidden."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import ForeignKey, OneToOneField
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField
from simple_history.utils import get_m2m_reverse_field_name

from core.classification import Classification, sees_everything

# The versions a page shows, newest first; the admin's history has them all.
HISTORY_LIMIT = 50
HIDDEN = _("(a record you may not see)")
EMPTY = "—"
KINDS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Version:
    date: object
    user: str
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class History:
    versions: list[Version]
    more: bool  # older versions left out (HISTORY_LIMIT)


def _tracked(history_model):
    return [
        f for f in history_model.tracked_fields if f.editable and not f.primary_key and f.concrete
    ]


def record_history(record, user, limit: int = HISTORY_LIMIT) -> History:
    model = type(record)
    history_model = model.history.model
    pk_name = model._meta.pk.attname
    rows = list(
        model.history.filter(**{pk_name: record.pk})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    more = len(rows) > limit
    rows.reverse()  # oldest first; the one before the first shown only to diff against
    ids = [row.history_id for row in rows]

    # Each many-to-many field: the ids it held at each version, one query a field.
    m2m_fields = list(getattr(history_model, "_history_m2m_fields", ()))
    held = {}
    for m2m in m2m_fields:
        rows_model = history_model.__dict__[m2m.name].model
        target = get_m2m_reverse_field_name(m2m)
        attname = rows_model._meta.get_field(target).attname
        by_version = defaultdict(list)
        for history_id, target_id in (
            rows_model._default_manager.filter(history_id__in=ids)
            .order_by(attname)
            .values_list("history_id", attname)
        ):
            by_version[history_id].append(target_id)
        held[m2m.name] = by_version

    tracked = _tracked(history_model)
    raw = []  # (row, [(field, old, new)])
    for index, row in enumerate(rows):
        if more and index == 0:
            continue
        previous = rows[index - 1] if index else None
        changes = []
        if previous is not None:
            for model_field in tracked:
                old = getattr(previous, model_field.attname)
                new = getattr(row, model_field.attname)
                if old != new:
                    changes.append((model.__dict__.get(model_field.name), model_field, old, new))
            for m2m in m2m_fields:
                old = held[m2m.name].get(previous.history_id, [])
                new = held[m2m.name].get(row.history_id, [])
                if old != new:
                    changes.append((None, m2m, old, new))
        raw.append((row, changes))

    names = _names_of_related(raw, user)
    versions = []
    for row, changes in reversed(raw):
        history_user = row.history_user
        versions.append(
            Version(
                date=row.history_date,
                user=(history_user.get_full_name() or history_user.get_username())
                if history_user
                else gettext("the system"),
                kind=str(KINDS.get(row.history_type, row.history_type)),
                reason=row.history_change_reason or "",
                changes=[
                    Change(
                        label=str(model_field.verbose_name),
                        old=_shown(model_field, old, names),
                        new=_shown(model_field, new, names),
                    )
                    for _descriptor, model_field, old, new in sorted(
                        changes, key=lambda change: str(change[1].verbose_name)
                    )
                ],
            )
        )
    return History(versions=versions, more=more)


def _related_model(model_field):
    if model_field.many_to_many or isinstance(model_field, ForeignKey | OneToOneField):
        return model_field.related_model
    return None


def _names_of_related(raw, user) -> dict:
    """{model: {pk: name, or None when hidden}} for every record the changes name: one
    query per kind of record, two more for those deleted since."""
    wanted = defaultdict(set)
    for _row, changes in raw:
        for _descriptor, model_field, old, new in changes:
            target = _related_model(model_field)
            if target is None:
                continue
            for value in (old, new):
                for pk in value if isinstance(value, list) else [value]:
                    if pk is not None:
                        wanted[target].add(pk)
    names = {}
    for target, pks in wanted.items():
        manager = target._default_manager
        readable = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
        found = {record.pk: str(record) for record in readable.filter(pk__in=pks)}
        missing = pks - set(found)
        if missing:
            existing = set(manager.filter(pk__in=missing).values_list("pk", flat=True))
            found.update(dict.fromkeys(existing))  # alive, but not for this reader
            found.update(_deleted_names(target, missing - existing, user))
        names[target] = found
    return names


def _deleted_names(target, pks, user) -> dict:
    """The name a deleted record's own history last gave it, unless it was deleted at
    level 3 (its trail is then for superusers: core.classification.history_row_hidden)."""
    if not pks:
        return {}
    history = getattr(target, "history", None)
    if history is None:
        return {pk: f"#{pk}" for pk in pks}
    pk_name = target._meta.pk.attname
    latest = {}
    for row in history.filter(**{f"{pk_name}__in": pks}).order_by("history_date", "history_id"):
        latest[getattr(row, pk_name)] = row
    names = {}
    for pk in pks:
        row = latest.get(pk)
        if row is None:
            names[pk] = f"#{pk}"
            continue
        level = getattr(row, "classification", None)
        if level is not None and level >= Classification.NEED_TO_KNOW and not sees_everything(user):
            names[pk] = None
        else:
            names[pk] = gettext("%(name)s (deleted)") % {"name": row.instance}
    return names


def _shown(model_field, value, names) -> str:
    """A value as a person reads it, in the page's language."""
    target = _related_model(model_field)
    if target is not None:
        pks = value if isinstance(value, list) else [value]
        shown = [names[target].get(pk, f"#{pk}") for pk in pks if pk is not None]
        return ", ".join(str(HIDDEN) if name is None else name for name in shown) or EMPTY
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(model_field, CountryField):
        countries = value if isinstance(value, list | tuple) else [value]
        return ", ".join(
            str(country.name if isinstance(country, Country) else Country(code=country).name)
            for country in countries
        )
    if model_field.choices:
        labels = dict(model_field.flatchoices)
        return str(labels.get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if hasattr(value, "tzinfo"):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if hasattr(value, "isoformat"):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
