import datetime

import pytest
from django.utils import timezone

from followups.choices import FollowUpStatus
from followups.services import followup_mark_done
from tests.factories import FollowUpFactory

pytestmark = pytest.mark.django_db


def test_followup_mark_done_today_by_default():
    followup = FollowUpFactory(due_on=timezone.localdate() - datetime.timedelta(days=3))
    assert followup.is_overdue
    followup_mark_done(followup=followup)
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.DONE
    assert followup.done_on == timezone.localdate()
    assert not followup.is_overdue


def test_followup_mark_done_on_a_given_day():
    followup = FollowUpFactory()
    followup_mark_done(followup=followup, done_on=datetime.date(2019, 1, 31))
    followup.refresh_from_db()
    assert (followup.status, followup.done_on) == (FollowUpStatus.DONE, datetime.date(2019, 1, 31))
