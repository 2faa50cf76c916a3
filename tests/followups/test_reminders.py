"""The daily reminder e-mail: one per assignee and day, in both languages, with links."""

import datetime
from smtplib import SMTPException

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.utils import translation

from followups.choices import FollowUpStatus
from followups.models import ReminderDigest
from followups.services import (
    ReminderDigestError,
    followup_send_reminder_digest,
    followups_send_reminder_digests,
)
from followups.tasks import send_reminder_digests
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def tanaka():
    return factories.UserFactory(
        username="tanaka", first_name="Hanako", last_name="Tanaka", language="ja"
    )


def test_each_assignee_gets_one_digest_of_overdue_and_soon_due_follow_ups(tanaka):
    smith = factories.UserFactory(username="smith", language="en")
    overdue = factories.FollowUpFactory(
        assignee=tanaka, title="Send the F/S report", due_on=days(-2)
    )
    due_today = factories.FollowUpFactory(assignee=tanaka, title="Call JICA", due_on=days(0))
    due_in_7 = factories.FollowUpFactory(assignee=tanaka, title="Draft the MoC", due_on=days(7))
    factories.FollowUpFactory(assignee=tanaka, title="Later", due_on=days(8))
    factories.FollowUpFactory(
        assignee=tanaka,
        title="Already done",
        due_on=days(-1),
        status=FollowUpStatus.DONE,
        done_on=days(-1),
    )
    factories.FollowUpFactory(assignee=smith, title="Book the venue", due_on=days(3))

    assert followups_send_reminder_digests(today=TODAY) == 2

    assert sorted(message.to[0] for message in mail.outbox) == [
        "smith@example.org",
        "tanaka@example.org",
    ]
    message = next(m for m in mail.outbox if m.to == ["tanaka@example.org"])
    body = message.body
    # Japanese first for a Japanese reader, then English, in the same e-mail.
    assert message.subject == (
        "フォローアップ：期限切れ 1件、期限間近 2件 / Follow-ups: 1 overdue, 2 due soon"
    )
    assert body.index("期限切れ") < body.index("Overdue")
    for followup in (overdue, due_today, due_in_7):
        assert followup.title in body
        assert f"http://127.0.0.1:8000/admin/followups/followup/{followup.pk}/change/" in body
    assert "Later" not in body and "Already done" not in body
    assert "Book the venue" not in body
    assert body.index("Send the F/S report") < body.index("Call JICA")
    english = next(m for m in mail.outbox if m.to == ["smith@example.org"])
    assert english.subject.startswith("Follow-ups: 0 overdue, 1 due soon / フォローアップ")
    assert ReminderDigest.objects.filter(day=TODAY).count() == 2


def test_links_use_the_site_url(tanaka, settings):
    settings.SITE_URL = "https://crm.example.go.jp"
    followup = factories.FollowUpFactory(assignee=tanaka, due_on=days(1))
    followups_send_reminder_digests(today=TODAY)
    assert (
        f"https://crm.example.go.jp/admin/followups/followup/{followup.pk}/change/"
        in mail.outbox[0].body
    )


def test_each_item_links_to_the_record_it_is_about(tanaka):
    meeting = factories.MeetingFactory()
    factories.FollowUpFactory(assignee=tanaka, target=meeting, due_on=days(1))
    followups_send_reminder_digests(today=TODAY)
    body = mail.outbox[0].body
    assert f"http://127.0.0.1:8000/admin/missions/meeting/{meeting.pk}/change/" in body
    with translation.override("ja"):  # the reader's language, whatever a test left active
        assert f"会談: {meeting}" in body
    with translation.override("en"):
        assert f"Meeting: {meeting}" in body


def test_the_soft_time_limit_stops_the_run_so_that_the_retry_reminds_the_rest(tanaka, monkeypatch):
    smith = factories.UserFactory(username="smith")
    factories.FollowUpFactory(assignee=tanaka, due_on=days(1))
    factories.FollowUpFactory(assignee=smith, due_on=days(1))
    from django.core.mail import EmailMessage

    original_send = EmailMessage.send
    attempts = []

    def out_of_time(message, *args, **kwargs):
        attempts.append(message.to)
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(EmailMessage, "send", out_of_time)
    with pytest.raises(ReminderDigestError):
        followups_send_reminder_digests(today=TODAY)
    assert attempts == [["tanaka@example.org"]]  # it stopped instead of going on
    assert not ReminderDigest.objects.exists()

    monkeypatch.setattr(EmailMessage, "send", original_send)
    assert followups_send_reminder_digests(today=TODAY) == 2


def test_a_second_run_on_the_same_day_sends_nothing_and_the_next_day_sends_again(tanaka):
    factories.FollowUpFactory(assignee=tanaka, due_on=days(1))
    assert followups_send_reminder_digests(today=TODAY) == 1
    assert followups_send_reminder_digests(today=TODAY) == 0
    send_reminder_digests.delay()  # the task, eagerly, for today: a day of its own
    assert followups_send_reminder_digests(today=days(1)) == 1
    assert len(mail.outbox) == 3


def test_users_without_an_address_or_inactive_get_nothing():
    factories.FollowUpFactory(assignee=factories.UserFactory(email=""), due_on=days(1))
    factories.FollowUpFactory(assignee=factories.UserFactory(is_active=False), due_on=days(1))
    factories.FollowUpFactory(assignee=None, due_on=days(1))
    assert followups_send_reminder_digests(today=TODAY) == 0
    assert mail.outbox == []


def test_a_failed_e_mail_is_not_recorded_so_that_the_retry_sends_it(tanaka, monkeypatch):
    smith = factories.UserFactory(username="smith")
    factories.FollowUpFactory(assignee=tanaka, due_on=days(1))
    factories.FollowUpFactory(assignee=smith, due_on=days(1))

    from django.core.mail import EmailMessage

    original_send = EmailMessage.send

    def flaky_send(message, *args, **kwargs):
        if message.to == ["tanaka@example.org"]:
            raise SMTPException("mail server down")
        return original_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)
    with pytest.raises(ReminderDigestError):
        followups_send_reminder_digests(today=TODAY)
    assert list(ReminderDigest.objects.values_list("user__username", flat=True)) == ["smith"]

    monkeypatch.setattr(EmailMessage, "send", original_send)
    assert followups_send_reminder_digests(today=TODAY) == 1  # only the one not sent
    assert [m.to for m in mail.outbox] == [["smith@example.org"], ["tanaka@example.org"]]


def test_a_digest_recorded_by_another_run_is_not_sent_again(tanaka):
    factories.FollowUpFactory(assignee=tanaka, due_on=days(1))
    ReminderDigest.objects.create(user=tanaka, day=TODAY, item_count=1)
    assert followup_send_reminder_digest(user=tanaka, today=TODAY) is False
    assert mail.outbox == []
