"""Outbound webhooks: the outbox written with each change, and its delivery.

A change writes one Delivery per interested subscription inside its own transaction;
on commit, the record is taken as the API shows it and a task is queued per delivery.
The task POSTs, records the attempt, and retries with exponential backoff and jitter
until the receiver answers 2xx or the attempts run out. A delivery whose task message
was lost (broker down at commit, worker killed) is queued again by the relay.
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import logging
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.classification import Classification, classification_of, sees_everything
from webhooks.choices import DeliveryStatus, Event
from webhooks.models import EVENT_FLAGS, Delivery, DeliveryAttempt, Subscription, new_task_id
from webhooks.registry import record_type_of, serialize_record

logger = logging.getLogger(__name__)

USER_AGENT = "mlit-infra-crm-webhooks/1"
INTERRUPTED = "Interrupted: the worker stopped before the attempt ended."


def _display(instance) -> str:
    try:
        return str(instance)[:255]
    except Exception:  # noqa: BLE001 -- a deleted relation must not block the delete
        return f"{instance._meta.verbose_name} {instance.pk}"[:255]


# -- the outbox ------------------------------------------------------------------------


def _owner_may_read(subscription, instance, event) -> bool:
    """Whether the subscription's owner could read the record (core.classification):
    a subscriber never hears of a record its owner could not open. Without an owner,
    records of levels 1 and 2 only; a record deleted at level 3 (its access list gone
    with it), only to an owner who sees everything."""
    model = type(instance)
    manager = model._default_manager
    if not hasattr(manager, "visible_to"):
        return True
    owner = subscription.owner
    if owner is not None:
        meta = model._meta
        if not owner.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            return False
        if sees_everything(owner):
            return True
    if event == Event.DELETED or owner is None:
        return classification_of(instance) < Classification.NEED_TO_KNOW
    return manager.visible_to(owner).filter(pk=instance.pk).exists()


def deliveries_for_change(*, instance, event: str) -> list[Delivery]:
    """Write the deliveries of one change in the current transaction, and queue them
    once it commits (nothing is queued if it rolls back)."""
    return deliveries_for_changes(instances=[instance], event=event)


def deliveries_for_changes(*, instances, event: str) -> list[Delivery]:
    """deliveries_for_change() for many records of one model changed alike (an
    import's): the subscriptions read once, and a query per subscription whose owner
    is limited by classification instead of one per record."""
    instances = list(instances)
    if not instances:
        return []
    model = type(instances[0])
    content_type = ContentType.objects.get_for_model(model)
    subscriptions = list(
        Subscription.objects.filter(
            active=True, record_types=content_type, **{EVENT_FLAGS[event]: True}
        ).select_related("owner")
    )
    if not subscriptions:
        return []
    now = timezone.now()
    deliveries = []
    for subscription in subscriptions:
        readable = _readable_by_owner(subscription, instances, event)
        for instance in instances:
            if instance.pk not in readable:
                continue
            display = _display(instance)
            deliveries.append(
                Delivery(
                    subscription=subscription,
                    event=event,
                    content_type=content_type,
                    object_id=instance.pk,
                    record_display=display,
                    # A deleted record cannot be read later: it is sent as its id and name.
                    payload={"id": instance.pk, "display": display}
                    if event == Event.DELETED
                    else None,
                    occurred_at=now,
                    next_attempt_at=now,
                )
            )
    if not deliveries:
        return []
    deliveries = Delivery.objects.bulk_create(deliveries)
    # robust: a broker that is down must not fail a change already committed; the
    # relay queues the delivery later.
    delivery_ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _snapshot_and_enqueue(delivery_ids), robust=True)
    return deliveries


def _readable_by_owner(subscription, instances, event) -> set:
    """The pks of `instances` the subscription's owner could read (_owner_may_read),
    in one query at most."""
    if len(instances) == 1:
        instance = instances[0]
        return {instance.pk} if _owner_may_read(subscription, instance, event) else set()
    model = type(instances[0])
    manager = model._default_manager
    pks = {instance.pk for instance in instances}
    if not hasattr(manager, "visible_to"):
        return pks
    owner = subscription.owner
    if owner is not None:
        meta = model._meta
        if not owner.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            return set()
        if sees_everything(owner):
            return pks
    if event == Event.DELETED or owner is None:
        return {
            instance.pk
            for instance in instances
            if classification_of(instance) < Classification.NEED_TO_KNOW
        }
    return set(manager.visible_to(owner).filter(pk__in=pks).values_list("pk", flat=True))


def _snapshot_and_enqueue(delivery_ids):
    deliveries = list(
        Delivery.objects.filter(pk__in=delivery_ids).select_related(
            "content_type", "subscription__owner"
        )
    )
    try:
        _take_snapshots(deliveries)
    except Exception:
        # The task takes the snapshot itself when it finds none.
        logger.exception("Could not take the record of deliveries %s", delivery_ids)
    for delivery in deliveries:
        _enqueue(delivery)


def _take_snapshots(deliveries):
    """The record as committed, read once for all the subscriptions of one change that
    have the same owner: each owner is sent the related records they may see."""
    records = {}
    for delivery in deliveries:
        if delivery.payload is not None:
            continue
        key = (delivery.content_type_id, delivery.object_id, delivery.subscription.owner_id)
        if key not in records:
            records[key] = _record_or_stub(delivery)
        Delivery.objects.filter(pk=delivery.pk, payload__isnull=True).update(payload=records[key])


def _record_or_stub(delivery) -> dict:
    record = serialize_record(
        delivery.content_type.model_class(),
        delivery.object_id,
        reader=delivery.subscription.owner,
    )
    # Deleted since: the id and name known at the change.
    return (
        record
        if record is not None
        else {"id": delivery.object_id, "display": delivery.record_display}
    )


def _enqueuer(delivery):
    return lambda: _enqueue(delivery)


def _enqueue(delivery):
    from webhooks.tasks import deliver

    deliver.apply_async(args=[str(delivery.pk)], task_id=delivery.task_id)


# -- what is sent ----------------------------------------------------------------------


def delivery_body(delivery: Delivery) -> bytes:
    """The exact bytes POSTed, the same at every attempt (keys sorted, no spaces)."""
    document = {
        "delivery_id": str(delivery.pk),
        "event": delivery.event,
        "record_type": record_type_of(delivery.content_type),
        "record": delivery.payload,
        "timestamp": delivery.occurred_at.isoformat(),
    }
    return json.dumps(
        document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    ).encode()


def signature(secret: str, body: bytes) -> str:
    """The X-Signature header: what a receiver recomputes to trust the body.

    Deprecated: kept for the receivers written against it for one release, beside the
    Standard Webhooks headers (standard_webhook_headers), and removed in the next."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def standard_webhook_headers(*, secret: str, message_id: str, body: bytes, now: float) -> dict:
    """The headers of the Standard Webhooks specification (standardwebhooks.com):
    `webhook-id`, `webhook-timestamp` (Unix seconds of this attempt: a verifier refuses
    one more than 5 minutes off, so a retry is stamped anew) and `webhook-signature`,
    `v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`.

    The key is the subscription's secret as bytes (UTF-8); a stock verifier is given it
    as `whsec_` + its base64 (Subscription.standard_webhooks_secret)."""
    timestamp = str(int(now))
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter: base × 2^(attempt-1), capped, then a random
    point in its upper half, so that receivers coming back up are not hit all at once."""
    ceiling = min(
        settings.WEBHOOK_BACKOFF_MAX_SECONDS,
        settings.WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempt - 1, 0),
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 -- not for secrets


# -- an attempt ------------------------------------------------------------------------


@dataclass
class _Claim:
    delivery: Delivery
    attempt: DeliveryAttempt


def delivery_attempt(*, delivery_id, task_id: str) -> float | None:
    """Make one attempt of a delivery on behalf of task message `task_id`.

    Returns the seconds to wait before the task should run again (the next attempt,
    or another worker's attempt still under way), or None when there is nothing more
    to do: delivered, failed for good, or the message is stale."""
    claim = _claim(delivery_id, task_id)
    if not isinstance(claim, _Claim):
        return claim
    delivery = claim.delivery
    status_code, error, duration_ms = _post(delivery)
    return _record(delivery, claim.attempt, status_code, error, duration_ms)


@transaction.atomic
def _claim(delivery_id, task_id):
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("subscription", "content_type")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    if delivery.task_id != task_id:
        return None  # the relay has handed this delivery to another message
    now = timezone.now()
    if delivery.locked_until and delivery.locked_until > now:
        # Another worker is posting it, or one died doing so: try after its lease.
        return (delivery.locked_until - now).total_seconds() + 1
    # An attempt left open was cut short by a worker that died.
    delivery.attempts.filter(finished_at__isnull=True).update(finished_at=now, error=INTERRUPTED)
    if delivery.payload is None:
        delivery.payload = _record_or_stub(delivery)
    delivery.attempt_count += 1
    delivery.locked_until = now + datetime.timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    delivery.save(update_fields=["payload", "attempt_count", "locked_until"])
    attempt = DeliveryAttempt.objects.create(delivery=delivery, started_at=now)
    return _Claim(delivery, attempt)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer other than 2xx, not an instruction to post elsewhere."""

    def redirect_request(self, *args, **kwargs):
        return None


def _post(delivery: Delivery):
    body = delivery_body(delivery)
    request = urllib.request.Request(
        delivery.subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Delivery-Id": str(delivery.pk),
            "X-Event": f"{record_type_of(delivery.content_type)}.{delivery.event}",
            **standard_webhook_headers(
                secret=delivery.subscription.secret,
                message_id=str(delivery.pk),
                body=body,
                now=time.time(),
            ),
            "X-Signature": signature(delivery.subscription.secret, body),
        },
    )
    opener = urllib.request.build_opener(_NoRedirects)
    started = time.monotonic()
    status_code, error = None, ""
    try:
        with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            status_code = response.status
            response.read(65536)
    except urllib.error.HTTPError as answer:
        status_code = answer.code
        error = f"HTTP {answer.code} {answer.reason}"
    except urllib.error.URLError as failure:
        error = f"{type(failure.reason).__name__}: {failure.reason}"
    except (TimeoutError, OSError, http.client.HTTPException, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"
    except SoftTimeLimitExceeded:
        error = "The attempt took longer than the task's time limit."
    duration_ms = int((time.monotonic() - started) * 1000)
    return status_code, error[:2000], duration_ms


@transaction.atomic
def _record(delivery, attempt, status_code, error, duration_ms) -> float | None:
    now = timezone.now()
    attempt.finished_at = now
    attempt.status_code = status_code
    attempt.error = error
    attempt.duration_ms = duration_ms
    attempt.save(update_fields=["finished_at", "status_code", "error", "duration_ms"])

    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.locked_until = None
    retry_in = None
    if attempt.succeeded:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
    elif delivery.attempt_count >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        logger.warning(
            "Webhook delivery %s failed after %d attempts: %s",
            delivery.pk,
            delivery.attempt_count,
            error,
        )
    else:
        retry_in = backoff_seconds(delivery.attempt_count)
        delivery.next_attempt_at = now + datetime.timedelta(seconds=retry_in)
    delivery.save(update_fields=["status", "delivered_at", "locked_until", "next_attempt_at"])
    return retry_in


# -- by hand and by the relay ----------------------------------------------------------


@transaction.atomic
def delivery_resend(*, delivery: Delivery) -> bool:
    """Send a failed delivery again, with the same id and body and a fresh set of
    attempts. Returns False for a delivery that has not failed."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != DeliveryStatus.FAILED:
        return False
    delivery.status = DeliveryStatus.PENDING
    delivery.attempt_count = 0
    delivery.task_id = new_task_id()
    delivery.next_attempt_at = timezone.now()
    delivery.locked_until = None
    delivery.save(
        update_fields=["status", "attempt_count", "task_id", "next_attempt_at", "locked_until"]
    )
    transaction.on_commit(lambda: _enqueue(delivery), robust=True)
    return True


def deliveries_relay_stale(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Queue again the pending deliveries whose task message is overdue by more than
    WEBHOOK_RELAY_AFTER_SECONDS and that no worker holds: lost at commit (broker down),
    or with a worker that died. Each gets a new task id, so that the old message, should
    it still turn up, does nothing."""
    now = now or timezone.now()
    overdue = now - datetime.timedelta(seconds=settings.WEBHOOK_RELAY_AFTER_SECONDS)
    count = 0
    with transaction.atomic():
        stale = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=overdue)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            .order_by("next_attempt_at")[:limit]
        )
        for delivery in stale:
            delivery.task_id = new_task_id()
            delivery.next_attempt_at = now
            delivery.save(update_fields=["task_id", "next_attempt_at"])
            transaction.on_commit(_enqueuer(delivery), robust=True)
            count += 1
    if count:
        logger.info("Relayed %d stale webhook deliveries", count)
    return count
