"""Outbound webhooks, run eagerly (no broker): what a change writes in its transaction,
what is POSTed, how attempts are retried and recorded, and how lost messages are
found again. The real worker is exercised in test_worker.py."""

import datetime
import hashlib
import hmac
import json
import threading

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.models import Agreement
from contacts.models import Organization
from missions.models import Mission
from tests import factories
from tests.webhooks.receiver import Receiver
from webhooks.choices import DeliveryStatus, Event
from webhooks.models import Delivery, DeliveryAttempt, Subscription
from webhooks.registry import resources, serialize_record
from webhooks.services import (
    INTERRUPTED,
    backoff_seconds,
    deliveries_relay_stale,
    delivery_attempt,
    signature,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    """receiver(*statuses, **options) starts a receiver answering those statuses."""
    started = []

    def start(*statuses, **options):
        started.append(Receiver(statuses or (200,), **options).__enter__())
        return started[-1]

    yield start
    for running in started:
        running.__exit__()


def subscribe(url, *models, **flags):
    subscription = Subscription.objects.create(name="Ministry dashboard", url=url, **flags)
    subscription.record_types.set([ContentType.objects.get_for_model(model) for model in models])
    return subscription


def committed(capture, make):
    """Run `make` and the on-commit callbacks of its (test) transaction."""
    with capture(execute=True):
        return make()


def on_the_site(data):
    """The API's absolute links as the webhook writes them: under SITE_URL, not under
    the host of a request the worker does not have."""
    if isinstance(data, dict):
        return {key: on_the_site(value) for key, value in data.items()}
    if isinstance(data, list):
        return [on_the_site(value) for value in data]
    if isinstance(data, str) and data.startswith("http://testserver/"):
        return data.replace("http://testserver", settings.SITE_URL, 1)
    return data


# -- what a change writes and sends -------------------------------------------------------


def test_a_committed_change_is_posted_once_signed_and_as_the_api_shows_it(
    receiver, django_capture_on_commit_callbacks, data_entry_user
):
    hook = receiver(200)
    subscription = subscribe(hook.url, Mission)
    mission = committed(
        django_capture_on_commit_callbacks,
        lambda: factories.MissionFactory(title="Visit to Ghana", status="completed"),
    )

    delivery = Delivery.objects.get()
    assert (delivery.event, delivery.object_id, delivery.status) == (
        Event.CREATED,
        mission.pk,
        DeliveryStatus.DELIVERED,
    )
    [request] = hook.requests
    assert request.headers["X-Delivery-Id"] == str(delivery.pk)
    assert request.headers["X-Event"] == "mission.created"
    expected = hmac.new(subscription.secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Signature"] == f"sha256={expected}"
    document = json.loads(request.body)
    assert set(document) == {"delivery_id", "event", "record_type", "record", "timestamp"}
    assert document["delivery_id"] == str(delivery.pk)
    assert (document["event"], document["record_type"]) == ("created", "mission")
    assert datetime.datetime.fromisoformat(document["timestamp"]) == delivery.occurred_at

    api = APIClient()
    api.force_authenticate(data_entry_user)
    shown = api.get(f"/api/v1/missions/{mission.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert document["record"] == on_the_site(shown)
    assert document["record"]["url"] == f"{settings.SITE_URL}/api/v1/missions/{mission.pk}/"
    assert document["record"]["status_label"] == "Completed"  # integrations read English


def test_updates_and_deletes_are_events_too_and_a_delete_sends_id_and_name(
    receiver, django_capture_on_commit_callbacks
):
    hook = receiver(200)
    subscribe(hook.url, Organization)
    organization = committed(
        django_capture_on_commit_callbacks,
        lambda: factories.OrganizationFactory(name="Ministry of Roads and Highways", country="GH"),
    )
    organization_id = organization.pk

    def rename():
        organization.name_ja = "道路・高速道路省"
        organization.save()

    committed(django_capture_on_commit_callbacks, rename)
    committed(django_capture_on_commit_callbacks, organization.delete)

    documents = [json.loads(request.body) for request in hook.requests]
    assert [document["event"] for document in documents] == ["created", "updated", "deleted"]
    assert documents[1]["record"]["name_ja"] == "道路・高速道路省"
    assert documents[2]["record"] == {
        "id": organization_id,
        "display": documents[2]["record"]["display"],
    }
    assert documents[2]["record"]["display"]
    assert len({document["delivery_id"] for document in documents}) == 3


def test_a_rolled_back_change_leaves_no_delivery_and_sends_nothing(
    receiver, django_capture_on_commit_callbacks
):
    hook = receiver(200)
    subscribe(hook.url, Mission)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        factories.MissionFactory()
        assert Delivery.objects.count() == 1  # written with the change…
        raise RuntimeError("the change fails")
    assert Delivery.objects.count() == 0  # …and rolled back with it
    assert callbacks == []
    assert hook.requests == []


def test_only_active_subscriptions_to_that_record_type_and_event_are_notified(
    receiver, django_capture_on_commit_callbacks
):
    hook = receiver(200)
    missions_only = subscribe(hook.url, Mission)
    no_updates = subscribe(hook.url, Mission, on_updated=False)
    subscribe(hook.url, Mission, active=False)
    subscribe(hook.url, Agreement)

    mission = committed(django_capture_on_commit_callbacks, factories.MissionFactory)
    committed(django_capture_on_commit_callbacks, mission.save)

    sent = Delivery.objects.order_by("created_at")
    assert sorted((d.subscription_id, d.event) for d in sent) == sorted(
        [
            (missions_only.pk, Event.CREATED),
            (no_updates.pk, Event.CREATED),
            (missions_only.pk, Event.UPDATED),
        ]
    )
    assert len(hook.requests) == 3


def test_records_the_api_does_not_publish_notify_nobody(django_capture_on_commit_callbacks):
    subscribe("http://127.0.0.1:9/never", *resources())
    committed(django_capture_on_commit_callbacks, factories.UserFactory)
    committed(
        django_capture_on_commit_callbacks,
        lambda: Subscription.objects.create(name="another", url="http://127.0.0.1:9/"),
    )
    assert Delivery.objects.count() == 0


# -- attempts --------------------------------------------------------------------------------


def test_fails_twice_then_accepted_is_three_attempts_of_the_same_signed_body(
    receiver, django_capture_on_commit_callbacks
):
    hook = receiver(500, 503, 200)
    subscribe(hook.url, Mission)
    committed(django_capture_on_commit_callbacks, factories.MissionFactory)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.delivered_at is not None
    assert [a.status_code for a in delivery.attempts.all()] == [500, 503, 200]
    assert all(a.finished_at and a.duration_ms is not None for a in delivery.attempts.all())
    assert delivery.attempts.first().error == "HTTP 500 Internal Server Error"
    assert len({request.body for request in hook.requests}) == 1
    assert len({request.headers["X-Signature"] for request in hook.requests}) == 1
    assert {request.headers["X-Delivery-Id"] for request in hook.requests} == {str(delivery.pk)}


def test_a_receiver_that_never_accepts_fails_after_the_limit_and_can_be_resent_from_the_admin(
    receiver, django_capture_on_commit_callbacks, settings, client, administrator_user
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    hook = receiver(500, 500, 500, 200)
    subscribe(hook.url, Mission)
    committed(django_capture_on_commit_callbacks, factories.MissionFactory)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts.count() == 3

    client.force_login(administrator_user)
    page = client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert "HTTP 500 Internal Server Error" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "resend", "_selected_action": [str(delivery.pk)]},
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert (delivery.attempt_count, delivery.attempts.count()) == (1, 4)
    assert len({request.headers["X-Delivery-Id"] for request in hook.requests}) == 1


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(
    receiver, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    hook = receiver(200, hold_first=threading.Event())
    subscribe(hook.url, Mission)
    committed(django_capture_on_commit_callbacks, factories.MissionFactory)
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None
    assert "timed out" in attempt.error
    assert attempt.delivery.status == DeliveryStatus.FAILED


def test_a_redirect_is_not_followed(receiver, django_capture_on_commit_callbacks, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    hook = receiver(302)
    subscribe(hook.url, Mission)
    committed(django_capture_on_commit_callbacks, factories.MissionFactory)
    assert DeliveryAttempt.objects.get().status_code == 302
    assert len(hook.requests) == 1


def pending_delivery(url, **fields):
    subscription = subscribe(url, Mission)
    mission = factories.MissionFactory()
    return Delivery.objects.create(
        subscription=subscription,
        event=Event.UPDATED,
        content_type=ContentType.objects.get_for_model(Mission),
        object_id=mission.pk,
        record_display=str(mission),
        **fields,
    )


def test_a_stale_task_message_does_nothing(receiver):
    hook = receiver(200)
    delivery = pending_delivery(hook.url)
    assert delivery_attempt(delivery_id=delivery.pk, task_id="not-the-one-in-charge") is None
    assert hook.requests == []
    assert delivery.attempts.count() == 0


def test_a_delivery_another_worker_holds_is_tried_again_after_its_lease(receiver):
    hook = receiver(200)
    delivery = pending_delivery(
        hook.url, locked_until=timezone.now() + datetime.timedelta(seconds=30)
    )
    wait = delivery_attempt(delivery_id=delivery.pk, task_id=delivery.task_id)
    assert 29 < wait <= 31
    assert hook.requests == []


def test_an_attempt_cut_short_by_a_dead_worker_is_recorded_and_made_again(receiver):
    hook = receiver(200)
    started = timezone.now() - datetime.timedelta(minutes=2)
    delivery = pending_delivery(
        hook.url,
        attempt_count=1,
        locked_until=started + datetime.timedelta(seconds=40),  # lapsed
    )
    DeliveryAttempt.objects.create(delivery=delivery, started_at=started)

    assert delivery_attempt(delivery_id=delivery.pk, task_id=delivery.task_id) is None
    first, second = delivery.attempts.all()
    assert (first.error, first.status_code) == (INTERRUPTED, None)
    assert second.status_code == 200
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == (DeliveryStatus.DELIVERED, 2)


def test_the_relay_requeues_only_overdue_unheld_pending_deliveries(
    receiver, django_capture_on_commit_callbacks
):
    hook = receiver(200)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    lost = pending_delivery(hook.url, next_attempt_at=long_ago)
    recent = pending_delivery(hook.url)
    held = pending_delivery(
        hook.url,
        next_attempt_at=long_ago,
        locked_until=timezone.now() + datetime.timedelta(seconds=30),
    )
    old_task_id = lost.task_id

    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_relay_stale() == 1

    lost.refresh_from_db()
    assert lost.status == DeliveryStatus.DELIVERED
    assert lost.task_id != old_task_id  # the lost message, should it turn up, does nothing
    assert delivery_attempt(delivery_id=lost.pk, task_id=old_task_id) is None
    recent.refresh_from_db()
    held.refresh_from_db()
    assert recent.status == held.status == DeliveryStatus.PENDING
    assert [request.headers["X-Delivery-Id"] for request in hook.requests] == [str(lost.pk)]


def test_a_record_deleted_before_its_delivery_is_sent_as_id_and_name(receiver):
    hook = receiver(200)
    delivery = pending_delivery(hook.url)
    Mission.objects.filter(pk=delivery.object_id).delete()
    delivery_attempt(delivery_id=delivery.pk, task_id=delivery.task_id)
    record = json.loads(hook.requests[0].body)["record"]
    assert record == {"id": delivery.object_id, "display": delivery.record_display}


def test_backoff_grows_exponentially_with_jitter_up_to_a_ceiling(settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    settings.WEBHOOK_BACKOFF_MAX_SECONDS = 3600
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (8, 3600), (20, 3600)]:
        waits = {backoff_seconds(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(waits) > 1  # jittered


def test_signature_is_hmac_sha256_of_the_exact_body():
    body = '{"a":"会談"}'.encode()
    assert signature("s3cret", body) == (
        "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    )


# -- every record the API publishes -------------------------------------------------------

FACTORY_OF = {
    "organization": factories.OrganizationFactory,
    "person": factories.PersonFactory,
    "post": factories.PostFactory,
    "project": factories.ProjectFactory,
    "projectparticipant": factories.ProjectParticipantFactory,
    "watchlist": factories.WatchListFactory,
    "watchlistentry": factories.WatchListEntryFactory,
    "orderfigure": factories.OrderFigureFactory,
    "mission": factories.MissionFactory,
    "meeting": factories.MeetingFactory,
    "agreement": factories.AgreementFactory,
    "agreementdocument": factories.AgreementDocumentFactory,
    "followup": factories.FollowUpFactory,
    "note": factories.NoteFactory,
}


def test_every_record_resource_of_the_api_can_be_followed():
    assert {resource.record_type for resource in resources().values()} == set(FACTORY_OF)


@pytest.mark.parametrize("record_type", sorted(FACTORY_OF))
def test_every_record_serializes_without_a_request(record_type):
    record = FACTORY_OF[record_type]()
    data = serialize_record(type(record), record.pk)
    assert data["id"] == record.pk
    json.dumps(data)  # plain JSON, as stored and sent


# -- admin ---------------------------------------------------------------------------------


def test_administrators_subscribe_in_the_admin(client, administrator_user):
    client.force_login(administrator_user)
    page = client.get(reverse("admin:webhooks_subscription_add"))
    assert page.status_code == 200
    mission_type = ContentType.objects.get_for_model(Mission)
    user_type = ContentType.objects.get_by_natural_key("accounts", "user")
    form = page.context["adminform"].form
    choices = set(form.fields["record_types"].queryset)
    assert mission_type in choices and user_type not in choices

    response = client.post(
        reverse("admin:webhooks_subscription_add"),
        {
            "name": "Statistics office",
            "url": "https://stats.example.go.jp/hooks/crm",
            "secret": "shared-secret",
            "record_types": [mission_type.pk],
            "owner": administrator_user.pk,
            "on_created": "on",
            "active": "on",
        },
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    # Level-3 records go to it only as far as its owner may read them.
    assert subscription.owner == administrator_user
    assert (subscription.on_created, subscription.on_updated) == (True, False)
    assert client.get(reverse("admin:webhooks_delivery_changelist")).status_code == 200


def test_data_entry_staff_do_not_see_webhooks(data_entry_client):
    assert (
        data_entry_client.get(reverse("admin:webhooks_subscription_changelist")).status_code == 403
    )
