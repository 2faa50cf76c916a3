"""Writes that keep one watch-list edition's outcomes in step with the next edition
(domain.md, "Consistency between records"): "continued" exactly when the project is on
the next edition.

"Continued" follows from the next edition's list, so the system records it: putting a
project on an edition records "continued" on the previous edition's entry (if nothing
else was recorded there: WatchListEntry.clean refuses the project otherwise), and
taking it off turns that "continued" back into "not recorded yet", for staff to record
what became of the project. projects.signals calls these on every save and delete, in
the same transaction, whoever writes (admin, API, import, demo)."""

from collections.abc import Iterable

from django.db.models import QuerySet

from projects.choices import WatchListOutcome
from projects.models import WatchList, WatchListEntry

# The history's reasons for an outcome the system changed (values tools may match).
CARRIED_OVER_REASON = "Listed in the next edition"
TAKEN_OFF_REASON = "Taken off the next edition"
NO_NEXT_EDITION_REASON = "The next edition no longer revises this one"


def _follow(entries: QuerySet[WatchListEntry], next_edition_id: int | None) -> None:
    """Bring `entries` (of one edition) in line with `next_edition_id`, the edition that
    revises theirs (None: there is none). Each changed entry is saved, so that its
    history and webhooks say so."""
    listed = (
        set(
            WatchListEntry.objects.filter(watch_list_id=next_edition_id).values_list(
                "project_id", flat=True
            )
        )
        if next_edition_id
        else set()
    )
    for entry in entries.select_for_update().order_by("pk"):
        outcome = entry.outcome_at_next_edition
        if next_edition_id is None:
            wanted, reason = "", NO_NEXT_EDITION_REASON
        elif entry.project_id in listed:
            # A won or removed project on the next edition is refused by clean(); one
            # stored by a path that skipped it stays as it is, for check_consistency.
            wanted = outcome or WatchListOutcome.CONTINUED
            reason = CARRIED_OVER_REASON
        else:
            wanted = "" if outcome == WatchListOutcome.CONTINUED else outcome
            reason = TAKEN_OFF_REASON
        if wanted != outcome:
            entry.outcome_at_next_edition = wanted
            entry._change_reason = reason
            entry.save()


def watch_list_entries_follow(*, edition_id: int, project_ids: Iterable[int]) -> None:
    """The previous edition's entries of these projects, after they joined or left
    edition `edition_id`."""
    previous_id = (
        WatchList.objects.filter(pk=edition_id).values_list("previous_id", flat=True).first()
    )
    if previous_id:
        _follow(
            WatchListEntry.objects.filter(watch_list_id=previous_id, project_id__in=project_ids),
            edition_id,
        )


def watch_list_follow_next_edition(*, edition_id: int) -> None:
    """Every entry of edition `edition_id`, after the edition that revises it changed
    (one created, deleted, or pointed at another previous edition)."""
    next_id = WatchList.objects.filter(previous_id=edition_id).values_list("pk", flat=True).first()
    _follow(WatchListEntry.objects.filter(watch_list_id=edition_id), next_id)


def watch_list_entry_listed_on_next(entry: WatchListEntry) -> bool:
    """Whether the entry's project is on the edition that revises the entry's."""
    if not (entry.watch_list_id and entry.project_id):
        return False
    return WatchListEntry.objects.filter(
        watch_list__previous_id=entry.watch_list_id, project_id=entry.project_id
    ).exists()
