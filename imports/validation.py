"""Model.full_clean() without the queries it makes for checks that need none, for an
import that validates thousands of records before writing any (imports.bulk).

full_clean() asks the database, for every record, what Python can answer alone: each
check constraint is evaluated by a `SELECT 1 WHERE <condition>` with the record's
values; each foreign key's record is looked up, even when the instance holds it, read
from the database in this transaction (an import's lookups of people, organisations
and missions); and the uniqueness of the primary key is asked of an existing record
(no other row can hold it). A foreign key whose record is not held so, or that limits
its choices, is looked up as full_clean() does. Here the check constraints' conditions are evaluated in Python, with
SQL's rules (a comparison with NULL is unknown, and an unknown condition passes, as
full_clean() counts it); a condition this cannot evaluate (a lookup or expression not
below) is left to the database as full_clean() does. Every other check (the fields',
the model's clean(), other unique checks) is the model's own."""

import functools
import operator

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db.models import CheckConstraint, F, Field, ForeignKey, Q
from django.db.models.expressions import DatabaseDefault
from django_countries.fields import CountryField

_LOOKUPS = {
    "exact": operator.eq,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}


class _Unsupported(Exception):
    """A condition this module does not evaluate: the database does."""


def full_clean_in_memory(instance, exclude=()):
    """instance.full_clean(exclude=exclude), the same errors, with no query for check
    constraints or the primary key's uniqueness."""
    errors = {}
    exclude = set(exclude)
    try:
        _clean_fields(instance, exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    # Unique checks and constraints, for the fields that passed validation only.
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    if not _pk_only(type(instance), frozenset(exclude)):
        try:
            instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    try:
        validate_constraints_in_memory(instance, exclude=exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _clean_fields(instance, exclude):
    """Model.clean_fields(), a foreign key's record taken as found when the instance
    holds it as read from the database."""
    errors = {}
    for field in instance._meta.fields:
        if field.name in exclude or field.generated:
            continue
        raw = _raw(instance, field)
        if field.blank and raw in field.empty_values:
            continue
        if isinstance(raw, DatabaseDefault):
            continue
        try:
            if _held(field, instance, raw) or _plain_choices(field) is not None:
                value = _cleaned(field, raw)
            else:
                value = field.clean(raw, instance)
            if value is not raw:
                setattr(instance, field.attname, value)
        except ValidationError as error:
            errors[field.name] = error.error_list
    if errors:
        raise ValidationError(errors)


def _cleaned(field, raw):
    """The field's value for `raw`, checked (to_python(), validate() but for a foreign
    key's lookup, the validators): a function of the value alone, so each distinct value
    of a column is checked once (an import's dates, countries and codes repeat on every
    row); a value refused is checked again each time (its error is raised anew)."""
    try:
        return _cleaned_once(field, type(raw), raw)
    except TypeError:  # a value that cannot be a key (a list, a dict)
        return _clean_value(field, raw)


@functools.lru_cache(maxsize=4096)
def _cleaned_once(field, _kind, raw):
    return _clean_value(field, raw)


def _clean_value(field, raw):
    value = field.to_python(raw)
    _validate(field, value)
    field.run_validators(value)
    return value


def _validate(field, value):
    """Field.validate(), without ForeignKey's lookup, and a choice looked up in a set
    (the country field's 250 choices are otherwise rebuilt for every record)."""
    if not field.editable:
        return
    if field.choices is not None and value not in field.empty_values:
        keys = _plain_choices(field)
        found = value in keys if isinstance(value, str | int) else None
        if found is None:
            Field.validate(field, value, None)
            return
        if not found:
            raise ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
    if value is None and not field.null:
        raise ValidationError(field.error_messages["null"], code="null")
    if not field.blank and value in field.empty_values:
        raise ValidationError(field.error_messages["blank"], code="blank")


@functools.cache
def _plain_choices(field):
    """The codes a field with choices accepts (None: no choices, or a field whose
    validate() is its own)."""
    if field.choices is None or type(field).validate not in (
        Field.validate,
        CountryField.validate,
    ):
        return None
    if getattr(field, "multiple", False):
        return None
    keys = set()
    for key, label in field.choices:
        if isinstance(label, list | tuple):
            keys.update(inner for inner, _label in label)
        else:
            keys.add(key)
    return frozenset(keys)


def _held(field, instance, value) -> bool:
    """Whether a foreign key's record is held by the instance, read from the database."""
    if not isinstance(field, ForeignKey) or value is None or field.get_limit_choices_to():
        return False
    if field.remote_field.field_name != field.target_field.model._meta.pk.name:
        return False
    related = field.get_cached_value(instance, default=None)
    return related is not None and not related._state.adding and related.pk == value


@functools.cache
def _pk_only(model, exclude) -> bool:
    """Whether the model's only unique check is its primary key's."""
    unique_checks, date_checks = model()._get_unique_checks(exclude=exclude)
    return not date_checks and all(
        check == (model, (model._meta.pk.name,)) for check in unique_checks
    )


def _raw(instance, field):
    """The field's value; a country field's code as held (its descriptor builds a
    Country, checking the code, at every read)."""
    if isinstance(field, CountryField) and not field.multiple:
        value = instance.__dict__.get(field.attname, _MISSING)
        if value is not _MISSING and (value is None or isinstance(value, str)):
            return value
    return getattr(instance, field.attname)


_MISSING = object()


def validate_constraints_in_memory(instance, exclude=()):
    """instance.validate_constraints(exclude), check constraints evaluated in Python."""
    errors = {}
    for model, constraints in instance.get_constraints():
        for constraint in constraints:
            try:
                if isinstance(constraint, CheckConstraint):
                    _check(constraint, model, instance, exclude)
                else:
                    constraint.validate(model, instance, exclude=exclude)
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _check(constraint, model, instance, exclude):
    names = _names_of(constraint)
    try:
        if names is None:
            raise _Unsupported
        if names & set(exclude):
            return  # as CheckConstraint.validate(): a field left out is not checked
        passed = _compiled(constraint, model)(instance)
    except _Unsupported:
        constraint.validate(model, instance, exclude=exclude)
        return
    if passed is False:
        raise ValidationError(
            constraint.get_violation_error_message(), code=constraint.violation_error_code
        )


_NAMES = {}


def _names_of(constraint):
    """The fields a constraint's condition names (None: a condition not evaluated here),
    read once per constraint."""
    key = id(constraint)
    found = _NAMES.get(key)
    if found is None or found[0] is not constraint:
        try:
            names = frozenset(_fields_named(Q(constraint.condition)))
        except _Unsupported:
            names = None
        found = _NAMES[key] = (constraint, names)
    return found[1]


def _fields_named(condition) -> set:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _fields_named(child)
        elif isinstance(child, tuple):
            names.add(child[0].split("__")[0])
            if isinstance(child[1], F):
                names.add(child[1].name)
        else:
            raise _Unsupported
    return names


_COMPILED = {}


def _compiled(constraint, model):
    """The constraint's condition as a function of an instance: True, False, or None
    (unknown, as SQL has it); its fields and constants looked up once per constraint
    (raises _Unsupported for a condition not evaluated here)."""
    key = (id(constraint), model)
    found = _COMPILED.get(key)
    if found is None or found[0] is not constraint:
        try:
            evaluate = _compile(Q(constraint.condition), model)
        except _Unsupported:
            evaluate = None
        found = _COMPILED[key] = (constraint, evaluate)
    if found[1] is None:
        raise _Unsupported
    return found[1]


def _field_of(model, name):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist as error:
        raise _Unsupported from error
    if not field.concrete or field.many_to_many:
        raise _Unsupported
    return field


def _prepared(field, instance):
    value = _raw(instance, field)
    return None if value is None else field.get_prep_value(value)


def _compile(condition, model):
    parts = []
    for child in condition.children:
        if isinstance(child, Q):
            parts.append(_compile(child, model))
            continue
        lookup, right = child
        name, _sep, kind = lookup.partition("__")
        operation = _LOOKUPS.get(kind or "exact")
        if operation is None or right is None:
            raise _Unsupported
        left_field = _field_of(model, name)
        if isinstance(right, F):
            right_field = _field_of(model, right.name)
            constant = None
        elif hasattr(right, "resolve_expression"):
            raise _Unsupported
        else:
            right_field, constant = None, model._meta.get_field(name).get_prep_value(right)

        def part(
            instance,
            left_field=left_field,
            right_field=right_field,
            constant=constant,
            operation=operation,
        ):
            left = _prepared(left_field, instance)
            right = constant if right_field is None else _prepared(right_field, instance)
            return None if left is None or right is None else operation(left, right)

        parts.append(part)
    if condition.connector not in (Q.AND, Q.OR):
        raise _Unsupported
    conjunction, negated = condition.connector == Q.AND, condition.negated

    def evaluate(instance):
        results = [part(instance) for part in parts]
        if conjunction:
            result = False if False in results else (None if None in results else True)
        else:
            result = True if True in results else (None if None in results else False)
        if negated and result is not None:
            result = not result
        return result

    return evaluate
