"""Watch-list outcomes agree with the next edition (domain.md, "Consistency between
records"): "continued" exactly when the project is on the next edition, won or
removed only when it is not, and "won by a foreign firm" only with the winner. Refused
on every path (model, API, admin), kept true when a project joins or leaves an edition,
and found by check_consistency in data stored before the rule."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from projects.choices import WatchListOutcome
from projects.models import WatchList, WatchListEntry
from projects.selectors import watch_list_contradictions
from projects.services import CARRIED_OVER_REASON, TAKEN_OFF_REASON
from tests import factories
from tests.api import assert_message, detail
from tests.rules import assert_refused

pytestmark = pytest.mark.django_db

ENTRIES = "/api/v1/watch-list-entries/"
WATCH_LISTS = "/api/v1/watch-lists/"
C, WJ, WF, R = (
    WatchListOutcome.CONTINUED,
    WatchListOutcome.WON_JAPANESE,
    WatchListOutcome.WON_FOREIGN,
    WatchListOutcome.REMOVED,
)


@pytest.fixture
def plans():
    """Action Plan 2018 and 2019, the second revising the first, and a project."""
    first = factories.WatchListFactory(name="Action Plan 2018", edition_year=2018)
    second = factories.WatchListFactory(name="Action Plan 2019", edition_year=2019, previous=first)
    return first, second, factories.ProjectFactory(name="Hanoi Metro Line 2")


def entry_on(edition, project, outcome="", **kwargs):
    reason = "Tender delayed" if outcome == R else ""
    return factories.WatchListEntryFactory(
        watch_list=edition,
        project=project,
        outcome_at_next_edition=outcome,
        reason=reason,
        **kwargs,
    )


def outcome_of(entry):
    entry.refresh_from_db()
    return entry.outcome_at_next_edition


# -- the outcome against the next edition's list ---------------------------------------


def test_continued_is_refused_for_a_project_not_on_the_next_edition(plans):
    first, _second, project = plans
    entry = entry_on(first, project)
    entry.outcome_at_next_edition = C
    assert_refused(
        entry,
        "outcome_at_next_edition",
        "“Hanoi Metro Line 2” is not on Action Plan 2019, so it did not continue: add it to "
        "Action Plan 2019 (which records it as continued), or record what became of it.",
    )


@pytest.mark.parametrize("outcome", [WJ, WF, R])
def test_won_or_removed_is_refused_for_a_project_on_the_next_edition(plans, outcome):
    first, second, project = plans
    project.awarded_to = factories.OrganizationFactory()
    project.save()
    entry = entry_on(first, project)
    entry_on(second, project)
    assert outcome_of(entry) == C
    entry.outcome_at_next_edition = outcome
    entry.reason = "Tender delayed"
    assert_refused(
        entry,
        "outcome_at_next_edition",
        "“Hanoi Metro Line 2” is on Action Plan 2019, so it continued: take it off Action "
        "Plan 2019 first if it did not.",
    )


@pytest.mark.parametrize("outcome", [WJ, WF, R])
def test_won_or_removed_is_accepted_for_a_project_not_on_the_next_edition(plans, outcome):
    first, _second, project = plans
    project.awarded_to = factories.OrganizationFactory()
    project.save()
    entry = entry_on(first, project)
    entry.outcome_at_next_edition, entry.reason = outcome, "Tender delayed"
    entry.full_clean()


def test_won_by_a_foreign_firm_needs_the_projects_winner(plans):
    first, _second, project = plans
    entry = entry_on(first, project)
    entry.outcome_at_next_edition = WF
    assert_refused(
        entry,
        "outcome_at_next_edition",
        "Record on “Hanoi Metro Line 2” whom it was awarded to (“awarded to”) before "
        "recording it as won by a foreign firm.",
    )
    project.awarded_to = factories.OrganizationFactory(kind="foreign_company")
    project.save()
    entry.full_clean()
    entry.save()

    # Nor can the winner be taken off the project afterwards.
    project.awarded_to = None
    assert_refused(
        project,
        "awarded_to",
        "Action Plan 2018 records this project as won by a foreign firm: it needs the "
        "organisation it was awarded to.",
    )


# -- a project joining or leaving the next edition ------------------------------------


def test_putting_a_project_on_the_next_edition_records_continued(plans):
    first, second, project = plans
    entry = entry_on(first, project)
    assert outcome_of(entry) == ""

    entry_on(second, project).full_clean()

    assert outcome_of(entry) == C
    assert entry.history.first().history_change_reason == CARRIED_OVER_REASON


def test_an_entry_made_after_the_next_edition_lists_its_project_is_continued(plans):
    first, second, project = plans
    entry_on(second, project)
    assert outcome_of(entry_on(first, project)) == C


@pytest.mark.parametrize("outcome", [WJ, R])
def test_a_project_recorded_as_won_or_removed_cannot_join_the_next_edition(plans, outcome):
    first, second, project = plans
    entry_on(first, project, outcome)
    joining = factories.WatchListEntryFactory.build(watch_list=second, project=project)
    with translation.override("en"):
        label = str(dict(WatchListOutcome.choices)[outcome])
    assert_refused(
        joining,
        "project",
        f"Action Plan 2018 records “Hanoi Metro Line 2” as “{label}” by the next edition, so "
        "it cannot be on this one: if it was carried over, clear that outcome on Action Plan "
        "2018 first.",
    )


def test_taking_a_project_off_the_next_edition_leaves_its_outcome_to_record(plans):
    first, second, project = plans
    entry = entry_on(first, project)
    joined = entry_on(second, project)
    assert outcome_of(entry) == C

    joined.delete()

    assert outcome_of(entry) == ""
    assert entry.history.first().history_change_reason == TAKEN_OFF_REASON
    entry.outcome_at_next_edition, entry.reason = R, "Tender delayed"
    entry.full_clean()


def test_moving_an_entry_to_another_project_moves_continued(plans):
    first, second, project = plans
    other = factories.ProjectFactory(name="Jakarta MRT")
    stays, leaves = entry_on(first, project), entry_on(first, other)
    joined = entry_on(second, project)
    assert (outcome_of(stays), outcome_of(leaves)) == (C, "")

    joined.project = other
    joined.full_clean()
    joined.save()

    assert (outcome_of(stays), outcome_of(leaves)) == ("", C)


def test_an_edition_stops_revising_another_only_once_its_outcomes_are_cleared(plans):
    first, second, project = plans
    carried, won = entry_on(first, project), entry_on(first, factories.ProjectFactory(), WJ)
    entry_on(second, project)
    second.previous = None
    assert_refused(
        second,
        "previous",
        "Action Plan 2018 records what became of 1 of its projects by this edition: clear "
        "that outcome there first, or keep it as the previous edition.",
    )

    won.outcome_at_next_edition = ""
    won.save()
    second.full_clean()
    second.save()

    assert (outcome_of(carried), outcome_of(won)) == ("", "")


def test_a_new_previous_edition_records_continued_for_the_projects_listed(plans):
    _first, second, project = plans
    entry_on(second, project)
    older = factories.WatchListFactory(name="Action Plan 2017", edition_year=2017)
    listed, not_listed = entry_on(older, project), entry_on(older, factories.ProjectFactory())
    second.previous = older
    second.full_clean()
    second.save()
    assert (outcome_of(listed), outcome_of(not_listed)) == (C, "")


def test_deleting_the_next_edition_clears_the_outcomes_recorded_at_it(plans):
    first, second, project = plans
    carried = entry_on(first, project)
    entry_on(second, project)
    won = entry_on(first, factories.ProjectFactory(), WJ)

    second.delete()

    assert (outcome_of(carried), outcome_of(won)) == ("", "")


# -- the API -------------------------------------------------------------------------


def test_api_refuses_removed_for_a_project_on_the_next_edition(api, plans):
    """The report of issue 15: PATCH removed on a project still listed was a 200."""
    first, second, project = plans
    entry = entry_on(first, project)
    entry_on(second, project)
    response = api.patch(
        detail(ENTRIES, entry),
        {"outcome_at_next_edition": "removed", "reason": "Tender delayed"},
        format="json",
    )
    assert_message(
        response,
        "outcome_at_next_edition",
        "“Hanoi Metro Line 2” is on Action Plan 2019, so it continued: take it off Action "
        "Plan 2019 first if it did not.",
    )
    assert outcome_of(entry) == C


def test_api_adding_and_removing_a_project_keeps_the_previous_outcome_true(api, plans):
    first, second, project = plans
    entry = entry_on(first, project)
    response = api.post(
        ENTRIES,
        {"watch_list": second.pk, "project": project.pk, "region": "southeast_asia"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert outcome_of(entry) == C

    assert api.delete(f"{ENTRIES}{response.json()['id']}/").status_code == 204
    assert outcome_of(entry) == ""


def test_api_refuses_a_project_the_previous_edition_records_as_removed(api, plans):
    first, second, project = plans
    entry_on(first, project, R)
    response = api.post(
        ENTRIES,
        {"watch_list": second.pk, "project": project.pk, "region": "southeast_asia"},
        format="json",
    )
    assert_message(
        response,
        "project",
        "Action Plan 2018 records “Hanoi Metro Line 2” as “Removed” by the next edition, so "
        "it cannot be on this one: if it was carried over, clear that outcome on Action Plan "
        "2018 first.",
    )
    assert not second.entries.exists()


@pytest.mark.api_language("ja")
def test_api_refusals_are_in_japanese_too(api, plans):
    first, _second, project = plans
    entry = entry_on(first, project)
    response = api.patch(
        detail(ENTRIES, entry), {"outcome_at_next_edition": "continued"}, format="json"
    )
    assert response.status_code == 400
    [message] = response.json()["outcome_at_next_edition"]
    assert "Hanoi Metro Line 2" in message and "Action Plan 2019" in message
    assert "継続" in message


def test_api_refuses_won_foreign_without_the_winner(api, plans):
    first, _second, project = plans
    entry = entry_on(first, project)
    response = api.patch(
        detail(ENTRIES, entry), {"outcome_at_next_edition": "won_foreign"}, format="json"
    )
    assert response.status_code == 400
    assert outcome_of(entry) == ""


# -- the admin -----------------------------------------------------------------------


def test_admin_adding_a_project_to_the_next_edition_records_continued(data_entry_client, plans):
    first, second, project = plans
    entry = entry_on(first, project)
    response = data_entry_client.post(
        reverse("admin:projects_watchlistentry_add"),
        {"watch_list": second.pk, "project": project.pk, "region": "southeast_asia"},
    )
    assert response.status_code == 302, response.context["errors"]
    assert outcome_of(entry) == C


def test_admin_refuses_removed_for_a_project_on_the_next_edition(data_entry_client, plans):
    first, second, project = plans
    entry = entry_on(first, project)
    entry_on(second, project)
    entry.refresh_from_db()
    response = data_entry_client.post(
        reverse("admin:projects_watchlistentry_change", args=[entry.pk]),
        {
            "watch_list": first.pk,
            "project": project.pk,
            "region": entry.region,
            "outcome_at_next_edition": "removed",
            "reason": "Tender delayed",
            "version": entry.version,
        },
    )
    assert response.status_code == 200
    assert "「Hanoi Metro Line 2」は Action Plan 2019 に掲載されているため、継続です。" in str(
        response.context["errors"]
    )
    assert outcome_of(entry) == C


def test_admin_says_which_outcomes_are_left_to_record(data_entry_client, plans):
    first, second, project = plans
    entry_on(first, project)
    joined = entry_on(second, project)
    response = data_entry_client.post(
        reverse("admin:projects_watchlistentry_delete", args=[joined.pk]),
        {"post": "yes"},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert (
        "Action Plan 2018 には、“Hanoi Metro Line 2” が Action Plan 2019 までにどうなったか"
        "（受注、または理由を付けて削除）がまだ記録されていません。Action Plan 2018 で記録して"
        "ください。" in messages
    ), messages


# -- data stored before the rule ------------------------------------------------------


def test_check_consistency_lists_every_contradiction_and_fails(plans):
    first, second, project = plans
    metro = entry_on(first, project)
    entry_on(second, project)
    not_listed = entry_on(first, factories.ProjectFactory(name="Manila Subway"))
    foreign = entry_on(first, factories.ProjectFactory(name="Yangon Port", awarded_to=None), WJ)
    latest = entry_on(second, factories.ProjectFactory(name="Dhaka Airport"))
    # As SQL (or a database filled before the rule) could leave them.
    WatchListEntry.objects.filter(pk=metro.pk).update(outcome_at_next_edition=R, reason="x")
    WatchListEntry.objects.filter(pk=not_listed.pk).update(outcome_at_next_edition=C)
    WatchListEntry.objects.filter(pk=foreign.pk).update(outcome_at_next_edition=WF)
    WatchListEntry.objects.filter(pk=latest.pk).update(outcome_at_next_edition=C)

    with translation.override("en"):
        found = [(c.entry.pk, c.message) for c in watch_list_contradictions()]
        out = StringIO()
        with pytest.raises(CommandError, match="4 contradictions"):
            call_command("check_consistency", stdout=out)

    assert found == [
        (metro.pk, "It records “Removed”, but “Hanoi Metro Line 2” is on Action Plan 2019."),
        (not_listed.pk, "It records “continued”, but “Manila Subway” is not on Action Plan 2019."),
        (
            foreign.pk,
            "It records “won by a foreign firm”, but “Yangon Port” does not say whom it was "
            "awarded to.",
        ),
        (latest.pk, "It records “Continued”, but no edition revises this one yet."),
    ]
    assert out.getvalue().count("\n") == 4
    assert "Action Plan 2018 – Hanoi Metro Line 2" in out.getvalue()


def test_check_consistency_lists_outcomes_not_recorded(plans):
    first, _second, project = plans
    entry_on(first, project)
    with translation.override("en"), pytest.raises(CommandError, match="1 contradictions"):
        out = StringIO()
        call_command("check_consistency", stdout=out)
    assert "What became of “Hanoi Metro Line 2” by Action Plan 2019 is not recorded yet." in (
        out.getvalue()
    )


def test_check_consistency_passes_on_consistent_records(plans):
    first, second, project = plans
    entry_on(first, project)
    entry_on(second, project)
    entry_on(first, factories.ProjectFactory(), R)
    out = StringIO()
    call_command("check_consistency", stdout=out)
    assert "No contradiction" in out.getvalue()


def test_published_on_has_nothing_to_do_with_it(plans):
    _first, second, _project = plans
    second.published_on = datetime.date(2019, 3, 29)
    second.full_clean()
    second.save()
    assert WatchList.objects.get(pk=second.pk).published_on == datetime.date(2019, 3, 29)
