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
