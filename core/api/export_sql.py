"""The CSV export built by PostgreSQL: `COPY (SELECT …) TO STDOUT`, each column an SQL
expression that gives, as text, exactly the cell core.api.export's Python path writes.

Why: a million meetings are written by COPY at the database's pace (docs/performance.md,
"Exports"), where reading them as values into Python and writing each row through the
csv module cost some 27 µs of the worker's CPU a row.

What each column becomes (the Python path's rule beside it):

- a text: itself; a label (a field with choices): the label of the code in the
  request's language, from a jsonb of the labels (the code itself when it has none);
  several countries ("GH,TN"): their labels joined by ", ";
- a date: YYYY-MM-DD; a moment: in Japan's time, with microseconds only when some
  (str() of a naive datetime); a number: as PostgreSQL writes it (str() of an int or of
  the Decimal psycopg reads); a boolean: True or False;
- a related record (a foreign key): its name, str() of it expressed in SQL (NAMES
  below, in the request's language), or nothing for one the reader may not see
  (core.classification.LinkedRecords: visible_to()'s rule, level 3 looked up);
- related records (a many-to-many field, a reverse relation): their names in the
  related queryset's order (the viewset's Prefetch queryset when it declares one, else
  the related model's), the hidden and the empty ones left out, joined by the column's
  separator.

Every text cell is neutralised against formulas as the Python path does it (a leading
apostrophe before = + - @, a tab or a carriage return), and an empty text is NULL so
that COPY writes it unquoted, as the csv module does. What is left to the bytes, in
Python: the header row, CRLF line ends (COPY ends a row with LF; each message COPY
sends is one row) and the characters an export writes as U+FFFD.

A column that cannot be written so (a transform, a display of its own, a generic
relation, a record without an SQL name, a type not listed) raises NotInSQL, and the
export takes the Python path: byte for byte the same file, slower. SQLite always does.
A test keeps the two paths byte-equal for every exportable list
(tests/core/test_export_sql.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections, models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.expressions import Expression
from django.utils import dates, formats
from django.utils.choices import flatten_choices
from django.utils.translation import get_language

from core.classification import Classification, is_classified, sees_everything


class NotInSQL(Exception):
    """A column the SQL path cannot write exactly as the Python path does."""


TEXT = models.TextField()

# The first characters that make a text a formula (core.xlsx.FORMULA_PREFIXES).
_FORMULA = r"^[=+\-@\t\r]"


class _Raw(Expression):
    """SQL from a template: `{0}`, `{1}`… are the compiled expressions, `%s` the
    parameters that follow them in `params` (in the order they appear)."""

    output_field = TEXT

    def __init__(self, template: str, *expressions, params=()):
        super().__init__(output_field=TEXT)
        self.template = template
        self.expressions = [
            e if hasattr(e, "resolve_expression") else Value(e) for e in expressions
        ]
        self.params = list(params)

    def get_source_expressions(self):
        return self.expressions

    def set_source_expressions(self, expressions):
        self.expressions = list(expressions)

    def resolve_expression(self, *args, **kwargs):
        clone = self.copy()
        clone.expressions = [e.resolve_expression(*args, **kwargs) for e in self.expressions]
        return clone

    def as_sql(self, compiler, connection):
        # The pieces in the order they appear, so that the parameters follow them.
        compiled = [compiler.compile(expression) for expression in self.expressions]
        sql, params, rest, own = [], [], self.template, iter(self.params)
        while rest:
            brace, percent = rest.find("{"), rest.find("%s")
            if brace < 0 and percent < 0:
                sql.append(rest)
                break
            if percent < 0 or 0 <= brace < percent:
                end = rest.index("}", brace)
                part_sql, part_params = compiled[int(rest[brace + 1 : end])]
                sql.append(rest[:brace] + f"({part_sql})")
                params.extend(part_params)
                rest = rest[end + 1 :]
            else:
                sql.append(rest[: percent + 2])
                params.append(next(own))
                rest = rest[percent + 2 :]
        return "".join(sql), params


def _text(expression) -> _Raw:
    """A text cell: neutralised, and NULL when empty."""
    return _Raw(f"NULLIF(regexp_replace({{0}}, '{_FORMULA}', '''\\&'), '')", expression)


def _label(expression, labels: dict, *, text_codes: bool = True) -> _Raw:
    """The label of a code (the code itself when it has none), neutralised: a label is
    a text; a code is one when the field holds texts."""
    mapping = json.dumps({str(key): str(label) for key, label in labels.items()})
    if text_codes:
        return _text(_Raw("COALESCE(%s::jsonb ->> {0}::text, {0}::text)", expression,
                          params=[mapping]))  # fmt: skip
    return _Raw(
        "CASE WHEN %s::jsonb ? {0}::text THEN {1} ELSE {0}::text END",
        expression,
        _text(_Raw("%s::jsonb ->> {0}::text", expression, params=[mapping])),
        params=[mapping],
    )


def _choices(field) -> dict:
    return dict(flatten_choices(field.choices))


# -- str() of the related records, in SQL --------------------------------------------------


def _japanese() -> bool:
    return (get_language() or "").startswith("ja")


def _localized(english: str, japanese: str):
    """core.i18n.localized(english, japanese) of the fields named so."""

    def name(prefix: str):
        first, second = (japanese, english) if _japanese() else (english, japanese)
        return _Raw("COALESCE(NULLIF({0}, ''), {1})", F(prefix + first), F(prefix + second))

    return name


def _field_name(field: str):
    return lambda prefix: _Raw("{0}", F(prefix + field))


def _sector(prefix: str):
    from core.models import SectorCode

    mapping = json.dumps({code: str(label) for code, label in SectorCode.choices})
    return _Raw("%s::jsonb ->> {0}", F(prefix + "code"), params=[mapping])


def _participant(prefix: str):
    # f"{organization} ({role label})"
    from projects.models import ProjectParticipant

    role = ProjectParticipant._meta.get_field("role")
    mapping = json.dumps({str(k): str(v) for k, v in _choices(role).items()})
    organization = NAMES[_model("contacts", "Organization")](prefix + "organization__")
    return _Raw(
        "{0} || ' (' || COALESCE(%s::jsonb ->> {1}, {1}) || ')'",
        organization,
        F(prefix + "role"),
        params=[mapping],
    )


def _watch_list_entry(prefix: str):
    # f"{watch_list}: {project}"
    watch_list = NAMES[_model("projects", "WatchList")](prefix + "watch_list__")
    project = NAMES[_model("projects", "Project")](prefix + "project__")
    return _Raw("{0} || ': ' || {1}", watch_list, project)


def _meeting(prefix: str):
    # f"{date_format(date)} {country name}".strip(), in the reader's language.
    from django_countries import countries

    day = _date_format(F(prefix + "date"), formats.get_format("DATE_FORMAT"))
    names = json.dumps({code: str(name) for code, name in countries})
    return _Raw(
        "btrim(COALESCE({0}, '') || ' ' || COALESCE(%s::jsonb ->> {1}, ''), ' ')",
        day,
        F(prefix + "counterpart_country"),
        params=[names],
    )


def _date_format(expression, pattern: str) -> _Raw:
    """django.utils.dateformat of a date, for the letters Y n j N and literal text."""
    pieces, params = [], []
    for letter in pattern:
        if letter == "Y":
            pieces.append("lpad(extract(year FROM {0})::int::text, 4, '0')")
        elif letter == "n":
            pieces.append("extract(month FROM {0})::int::text")
        elif letter == "j":
            pieces.append("extract(day FROM {0})::int::text")
        elif letter == "N":
            months = json.dumps({str(k): str(v) for k, v in dates.MONTHS_AP.items()})
            pieces.append("(%s::jsonb ->> extract(month FROM {0})::int::text)")
            params.append(months)
        elif letter.isalpha() and letter.isascii() or letter == "\\":
            raise NotInSQL(f"date format {pattern!r}")
        else:
            pieces.append("'" + letter.replace("'", "''").replace("%", "%%") + "'")
    return _Raw("(" + " || ".join(pieces) + ")", expression, params=params)


def _model(app_label, name):
    from django.apps import apps

    return apps.get_model(app_label, name)


def _content_type(prefix: str):
    mapping = json.dumps({str(ct.pk): str(ct) for ct in ContentType.objects.all()})
    return _Raw("%s::jsonb ->> {0}::text", F(prefix + "id"), params=[mapping])


def _user(prefix: str):
    from django.contrib.auth import get_user_model

    return _Raw("{0}", F(prefix + get_user_model().USERNAME_FIELD))


NAMES: dict = {}


def _register():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AbstractUser

    registry = {
        ("contacts", "Person"): _localized("name", "name_ja"),
        ("contacts", "Organization"): _localized("name", "name_ja"),
        ("projects", "Project"): _localized("name", "name_ja"),
        ("projects", "WatchList"): _localized("name", "name_ja"),
        ("projects", "ProjectParticipant"): _participant,
        ("projects", "WatchListEntry"): _watch_list_entry,
        ("missions", "Mission"): _localized("title", "title_ja"),
        ("missions", "Meeting"): _meeting,
        ("agreements", "Agreement"): _localized("title", "title_ja"),
        ("core", "Tag"): _field_name("name"),
        ("core", "Sector"): _sector,
        ("followups", "FollowUp"): _field_name("title"),
        ("contenttypes", "ContentType"): _content_type,
    }
    for (app_label, name), function in registry.items():
        NAMES[_model(app_label, name)] = function
    user = get_user_model()
    if user.__str__ is AbstractUser.__str__:
        NAMES[user] = _user


def name_expression(model, prefix: str = ""):
    """str() of `model`'s record at the field path `prefix` (e.g. "mission__"), as SQL."""
    if not NAMES:
        _register()
    function = NAMES.get(model)
    if function is None:
        raise NotInSQL(f"{model.__name__} has no name in SQL")
    return function(prefix)


# -- who may see a related record ---------------------------------------------------------


def _shown(model, user, path: str, outer: str) -> Q | None:
    """The condition that the record of `model` at `path` ("" for the row itself, else
    "principal__") is one `user` may see; None: always (LinkedRecords' rule). `outer` is
    the column its id is in, for the visible_to() subquery."""
    if sees_everything(user) or not is_classified(model):
        return None
    if user is not None and not (user.is_authenticated and user.is_active):
        raise NotInSQL("a reader who may not read anything")
    manager = model._default_manager
    if user is None:
        visible = manager.exclude(manager.all().restricted_q())
    else:
        visible = manager.visible_to(user)
    condition = Q(Exists(visible.filter(pk=OuterRef(outer)).values("pk")))
    if any(field.name == "classification" for field in model._meta.concrete_fields):
        # Below level 3 a record is visible: no subquery for it.
        condition = Q(**{f"{path}classification__lt": Classification.NEED_TO_KNOW}) | condition
    return condition


# -- the columns -------------------------------------------------------------------------


def _typed(expression, field) -> _Raw:
    """A field's value as the Python path writes it."""
    if isinstance(field, models.BooleanField):
        return _Raw("CASE WHEN {0} THEN 'True' WHEN NOT {0} THEN 'False' END", expression)
    if isinstance(field, models.DateTimeField):
        zone = str(settings.TIME_ZONE).replace("'", "''")
        return _Raw(
            f"to_char({{0}} AT TIME ZONE '{zone}', 'YYYY-MM-DD HH24:MI:SS') || CASE WHEN "
            f"extract(microseconds FROM {{0}})::int %% 1000000 <> 0 THEN "
            f"to_char({{0}} AT TIME ZONE '{zone}', '.US') ELSE '' END",
            expression,
        )
    if isinstance(field, models.DateField):
        return _Raw("to_char({0}, 'YYYY-MM-DD')", expression)
    if isinstance(field, models.IntegerField | models.AutoField | models.DecimalField):
        return _Raw("{0}::text", expression)
    if isinstance(field, models.CharField | models.TextField) and not isinstance(
        field, models.FileField
    ):
        return _text(expression)
    raise NotInSQL(f"{type(field).__name__} is not written in SQL")


def _column(queryset, column, user):
    if column.transform is not None or len(column.sources) != 1:
        raise NotInSQL("a transform")
    path = column.sources[0]
    parts = path.split(".")
    model = queryset.model
    meta, field = model._meta, None
    try:
        for part in parts:
            field = meta.get_field(part)
            if field.is_relation and field.related_model:
                meta = field.related_model._meta
    except FieldDoesNotExist:
        annotation = queryset.query.annotations.get(path)
        if annotation is None or len(parts) != 1:
            raise NotInSQL(path) from None
        return _typed(F(path), annotation.output_field)
    if isinstance(field, GenericForeignKey):
        raise NotInSQL("a generic relation")
    lookup = "__".join(parts)
    if field.many_to_many or field.one_to_many:
        return _many(queryset, column, field, path, user)
    if field.is_relation:
        if column.display is not str:
            raise NotInSQL("a display of its own")
        related = field.related_model
        name = _Raw("NULLIF({0}, '')", name_expression(related, lookup + "__"))
        shown = _shown(related, user, lookup + "__", lookup)
        condition = Q(**{f"{lookup}__isnull": False})
        if shown is not None:
            condition &= shown
        return _text(Case(When(condition, then=name), default=Value(None), output_field=TEXT))
    if getattr(field, "choices", None):
        labels = _choices(field)
        text_codes = isinstance(field, models.CharField | models.TextField)
        if getattr(field, "multiple", False):  # several countries, stored "GH,TN"
            mapping = json.dumps({str(k): str(v) for k, v in labels.items()})
            return _text(
                _Raw(
                    "(SELECT string_agg(COALESCE(%s::jsonb ->> code, code), ', ' ORDER BY n) "
                    "FROM unnest(string_to_array({0}, ',')) WITH ORDINALITY AS c(code, n) "
                    "WHERE code <> '')",
                    F(lookup),
                    params=[mapping],
                )
            )
        return _label(F(lookup), labels, text_codes=text_codes)
    return _typed(F(lookup), field)


def _many(queryset, column, field, path, user):
    if "." in path:
        raise NotInSQL("a many-relation of a related record")
    if column.display is not str:
        raise NotInSQL("a display of its own")
    prefetches = {
        lookup.prefetch_to: lookup.queryset
        for lookup in queryset._prefetch_related_lookups
        if isinstance(lookup, models.Prefetch) and lookup.queryset is not None
    }
    related = prefetches.get(path)
    if related is None:
        related = field.related_model._default_manager.all()
    if field.many_to_many and not field.auto_created:
        key = field.related_query_name()
    else:
        key = field.field.name
    model = related.model
    name = _Raw("NULLIF({0}, '')", name_expression(model))
    shown = _shown(model, user, "", "pk")
    if shown is not None:
        name = Case(When(shown, then=name), default=Value(None), output_field=TEXT)
    ordering = related.query.order_by or model._meta.ordering
    names = (
        related.filter(**{key: OuterRef("pk")})
        .order_by(*ordering, "pk")
        .prefetch_related(None)
        .values(_export_name=name)
    )
    separator = column.separator.replace("'", "''").replace("%", "%%")
    return _text(_Raw(f"array_to_string(ARRAY({{0}}), '{separator}')", _Subquery(names)))


class _Subquery(models.Subquery):
    output_field = TEXT


def copy_statement(queryset, columns, user=None) -> tuple[str, list] | None:
    """(`COPY (SELECT …) TO STDOUT (FORMAT csv)`, its parameters) writing the rows of
    `queryset` as core.api.export writes them, in the current language; None when the
    database is not PostgreSQL or a column cannot be written in SQL."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or queryset.query.distinct:
        return None
    try:
        expressions = {
            f"_export_{index}": _column(queryset, column, user)
            for index, column in enumerate(columns)
        }
    except NotInSQL:
        return None
    rows = queryset.prefetch_related(None).annotate(**expressions).values_list(*expressions)
    try:
        sql, params = rows.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # queryset.none(): the header alone, by the Python path
        return None
    return f"COPY ({sql}) TO STDOUT (FORMAT csv)", list(params)


# -- running it --------------------------------------------------------------------------

# core.xlsx.NOT_IN_XML in UTF-8: the C0 controls but tab, newline and carriage return
# are one byte each (never part of a longer character), U+FFFE and U+FFFF three.
_NOT_IN_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_REPLACEMENT = "\ufffd".encode()
CHUNK_BYTES = 64 * 1024


def own_connection(alias: str):
    """A connection of its own to the database of `alias`, with Django's settings (its
    OPTIONS, time zone adapters), in autocommit: the COPY of a streamed download runs
    on it while the request's connection writes the read audit."""
    import psycopg

    params = connections[alias].get_connection_params()
    params.pop("cursor_factory", None)
    return psycopg.connect(**params, autocommit=True)


def copy_rows(
    raw, statement: tuple[str, list], progress: Callable | None = None
) -> Iterator[bytes]:
    """The rows COPY writes on the psycopg connection `raw`, CRLF-ended as the csv
    module ends them, control characters as U+FFFD, in pieces of some 64 KB;
    `progress(rows so far)` is called between pieces."""
    import psycopg

    sql, params = statement
    # COPY takes no parameters: they are merged here, as psycopg's client-side cursor
    # merges them (which also reads Django's "%%" as "%").
    merged = psycopg.ClientCursor(raw).mogrify(sql, params)
    rows = 0
    with raw.cursor() as cursor, cursor.copy(merged) as copy:
        read = copy.read
        while True:
            batch, size = [], 0
            # libpq gives one data row a message (PQgetCopyData), each ended by "\n".
            while size < CHUNK_BYTES and (row := read()):
                batch.append(row[:-1])
                size += len(row)
            if not batch:
                break
            rows += len(batch)
            batch.append(b"")
            chunk = b"\r\n".join(batch)
            if _NOT_IN_XML.search(chunk):
                chunk = _NOT_IN_XML.sub(_REPLACEMENT, chunk)
            yield chunk
            if progress is not None:
                progress(rows)
