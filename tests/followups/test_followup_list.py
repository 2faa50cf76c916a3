"""The follow-up list as staff read it (issue 17, item 7): the assignee by name, open
items first by due date, 期限超過 only on open ones, the record filter in words."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.choices import FollowUpStatus
from tests import factories
from tests.reports.html import text_of

LIST = reverse("admin:followups_followup_changelist")


@pytest.fixture
def followups(db):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    yamada = factories.UserFactory(username="hyamada", first_name="花子", last_name="山田")
    return {
        "late": factories.FollowUpFactory(title="late", due_on=today - 3 * day, assignee=yamada),
        "soon": factories.FollowUpFactory(title="soon", due_on=today + day, assignee=yamada),
        "done_late": factories.FollowUpFactory(
            title="done late",
            due_on=today - 10 * day,
            status=FollowUpStatus.DONE,
            done_on=today - day,
            assignee=yamada,
        ),
        "meeting": factories.FollowUpFactory(
            title="on a meeting", due_on=today + 5 * day, target=factories.MeetingFactory()
        ),
    }


def test_open_items_first_by_due_date(data_entry_client, followups):
    rows = list(data_entry_client.get(LIST).context["cl"].result_list)
    assert [row.title for row in rows] == ["late", "soon", "on a meeting", "done late"]


def test_the_assignee_by_name_and_overdue_only_on_open_items(data_entry_client, followups):
    page = data_entry_client.get(LIST)
    text = text_of(page)
    assert "山田 花子" in text
    rows = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr")[1:]
    late = next(row for row in rows if ">late<" in row)
    done = next(row for row in rows if ">done late<" in row)
    assert "期限超過" in late
    assert "期限超過" not in done
    assert "icon-no" not in page.text and "icon-yes" not in page.text


def test_the_record_filter_reads_in_words(data_entry_client, followups):
    page = data_entry_client.get(LIST)
    text = text_of(page)
    assert "コンテンツタイプ" not in text
    assert "対象の記録" in text
    only_meetings = data_entry_client.get(LIST, {"record_type": "missions.meeting"})
    assert [row.title for row in only_meetings.context["cl"].result_list] == ["on a meeting"]


def test_the_assignee_is_chosen_by_name(client, administrator_user, followups):
    client.force_login(administrator_user)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "followups",
            "model_name": "followup",
            "field_name": "assignee",
            "term": "hyamada",
        },
    )
    assert [result["text"] for result in response.json()["results"]] == ["山田 花子 (hyamada)"]
