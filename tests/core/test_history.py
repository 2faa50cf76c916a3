"""Every record keeps who changed what and when, before and after."""

import pytest
from django.apps import apps
from simple_history.models import HistoricalChanges

from tests.factories import (
    AgreementFactory,
    MeetingFactory,
    OrderFigureFactory,
    OrganizationFactory,
    PersonFactory,
    ProjectFactory,
    UserFactory,
)
from tests.rules import record_models

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", record_models(), ids=lambda model: model._meta.label)
def test_every_record_keeps_history(model):
    assert issubclass(model.history.model, HistoricalChanges)


@pytest.mark.parametrize(
    ("factory", "field", "new_value"),
    [
        (OrderFigureFactory, "amount_jpy", 23_000_000_000_000),
        (OrganizationFactory, "name", "Ministry of Transport and Communications"),
        (ProjectFactory, "stage", "procurement"),
        (AgreementFactory, "scope", "Railways and urban development"),
    ],
)
def test_an_update_is_recorded_with_before_and_after(factory, field, new_value):
    record = factory()
    old_value = getattr(record, field)
    assert record.history.count() == 1
    setattr(record, field, new_value)
    record.save()
    assert record.history.count() == 2
    latest, previous = record.history.all()[:2]
    assert latest.history_type == "~"
    changes = {change.field: change for change in latest.diff_against(previous).changes}
    assert field in changes
    assert (changes[field].old, changes[field].new) == (old_value, new_value)


def test_history_says_who_made_the_change():
    clerk = UserFactory()
    figure = OrderFigureFactory()
    figure.amount_jpy += 1
    figure._history_user = clerk
    figure.save()
    assert figure.history.first().history_user == clerk


def test_meeting_counterparts_are_recorded_in_the_m2m_history():
    meeting = MeetingFactory()
    minister = PersonFactory()
    before = meeting.history.count()
    meeting.counterparts.add(minister)
    assert meeting.history.count() == before + 1
    latest = meeting.history.first()
    historical_counterparts = apps.get_model("missions", "HistoricalMeeting_counterparts")
    rows = historical_counterparts.objects.filter(history=latest)
    assert [row.person_id for row in rows] == [minister.pk]
    assert [row.person_id for row in latest.counterparts.all()] == [minister.pk]

    meeting.counterparts.remove(minister)
    assert list(meeting.history.first().counterparts.all()) == []
    # The earlier version still says who was met.
    assert [row.person_id for row in latest.counterparts.all()] == [minister.pk]
