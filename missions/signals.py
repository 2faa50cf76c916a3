"""Keep missions.Engagement equal to the meetings it is computed from: every save and
delete of a meeting refreshes the (mission, principal, country) triple it belongs to,
and the one it left if it moved (to another mission, principal or country), in the
meeting's own transaction. A mission whose leader or leader's rank changes takes the
meetings its leader held along (missions.services.mission_meetings_follow_leader)."""

from django.db.models import QuerySet

from missions.models import (
    ENGAGEMENT_FIELDS,
    Meeting,
    Mission,
    as_engagement_key,
    engagement_key,
)
from missions.services import mission_meetings_follow_leader, refresh_engagements


def _stored(instance):
    """The row's ENGAGEMENT_FIELDS, None if there is no row."""
    loaded = instance.__dict__.get("_engagement_loaded")
    if loaded is None and instance.pk is not None:
        # Not read from the database (a history revert or restore builds the instance),
        # or read without these fields: ask the row.
        row = Meeting.objects.filter(pk=instance.pk).values_list(*ENGAGEMENT_FIELDS).first()
        loaded = as_engagement_key(*row) if row else None
    return loaded


def meeting_saving(sender, instance, raw=False, **kwargs):
    # raw: a fixture being loaded, which brings its own engagement rows (dumpdata
    # writes that table like any other).
    if not raw:
        instance._engagement_before = _stored(instance)


def meeting_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_engagement_before", None)
    written = None
    if update_fields is not None:
        written = set(update_fields) | {
            f"{name}_id" for name in ("mission", "principal") if name in update_fields
        }
    now = engagement_key(instance, written, before)
    if now != before:
        refresh_engagements({key[:3] for key in (before, now) if key is not None})
    instance._engagement_loaded = now


def meeting_deleting(sender, instance, origin=None, **kwargs):
    if not _with_its_mission(origin):
        instance._engagement_before = _stored(instance)


def meeting_deleted(sender, instance, origin=None, **kwargs):
    if _with_its_mission(origin):
        return
    before = instance.__dict__.pop("_engagement_before", None)
    now = engagement_key(instance, before=before)
    refresh_engagements({key[:3] for key in (before, now) if key is not None})


def _with_its_mission(origin):
    # A meeting deleted because its mission is: the same cascade deletes the mission's
    # engagements, so there is nothing to recompute.
    return isinstance(origin, Mission) or (isinstance(origin, QuerySet) and origin.model is Mission)


def mission_saving(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None:
        instance._leader_before = (
            Mission.objects.filter(pk=instance.pk).values_list("leader_id", "leader_rank").first()
        )


def mission_saved(sender, instance, raw=False, **kwargs):
    before = instance.__dict__.pop("_leader_before", None)
    if raw or before is None or before == (instance.leader_id, instance.leader_rank):
        return
    leader_id, leader_rank = before
    mission_meetings_follow_leader(mission=instance, leader_id=leader_id, leader_rank=leader_rank)
