import datetime

import pytest

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from agreements.services import agreement_save
from tests.factories import AgreementFactory
from tests.rules import assert_refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_force():
    return AgreementFactory(
        counterpart_country="VN",
        status=AgreementStatus.IN_FORCE,
        signed_on=datetime.date(2013, 6, 1),
        effective_on=datetime.date(2013, 6, 1),
    )


def renewal_of(earlier, **kwargs):
    values = {
        "japanese_signatory": earlier.japanese_signatory,
        "counterpart_country": earlier.counterpart_country,
        "status": AgreementStatus.SIGNED,
        "signed_on": datetime.date(2018, 5, 2),
        "supersedes": earlier,
    }
    return AgreementFactory.build(**{**values, **kwargs})


def test_agreement_save_marks_the_superseded_agreement(in_force):
    later = agreement_save(agreement=renewal_of(in_force))
    assert later.pk is not None
    in_force.refresh_from_db()
    assert in_force.status == AgreementStatus.SUPERSEDED
    # The earlier one now refuses any other status.
    in_force.status = AgreementStatus.IN_FORCE
    assert_refused(
        in_force,
        "status",
        "Another agreement supersedes this one, so its status must be “superseded”.",
    )


def test_agreement_save_without_supersedes_touches_nothing_else(in_force):
    agreement_save(agreement=AgreementFactory.build(japanese_signatory=in_force.japanese_signatory))
    in_force.refresh_from_db()
    assert in_force.status == AgreementStatus.IN_FORCE


def test_unlinking_puts_the_earlier_agreement_back_in_force(in_force):
    later = agreement_save(agreement=renewal_of(in_force))
    later.supersedes = None
    agreement_save(agreement=later)
    in_force.refresh_from_db()
    assert in_force.status == AgreementStatus.IN_FORCE


def test_agreement_save_refuses_an_invalid_agreement_and_saves_nothing(in_force):
    later = renewal_of(in_force, counterpart_country="KH")
    assert_refused(
        later,
        "supersedes",
        "An agreement can only supersede one with the same counterpart country.",
        validate=lambda: agreement_save(agreement=later),
    )
    assert later.pk is None
    assert Agreement.objects.count() == 1
    in_force.refresh_from_db()
    assert in_force.status == AgreementStatus.IN_FORCE
