"""Reads of the projects app that are more than a filter."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext

from projects.choices import WatchListOutcome
from projects.models import WatchList, WatchListEntry


@dataclass(frozen=True)
class Contradiction:
    entry: WatchListEntry
    message: str


def watch_list_contradictions() -> list[Contradiction]:
    """Every watch-list entry whose outcome disagrees with the next edition (domain.md,
    "Consistency between records"), in edition and project order (1 query). The rules
    refuse them on every write; these are records stored before the rules, or by SQL."""
    entries = (
        WatchListEntry.objects.select_related("watch_list", "project")
        .annotate(
            next_edition_id=Subquery(
                WatchList.objects.filter(previous_id=OuterRef("watch_list_id")).values("pk")[:1]
            ),
            next_edition_name=Subquery(
                WatchList.objects.filter(previous_id=OuterRef("watch_list_id")).values("name")[:1]
            ),
            listed=Exists(
                WatchListEntry.objects.filter(
                    watch_list__previous_id=OuterRef("watch_list_id"),
                    project_id=OuterRef("project_id"),
                )
            ),
        )
        .filter(
            # Outcome without a next edition, none with one, continued but not listed,
            # listed but not continued, or won by a foreign firm without the winner.
            Q(next_edition_id__isnull=True, outcome_at_next_edition__gt="")
            | Q(next_edition_id__isnull=False, outcome_at_next_edition="")
            | Q(listed=False, outcome_at_next_edition=WatchListOutcome.CONTINUED)
            | (Q(listed=True) & ~Q(outcome_at_next_edition=WatchListOutcome.CONTINUED))
            | Q(
                outcome_at_next_edition=WatchListOutcome.WON_FOREIGN,
                project__awarded_to__isnull=True,
            )
        )
        .order_by("watch_list__edition_year", "project__name", "pk")
    )
    return [Contradiction(entry, message) for entry in entries for message in _messages_of(entry)]


def _messages_of(entry) -> list[str]:
    names = {"project": entry.project, "edition": entry.next_edition_name}
    outcome = entry.outcome_at_next_edition
    messages = []
    if entry.next_edition_id is None and outcome:
        messages.append(
            gettext("It records “%(outcome)s”, but no edition revises this one yet.")
            % {"outcome": entry.get_outcome_at_next_edition_display()}
        )
    elif entry.next_edition_id is not None and not outcome:
        messages.append(
            gettext("“%(project)s” is on %(edition)s, but the outcome is not recorded.") % names
            if entry.listed
            else gettext("What became of “%(project)s” by %(edition)s is not recorded yet.") % names
        )
    elif outcome == WatchListOutcome.CONTINUED and not entry.listed:
        messages.append(
            gettext("It records “continued”, but “%(project)s” is not on %(edition)s.") % names
        )
    elif entry.listed and outcome != WatchListOutcome.CONTINUED:
        messages.append(
            gettext("It records “%(outcome)s”, but “%(project)s” is on %(edition)s.")
            % {**names, "outcome": entry.get_outcome_at_next_edition_display()}
        )
    if outcome == WatchListOutcome.WON_FOREIGN and entry.project.awarded_to_id is None:
        messages.append(
            gettext(
                "It records “won by a foreign firm”, but “%(project)s” does not say whom it "
                "was awarded to."
            )
            % names
        )
    return messages
