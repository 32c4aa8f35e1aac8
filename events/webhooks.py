"""Outbound webhooks (Standard Webhooks): what CharterOps tells the owner's other systems.

An owner adds endpoints in the back office (URL, event types, finance or not); whatever
happens — an event created, moved, confirmed, started, completed or cancelled, a role
claimed or released, a waiver signed — is written to an outbox in the same transaction
(`webhook_emit`: one WebhookMessage, one WebhookDelivery per subscribed endpoint with
the exact body it will be sent), and Celery posts it after the commit
(events.tasks.webhook_deliver), signed (events.webhook_http), retried with exponential
backoff and jitter for about three days, honouring Retry-After. An endpoint that answers
410, that resolves to a private address, or that fails every attempt is disabled and its
brand's owners are told. Every attempt is logged; the back office replays a delivery.

Why in `events`: every app that has something to tell sits at or above it — events
itself (the lifecycle), crew (roles), bookings, guests (waivers, later boarding) and the
safety work to come (float plans) — so each calls `webhook_emit` directly, with typed
data, and no signal is needed; and what a payload is made of (the event, and its
revenue for finance endpoints only) is events' own data. `charterops` stays free of the
domain's words.

Revenue is in a payload only for endpoints marked as finance endpoints: emitters pass
the event, and `webhook_emit` adds its revenue for those alone.
"""

import json
import logging
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from charterops.errors import Conflict
from charterops.mail import email_queue
from charterops.models import Membership, Organization

from . import webhook_http
from .models import (
    Event,
    EventStatus,
    Revenue,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
    WebhookMessage,
)

logger = logging.getLogger(__name__)

# The lifecycle move each event.* type reports.
STATUS_EVENT_TYPES = {
    EventStatus.CONFIRMED: WebhookEventType.EVENT_CONFIRMED,
    EventStatus.IN_PROGRESS: WebhookEventType.EVENT_STARTED,
    EventStatus.COMPLETED: WebhookEventType.EVENT_COMPLETED,
    EventStatus.CANCELLED: WebhookEventType.EVENT_CANCELLED,
}
# A retry's nudge that arrives this much before its time (clock granularity) still finds it due.
DUE_TOLERANCE = timedelta(seconds=1)
JITTER = 0.2


# --- Payloads -------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def event_data(event: Event) -> dict[str, Any]:
    """An event as a webhook payload shows it (never its revenue: see revenue_data)."""
    return {
        "id": str(event.public_id),
        "slug": event.slug,
        "name": event.name,
        "event_type": event.event_type,
        "status": event.status,
        "departure_at": _iso(event.departure_at),
        "return_at": _iso(event.return_at),
        "location": event.location,
        "vessel": event.vessel.name if event.vessel_id else None,
        "source": event.source,
        "external_ref": event.external_ref,
        "guest_count": event.guest_count,
        "notes": event.notes,
    }


def event_brief(event: Event) -> dict[str, Any]:
    """The event a role, waiver, boarding or float-plan message is about."""
    return {
        "id": str(event.public_id),
        "slug": event.slug,
        "name": event.name,
        "status": event.status,
        "departure_at": _iso(event.departure_at),
        "return_at": _iso(event.return_at),
        "source": event.source,
        "external_ref": event.external_ref,
    }


def revenue_data(event: Event) -> dict[str, Any] | None:
    """The event's revenue, for finance endpoints only; None when it has none."""
    revenue = Revenue.objects.filter(event_id=event.pk).first()
    if revenue is None:
        return None
    figures = ("gross", "captain_rate", "captain_hours", "crew_rate", "crew_count", "crew_hours", "port_fee_pct")
    data: dict[str, Any] = {name: str(getattr(revenue, name)) for name in figures}
    data["crew_count"] = revenue.crew_count
    data.update(
        captain_fee=str(revenue.captain_fee),
        crew_wages=str(revenue.crew_wages),
        port_fees=str(revenue.port_fees),
        net=str(revenue.net),
    )
    return data


def guest_boarded_data(*, event: Event, guest_name: str, boarded_at: datetime, on_hold: bool) -> dict[str, Any]:
    """The payload of guest.boarded (safety's check-in)."""
    return {
        "event": event_brief(event),
        "guest": {"name": guest_name},
        "boarded_at": _iso(boarded_at),
        "on_hold": on_hold,
    }


def float_plan_overdue_data(
    *, event: Event, expected_return_at: datetime, no_later_than: datetime, persons_on_board: int, level: int
) -> dict[str, Any]:
    """The payload of float_plan.overdue (safety's overdue escalation, one per step)."""
    return {
        "event": event_brief(event),
        "expected_return_at": _iso(expected_return_at),
        "no_later_than": _iso(no_later_than),
        "persons_on_board": persons_on_board,
        "escalation_level": level,
    }


# --- Emitting ---------------------------------------------------------------------------------


def _msg_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _body(event_type: str, timestamp: datetime, data: Mapping[str, Any]) -> str:
    payload = {"type": event_type, "timestamp": _iso(timestamp), "data": data}
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


@transaction.atomic
def webhook_emit(
    *,
    organization_id: int,
    event_type: str,
    data: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    event: Event | None = None,
    with_revenue: bool = False,
    finance_only: bool = False,
) -> WebhookMessage | None:
    """Record that `event_type` happened, for every active endpoint of the brand that takes
    it, and post it after the transaction commits. With `with_revenue`, finance endpoints
    also get `data.revenue` (the event's); with `finance_only`, only they are told.

    Nothing is recorded when no endpoint wants it, and `data` given as a function is then
    not even built: a brand without endpoints pays one query per emit.
    """
    if event_type not in WebhookEventType.values:
        raise ValueError(f"{event_type!r} is not a webhook event type")
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.for_org(organization_id).filter(active=True).order_by("pk")
        if event_type in endpoint.event_types and (endpoint.is_finance or not finance_only)
    ]
    if not endpoints:
        return None
    if callable(data):
        data = data()
    now = timezone.now()
    message = WebhookMessage.objects.create(
        organization_id=organization_id, msg_id=_msg_id(), event_type=event_type, event=event, created_at=now
    )
    plain = _body(event_type, now, data)
    finance = plain
    if with_revenue and event is not None and any(endpoint.is_finance for endpoint in endpoints):
        finance = _body(event_type, now, {**data, "revenue": revenue_data(event)})
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                organization_id=organization_id,
                message=message,
                endpoint=endpoint,
                body=finance if endpoint.is_finance else plain,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _queue(ids))
    return message


def event_emit(*, event: Event, event_type: str, **extra: Any) -> WebhookMessage | None:
    """Emit an event.* type: the event (with revenue for finance endpoints) and `extra` facts."""
    return webhook_emit(
        organization_id=event.organization_id,
        event_type=event_type,
        data=lambda: {"event": event_data(event), **extra},
        event=event,
        with_revenue=True,
    )


def _queue(delivery_ids: Sequence[int], countdown: float | None = None) -> None:
    from .tasks import webhook_deliver

    for delivery_id in delivery_ids:
        if countdown is None:
            webhook_deliver.delay(delivery_id)
        else:
            webhook_deliver.apply_async((delivery_id,), countdown=countdown)


# --- Delivering -------------------------------------------------------------------------------


def retry_delay(attempts: int, *, jitter: bool = True) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: exponential from the base up
    to the ceiling, spread by ±20 % so that many failed deliveries do not return in step."""
    delay = min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1), settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS)
    return delay * random.uniform(1 - JITTER, 1 + JITTER) if jitter else delay  # noqa: S311 — spreading, not secrecy


def retry_schedule() -> list[float]:
    """The nominal waits between the attempts of one delivery (without jitter)."""
    return [retry_delay(n, jitter=False) for n in range(1, settings.WEBHOOK_MAX_ATTEMPTS)]


def _lease() -> timedelta:
    # Longer than an attempt takes (connecting and reading each time out); after it a
    # delivery still marked `sending` is taken to be a dead worker's and is due again. A
    # slow attempt outliving its lease is harmless: the receiver sees the same webhook-id
    # twice, and only the worker holding the delivery records its outcome.
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 5)


def _due(now: datetime) -> Q:
    waiting = Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now + DUE_TOLERANCE)
    abandoned = Q(status=WebhookDelivery.Status.SENDING, lease_until__lt=now)
    return waiting | abandoned


def webhook_deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Deliveries whose nudge was lost (a broker restart, a killed worker): due, or left
    `sending` past their lease. Beat hands them to workers again."""
    now = now or timezone.now()
    # A minute's grace: a retry's own countdown normally comes first.
    overdue = Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now - timedelta(minutes=1))
    abandoned = Q(status=WebhookDelivery.Status.SENDING, lease_until__lt=now)
    rows = WebhookDelivery.objects.filter(overdue | abandoned).order_by("next_attempt_at", "pk")
    return list(rows.values_list("pk", flat=True)[:limit])


def webhook_delivery_attempt(*, delivery_id: int) -> str:
    """Make the next attempt of a delivery if it is due; safe to call twice at once.

    Taking the delivery is one conditional UPDATE (due → sending, with a lease), so two
    workers given the same id never both post; the POST happens outside any transaction;
    the outcome is recorded only by the worker still holding the lease.
    """
    now = timezone.now()
    taken = WebhookDelivery.objects.filter(_due(now), pk=delivery_id).update(
        status=WebhookDelivery.Status.SENDING, attempts=F("attempts") + 1, lease_until=now + _lease()
    )
    if not taken:
        return "not due"
    delivery = WebhookDelivery.objects.select_related("endpoint", "message").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.active:
        _finish(delivery, status=WebhookDelivery.Status.FAILED, error="The endpoint is disabled.")
        return "endpoint disabled"
    # The attempt is logged before the POST: a worker killed during it leaves its row open.
    WebhookAttempt.objects.filter(delivery_id=delivery_id, duration_ms__isnull=True).update(
        error="The worker stopped during this attempt; no answer was recorded."
    )
    WebhookAttempt.objects.create(delivery_id=delivery_id, number=delivery.attempts, started_at=now)
    result = webhook_http.post(
        url=endpoint.url,
        msg_id=delivery.message.msg_id,
        body=delivery.body,
        secrets=endpoint.signing_secrets(now),
        now=timezone.now(),
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
    )
    return _record(delivery, result)


def _finish(delivery: WebhookDelivery, *, status: str, error: str = "", **fields: Any) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=status, lease_until=None, last_error=error, **fields)


@transaction.atomic
def _record(delivery: WebhookDelivery, result: webhook_http.PostResult) -> str:
    current = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    WebhookAttempt.objects.filter(delivery=current, number=delivery.attempts, duration_ms__isnull=True).update(
        duration_ms=result.duration_ms,
        status_code=result.status,
        response_excerpt=result.excerpt,
        error=result.error,
    )
    if current.status != WebhookDelivery.Status.SENDING or current.attempts != delivery.attempts:
        return "superseded"  # our lease ran out and another worker took the delivery over
    fields = {"last_status_code": result.status}
    if result.delivered:
        _finish(current, status=WebhookDelivery.Status.DELIVERED, delivered_at=timezone.now(), **fields)
        return "delivered"
    error = result.error or f"HTTP {result.status}: {result.excerpt[:200]}".strip()
    if result.status == 410 or result.unsafe:
        reason = "It answered 410 Gone." if result.status == 410 else result.error
        _finish(current, status=WebhookDelivery.Status.FAILED, error=error, **fields)
        webhook_endpoint_disable(endpoint=current.endpoint, reason=reason)
        return "gone"
    if current.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        _finish(current, status=WebhookDelivery.Status.FAILED, error=error, **fields)
        webhook_endpoint_disable(
            endpoint=current.endpoint, reason=f"Every one of {current.attempts} attempts to deliver a message failed."
        )
        return "failed"
    delay = retry_delay(current.attempts)
    if result.retry_after is not None:
        delay = min(max(result.retry_after, 1.0), settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS)
    _finish(
        current,
        status=WebhookDelivery.Status.PENDING,
        error=error,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        **fields,
    )
    transaction.on_commit(lambda: _queue([current.pk], countdown=delay))
    return "retrying"


# --- Endpoints (the back office) ----------------------------------------------------------------


@dataclass(frozen=True)
class EndpointSecret:
    """An endpoint and its secret, to show the owner once."""

    endpoint: WebhookEndpoint
    secret: str


def _clean_types(event_types: Sequence[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(WebhookEventType.values))
    if unknown:
        raise ValidationError({"event_types": f"Unknown event types: {', '.join(unknown)}."})
    if not event_types:
        raise ValidationError({"event_types": "Choose at least one event type."})
    return [value for value in WebhookEventType.values if value in event_types]


def _clean_url(url: str) -> str:
    refusal = webhook_http.url_refusal(url)
    if refusal:
        raise ValidationError({"url": refusal})
    return url


@transaction.atomic
def webhook_endpoint_create(
    *,
    organization: Organization,
    url: str,
    event_types: Sequence[str],
    description: str = "",
    is_finance: bool = False,
) -> EndpointSecret:
    """Add an endpoint with a new `whsec_` secret (returned once, to show the owner)."""
    secret = webhook_http.secret_new()
    endpoint = WebhookEndpoint(
        organization=organization,
        url=_clean_url(url),
        event_types=_clean_types(event_types),
        description=description,
        is_finance=is_finance,
        secret=secret,
    )
    endpoint.full_clean()
    endpoint.save()
    return EndpointSecret(endpoint=endpoint, secret=secret)


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **changes: Any) -> WebhookEndpoint:
    allowed = {"url", "event_types", "description", "is_finance"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    if "url" in changes:
        changes["url"] = _clean_url(changes["url"])
    if "event_types" in changes:
        changes["event_types"] = _clean_types(changes["event_types"])
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> EndpointSecret:
    """A new secret; the current one keeps signing too until the overlap ends."""
    now = now or timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = webhook_http.secret_new()
    endpoint.previous_secret, endpoint.secret = endpoint.secret, secret
    endpoint.previous_secret_expires_at = now + timedelta(seconds=settings.WEBHOOK_ROTATION_OVERLAP_SECONDS)
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return EndpointSecret(endpoint=endpoint, secret=secret)


@transaction.atomic
def webhook_endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> bool:
    """Stop delivering to an endpoint, fail what is still waiting for it, and email the
    brand's owners why. Returns False if it was already disabled."""
    now = timezone.now()
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, disabled_at=now, disabled_reason=reason[:300]
    ):
        return False
    endpoint.refresh_from_db()
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, last_error="The endpoint was disabled."
    )
    logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, reason)
    owners = list(
        Membership.objects.filter(organization_id=endpoint.organization_id, role=Membership.Role.OWNER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if owners:
        email_queue(
            key=f"webhook_endpoint_disabled:{endpoint.pk}:{int(now.timestamp())}",
            kind="webhook_endpoint_disabled",
            to=owners,
            template="events/emails/webhook_endpoint_disabled",
            context={"endpoint": endpoint, "reason": endpoint.disabled_reason},
            organization=endpoint.organization,
        )
    return True


@transaction.atomic
def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Deliver to the endpoint again (new messages; failed ones are replayed one by one)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=True, disabled_at=None, disabled_reason="")
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now, with the same webhook-id and body (a fresh round of attempts)."""
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if not delivery.endpoint.active:
        raise Conflict(f"The endpoint {delivery.endpoint} is disabled: enable it before replaying.")
    if delivery.status == WebhookDelivery.Status.SENDING:
        raise Conflict("This delivery is being sent right now.")
    delivery.status, delivery.attempts, delivery.next_attempt_at = WebhookDelivery.Status.PENDING, 0, timezone.now()
    delivery.lease_until = None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "lease_until"])
    transaction.on_commit(lambda: _queue([delivery.pk]))
    return delivery
