"""Keep each watch-list edition's outcomes in step with the next edition's list
(projects.services): every save and delete of an entry or an edition, in its own
transaction."""

from django.db.models import QuerySet

from projects.choices import WatchListOutcome
from projects.models import WatchList, WatchListEntry
from projects.services import (
    watch_list_entries_follow,
    watch_list_entry_listed_on_next,
    watch_list_follow_next_edition,
)


def entry_saving(sender, instance, raw=False, **kwargs):
    # raw: a fixture being loaded, which brings every entry as it was.
    if raw:
        return
    instance._placed_before = (
        WatchListEntry.objects.filter(pk=instance.pk)
        .values_list("watch_list_id", "project_id")
        .first()
        if instance.pk
        else None
    )
    if not instance.outcome_at_next_edition and watch_list_entry_listed_on_next(instance):
        # "Not recorded" for a project the next edition lists: it continued.
        instance.outcome_at_next_edition = WatchListOutcome.CONTINUED


def entry_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_placed_before", None)
    now = (instance.watch_list_id, instance.project_id)
    if before == now:
        return
    for edition_id, project_id in {before, now} - {None}:
        watch_list_entries_follow(edition_id=edition_id, project_ids=[project_id])


def entry_deleted(sender, instance, origin=None, **kwargs):
    if _with_its_edition(origin):
        return
    watch_list_entries_follow(edition_id=instance.watch_list_id, project_ids=[instance.project_id])


def edition_saving(sender, instance, raw=False, **kwargs):
    if raw:
        return
    instance._previous_before = (
        WatchList.objects.filter(pk=instance.pk).values_list("previous_id", flat=True).first()
        if instance.pk
        else None
    )


def edition_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_previous_before", None)
    if before == instance.previous_id:
        return
    for edition_id in {before, instance.previous_id} - {None}:
        watch_list_follow_next_edition(edition_id=edition_id)


def edition_deleted(sender, instance, **kwargs):
    # Its entries went with it (once, here, rather than one by one): the edition it
    # revised has no next edition any more.
    if instance.previous_id:
        watch_list_follow_next_edition(edition_id=instance.previous_id)


def _with_its_edition(origin):
    return isinstance(origin, WatchList) or (
        isinstance(origin, QuerySet) and origin.model is WatchList
    )
