"""Assertions shared by the rule tests: a rule is refused by full_clean() with the
model's own message on the expected field, and (where a constraint holds it) by the
database itself."""

import contextlib

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

__all__ = [
    "NON_FIELD_ERRORS",
    "RECORD_MODELS",
    "assert_refused",
    "db_refuses",
    "messages_of",
    "record_models",
]

# The records of domain.md that staff keep, as (app_label, model_name). Rows that
# the system writes for itself (alerts sent, digests mailed) are not among them.
RECORD_MODELS = (
    ("contacts", "Organization"),
    ("contacts", "Person"),
    ("contacts", "Post"),
    ("projects", "Project"),
    ("projects", "ProjectParticipant"),
    ("projects", "WatchList"),
    ("projects", "WatchListEntry"),
    ("projects", "OrderFigure"),
    ("missions", "Mission"),
    ("missions", "Meeting"),
    ("agreements", "Agreement"),
    ("agreements", "AgreementDocument"),
    ("followups", "FollowUp"),
)


def record_models():
    from django.apps import apps

    return [apps.get_model(app_label, name) for app_label, name in RECORD_MODELS]


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    """The error's messages by field, in English whatever the project's language."""
    with translation.override("en"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}


def assert_refused(instance, field, message, *, exclude=None, validate=None):
    """full_clean() (or `validate`, a callable) refuses `instance` with `message` on
    `field` (NON_FIELD_ERRORS for a rule on the whole record). Returns every error."""
    # Some messages are formatted (so translated) when raised: raise them in English.
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        if validate is None:
            instance.full_clean(exclude=exclude)
        else:
            validate()
    errors = messages_of(excinfo.value)
    with translation.override("en"):
        assert str(message) in errors.get(field, []), errors
    return errors


@contextlib.contextmanager
def db_refuses(constraint_name=None):
    """The statements inside are refused by the database (and rolled back to a
    savepoint, so the test's transaction stays usable). With `constraint_name`,
    the refusal must name that constraint: SQLite and PostgreSQL both name the
    CHECK constraint that failed."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield excinfo
    if constraint_name is not None:
        assert constraint_name in str(excinfo.value), str(excinfo.value)
