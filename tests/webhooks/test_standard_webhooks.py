"""Deliveries signed as the Standard Webhooks specification says, verified by its own
Python library (`standardwebhooks`) running the README's receiver example as written."""

import base64
import json
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from missions.models import Mission
from tests import factories
from tests.webhooks.receiver import Receiver
from webhooks.models import Delivery, Subscription
from webhooks.services import signature, standard_webhook_headers

pytestmark = pytest.mark.django_db

MARKER = "<!-- receiver example, run by tests/webhooks/test_standard_webhooks.py -->"


def readme_example() -> str:
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    found = re.search(re.escape(MARKER) + r"\n```python\n(.*?)```", readme, re.DOTALL)
    assert found, "the README's receiver example is gone"
    return found.group(1)


class Refused(Exception):
    pass


def run_example(secret, headers, body):
    """The README's example, as a receiver would paste it, on one request."""

    def refuse():
        raise Refused

    namespace = {"secret": secret, "request": SimpleNamespace(body=body, headers=headers)}
    namespace["refuse"] = refuse
    exec(readme_example(), namespace)  # noqa: S102 -- our own README, in a test
    return namespace["event"]


def deliver(django_capture_on_commit_callbacks):
    with Receiver((200,)) as hook:
        subscription = Subscription.objects.create(name="Dashboard", url=hook.url)
        subscription.record_types.set([ContentType.objects.get_for_model(Mission)])
        with django_capture_on_commit_callbacks(execute=True):
            factories.MissionFactory(title="Visit to Ghana")
    [request] = hook.requests
    # Header names in any case, as HTTP has them (urllib sends `Webhook-id`).
    request.headers = {name.lower(): value for name, value in request.headers.items()}
    return subscription, request


def test_the_readme_receiver_verifies_a_real_delivery(django_capture_on_commit_callbacks):
    subscription, request = deliver(django_capture_on_commit_callbacks)

    event = run_example(subscription.secret, request.headers, request.body)

    assert event == json.loads(request.body)
    assert event["record"]["title"] == "Visit to Ghana"
    delivery = Delivery.objects.get()
    assert request.headers["webhook-id"] == str(delivery.pk) == event["delivery_id"]
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
    # The key the admin shows for a Standard Webhooks library is the same.
    Webhook(subscription.standard_webhooks_secret).verify(request.body, request.headers)
    # The header of before, for one more release.
    assert request.headers["x-signature"] == signature(subscription.secret, request.body)


def test_the_readme_receiver_refuses_a_forged_or_replayed_delivery(
    django_capture_on_commit_callbacks,
):
    subscription, request = deliver(django_capture_on_commit_callbacks)
    tampered = request.body.replace(b"Visit to Ghana", b"Visit to Gabon")
    with pytest.raises(Refused):
        run_example(subscription.secret, request.headers, tampered)
    with pytest.raises(Refused):
        run_example("another-secret", request.headers, request.body)
    # The same body signed 10 minutes ago: a replay the library refuses.
    old = standard_webhook_headers(
        secret=subscription.secret,
        message_id=request.headers["webhook-id"],
        body=request.body,
        now=time.time() - 600,
    )
    with pytest.raises(Refused):
        run_example(subscription.secret, old, request.body)


def test_the_library_agrees_with_our_signature_for_any_secret():
    for secret in ("s3cret-from-the-admin", "秘密の鍵", "a"):
        headers = standard_webhook_headers(
            secret=secret, message_id="msg_1", body='{"a":"会談"}'.encode(), now=time.time()
        )
        verifier = Webhook("whsec_" + base64.b64encode(secret.encode()).decode())
        assert verifier.verify('{"a":"会談"}'.encode(), headers) == {"a": "会談"}
        with pytest.raises(WebhookVerificationError):
            verifier.verify(b'{"a":2}', headers)
