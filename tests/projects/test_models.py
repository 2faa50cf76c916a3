import datetime

import pytest

from contacts.choices import OrganizationKind
from projects.choices import FigureKind, ParticipantRole, ProjectStatus, WatchListOutcome
from projects.models import OrderFigure, Project, WatchList, WatchListEntry
from tests.factories import (
    JapaneseCompanyFactory,
    OrderFigureFactory,
    OrganizationFactory,
    ProjectFactory,
    ProjectParticipantFactory,
    WatchListEntryFactory,
    WatchListFactory,
)
from tests.rules import NON_FIELD_ERRORS, assert_refused, db_refuses

pytestmark = pytest.mark.django_db

AWARDED = datetime.date(2018, 9, 1)
NOT_NEGATIVE = "Ensure this value is greater than or equal to 0."


@pytest.mark.parametrize(
    "factory",
    [
        ProjectFactory,
        ProjectParticipantFactory,
        WatchListFactory,
        WatchListEntryFactory,
        OrderFigureFactory,
    ],
)
def test_factory_defaults_are_valid(factory):
    factory().full_clean()


# Project


@pytest.mark.parametrize("status", [ProjectStatus.WON_JAPANESE, ProjectStatus.WON_FOREIGN])
def test_a_won_project_needs_awarded_on(status):
    project = ProjectFactory(awarded_to=JapaneseCompanyFactory())
    project.status = status
    assert_refused(project, NON_FIELD_ERRORS, "A won project needs the date it was awarded.")
    with db_refuses("project_won_needs_awarded_on"):
        Project.objects.filter(pk=project.pk).update(status=status)


@pytest.mark.parametrize("status", [ProjectStatus.ACTIVE, ProjectStatus.DROPPED])
def test_a_project_not_won_needs_no_award(status):
    ProjectFactory.build(status=status, awarded_on=None, awarded_to=None).full_clean()


def test_won_japanese_needs_awarded_to():
    project = ProjectFactory(awarded_on=AWARDED)
    project.status = ProjectStatus.WON_JAPANESE
    assert_refused(
        project,
        NON_FIELD_ERRORS,
        "A project won by a Japanese firm needs the organisation it was awarded to.",
    )
    with db_refuses("project_won_japanese_needs_awarded_to"):
        Project.objects.filter(pk=project.pk).update(status=ProjectStatus.WON_JAPANESE)


def test_won_foreign_needs_no_awarded_to():
    ProjectFactory.build(status=ProjectStatus.WON_FOREIGN, awarded_on=AWARDED).full_clean()


@pytest.mark.parametrize(
    "kind",
    [
        OrganizationKind.FOREIGN_COMPANY,
        OrganizationKind.FOREIGN_GOVERNMENT,
        OrganizationKind.JAPANESE_GOVERNMENT,
        OrganizationKind.INTERNATIONAL_ORGANIZATION,
        OrganizationKind.OTHER,
    ],
)
def test_won_japanese_refuses_a_winner_that_is_not_a_japanese_firm(kind):
    project = ProjectFactory.build(
        status=ProjectStatus.WON_JAPANESE,
        awarded_on=AWARDED,
        awarded_to=OrganizationFactory(kind=kind),
    )
    assert_refused(
        project,
        "awarded_to",
        "A project won by a Japanese firm must be awarded to a Japanese company or public body.",
    )


@pytest.mark.parametrize(
    "kind", [OrganizationKind.JAPANESE_COMPANY, OrganizationKind.JAPANESE_PUBLIC_BODY]
)
def test_won_japanese_accepts_a_japanese_company_or_public_body(kind):
    ProjectFactory.build(
        status=ProjectStatus.WON_JAPANESE,
        awarded_on=AWARDED,
        awarded_to=OrganizationFactory(kind=kind, country="JP"),
    ).full_clean()


def test_won_foreign_may_be_awarded_to_a_foreign_company():
    ProjectFactory.build(
        status=ProjectStatus.WON_FOREIGN,
        awarded_on=AWARDED,
        awarded_to=OrganizationFactory(kind=OrganizationKind.FOREIGN_COMPANY),
    ).full_clean()


def test_other_countries_must_not_repeat_the_primary_country():
    project = ProjectFactory.build(country="VN", other_countries=["LA", "VN"])
    assert_refused(
        project, "other_countries", "The other countries must not repeat the primary country."
    )


def test_other_countries_may_list_neighbours():
    project = ProjectFactory(country="VN", other_countries=["LA", "KH"])
    project.full_clean()
    project.refresh_from_db()
    assert sorted(c.code for c in project.other_countries) == ["KH", "LA"]


def test_estimated_cost_cannot_be_negative():
    project = ProjectFactory(estimated_cost_jpy=0)
    project.full_clean()
    project.estimated_cost_jpy = -1
    assert_refused(project, "estimated_cost_jpy", NOT_NEGATIVE)
    assert_refused(
        project,
        NON_FIELD_ERRORS,
        "The estimated cost cannot be negative.",
        validate=project.validate_constraints,
    )
    with db_refuses("project_cost_not_negative"):
        Project.objects.filter(pk=project.pk).update(estimated_cost_jpy=-1)


# ProjectParticipant


def test_participant_role_is_unique_per_organisation_and_project():
    first = ProjectParticipantFactory(role=ParticipantRole.CONTRACTOR)
    duplicate = ProjectParticipantFactory.build(
        project=first.project, organization=first.organization, role=ParticipantRole.CONTRACTOR
    )
    assert_refused(
        duplicate, NON_FIELD_ERRORS, "This organisation already has this role in the project."
    )
    with db_refuses():
        duplicate.save()


def test_an_organisation_may_have_two_roles_in_a_project():
    first = ProjectParticipantFactory(role=ParticipantRole.CONTRACTOR)
    ProjectParticipantFactory.build(
        project=first.project, organization=first.organization, role=ParticipantRole.OPERATOR
    ).full_clean()


# WatchList


def test_previous_edition_must_be_earlier():
    later = WatchListFactory(edition_year=2019)
    earlier = WatchListFactory.build(edition_year=2018, previous=later)
    assert_refused(earlier, "previous", "The previous edition must be of an earlier year.")
    WatchListFactory.build(edition_year=2020, previous=later).full_clean()


def test_an_edition_cannot_revise_itself():
    edition = WatchListFactory()
    edition.previous = edition
    assert_refused(edition, "previous", "The previous edition must be of an earlier year.")
    assert_refused(
        edition,
        NON_FIELD_ERRORS,
        "An edition cannot revise itself.",
        validate=edition.validate_constraints,
    )
    with db_refuses("watchlist_not_own_previous"):
        WatchList.objects.filter(pk=edition.pk).update(previous=edition)


# WatchListEntry


@pytest.fixture
def editions():
    """Action Plan 2018 and 2019, the second revising the first."""
    first = WatchListFactory(name="Action Plan 2018", edition_year=2018)
    second = WatchListFactory(name="Action Plan 2019", edition_year=2019, previous=first)
    return first, second


def test_a_project_is_listed_once_per_edition():
    entry = WatchListEntryFactory()
    duplicate = WatchListEntryFactory.build(watch_list=entry.watch_list, project=entry.project)
    assert_refused(duplicate, NON_FIELD_ERRORS, "This project is already on this watch list.")
    with db_refuses():
        duplicate.save()


def test_the_same_project_may_be_listed_in_every_edition(editions):
    first, second = editions
    entry = WatchListEntryFactory(watch_list=first)
    WatchListEntryFactory.build(watch_list=second, project=entry.project).full_clean()


def test_a_removed_entry_needs_a_reason(editions):
    first, _second = editions
    entry = WatchListEntryFactory(watch_list=first)
    entry.outcome_at_next_edition = WatchListOutcome.REMOVED
    assert_refused(entry, NON_FIELD_ERRORS, "Say why the project was removed.")
    with db_refuses("watchlistentry_removed_needs_reason"):
        WatchListEntry.objects.filter(pk=entry.pk).update(
            outcome_at_next_edition=WatchListOutcome.REMOVED
        )
    entry.reason = "The borrower cancelled the loan request."
    entry.full_clean()


@pytest.mark.parametrize("outcome", WatchListOutcome.values)
def test_no_outcome_while_the_next_edition_does_not_exist(editions, outcome):
    _first, latest = editions
    entry = WatchListEntryFactory.build(
        watch_list=latest,
        project=ProjectFactory(awarded_to=OrganizationFactory()),
        outcome_at_next_edition=outcome,
        reason="Stated in the next edition.",
    )
    assert_refused(
        entry,
        "outcome_at_next_edition",
        "The outcome stays blank until the next edition exists.",
    )
    following = WatchListFactory(edition_year=latest.edition_year + 1, previous=latest)
    if outcome == WatchListOutcome.CONTINUED:  # continued: on the next edition too
        WatchListEntryFactory(watch_list=following, project=entry.project)
    entry.full_clean()


def test_outcome_is_blank_by_default_on_the_latest_edition(editions):
    _first, latest = editions
    WatchListEntryFactory.build(watch_list=latest, project=ProjectFactory()).full_clean()


# OrderFigure


def test_one_figure_of_each_kind_per_year():
    OrderFigureFactory(year=2017, kind=FigureKind.ACTUAL)
    duplicate = OrderFigureFactory.build(year=2017, kind=FigureKind.ACTUAL)
    assert_refused(
        duplicate, NON_FIELD_ERRORS, "There is already a figure of this kind for this year."
    )
    with db_refuses():
        duplicate.save()
    OrderFigureFactory.build(year=2017, kind=FigureKind.TARGET).full_clean()


def test_order_amount_cannot_be_negative():
    figure = OrderFigureFactory(amount_jpy=0)
    figure.full_clean()
    figure.amount_jpy = -1
    assert_refused(figure, "amount_jpy", NOT_NEGATIVE)
    assert_refused(
        figure,
        NON_FIELD_ERRORS,
        "The amount cannot be negative.",
        validate=figure.validate_constraints,
    )
    with db_refuses("orderfigure_amount_not_negative"):
        OrderFigure.objects.filter(pk=figure.pk).update(amount_jpy=-1)
