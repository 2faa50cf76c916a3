import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from contacts.models import Organization
from followups.choices import FollowUpStatus
from followups.models import FollowUp
from missions.models import Mission
from tests.factories import (
    AgreementFactory,
    FollowUpFactory,
    MeetingFactory,
    MissionFactory,
    OrganizationFactory,
    ProjectFactory,
)
from tests.rules import NON_FIELD_ERRORS, assert_refused, db_refuses

pytestmark = pytest.mark.django_db

DONE_ON_MESSAGE = "A follow-up has a completion date exactly when it is done."
TODAY = timezone.localdate


def test_factory_default_is_valid_and_attached_to_a_mission():
    followup = FollowUpFactory()
    followup.full_clean()
    assert isinstance(followup.target, Mission)
    assert followup.status == FollowUpStatus.OPEN


@pytest.mark.parametrize(
    "target_factory", [MissionFactory, MeetingFactory, AgreementFactory, ProjectFactory]
)
def test_a_followup_attaches_to_every_followable_record(target_factory):
    target = target_factory()
    followup = FollowUpFactory(target=target)
    followup.full_clean()
    assert FollowUp.objects.get(pk=followup.pk).target == target


def test_done_needs_done_on():
    followup = FollowUpFactory()
    followup.status = FollowUpStatus.DONE
    assert_refused(followup, NON_FIELD_ERRORS, DONE_ON_MESSAGE)
    with db_refuses("followup_done_on_iff_done"):
        FollowUp.objects.filter(pk=followup.pk).update(status=FollowUpStatus.DONE)


@pytest.mark.parametrize("status", [FollowUpStatus.OPEN, FollowUpStatus.CANCELLED])
def test_done_on_only_when_done(status):
    followup = FollowUpFactory(status=status)
    followup.done_on = TODAY()
    assert_refused(followup, NON_FIELD_ERRORS, DONE_ON_MESSAGE)
    with db_refuses("followup_done_on_iff_done"):
        FollowUp.objects.filter(pk=followup.pk).update(done_on=TODAY())


def test_done_with_done_on_is_valid():
    FollowUpFactory(status=FollowUpStatus.DONE, done_on=TODAY()).full_clean()


def test_a_followup_attaches_only_to_followable_records():
    followup = FollowUpFactory()
    followup.content_type = ContentType.objects.get_for_model(Organization)
    followup.object_id = OrganizationFactory().pk
    assert_refused(
        followup,
        "content_type",
        "Follow-ups attach to missions, meetings, agreements or projects.",
    )


@pytest.mark.parametrize("missing_id", [0, 10**9])
def test_the_record_must_exist(missing_id):
    followup = FollowUpFactory()
    followup.object_id = missing_id
    assert_refused(followup, "object_id", "There is no such record.")


def test_the_record_must_exist_in_the_model_named():
    """An id that exists, but for another kind of record, is no target."""
    followup = FollowUpFactory(target=MissionFactory())
    project = ProjectFactory()
    while Mission.objects.filter(pk=project.pk).exists():
        project = ProjectFactory()
    followup.object_id = project.pk
    assert_refused(followup, "object_id", "There is no such record.")


@pytest.mark.parametrize(
    ("status", "due_in_days", "overdue"),
    [
        (FollowUpStatus.OPEN, -1, True),
        (FollowUpStatus.OPEN, 0, False),
        (FollowUpStatus.OPEN, 1, False),
        (FollowUpStatus.CANCELLED, -1, False),
        (FollowUpStatus.DONE, -1, False),
    ],
)
def test_is_overdue(status, due_in_days, overdue):
    followup = FollowUpFactory.build(
        status=status,
        due_on=TODAY() + datetime.timedelta(days=due_in_days),
        done_on=TODAY() if status == FollowUpStatus.DONE else None,
    )
    assert followup.is_overdue is overdue
