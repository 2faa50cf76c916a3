import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.choices import FollowUpStatus
from followups.models import FollowUp
from tests import factories
from tests.admin_pages import posted_back


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


FOLLOWED = {
    "missions_mission": factories.MissionFactory,
    "missions_meeting": factories.MeetingFactory,
    "agreements_agreement": factories.AgreementFactory,
    "projects_project": factories.ProjectFactory,
}


def _follow_up_rows(page):
    [inline] = [
        inline
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is FollowUp
    ]
    return inline.formset


@pytest.mark.django_db
@pytest.mark.parametrize("admin_name", sorted(FOLLOWED))
def test_a_follow_up_is_entered_on_the_page_of_its_record(
    data_entry_client, data_entry_user, admin_name
):
    record = FOLLOWED[admin_name]()
    url = reverse(f"admin:{admin_name}_change", args=[record.pk])
    page = data_entry_client.get(url)
    prefix = _follow_up_rows(page).prefix
    data = posted_back(page)
    data |= {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-0-title": "Send the F/S report to the ministry",
        f"{prefix}-0-assignee": str(data_entry_user.pk),
        f"{prefix}-0-due_on": "2030-04-01",
        f"{prefix}-0-status": FollowUpStatus.OPEN,
    }

    response = data_entry_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    [followup] = FollowUp.objects.all()
    assert followup.target == record
    assert (followup.title, followup.assignee, followup.due_on) == (
        "Send the F/S report to the ministry",
        data_entry_user,
        datetime.date(2030, 4, 1),
    )
    assert [row.instance for row in _follow_up_rows(data_entry_client.get(url)).forms] == [followup]


@pytest.mark.django_db
def test_a_follow_up_row_breaking_a_rule_saves_nothing_of_the_page(data_entry_client):
    mission = factories.MissionFactory(title="Before")
    url = reverse("admin:missions_mission_change", args=[mission.pk])
    page = data_entry_client.get(url)
    prefix = _follow_up_rows(page).prefix
    data = posted_back(page) | {
        "title": "After",
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-0-title": "Done, but when?",
        f"{prefix}-0-due_on": "2030-04-01",
        f"{prefix}-0-status": FollowUpStatus.DONE,  # a done follow-up needs its done_on
    }

    response = data_entry_client.post(url, data)

    assert response.status_code == 200
    assert _follow_up_rows(response).errors[0]
    mission.refresh_from_db()
    assert mission.title == "Before"
    assert not FollowUp.objects.exists()
