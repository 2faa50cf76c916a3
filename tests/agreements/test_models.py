import datetime

import pytest
from django.db.models import F

from agreements.choices import SIGNED_STATUSES, AgreementStatus
from agreements.models import Agreement
from tests.factories import AgreementDocumentFactory, AgreementFactory, MeetingFactory
from tests.rules import NON_FIELD_ERRORS, assert_refused, db_refuses

pytestmark = pytest.mark.django_db

SIGNED = datetime.date(2018, 5, 2)
BEFORE = SIGNED - datetime.timedelta(days=1)
AFTER = SIGNED + datetime.timedelta(days=365)


def signed_agreement(**kwargs):
    return AgreementFactory(**{"status": AgreementStatus.SIGNED, "signed_on": SIGNED, **kwargs})


def update(agreement, **values):
    Agreement.objects.filter(pk=agreement.pk).update(**values)


@pytest.mark.parametrize("factory", [AgreementFactory, AgreementDocumentFactory])
def test_factory_defaults_are_valid(factory):
    factory().full_clean()


def test_agreement_factory_is_a_proposal_signed_for_japan_by_a_ministry():
    agreement = AgreementFactory()
    assert agreement.status == AgreementStatus.PROPOSED
    assert (agreement.signed_on, agreement.effective_on, agreement.expires_on) == (None,) * 3
    assert agreement.japanese_signatory.kind == "japanese_government"
    assert agreement.japanese_signatory.country == "JP"


@pytest.mark.parametrize("status", SIGNED_STATUSES)
def test_a_signed_status_needs_signed_on(status):
    agreement = AgreementFactory()
    agreement.status = status
    assert_refused(
        agreement, NON_FIELD_ERRORS, "An agreement with this status needs its signing date."
    )
    with db_refuses("agreement_signed_needs_signed_on"):
        update(agreement, status=status)


@pytest.mark.parametrize("status", [AgreementStatus.PROPOSED, AgreementStatus.NEGOTIATING])
def test_an_unsigned_status_needs_no_dates(status):
    AgreementFactory(status=status).full_clean()


def test_an_agreement_cannot_take_effect_before_it_is_signed():
    agreement = signed_agreement(effective_on=SIGNED)
    agreement.full_clean()
    agreement.effective_on = BEFORE
    assert_refused(
        agreement, NON_FIELD_ERRORS, "An agreement cannot take effect before it is signed."
    )
    with db_refuses("agreement_effective_after_signed"):
        update(agreement, effective_on=BEFORE)


def test_an_agreement_must_expire_after_it_takes_effect():
    effective = SIGNED + datetime.timedelta(days=30)
    agreement = signed_agreement(effective_on=effective, expires_on=AFTER)
    agreement.full_clean()
    agreement.expires_on = effective  # the same day is not "after"
    errors = assert_refused(
        agreement, NON_FIELD_ERRORS, "An agreement must expire after it takes effect."
    )
    assert "An agreement must expire after it is signed." not in errors[NON_FIELD_ERRORS]
    with db_refuses("agreement_expires_after_effective"):
        update(agreement, expires_on=effective)


def test_an_agreement_must_expire_after_it_is_signed():
    agreement = signed_agreement(expires_on=AFTER)
    agreement.full_clean()
    agreement.expires_on = SIGNED
    assert_refused(agreement, NON_FIELD_ERRORS, "An agreement must expire after it is signed.")
    with db_refuses("agreement_expires_after_signed"):
        update(agreement, expires_on=SIGNED)


def test_japan_is_never_the_counterpart_country():
    agreement = AgreementFactory()
    agreement.counterpart_country = "JP"
    assert_refused(agreement, NON_FIELD_ERRORS, "Japan cannot be the counterpart country.")
    with db_refuses("agreement_counterpart_not_japan"):
        update(agreement, counterpart_country="JP")


def test_third_country_cooperation_may_target_other_countries():
    agreement = AgreementFactory(counterpart_country="US", target_countries=["VN", "IN"])
    agreement.full_clean()


def test_an_agreement_cannot_supersede_itself():
    agreement = signed_agreement()
    agreement.supersedes = agreement
    assert_refused(agreement, NON_FIELD_ERRORS, "An agreement cannot supersede itself.")
    with db_refuses("agreement_not_superseding_itself"):
        update(agreement, supersedes=F("id"))


@pytest.mark.parametrize("status", [AgreementStatus.PROPOSED, AgreementStatus.NEGOTIATING])
def test_only_a_signed_agreement_can_be_superseded(status):
    earlier = AgreementFactory(status=status)
    later = AgreementFactory.build(
        japanese_signatory=earlier.japanese_signatory, supersedes=earlier
    )
    assert_refused(later, "supersedes", "Only a signed agreement can be superseded.")


def test_an_agreement_supersedes_only_one_with_the_same_counterpart_country():
    earlier = signed_agreement(counterpart_country="GH")
    later = AgreementFactory.build(
        japanese_signatory=earlier.japanese_signatory, counterpart_country="KE", supersedes=earlier
    )
    assert_refused(
        later,
        "supersedes",
        "An agreement can only supersede one with the same counterpart country.",
    )
    later.counterpart_country = "GH"
    later.full_clean()


CIRCLE = (
    "That agreement already supersedes this one, directly or through others: two "
    "agreements cannot each supersede the other."
)


def test_agreements_cannot_supersede_each_other_in_a_circle():
    first = signed_agreement(status=AgreementStatus.SUPERSEDED)
    second = signed_agreement(status=AgreementStatus.SUPERSEDED, supersedes=first)
    third = signed_agreement(supersedes=second)
    for earlier, later in [(first, second), (first, third), (second, third)]:
        earlier.supersedes = later
        assert_refused(earlier, "supersedes", CIRCLE)
    # A chain that does not come back is fine, however long.
    fourth = AgreementFactory.build(
        japanese_signatory=third.japanese_signatory,
        status=AgreementStatus.SIGNED,
        signed_on=SIGNED,
        supersedes=third,
    )
    fourth.full_clean()


def test_an_agreement_that_another_supersedes_must_stay_superseded():
    earlier = signed_agreement(status=AgreementStatus.SUPERSEDED)
    AgreementFactory(supersedes=earlier)
    for status in set(AgreementStatus.values) - {AgreementStatus.SUPERSEDED}:
        earlier.status = status
        assert_refused(
            earlier,
            "status",
            "Another agreement supersedes this one, so its status must be “superseded”.",
        )
    earlier.status = AgreementStatus.SUPERSEDED
    earlier.full_clean()


def test_document_is_stored_under_its_agreement():
    document = AgreementDocumentFactory()
    assert document.file.name.startswith(f"agreements/{document.agreement_id}/")
    assert document.file.read().startswith(b"%PDF")


def test_an_agreement_signed_at_a_meeting_matches_its_country_and_day():
    meeting = MeetingFactory(counterpart_country="GH", date=datetime.date(2019, 8, 28))
    agreement = signed_agreement(counterpart_country="GH", signed_on=meeting.date)
    agreement.signed_at_meeting = meeting
    agreement.full_clean()

    agreement.signed_on = datetime.date(2019, 8, 29)
    assert_refused(
        agreement,
        "signed_on",
        "It was signed at a meeting held on Aug. 28, 2019: the signing date is that day.",
    )
    agreement.signed_on, agreement.counterpart_country = meeting.date, "TN"
    assert_refused(
        agreement,
        "signed_at_meeting",
        "That meeting was with Ghana, not with the agreement's counterpart country.",
    )
