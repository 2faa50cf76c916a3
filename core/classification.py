"""The government's information classification (機密性) and who may read a record.

One place decides: `Model.objects.visible_to(user)` (ClassifiedQuerySet) is the
queryset every path that shows a record starts from: the admin, the API, the
analysts' pages, the statistics, exports (in the request and in the background),
webhooks and downloads. The rule is one SQL condition folded into the query that
reads the records, so that a list costs no query more for it, whatever its size:

- level 1 (may be published) and 2 (inside the government, the default): visible to
  every role that may view that kind of record;
- level 3 (need-to-know, 関係者限り): visible only to the users on the record's access
  list, the members of its groups, and superusers.

A record attached to another (a meeting to its mission, a follow-up to its record, a
document to its agreement) is at least as restricted as what it hangs on (refused on
save otherwise, and carried along when the record it hangs on is raised), and is
visible only to those who may read that record too. A level-3 attached record without
an access list of its own is read by those who may read what it hangs on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.expressions import Expression
from django.utils.translation import gettext_lazy as _


class Classification(models.IntegerChoices):
    PUBLIC = 1, _("Classification 1")
    INTERNAL = 2, _("Classification 2")
    NEED_TO_KNOW = 3, _("Classification 3")


# What a printed government document carries at its head, by level.
MARKED_LEVELS = (Classification.INTERNAL, Classification.NEED_TO_KNOW)


def sees_everything(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def _through_key(model) -> str:
    """The column of an access list's table that points at the record."""
    return model._meta.model_name


# -- the rule, as SQL ---------------------------------------------------------------
#
# The condition is written once per model (and kind of database) as SQL text, with the
# reader's id as a parameter, and handed to every query as one expression (VisibleTo):
# Django then neither builds nor compiles its nested subqueries for each query that
# carries it (some 5 ms to build and 9 ms to compile a meeting's, for the count and
# again for the page: docs/performance.md). The text refers to the row being read by a
# token that VisibleTo.as_sql replaces with the alias the query gives its table; its
# own tables have aliases of their own (`cls_…`, numbered by depth), so that each
# reference finds the table it means at any depth of nesting. No part of it is ever
# NULL, so that its negation (the rows hidden from a reader) is exact too.

_ROW = "\x00row\x00"  # the row's table in a template: replaced by its alias
_READER = object()  # the reader's id among a template's parameters


class ParentLink:
    """What a record hangs on, for its classification: `model`'s record whose id is in
    the column of `field` (and, for a record attached by content type, only when its
    `type_field` names `model`). A parent without a classification (the directory) hides
    nothing, and is never at level 3."""

    def __init__(self, model, field: str, type_field: str | None = None):
        self.model = model
        self.field = field
        self.type_field = type_field


def _column(model, name: str) -> str:
    return model._meta.get_field(name).column


def _sql_access_list(model, row: str, depth: int, qn) -> tuple[str, list]:
    """The reader, or one of their groups, is on the access list of `row`."""
    from django.contrib.auth import get_user_model

    key = _through_key(model)
    users = model.access_users.through
    groups = model.access_groups.through
    members = get_user_model().groups.through
    u, g, m = f"cls_u{depth}", f"cls_g{depth}", f"cls_m{depth}"
    pk = qn(model._meta.pk.column)
    # Not correlated with the row: the records listed for the reader are read once per
    # query (a hashed set: they are few) and each row looked up in it, where a
    # correlated EXISTS ran two subqueries for every level-3 row (some 1.6 µs each).
    sql = (
        f"({row}.{pk} IN (SELECT {u}.{qn(_column(users, key))} "
        f"FROM {qn(users._meta.db_table)} {u} "
        f"WHERE {u}.{qn(_column(users, 'user'))} = %s) "
        f"OR {row}.{pk} IN (SELECT {g}.{qn(_column(groups, key))} "
        f"FROM {qn(groups._meta.db_table)} {g} "
        f"INNER JOIN {qn(members._meta.db_table)} {m} "
        f"ON {m}.{qn(_column(members, 'group'))} = {g}.{qn(_column(groups, 'group'))} "
        f"WHERE {m}.{qn(_column(members, 'user'))} = %s))"
    )
    return sql, [_READER, _READER]


def _sql_no_access_list(model, row: str, depth: int, qn) -> str:
    key = _through_key(model)
    pk = qn(model._meta.pk.column)
    parts = []
    for name, letter in (("access_users", "u"), ("access_groups", "g")):
        through = getattr(model, name).through
        alias = f"cls_{letter}{depth}"
        # The records with a list are read once per query too (a list is kept at level
        # 3 only, so they are fewer than the level-3 rows); the column is NOT NULL, so
        # NOT IN is never NULL.
        parts.append(
            f"{row}.{pk} NOT IN (SELECT {alias}.{qn(_column(through, key))} "
            f"FROM {qn(through._meta.db_table)} {alias})"
        )
    return "(" + " AND ".join(parts) + ")"


def _sql_parent(model, link: ParentLink, row: str, depth: int, qn, restricted: bool):
    """The record that `row` (of `model`) hangs on through `link` is visible to the
    reader (and, with `restricted`, is at level 3); None: never."""
    sql, params = [], []
    if link.type_field is not None:
        from django.contrib.contenttypes.models import ContentType

        ct = f"cls_t{depth}"
        sql.append(
            f"EXISTS(SELECT 1 FROM {qn(ContentType._meta.db_table)} {ct} "
            f"WHERE {ct}.{qn('id')} = {row}.{qn(_column(model, link.type_field))} "
            f"AND {ct}.{qn('app_label')} = %s AND {ct}.{qn('model')} = %s)"
        )
        params += [link.model._meta.app_label, link.model._meta.model_name]
    if not issubclass(link.model, ClassifiedModel):
        if restricted:
            return None
        return "(" + (" AND ".join(sql) or "1 = 1") + ")", params
    parent = f"cls_p{depth}"
    readable, readable_params = _sql_readable(link.model, parent, depth + 1, qn)
    level = (
        f" AND {parent}.{qn('classification')} = {int(Classification.NEED_TO_KNOW)}"
        if restricted
        else ""
    )
    sql.append(
        f"EXISTS(SELECT 1 FROM {qn(link.model._meta.db_table)} {parent} "
        f"WHERE {parent}.{qn(link.model._meta.pk.column)} = {row}.{qn(_column(model, link.field))}"
        f"{level} AND {readable})"
    )
    return "(" + " AND ".join(sql) + ")", params + readable_params


def _sql_parents(model, row: str, depth: int, qn, restricted: bool) -> tuple[str, list]:
    """What `row` hangs on is visible (and at level 3, with `restricted`)."""
    sql, params = [], []
    for link in model.classification_parents():
        found = _sql_parent(model, link, row, depth, qn, restricted)
        if found is not None:
            sql.append(found[0])
            params += found[1]
    return ("(" + " OR ".join(sql) + ")" if sql else "(1 = 0)"), params


def _sql_readable(model, row: str, depth: int, qn) -> tuple[str, list]:
    """`row`, of `model`, may be read by the reader (not a superuser): the module's rule.

    An attached record is at least as restricted as its parent: below level 3 its parent
    is below level 3 too, so the parent is only looked at for level-3 rows. Without a
    list of its own, it takes that of a level-3 parent (raised with it); under a parent
    below level 3 no list means no one but superusers."""
    open_levels = f"{row}.{qn('classification')} < {int(Classification.NEED_TO_KNOW)}"
    listed, params = _sql_access_list(model, row, depth, qn)
    if not model.classification_parents():
        return f"({open_levels} OR {listed})", params
    parents, parents_params = _sql_parents(model, row, depth, qn, restricted=False)
    restricted, restricted_params = _sql_parents(model, row, depth, qn, restricted=True)
    unlisted = _sql_no_access_list(model, row, depth, qn)
    return (
        f"({open_levels} OR ({listed} AND {parents}) OR ({unlisted} AND {restricted}))",
        params + parents_params + restricted_params,
    )


def _sql_parent_visible(model, row: str, qn) -> tuple[str, list]:
    """The record that `row` (of `model`, an AttachedQuerySet's: its classified_via)
    belongs to may be read."""
    field = model._meta.get_field(model.classified_via)
    return _sql_parent(model, ParentLink(field.related_model, field.name), row, 1, qn, False)


# The templates written, by (what, model, kind of database): SQL on the reader's id.
_TEMPLATES: dict = {}


def _template(what: str, model, connection) -> tuple[str, tuple]:
    key = (what, model, connection.vendor)
    found = _TEMPLATES.get(key)
    if found is None:
        qn = connection.ops.quote_name
        if what == "readable":
            sql, params = _sql_readable(model, _ROW, 1, qn)
        else:
            sql, params = _sql_parent_visible(model, _ROW, qn)
        found = _TEMPLATES[key] = (sql, tuple(params))
    return found


class VisibleTo(Expression):
    """The condition that the row may be read by the reader whose id is `reader`: the
    rule (`readable`, for a ClassifiedModel) or that of the record it belongs to
    (`attached`, for an AttachedQuerySet's). For filter() and exclude(), alone or in a
    Q, at any depth of subqueries."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, what: str, model, reader: int, row=None):
        super().__init__(output_field=models.BooleanField())
        self.what, self.model, self.reader, self.row = what, model, reader, row

    def __repr__(self):
        return f"{self.__class__.__name__}({self.what}, {self.model.__name__}, {self.reader})"

    @property
    def identity(self):
        return (self.__class__, self.what, self.model, self.reader, self.row)

    def __eq__(self, other):
        return isinstance(other, VisibleTo) and self.identity == other.identity

    def __hash__(self):
        return hash((self.what, self.model, self.reader))

    def get_source_expressions(self):
        return [] if self.row is None else [self.row]

    def set_source_expressions(self, exprs):
        self.row = exprs[0] if exprs else None

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        clone = self.copy()
        # The queryset's own table, as the query names it (relabelled with it when the
        # query becomes a subquery).
        clone.row = query.resolve_ref("pk")
        return clone

    def get_group_by_cols(self):
        return [self]

    def as_sql(self, compiler, connection):
        sql, params = _template(self.what, self.model, connection)
        alias = compiler.quote_name_unless_alias(self.row.alias)
        reader = self.reader
        return (
            sql.replace(_ROW, alias),
            tuple(reader if param is _READER else param for param in params),
        )


def readable_q(model, user) -> Q:
    """The condition on `model`'s rows that `user` may read (not for superusers)."""
    return Q(VisibleTo("readable", model, user.pk))


class ClassifiedQuerySet(models.QuerySet):
    # Whether the only condition on the rows is visible_to()'s: core.prefetch then reads
    # a relation through it as fast as an unfiltered one.
    _only_visibility = False
    # The condition of visible_to(), while it is the only one (core.counts).
    _visibility = None

    def visible_to(self, user):
        """The records `user` may read: the one rule of who sees what (module doc)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        plain = not self.query.where
        condition = VisibleTo("readable", self.model, user.pk)
        visible = self.filter(condition)
        visible._only_visibility = plain
        visible._visibility = condition if plain else None
        return visible

    def restricted_q(self) -> Q:
        """The rows some readers may not see (level 3): what a count of the whole
        table must take out, less those the reader may see (core.counts)."""
        return Q(classification__gte=Classification.NEED_TO_KNOW)

    def _clone(self):
        clone = super()._clone()
        clone._only_visibility = self._only_visibility
        clone._visibility = self._visibility
        return clone

    def _filter_or_exclude(self, negate, args, kwargs):
        narrowed = super()._filter_or_exclude(negate, args, kwargs)
        narrowed._only_visibility = False
        narrowed._visibility = None
        return narrowed


ClassifiedManager = models.Manager.from_queryset(ClassifiedQuerySet)


class AttachedQuerySet(ClassifiedQuerySet):
    """Rows without a classification of their own that take that of the record they
    belong to (`Model.classified_via`, a foreign key): an agreement's documents, a
    project's participants and watch-list entries. Seen by exactly those who may
    read that record."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        plain = not self.query.where
        condition = VisibleTo("attached", self.model, user.pk)
        visible = self.filter(condition)
        visible._only_visibility = plain
        visible._visibility = condition if plain else None
        return visible

    def restricted_q(self) -> Q:
        return Q(
            **{f"{self.model.classified_via}__classification__gte": Classification.NEED_TO_KNOW}
        )


AttachedManager = models.Manager.from_queryset(AttachedQuerySet)


class ClassifiedModel(models.Model):
    """A record with a classification and, at level 3, an access list."""

    classification = models.PositiveSmallIntegerField(
        _("classification"),
        choices=Classification.choices,
        default=Classification.INTERNAL,
        db_index=True,
        help_text=_(
            "1: may be published; 2: inside the government only; 3: need-to-know, "
            "only those on the access list (and administrators with every right) see it."
        ),
    )
    access_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("access list: users"),
        related_name="+",
        blank=True,
        help_text=_("Who may read it at classification 3."),
    )
    access_groups = models.ManyToManyField(
        "auth.Group",
        verbose_name=_("access list: groups"),
        related_name="+",
        blank=True,
        help_text=_("The members of these groups may read it at classification 3."),
    )

    objects = ClassifiedManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # clean() refuses an attached record less restricted than what it hangs on,
        # with the reason; code that saves without it (a script, a factory) cannot
        # store one either: the record is raised to that level.
        floor, parent = self.classification_floor()
        if parent is not None and self.classification is not None and self.classification < floor:
            self.classification = floor
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "classification"}
        super().save(*args, **kwargs)

    # -- what it hangs on ----------------------------------------------------------

    @classmethod
    def classification_parents(cls) -> tuple[ParentLink, ...]:
        """What a row may hang on (core.classification's rule reads them); none: a
        record that hangs on nothing."""
        return ()

    def classification_floor(self):
        """(the lowest classification this record may have, what imposes it)."""
        return Classification.PUBLIC, None

    def clean(self):
        super().clean()
        self.check_classification()

    def check_classification(self):
        floor, parent = self.classification_floor()
        if (
            self._state.adding
            and self.classification == Classification.INTERNAL
            and floor > self.classification
        ):
            # A new record left at the default takes the level of what it hangs on.
            self.classification = floor
            return
        if parent is not None and self.classification is not None and self.classification < floor:
            raise ValidationError(
                {
                    "classification": _(
                        "“%(parent)s” is %(level)s: what is attached to it must be at least "
                        "as restricted."
                    )
                    % {"parent": parent, "level": Classification(floor).label}
                }
            )

    def is_visible_to(self, user) -> bool:
        return type(self)._default_manager.visible_to(user).filter(pk=self.pk).exists()

    @property
    def marking(self):
        """The marking a page or printed brief carries for this record, or ""."""
        return (
            Classification(self.classification).label
            if self.classification in MARKED_LEVELS
            else ""
        )


class AttachedRecord(ClassifiedModel):
    """A record attached to any record by content type and id (a follow-up, a note):
    at least as restricted as the record it is on, when that record has a level."""

    class Meta:
        abstract = True

    def classification_floor(self):
        if not self.content_type_id or self.object_id is None:
            return super().classification_floor()
        model = self.content_type.model_class()
        if model is None or not hasattr(model, "classification"):
            return super().classification_floor()
        target = model._default_manager.filter(pk=self.object_id).first()
        if target is None:
            return super().classification_floor()
        return target.classification, target


def raise_attached(queryset, level):
    """Carry a record's raised classification to what is attached to it (an UPDATE
    of those below it). An UPDATE sends no signal: what readers may not see is
    forgotten here."""
    changed = queryset.filter(classification__lt=level).update(classification=level)
    if changed:
        forget_hidden(using=queryset.db)
    return changed


def highest_marking(levels) -> str:
    """The marking of a page showing records of these classifications ("" if none is
    marked)."""
    top = max((level for level in levels if level), default=None)
    return Classification(top).label if top in MARKED_LEVELS else ""


ACCESS_LISTS = ("access_users", "access_groups")


def visible_prefetches(queryset, user):
    """`queryset` whose many-relations to classified records list only those `user`
    may read: a meeting's projects, a mission's meetings. The same number of queries:
    each relation's own query carries the condition."""
    if sees_everything(user):
        return queryset
    from django.db.models import Prefetch

    lookups, changed = [], False
    for lookup in queryset._prefetch_related_lookups:
        name = lookup.prefetch_through if isinstance(lookup, Prefetch) else lookup
        related = lookup.queryset if isinstance(lookup, Prefetch) else None
        if related is None and "__" not in name:
            try:
                field = queryset.model._meta.get_field(name)
            except Exception:  # noqa: BLE001 -- a name only Django's prefetch resolves
                field = None
            if field is not None and field.related_model is not None:
                related = field.related_model._default_manager.all()
        if related is not None and hasattr(related, "visible_to"):
            lookup = Prefetch(
                name,
                queryset=related.visible_to(user),
                to_attr=getattr(lookup, "to_attr", None),
            )
            changed = True
        lookups.append(lookup)
    if not changed:
        return queryset
    return queryset.prefetch_related(None).prefetch_related(*lookups)


def fill_access_lists(records):
    """Read the access lists of a page of records where the serializer finds them
    (core.prefetch.related): a list is kept at level 3 only (the writes empty it
    below), so only the page's level-3 records are looked up, one query per list and
    none at all for a page without any."""
    from core.prefetch import PAGE_RELATED

    records = [record for record in records if isinstance(record, ClassifiedModel)]
    if not records:
        return
    model = type(records[0])
    restricted = {r.pk: r for r in records if r.classification == Classification.NEED_TO_KNOW}
    for record in records:
        page = record.__dict__.setdefault(PAGE_RELATED, {})
        for name in ACCESS_LISTS:
            page[name] = []
    if not restricted:
        return
    key = _through_key(model)
    for name, target in (("access_users", "user"), ("access_groups", "group")):
        through = getattr(model, name).through
        rows = through._default_manager.filter(**{f"{key}__in": list(restricted)}).select_related(
            target
        )
        for row in rows.order_by(f"{target}_id"):
            restricted[getattr(row, f"{key}_id")].__dict__[PAGE_RELATED][name].append(
                getattr(row, target)
            )


def access_list_errors(classification, users, groups) -> dict:
    """An access list is for level 3: given with a lower level, it is refused."""
    if classification is not None and classification < Classification.NEED_TO_KNOW:
        errors = {}
        for field, given in (("access_users", users), ("access_groups", groups)):
            if given:
                errors[field] = [
                    _(
                        "An access list applies to classification 3 only: leave it empty, or "
                        "classify the record 3."
                    )
                ]
        return errors
    return {}


def access_lists_after_save(instance, user, *, was_restricted: bool | None = None):
    """After a classified record's access lists were written: below level 3 a list
    means nothing and is emptied (so that lowering and raising again does not bring an
    old list back unseen); at level 3 whoever classified it stays able to read it."""
    if not isinstance(instance, ClassifiedModel):
        return
    if instance.classification != Classification.NEED_TO_KNOW:
        if was_restricted is not False:
            for name in ACCESS_LISTS:
                getattr(instance, name).clear()
        return
    if user is None or sees_everything(user) or not user.is_authenticated:
        return
    if not type(instance)._default_manager.visible_to(user).filter(pk=instance.pk).exists():
        instance.access_users.add(user)


def history_row_hidden(model, row, user) -> bool:
    """Whether the history row of a record (deleted, or read through its history) is
    hidden from `user`: a record deleted at level 3 has lost its access list, so its
    trail is for superusers; a live record goes by visible_to."""
    if sees_everything(user):
        return False
    manager = model._default_manager
    if not hasattr(manager, "visible_to"):
        return False
    pk = getattr(row, model._meta.pk.attname)
    if manager.filter(pk=pk).exists():
        return not manager.visible_to(user).filter(pk=pk).exists()
    level = getattr(row, "classification", None)
    if level is not None:
        return level >= Classification.NEED_TO_KNOW
    via = getattr(model, "classified_via", None)
    if via is None:
        return False
    parent_field = model._meta.get_field(via)
    parent = parent_field.related_model
    parent_pk = getattr(row, parent_field.attname)
    rows = parent.history.filter(**{parent._meta.pk.attname: parent_pk}).order_by(
        "-history_date", "-history_id"
    )
    latest = rows.first()
    return latest is not None and history_row_hidden(parent, latest, user)


def hide_deleted(model, history_queryset, user):
    """The deleted records' history rows `user` may see (history_row_hidden, in SQL)."""
    if sees_everything(user) or not hasattr(model._default_manager, "visible_to"):
        return history_queryset
    if any(field.name == "classification" for field in history_queryset.model._meta.fields):
        return history_queryset.filter(classification__lt=Classification.NEED_TO_KNOW)
    via = getattr(model, "classified_via", None)
    if via is None:
        return history_queryset
    parent = model._meta.get_field(via).related_model
    attname = model._meta.get_field(via).attname
    return history_queryset.filter(
        **{f"{attname}__in": parent._default_manager.visible_to(user).values("pk")}
    )


def classification_of(instance) -> int:
    """A record's classification, or that of what it takes it from (a document's
    agreement)."""
    level = getattr(instance, "classification", None)
    if level is not None:
        return level
    via = getattr(type(instance), "classified_via", None)
    if via is not None:
        try:
            return classification_of(getattr(instance, via))
        except ObjectDoesNotExist:
            return Classification.NEED_TO_KNOW
    return Classification.PUBLIC


def is_classified(model) -> bool:
    """Whether the model's records are classified, by themselves or through what they
    belong to."""
    return issubclass(model, ClassifiedModel) or getattr(model, "classified_via", None) is not None


# -- what a record the reader may see points at ------------------------------------------

#: How the admin names a linked record its reader may not see: no title, no id.
RESTRICTED_LINK = _("Restricted (Classification 3)")


class LinkedRecords:
    """Which of the records that a visible record points at (an agreement's
    `supersedes` and `superseded_by`, its signing meeting, a meeting's projects, the
    related records of a history, the target of a follow-up) its reader may see.

    A record the reader may read can point at one they may not: a level-2 agreement
    superseding a level-3 one. Every path that names a related record asks here
    (`hidden`, `shown`, `only_shown`): the API's `{id, url, display}`, its history
    and its spreadsheets, webhook payloads, the admin's forms. A hidden one appears as
    nothing (null, left out of a list; the admin, which must keep the link when the form
    is saved, names it RESTRICTED_LINK, without title or id).

    The rule is visible_to()'s. Below level 3 a record is visible: no query. The
    others are looked up once per model for the records `note()` or `decide()` is given
    (a page: one query per related model, none for a page without a level-3 link), and
    each one not decided yet costs one query when it is asked about.

    `user` None is a reader without a user (a webhook subscription without an owner):
    levels 1 and 2 only."""

    def __init__(self, user):
        self.user = user
        self.everything = sees_everything(user)
        self._known: dict = {}  # {model: {pk: visible}}
        self._classified: dict = {}  # {model: whether its records are classified}

    @classmethod
    def of(cls, request) -> LinkedRecords:
        """The reader's, kept with the request (one lookup per record a request)."""
        user = getattr(request, "user", None)
        if request is None:
            return cls(user)
        store = request.__dict__
        linked = store.get("_linked_records")
        if linked is None or linked.user is not user:
            linked = store["_linked_records"] = cls(user)
        return linked

    def _is_classified(self, model) -> bool:
        known = self._classified.get(model)
        if known is None:
            known = self._classified[model] = is_classified(model)
        return known

    def _settled(self, record):
        """True or False when known without a query, None otherwise."""
        model = type(record)
        if self.everything or not self._is_classified(model):
            return True
        known = self._known.get(model)
        if known is not None and record.pk in known:
            return known[record.pk]
        level = record.__dict__.get("classification")
        if level is not None:
            return True if level < Classification.NEED_TO_KNOW else None
        via = getattr(model, "classified_via", None)
        if via is not None:
            field = model._meta.get_field(via)
            parent = self._known.get(field.related_model, {})
            return parent.get(record.__dict__.get(field.attname))
        return None

    def decide(self, records):
        """Look up, one query per model, whether the reader may see `records`."""
        pending: dict = {}
        for record in records:
            if record is not None and record.pk is not None and self._settled(record) is None:
                pending.setdefault(type(record), set()).add(record.pk)
        for model, pks in pending.items():
            self._look_up(model, pks)

    def _look_up(self, model, pks):
        manager = model._default_manager
        hidden = None if self.user is None else hidden_ids(model, self.user)
        if hidden is not None:
            # The reader's hidden rows of the model, kept between requests: no query.
            self._known.setdefault(model, {}).update({pk: pk not in hidden for pk in pks})
            return
        if self.user is None:
            rows = manager.filter(pk__in=pks).exclude(manager.all().restricted_q())
        else:
            rows = manager.visible_to(self.user).filter(pk__in=pks)
        visible = set(rows.values_list("pk", flat=True))
        self._known.setdefault(model, {}).update({pk: pk in visible for pk in pks})

    def note(self, records):
        """`records` were read through visible_to(reader): they are visible. What they
        point at (foreign keys read with them, their page's or prefetched relations) is
        decided for them all at once."""
        if self.everything or not records:
            return
        linked = []
        for record in records:
            if record is None:
                continue
            self._known.setdefault(type(record), {})[record.pk] = True
            linked.extend(linked_to(record))
        self.decide(linked)

    def hidden(self, record) -> bool:
        if record is None:
            return False
        settled = self._settled(record)
        if settled is None:
            self.decide([record])
            settled = self._settled(record)
        return not settled

    def shown(self, record):
        """The record, or None for one the reader may not see."""
        return None if record is None or self.hidden(record) else record

    def only_shown(self, records) -> list:
        records = list(records)
        self.decide(records)
        return [record for record in records if not self.hidden(record)]

    def only_hidden(self, records) -> list:
        records = list(records)
        self.decide(records)
        return [record for record in records if self.hidden(record)]

    def visible_pks(self, model, pks) -> set:
        """Those of `pks` (ids of `model`'s records) the reader may see: one query for
        those not decided yet."""
        pks = {pk for pk in pks if pk is not None}
        if self.everything or not self._is_classified(model):
            return pks
        known = self._known.setdefault(model, {})
        missing = pks - known.keys()
        if missing:
            self._look_up(model, missing)
        return {pk for pk in pks if known[pk]}


def linked_to(record) -> list:
    """The related records read with `record`: its foreign keys read by select_related,
    the relations its page (core.prefetch) or Django's prefetch_related read."""
    from core.prefetch import PAGE_RELATED

    found = [value for value in record._state.fields_cache.values() if value is not None]
    for rows in record.__dict__.get(PAGE_RELATED, {}).values():
        found.extend(row for row in rows if isinstance(row, models.Model))
    for rows in getattr(record, "_prefetched_objects_cache", {}).values():
        found.extend(row for row in rows if isinstance(row, models.Model))
    return found


def pointing_at_hidden(model, user, field: str) -> Q:
    """The rows whose `field` holds the id of one of `model`'s records, alive or
    deleted, that `user` may not read: what a table pointing at records by type and id
    (webhook deliveries) leaves out, with the condition on its type."""
    if sees_everything(user):
        return Q(pk__in=[])
    manager = model._default_manager
    live = manager.all()
    hidden = live.filter(live.restricted_q())
    if user is not None:
        hidden = hidden.exclude(pk__in=manager.visible_to(user).values("pk"))
    condition = Q(**{f"{field}__in": hidden.values("pk")})
    history = getattr(model, "history", None)
    if history is not None:
        pk = model._meta.pk.attname
        deleted = history.filter(history_type="-").exclude(**{f"{pk}__in": live.values("pk")})
        shown = hide_deleted(model, deleted, user)
        gone = deleted.exclude(history_id__in=shown.values("history_id")).values(pk)
        condition |= Q(**{f"{field}__in": gone})
    return condition


# -- what a reader may not see, kept between requests --------------------------------
#
# The count of a large list for a reader is the table's estimate less the level-3 rows
# hidden from them (core.counts), a count that finds those rows among the level-3 ones
# (6-16 ms on a million meetings); the engagement statistics name the triples such rows
# touch (reports.selectors). Both change only when a record's level, parent or access
# list changes, a record is added or deleted, or someone joins or leaves a group: the
# cache keeps them, per reader, under a generation that every such change moves on
# (accounts.permissions' mechanism, with a key of its own), at once and again at
# commit. Only with a cache every process shares (accounts.permissions.enabled()).
#
# A change written past the ORM sends no signal: raise_attached() (an UPDATE) and the
# bulk import (imports.bulk) move the generation on themselves; any other (raw SQL) is
# seen after HIDDEN_TIMEOUT at the latest, or at once after forget_hidden().

HIDDEN_GENERATION = "core:classification:hidden:generation"
HIDDEN_TIMEOUT = 300


def _hidden_key(*parts) -> str:
    return "core:classification:hidden:" + ":".join(str(part) for part in parts)


def kept_hidden(*parts):
    """(found, value, generation): what was kept for `parts` under the current
    generation; found False when nothing (or an older one) is kept, or when the
    cache is not shared."""
    from accounts import permissions

    if not permissions.enabled():
        return False, None, None
    key = _hidden_key(*parts)
    found = cache.get_many([HIDDEN_GENERATION, key])
    generation = found.get(HIDDEN_GENERATION)
    kept = found.get(key)
    if generation is not None and kept is not None and kept[0] == generation:
        return True, kept[1], generation
    if generation is None:
        generation = permissions.new_generation(HIDDEN_GENERATION)
    return False, None, generation


def keep_hidden(generation, value, *parts):
    """Keep `value` for `parts` under `generation` (as read by kept_hidden() before the
    value was computed: a change in between moved the generation on, and the value is
    never read)."""
    if generation is None:
        return
    cache.set(_hidden_key(*parts), (generation, value), HIDDEN_TIMEOUT)


def hidden_ids(model, user):
    """The ids of `model`'s rows hidden from `user` (a frozenset), kept between
    requests; None when the cache is not shared (then nothing is kept). One query
    the first time for each generation."""
    if user is None or sees_everything(user) or not user.is_authenticated:
        return None
    parts = ("ids", model._meta.label_lower, user.pk)
    found, kept, generation = kept_hidden(*parts)
    if found:
        return kept
    if generation is None:
        return None
    manager = model._default_manager
    visible = manager.visible_to(user)
    condition = visible._visibility
    if condition is None:
        return None
    rows = manager.filter(manager.all().restricted_q()).exclude(condition)
    ids = frozenset(rows.order_by().values_list("pk", flat=True))
    keep_hidden(generation, ids, *parts)
    return ids


def forget_hidden(**kwargs):
    """Every reader's kept hidden rows are out of date (a signal's receiver)."""
    from accounts import permissions

    if permissions.enabled():
        permissions.move_on_now_and_at_commit(HIDDEN_GENERATION, kwargs.get("using"))


def _forget_hidden_on_m2m(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        forget_hidden(**kwargs)


def connect_hidden():
    """Connect forget_hidden to every change that may change what a reader may not
    see: a classified (or attached) record saved or deleted, an access list changed,
    a user joining or leaving a group, a user or group deleted."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save

    user_model = get_user_model()
    for model in apps.get_models():
        manager = model._default_manager
        if not issubclass(getattr(manager, "_queryset_class", object), ClassifiedQuerySet):
            continue
        uid = model._meta.label
        post_save.connect(forget_hidden, sender=model, dispatch_uid=f"hidden-save-{uid}")
        post_delete.connect(forget_hidden, sender=model, dispatch_uid=f"hidden-del-{uid}")
        if issubclass(model, ClassifiedModel):
            for name in ACCESS_LISTS:
                through = getattr(model, name).through
                m2m_changed.connect(
                    _forget_hidden_on_m2m, sender=through, dispatch_uid=f"hidden-m2m-{uid}-{name}"
                )
    m2m_changed.connect(
        _forget_hidden_on_m2m, sender=user_model.groups.through, dispatch_uid="hidden-m2m-groups"
    )
    for model in (user_model, Group):
        uid = model._meta.label
        post_delete.connect(forget_hidden, sender=model, dispatch_uid=f"hidden-del-{uid}")
