"""Hostile input against the whole API, as its OpenAPI schema describes it.

Schemathesis generates requests for every operation of /api/schema/: valid data
(positive) and data the schema forbids (negative: wrong types, out-of-range numbers,
strings where ids go, odd characters). Each response must be no server error, carry a
status, a content type and a body the schema documents. The requests go in-process to
the WSGI application (no server), with a read-write token of an administrator, against
a few records of every kind; ids that the generator makes up are mapped onto those
records so that the writes reach the services, not only the "no such record" 400.

Deterministic (seeded, derandomised, no example database) so that CI repeats itself;
docs/hostile-input.md says how to run it deeper.
"""

import collections
import json
import os

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework import relations, serializers

from accounts.models import APIToken
from accounts.roles import ADMINISTRATOR
from config.wsgi import application
from exports.services import export_job_create
from imports.services import import_job_create
from tests import factories
from tests.core.hostile import make_records

# SCHEMATHESIS_MAX_EXAMPLES=200 SCHEMATHESIS_COVERAGE=1 for a deeper run than CI's.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20"))
COVERAGE = os.environ.get("SCHEMATHESIS_COVERAGE") == "1"

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20190828,  # TICAD7's first day
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
        },
        # The coverage phase adds some 300 boundary cases per operation (~30,000 in all):
        # too many for CI on two cores, worth a run by hand after a change of schema.
        "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}},
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
        },
    }
)

# The schema as /api/schema/ serves it (to signed-in users and tokens only, which a
# module cannot have before the database exists), run against the WSGI application.
schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True))),
    config=CONFIG,
)
schema.app = application

# Requests sent, by operation and mode, and the statuses answered; printed at the end.
SENT = collections.Counter()
STATUSES = collections.Counter()


def _report_requests(pytestconfig):
    """One line in the test output (outside the capture): how much was sent."""
    if not SENT:
        return
    modes = collections.Counter()
    for (_operation, mode), count in SENT.items():
        modes[mode] += count
    line = (
        f"schemathesis: {sum(SENT.values())} requests over "
        f"{len({operation for operation, _ in SENT})} operations ("
        + ", ".join(f"{count} {mode}" for mode, count in sorted(modes.items()))
        + "); answered: "
        + ", ".join(f"{status}: {count}" for status, count in sorted(STATUSES.items()))
    )
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n{line}")


@pytest.fixture(scope="module")
def hostile_setup(django_db_setup, django_db_blocker, pytestconfig, tmp_path_factory):
    """The records and the token, once for the module; each operation's test runs in a
    savepoint inside this transaction (its deletes are undone), rolled back at the end.
    Uploaded files go to a temporary folder (the conftest's per-test one comes later)."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("hostile-media"))
    media.enable()
    # The WSGI handler closes the database connection around each request, which in a
    # test transaction would end it: Django's own test client stops that the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), transaction.atomic():
        make_records()
        user = factories.UserFactory(username="hostile-administrator", is_staff=True)
        user.groups.add(Group.objects.get(name=ADMINISTRATOR))
        token = APIToken(name="schemathesis", user=user, can_write=True)
        key = token.issue_key()
        token.save()
        export_job_create(
            user=user, resource="meetings", format="csv", query="country=VN", language="ja"
        )
        import_job_create(
            user=user,
            resource="organizations",
            name="bureau.csv",
            data=b"name,kind,country\nMinistry,nonsense,GH\n",
            dry_run=True,
            language="ja",
        )
        yield key
        transaction.set_rollback(True)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    media.disable()
    _report_requests(pytestconfig)


# -- ids that name records -------------------------------------------------------------


def _related_model(field):
    if isinstance(field, relations.ManyRelatedField):
        field = field.child_relation
    queryset = getattr(field, "queryset", None)
    return queryset.model if queryset is not None and not field.read_only else None


def _body_models(serializer):
    """{field name: model} for the id fields of a request body; nested lists of
    records (a mission's meetings, a project's participants) by their own fields."""
    models = {}
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ListSerializer):
            models[name] = _body_models(field.child)
        elif model := _related_model(field):
            models[name] = model
    return models


def _operation_models(case):
    """What the ids of this operation name: the path's `id`, the body's relations and
    the list's record filters, read from the view that serves it."""
    match = resolve(case.operation.path.replace("{id}", "1"))
    view_class = getattr(match.func, "cls", None)
    actions = getattr(match.func, "actions", None)
    if view_class is None or actions is None:  # the report endpoints
        return None, {}, {}
    view = view_class(action=actions.get(case.method.lower()), request=None, format_kwarg=None)
    view.kwargs = {}
    path_model = view_class.queryset.model
    body = _body_models(view.get_serializer_class()()) if case.method != "GET" else {}
    query = {}
    filterset_class = getattr(view_class, "filterset_class", None)
    if filterset_class is not None and view.action == "list":
        for name, declared in filterset_class.base_filters.items():
            if hasattr(declared, "queryset") and declared.queryset is not None:
                queryset = declared.queryset
                query[name] = (queryset(None) if callable(queryset) else queryset).model
    return path_model, body, query


def _existing(model, value):
    """An id of a record of `model` for a whole-number `value`; anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    return ids[value % len(ids)] if ids else value


def _map_ids(values, models):
    if isinstance(values, list):
        return [_map_ids(item, models) for item in values]
    if not isinstance(values, dict):
        return values
    mapped = dict(values)
    for name, model in models.items():
        if name not in mapped:
            continue
        if isinstance(model, dict):
            mapped[name] = _map_ids(mapped[name], model)
        elif isinstance(mapped[name], list):
            mapped[name] = [_existing(model, item) for item in mapped[name]]
        else:
            mapped[name] = _existing(model, mapped[name])
    return mapped


# -- the test --------------------------------------------------------------------------


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_answers_as_documented(case, hostile_setup, db):
    cache.clear()  # no throttling across examples
    path_model, body_models, query_models = _operation_models(case)
    if path_model and case.path_parameters and "id" in case.path_parameters:
        case.path_parameters = {
            **case.path_parameters,
            "id": _existing(path_model, case.path_parameters["id"]),
        }
    if body_models and isinstance(case.body, dict):
        case.body = _map_ids(case.body, body_models)
    if query_models and isinstance(case.query, dict):
        case.query = _map_ids(case.query, query_models)
    SENT[(case.operation.label, case.meta.generation.mode.value if case.meta else "?")] += 1
    response = case.call_and_validate(headers={"Authorization": f"Token {hostile_setup}"})
    STATUSES[response.status_code] += 1
