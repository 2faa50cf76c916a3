import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.choices import FollowUpStatus
from tests import factories


@pytest.mark.django_db
def test_mark_done_action(data_entry_client):
    open_items = factories.FollowUpFactory.create_batch(2, status=FollowUpStatus.OPEN)
    untouched = factories.FollowUpFactory(status=FollowUpStatus.OPEN)
    response = data_entry_client.post(
        reverse("admin:followups_followup_changelist"),
        {"action": "mark_done", "_selected_action": [item.pk for item in open_items]},
    )
    assert response.status_code == 302
    for item in open_items:
        item.refresh_from_db()
        assert item.status == FollowUpStatus.DONE
        assert item.done_on == timezone.localdate()
    untouched.refresh_from_db()
    assert untouched.status == FollowUpStatus.OPEN
    assert untouched.done_on is None


@pytest.mark.django_db
def test_overdue_filter_lists_open_follow_ups_due_before_today(data_entry_client):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    overdue = factories.FollowUpFactory(due_on=yesterday)
    factories.FollowUpFactory(due_on=today)  # due today: not late yet
    factories.FollowUpFactory(due_on=yesterday, status=FollowUpStatus.DONE, done_on=today)
    url = reverse("admin:followups_followup_changelist")

    response = data_entry_client.get(url, {"overdue": "yes"})
    assert list(response.context["cl"].result_list) == [overdue]
    response = data_entry_client.get(url, {"overdue": "no"})
    assert overdue not in response.context["cl"].result_list
    assert len(response.context["cl"].result_list) == 2
