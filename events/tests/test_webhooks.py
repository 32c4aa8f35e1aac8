"""Outbound webhooks against a real HTTP receiver on 127.0.0.1: Standard Webhooks
signatures (checked with the independent `standardwebhooks` package), retries, Retry-After,
410, the SSRF guard, redirects, finance endpoints, rotation, replay."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from charterops.models import OutboundEmail
from events import services, webhooks
from events.models import (
    EventStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
    WebhookMessage,
)
from events.tests.factories import make_event
from events.tests.receiver import Answer
from events.webhook_http import address_allowed, url_refusal

ALL_TYPES = WebhookEventType.values
SENTINEL_GROSS = Decimal("98765.43")


def endpoint_for(org, url, *, types=ALL_TYPES, is_finance=False) -> tuple[WebhookEndpoint, str]:
    made = webhooks.webhook_endpoint_create(organization=org, url=url, event_types=types, is_finance=is_finance)
    return made.endpoint, made.secret


def deliver_all() -> list[str]:
    """Make every due attempt now, as the worker would (the tests' Celery runs eagerly)."""
    due = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now())
    return [webhooks.webhook_delivery_attempt(delivery_id=pk) for pk in due.values_list("pk", flat=True)]


def verified(secret: str, request) -> dict:
    """The payload, verified by the standardwebhooks package (an independent implementation)."""
    return Webhook(secret).verify(request.body, request.headers)


# --- Signatures and payloads -------------------------------------------------------------------


def test_a_new_event_reaches_the_endpoint_signed_as_the_spec_says(org, receiver, django_capture_on_commit_callbacks):
    _, secret = endpoint_for(org, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(org, name="Sunset sail", revenue={"gross": SENTINEL_GROSS})

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    payload = verified(secret, request)
    assert payload["type"] == "event.created"
    assert payload["data"]["event"]["id"] == str(event.public_id)
    assert payload["data"]["event"]["name"] == "Sunset sail"
    assert request.headers["webhook-id"].startswith("msg_")
    assert request.headers["content-type"] == "application/json"
    # Not a finance endpoint: no revenue, not even the key.
    assert "revenue" not in payload["data"]
    assert str(SENTINEL_GROSS) not in request.body
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_a_tampered_body_or_another_secret_does_not_verify(org, receiver, django_capture_on_commit_callbacks):
    _, secret = endpoint_for(org, receiver.url())
    _, other_secret = endpoint_for(org, receiver.url("/other"))
    with django_capture_on_commit_callbacks(execute=True):
        make_event(org)
    request = next(r for r in receiver.requests if r.path == "/hooks")

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(request.body.replace("event.created", "event.cancelled"), request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(other_secret).verify(request.body, request.headers)


def test_only_finance_endpoints_get_the_revenue(org, receiver, django_capture_on_commit_callbacks):
    _, secret = endpoint_for(org, receiver.url("/books"), is_finance=True)
    endpoint_for(org, receiver.url("/chat"))
    with django_capture_on_commit_callbacks(execute=True):
        make_event(org, revenue={"gross": SENTINEL_GROSS, "port_fee_pct": "18"})

    books = next(r for r in receiver.requests if r.path == "/books")
    chat = next(r for r in receiver.requests if r.path == "/chat")
    assert verified(secret, books)["data"]["revenue"]["gross"] == str(SENTINEL_GROSS)
    assert verified(secret, books)["data"]["revenue"]["port_fees"] == "17777.78"
    assert str(SENTINEL_GROSS) not in chat.body
    assert "revenue" not in json.loads(chat.body)["data"]
    # One thing happened: both carry the same webhook-id.
    assert books.headers["webhook-id"] == chat.headers["webhook-id"]


def test_an_endpoint_gets_only_the_types_it_chose(org, receiver, django_capture_on_commit_callbacks):
    endpoint_for(org, receiver.url(), types=[WebhookEventType.EVENT_CANCELLED])
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(org)
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        services.event_transition(event=event, to_status=EventStatus.CANCELLED, reason="Weather")
    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["event.cancelled"]
    assert json.loads(receiver.requests[0].body)["data"]["reason"] == "Weather"


def test_another_brands_events_never_reach_our_endpoint(org, other_org, receiver, django_capture_on_commit_callbacks):
    endpoint_for(org, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        make_event(other_org)
    assert receiver.requests == []
    assert not WebhookMessage.objects.exists()


# --- Retries ---------------------------------------------------------------------------------


def test_a_receiver_failing_twice_gets_the_event_once_more_per_attempt_then_it_is_delivered(
    org, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.001  # retries due at once, to make them here
    _, secret = endpoint_for(org, receiver.url())
    receiver.answer(500, Answer(status=502, body="upstream down"), 200)
    with django_capture_on_commit_callbacks(execute=True):
        make_event(org)
    deliver_all()
    deliver_all()

    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    for request in receiver.requests:
        verified(secret, request)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert deliver_all() == []  # delivered: nothing more is sent
    log = list(delivery.attempt_log.values_list("number", "status_code", "response_excerpt"))
    assert log == [(1, 500, "ok"), (2, 502, "upstream down"), (3, 200, "ok")]


def test_a_failure_waits_with_backoff_and_a_retry_after_is_respected(org, receiver, django_capture_on_commit_callbacks):
    endpoint_for(org, receiver.url())
    receiver.answer(500, Answer(status=503, headers={"Retry-After": "120"}))
    with django_capture_on_commit_callbacks(execute=True):
        make_event(org)
    delivery = WebhookDelivery.objects.get()
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert 20 <= wait <= 37  # 30 s ± 20 % jitter
    assert deliver_all() == []  # not due yet: nothing is sent early

    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert deliver_all() == ["retrying"]
    delivery.refresh_from_db()
    assert 115 <= (delivery.next_attempt_at - timezone.now()).total_seconds() <= 121
    assert len(receiver.requests) == 2


def test_retries_spread_over_about_three_days():
    schedule = webhooks.retry_schedule()
    assert schedule == sorted(schedule)
    assert timedelta(days=2.5) <= timedelta(seconds=sum(schedule)) <= timedelta(days=3.5)
    jittered = [webhooks.retry_delay(3) for _ in range(200)]
    assert min(jittered) >= 0.8 * schedule[2]
    assert max(jittered) <= 1.2 * schedule[2]
    assert len(set(jittered)) > 100


def test_an_endpoint_that_keeps_failing_is_disabled_and_the_owner_told(
    org, owner, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.001
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    endpoint, _ = endpoint_for(org, receiver.url())
    receiver.answer(*[500] * 10)
    with django_capture_on_commit_callbacks(execute=True):
        make_event(org)
        for _ in range(5):
            deliver_all()

    assert len(receiver.requests) == 4
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "4 attempts" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED
    alert = OutboundEmail.objects.get(kind="webhook_endpoint_disabled")
    assert alert.to == [owner.email]
    assert endpoint.url in alert.body_text


def test_410_disables_the_endpoint_at_once_and_tells_the_owner(
    org, owner, receiver, django_capture_on_commit_callbacks
):
    endpoint, _ = endpoint_for(org, receiver.url())
    receiver.answer(410)
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(org)
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED
    assert OutboundEmail.objects.filter(kind="webhook_endpoint_disabled", to=[owner.email]).count() == 1
    assert len(mail.outbox) == 1
    assert "disabled" in mail.outbox[0].subject

    # Nothing more goes to it.
    with django_capture_on_commit_callbacks(execute=True):
        services.event_transition(event=event, to_status=EventStatus.CANCELLED)
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.count() == 1


def test_redirects_are_not_followed(org, receiver, django_capture_on_commit_callbacks):
    receiver.answer(Answer(status=302, headers={"Location": receiver.url("/elsewhere")}))
    with django_capture_on_commit_callbacks(execute=True):
        endpoint_for(org, receiver.url())
        make_event(org)
    assert [r.path for r in receiver.requests] == ["/hooks"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_status_code == 302


# --- No SSRF ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/hook",
        "http://192.168.1.20/hook",
        "http://172.16.0.1/hook",
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:10.0.0.5]/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "ftp://example.com/hook",
        "http://user:pw@example.com/hook",
    ],
)
def test_private_loopback_and_link_local_urls_are_refused(org, url):
    assert url_refusal(url) is not None
    with pytest.raises(ValidationError):
        endpoint_for(org, url)
    assert not WebhookEndpoint.objects.exists()


def test_public_addresses_are_allowed():
    assert address_allowed("93.184.215.14")
    assert address_allowed("2606:4700::6810:84e5")
    assert not address_allowed("224.0.0.1")


def test_the_guard_checks_again_at_delivery_after_dns(
    org, owner, receiver, settings, django_capture_on_commit_callbacks
):
    # The endpoint passed the check when it was made; now its name resolves to loopback
    # (DNS rebinding, or a changed record) and the test networks are closed again.
    endpoint, _ = endpoint_for(org, receiver.url())
    port = receiver.url().split(":")[2].split("/")[0]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"http://localhost:{port}/hooks")
    settings.WEBHOOK_TEST_ALLOWED_NETWORKS = []
    with django_capture_on_commit_callbacks(execute=True):
        make_event(org)

    assert receiver.requests == []  # no connection was made
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "127.0.0.1" in delivery.last_error
    assert "private" in delivery.last_error
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert OutboundEmail.objects.filter(kind="webhook_endpoint_disabled").exists()


def test_the_receiver_is_reachable_only_through_the_explicit_test_setting(org, settings):
    settings.WEBHOOK_TEST_ALLOWED_NETWORKS = []
    assert url_refusal("http://127.0.0.1:9/hook") is not None
    settings.WEBHOOK_TEST_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert url_refusal("http://127.0.0.1:9/hook") is None
    assert url_refusal("http://10.0.0.5/hook") is not None


def test_the_test_networks_setting_cannot_be_used_outside_local_debug():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 50, "JWT_SECRET": "y" * 50, "ALLOWED_HOSTS": "example.com"}
    env["WEBHOOK_TEST_ALLOWED_NETWORKS"] = "127.0.0.1/32"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "charterops.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "WEBHOOK_TEST_ALLOWED_NETWORKS is for tests only" in result.stderr


# --- Rotation and replay -----------------------------------------------------------------------


def test_after_a_rotation_both_secrets_verify_until_the_overlap_ends(
    org, receiver, settings, django_capture_on_commit_callbacks
):
    endpoint, old = endpoint_for(org, receiver.url())
    new = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint).secret
    assert new != old
    assert new.startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(org)
    during = receiver.requests[-1]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    verified(old, during)
    verified(new, during)

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, name="Renamed")
    after = receiver.requests[-1]
    verified(new, after)
    with pytest.raises(WebhookVerificationError):
        verified(old, after)


def test_the_owner_replays_a_failed_delivery_from_the_back_office(
    client, owner, org, receiver, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint_for(org, receiver.url())
    receiver.answer(410)
    with django_capture_on_commit_callbacks(execute=True):
        make_event(org)
    delivery = WebhookDelivery.objects.get()
    client.force_login(owner)

    # Disabled: replaying is refused with the reason until the endpoint is enabled again.
    response = client.post(
        "/admin/events/webhookdelivery/", {"action": "replay", "_selected_action": [delivery.pk]}, follow=True
    )
    assert "enable it before replaying" in response.content.decode()
    client.post("/admin/events/webhookendpoint/", {"action": "enable", "_selected_action": [endpoint.pk]})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/events/webhookdelivery/", {"action": "replay", "_selected_action": [delivery.pk]})

    first, replay = receiver.requests
    assert replay.headers["webhook-id"] == first.headers["webhook-id"]
    assert replay.body == first.body
    verified(secret, replay)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    page = client.get(f"/admin/events/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert "410" in page
    assert "200" in page


def test_the_owner_adds_an_endpoint_and_sees_its_secret_once(client, owner, org, other_org, receiver):
    client.force_login(owner)
    response = client.post(
        "/admin/events/webhookendpoint/add/",
        {"organization": org.pk, "url": receiver.url(), "event_types": ["event.created", "role.claimed"]},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    shown = " ".join(str(m) for m in response.context["messages"])
    assert endpoint.secret in shown
    assert endpoint.event_types == ["event.created", "role.claimed"]
    assert endpoint.secret not in client.get(f"/admin/events/webhookendpoint/{endpoint.pk}/change/").content.decode()

    refused = client.post(
        "/admin/events/webhookendpoint/add/",
        {"organization": org.pk, "url": "http://169.254.169.254/", "event_types": ["event.created"]},
    )
    assert refused.status_code == 200
    assert "private, loopback or link-local" in refused.content.decode()
    assert WebhookEndpoint.objects.count() == 1

    theirs, _ = endpoint_for(other_org, receiver.url("/theirs"))
    assert client.get(f"/admin/events/webhookendpoint/{theirs.pk}/change/").status_code == 404
    assert "/theirs" not in client.get("/admin/events/webhookendpoint/").content.decode()


def test_a_crew_member_cannot_reach_the_webhook_back_office(client, deckhand, org, receiver):
    endpoint, _ = endpoint_for(org, receiver.url())
    client.force_login(deckhand.user)
    assert client.get("/admin/events/webhookendpoint/").status_code in {302, 403}
    assert client.get(f"/admin/events/webhookendpoint/{endpoint.pk}/change/").status_code in {302, 403}


def test_the_readmes_receiving_example_verifies_a_real_delivery(org, receiver, django_capture_on_commit_callbacks):
    import re
    import textwrap
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = textwrap.dedent(re.search(r"```python\n(\s*import base64.*?)```", readme, re.DOTALL).group(1))
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)  # noqa: S102 — our own README's example
    _, secret = endpoint_for(org, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        make_event(org, name="From the README")

    request = receiver.requests[0]
    payload = namespace["verify"](secret, request.headers, request.body.encode())
    assert payload["data"]["event"]["name"] == "From the README"
    with pytest.raises(ValueError, match="bad signature"):
        namespace["verify"](secret, request.headers, request.body.encode() + b" ")
