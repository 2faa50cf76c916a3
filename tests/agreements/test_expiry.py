"""Agreements past their last day become expired, with their history saying so; the
bureau is warned 180, 90 and 30 days before, each once."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from agreements.choices import AgreementStatus, Renewal
from agreements.models import Agreement, ExpiryAlert
from agreements.services import (
    EXPIRED_AUTOMATICALLY,
    agreement_expire,
    agreements_expire_due,
    agreements_send_expiry_alerts,
)
from agreements.tasks import expire_agreements
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def in_force(expires_on, **fields):
    fields.setdefault("status", AgreementStatus.IN_FORCE)
    return factories.AgreementFactory(
        signed_on=datetime.date(2020, 1, 15),
        effective_on=datetime.date(2020, 1, 15),
        expires_on=expires_on,
        **fields,
    )


def days(n):
    return TODAY + datetime.timedelta(days=n)


# -- expiry ------------------------------------------------------------------------------


def test_only_agreements_in_force_past_their_last_day_expire():
    past = in_force(days(-1))
    long_past = in_force(days(-400))
    last_day = in_force(days(0))
    renews_itself = in_force(days(-1), renewal=Renewal.AUTOMATIC)
    signed_only = in_force(days(-1), status=AgreementStatus.SIGNED)
    terminated = in_force(days(-1), status=AgreementStatus.TERMINATED)
    no_end = in_force(None)

    assert sorted(agreements_expire_due(today=TODAY)) == sorted([past.pk, long_past.pk])

    status = dict(Agreement.objects.values_list("pk", "status"))
    assert status[past.pk] == status[long_past.pk] == AgreementStatus.EXPIRED
    for unchanged, was in [
        (last_day, AgreementStatus.IN_FORCE),
        (renews_itself, AgreementStatus.IN_FORCE),
        (signed_only, AgreementStatus.SIGNED),
        (terminated, AgreementStatus.TERMINATED),
        (no_end, AgreementStatus.IN_FORCE),
    ]:
        assert status[unchanged.pk] == was
    assert agreements_expire_due(today=TODAY) == []  # nothing left to do


def test_the_history_records_the_automatic_expiry():
    agreement = in_force(days(-1))
    agreements_expire_due(today=TODAY)
    latest, before = agreement.history.all()[:2]
    assert (before.status, latest.status) == (AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED)
    assert latest.history_change_reason == EXPIRED_AUTOMATICALLY
    assert latest.history_user is None


def test_the_task_expires_what_is_due_today():
    agreement = in_force(timezone.localdate() - datetime.timedelta(days=3))
    expire_agreements.delay()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXPIRED


def test_only_an_agreement_in_force_can_expire():
    with pytest.raises(ValidationError):
        agreement_expire(agreement=in_force(days(-1), status=AgreementStatus.TERMINATED))


# -- alerts -----------------------------------------------------------------------------------


@pytest.fixture
def bureau(settings):
    settings.BUREAU_ALERT_EMAIL = "kaigai@example.go.jp"


def test_alerts_at_180_90_and_30_days_each_once(bureau):
    agreement = in_force(days(200), title="MoC on road infrastructure", counterpart_country="GH")

    def run(on):
        mail.outbox.clear()
        return agreements_send_expiry_alerts(today=on)

    assert run(TODAY) == 0  # 200 days ahead: not yet
    assert run(days(20)) == 1  # 180 days before
    assert mail.outbox[0].to == ["kaigai@example.go.jp"]
    assert run(days(21)) == 0
    assert run(days(109)) == 0  # 91 days before
    assert run(days(110)) == 1  # 90
    assert run(days(170)) == 1  # 30
    assert run(days(199)) == 0
    assert sorted(
        ExpiryAlert.objects.filter(agreement=agreement).values_list("days_before", flat=True)
    ) == [30, 90, 180]


def test_one_e_mail_lists_every_new_alert_in_both_languages(bureau):
    ghana = in_force(days(30), title="MoC on road infrastructure", counterpart_country="GH")
    tunisia = in_force(
        days(90), title="MoC on infrastructure", counterpart_country="TN", status="signed"
    )
    in_force(days(90), status=AgreementStatus.TERMINATED)
    in_force(days(400))

    assert agreements_send_expiry_alerts(today=TODAY) == 2
    [message] = mail.outbox
    assert message.subject == "有効期限が近い協定等：2件 / Agreements expiring soon: 2"
    body = message.body
    assert body.index("MoC on road infrastructure") < body.index("MoC on infrastructure")
    assert "in 30 days" in body and "30日後" in body
    assert f"http://127.0.0.1:8000/admin/agreements/agreement/{ghana.pk}/change/" in body
    assert f"/admin/agreements/agreement/{tunisia.pk}/change/" in body
    # First seen inside 30 days: one alert, every threshold it passed recorded.
    assert sorted(
        ExpiryAlert.objects.filter(agreement=ghana).values_list("days_before", flat=True)
    ) == [30, 90, 180]


def test_a_new_expiry_date_alerts_again(bureau):
    agreement = in_force(days(20))
    assert agreements_send_expiry_alerts(today=TODAY) == 1
    agreement.expires_on = days(25)
    agreement.save()
    assert agreements_send_expiry_alerts(today=TODAY) == 1
    assert agreements_send_expiry_alerts(today=TODAY) == 0


def test_without_a_bureau_address_nothing_is_sent_nor_recorded(settings):
    settings.BUREAU_ALERT_EMAIL = ""
    in_force(days(20))
    assert agreements_send_expiry_alerts(today=TODAY) == 0
    assert mail.outbox == []
    assert ExpiryAlert.objects.count() == 0
