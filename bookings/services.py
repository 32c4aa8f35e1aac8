"""The booking intake and a booking's life after it: one booking becomes an event with
its revenue, its seats and checklists, and its crew — whoever books it (a platform's
service key, an owner through the API or the back office, the demo data) — and a
platform (or the office) moves it, changes it or cancels it.

It sits above `events` and `crew` and calls each of them directly with typed arguments;
the signals those apps send are for reactions only (the guest page is republished, the
checklist re-timed, the guests told of a cancellation).
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from charterops.errors import Conflict, DomainError
from charterops.models import Organization
from crew import selectors as crew_selectors
from crew import services as crew_services
from crew.models import CrewMember
from crew.services import CrewAssignment
from events import services as event_services
from events import webhooks
from events.models import (
    ALLOWED_TRANSITIONS,
    Event,
    EventStatus,
    EventType,
    Revenue,
    ServiceKey,
    Source,
    Vessel,
    WebhookEventType,
)
from events.money import validate_no_money

from .models import IdempotencyKey

DEFAULT_DECKHAND_SLOTS = crew_services.DEFAULT_DECKHAND_SLOTS


@transaction.atomic
def booking_create(
    *,
    by: AbstractBaseUser | None = None,
    deckhand_slots: int = DEFAULT_DECKHAND_SLOTS,
    crew: Sequence[CrewAssignment] = (),
    **event_fields: Any,
) -> Event:
    """Create a booked event: the event and its revenue (`event_fields` holds what
    events.services.event_create takes: organization, name, times, revenue …), its slots
    and checklists, and the crew it was booked with (each designated, and emailed a link
    to acknowledge)."""
    event = event_services.event_create(by=by, **event_fields)
    crew_services.event_crew_setup(event=event, deckhands=deckhand_slots)
    crew_services.event_crew_assign(event=event, crew=crew, by=by)
    return event


@transaction.atomic
def booking_create_from_instance(*, event: Event, by: AbstractBaseUser | None = None) -> Event:
    """The same for an unsaved Event built by a form (the back office's add page)."""
    event_services.event_create_from_instance(event=event, by=by)
    crew_services.event_crew_setup(event=event)
    return event


# --- Booking platforms ---------------------------------------------------------------------

NO_RETRY_SAFETY_WARNING = (
    "This booking has no externalRef and the request no Idempotency-Key header: if the request "
    "is sent again (a timeout, a retry), a second booking is made. Send an Idempotency-Key "
    "(one unique value per booking, the same on every retry) to make retries safe."
)


@dataclass(frozen=True)
class PlatformBooking:
    """A booking as a platform sends it (validated by the service API's serializer).

    `captain` and each of `crew` name a person by email or by the platform's own crew id
    (crew.models.CrewExternalId); an empty `source` is the service key's platform.
    """

    name: str
    day: date
    start: time
    end: time
    source: str = ""
    external_ref: str = ""
    event_type: str = EventType.CHARTER
    captain: str = ""
    crew: Sequence[str] = ()
    vessel_name: str = ""
    location: str = ""
    guest_count: int = 0
    notes: str = ""
    revenue: dict[str, Decimal] | None = None


@dataclass(frozen=True)
class BookingResult:
    """What a platform's booking came to: the event, whether this call made it, the crew
    it named that nobody here matches, and warnings to pass on."""

    event: Event
    created: bool
    unknown_crew: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def request_fingerprint(data: Any) -> str:
    """SHA-256 of a request body, keys sorted: the same booking sent again has the same one."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _combine(tz: Any, day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """Departure and return from a local date and times; an end not after the start means
    the charter ends the next day."""
    departure = datetime.combine(day, start, tzinfo=tz)
    return_at = datetime.combine(day, end, tzinfo=tz)
    if return_at <= departure:
        return_at += timedelta(days=1)
    return departure, return_at


def _crew_member(organization: Organization, source: str, ref: str) -> CrewMember | None:
    """The active crew member a platform names: by email, or by its own crew id."""
    if "@" in ref:
        return crew_selectors.crew_member_by_email(organization_id=organization.pk, email=ref)
    return crew_selectors.crew_member_by_external_id(organization_id=organization.pk, source=source, external_id=ref)


def _booked_crew(
    organization: Organization, source: str, booking: PlatformBooking
) -> tuple[list[tuple[str, CrewAssignment]], list[str]]:
    """([(how the platform named them, their assignment)], [names matching nobody]): the
    captain, then the first mate, then deckhands. A seat whose person is unknown stays open."""
    named = [("captain", booking.captain)] if booking.captain else []
    named += [("first_mate" if n == 0 else "deckhand", ref) for n, ref in enumerate(booking.crew)]
    found, unknown = [], []
    for role, ref in named:
        member = _crew_member(organization, source, ref.strip())
        if member is None:
            unknown.append(ref)
        else:
            found.append((ref, CrewAssignment(role=role, crew_member=member)))
    return found, unknown


def _assign_each(event: Event, crew: list[tuple[str, CrewAssignment]]) -> list[str]:
    """Designate each booked person on their own, so that one the roster refuses (named
    twice, not a captain …) leaves the rest of the booking standing; say why for each."""
    warnings = []
    for ref, assignment in crew:
        try:
            with transaction.atomic():
                crew_services.event_crew_assign(event=event, crew=[assignment])
        except (DomainError, ValidationError) as exc:
            why = exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)
            warnings.append(f"{ref} was not put on the crew: {why}")
    return warnings


def _unknown_warnings(organization: Organization, source: str, unknown: list[str]) -> list[str]:
    label = Source(source).label if source in Source.values else source
    return [
        f"No active crew member of {organization} has the email or {label} crew id “{ref}”: "
        "that seat is left open. Add the id to the crew member in the back office."
        for ref in unknown
    ]


def _existing(key: ServiceKey, source: str, booking: PlatformBooking, idempotency_key: str, fingerprint: str):
    """The event an earlier call made: by externalRef, else by Idempotency-Key (refused
    when the key came with a different request)."""
    organization = key.organization
    if booking.external_ref:
        return Event.objects.for_org(organization).filter(source=source, external_ref=booking.external_ref).first()
    if not idempotency_key:
        return None
    used = IdempotencyKey.objects.for_org(organization).filter(key=idempotency_key).select_related("event").first()
    if used is None:
        return None
    if used.request_sha256 != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used for a different request. "
            "Use a new key for a new booking, and the same request for a retry."
        )
    return used.event


def platform_booking_create(
    *, key: ServiceKey, booking: PlatformBooking, idempotency_key: str = "", fingerprint: str = ""
) -> BookingResult:
    """Create the booked event for the key's brand, or find the one an earlier try made
    (same source and external reference, or same Idempotency-Key)."""
    organization = key.organization
    source = booking.source or key.source
    warnings = [] if booking.external_ref or idempotency_key else [NO_RETRY_SAFETY_WARNING]
    crew, unknown = _booked_crew(organization, source, booking)
    warnings += _unknown_warnings(organization, source, unknown)
    if event := _existing(key, source, booking, idempotency_key, fingerprint):
        return BookingResult(event=event, created=False, unknown_crew=unknown, warnings=warnings)
    vessel = None
    if booking.vessel_name:
        vessel = Vessel.objects.for_org(organization).filter(name__iexact=booking.vessel_name).first()
        if vessel is None:
            raise ValidationError({"vessel": f"No vessel named “{booking.vessel_name}” in {organization}."})
    departure, return_at = _combine(organization.tz, booking.day, booking.start, booking.end)
    revenue = dict(booking.revenue or {})
    if revenue and booking.crew:
        revenue.setdefault("crew_count", len(booking.crew))
    try:
        with transaction.atomic():
            event = booking_create(
                organization=organization,
                name=booking.name,
                departure_at=departure,
                return_at=return_at,
                event_type=booking.event_type,
                vessel=vessel,
                location=booking.location,
                notes=booking.notes,
                source=source,
                external_ref=booking.external_ref,
                guest_count=booking.guest_count,
                revenue=revenue or None,
                # The first crew member named is the first mate, the rest deckhands: seats for them all.
                deckhand_slots=max(DEFAULT_DECKHAND_SLOTS, len(booking.crew) - 1),
            )
            warnings += _assign_each(event, crew)
            if idempotency_key:
                IdempotencyKey.objects.create(
                    organization=organization, key=idempotency_key, request_sha256=fingerprint, event=event
                )
    except (IntegrityError, ValidationError):
        # The same booking arrived twice at once and the other request made it.
        if event := _existing(key, source, booking, idempotency_key, fingerprint):
            return BookingResult(event=event, created=False, unknown_crew=unknown, warnings=warnings)
        raise
    return BookingResult(event=event, created=True, unknown_crew=unknown, warnings=warnings)


# --- A booking's life: moved, changed, cancelled -------------------------------------------------


@dataclass(frozen=True)
class BookingChange:
    """What a platform (or the office) changes of a booking; None leaves a thing as it is.
    Times are the brand's local ones: a new date keeps the times, a new time keeps the date."""

    name: str | None = None
    day: date | None = None
    start: time | None = None
    end: time | None = None
    guest_count: int | None = None
    notes: str | None = None
    location: str | None = None
    revenue: Mapping[str, Decimal] | None = None


def _refuse_if_final(event: Event) -> None:
    """A booking whose lifecycle has ended (no allowed next state) can no longer change."""
    if not ALLOWED_TRANSITIONS[event.status]:
        label = EventStatus(event.status).label.lower()
        raise Conflict(f"“{event.name}” is {label}: a {label} booking can no longer change.")


def _event_changes(event: Event, change: BookingChange) -> dict[str, Any]:
    wanted: dict[str, Any] = {
        name: value
        for name, value in (
            ("name", change.name),
            ("guest_count", change.guest_count),
            ("notes", change.notes),
            ("location", change.location),
        )
        if value is not None
    }
    if change.day or change.start or change.end:
        tz = event.organization.tz
        departure, return_at = event.local(event.departure_at), event.local(event.return_at)
        wanted["departure_at"], wanted["return_at"] = _combine(
            tz,
            change.day or departure.date(),
            change.start or departure.time().replace(tzinfo=None),
            change.end or return_at.time().replace(tzinfo=None),
        )
    return {name: value for name, value in wanted.items() if getattr(event, name) != value}


def _revenue_changes(event: Event, figures: Mapping[str, Decimal] | None) -> dict[str, Any]:
    if not figures:
        return {}
    current = Revenue.objects.filter(event=event).first()
    if current is None:
        return dict(figures)
    return {name: value for name, value in figures.items() if getattr(current, name) != value}


@dataclass(frozen=True)
class BookingUpdate:
    event: Event
    changed: list[str]


@transaction.atomic
def booking_update(*, event: Event, change: BookingChange, by: AbstractBaseUser | None = None) -> BookingUpdate:
    """Change a booking: through events (the checklist is re-timed and the guest page
    republished by their receivers, event.updated sent), revenue kept apart, and the crew
    told in one email each what changed. The same change again changes nothing and tells
    nobody; a booking past its lifecycle (completed, cancelled) is refused with a Conflict."""
    event = Event.objects.select_for_update(of=("self",)).select_related("organization", "vessel").get(pk=event.pk)
    _refuse_if_final(event)
    changes = _event_changes(event, change)
    before = {name: getattr(event, name) for name in changes}
    figures = _revenue_changes(event, change.revenue)
    if figures:
        event_services.revenue_set(event=event, **figures)
    if changes:
        event_services.event_update(event=event, by=by, **changes)
        crew_services.event_change_email_queue(
            event=event, before=before, change_key=f"{event.pk}:{event.updated_at.timestamp():.6f}"
        )
    elif figures:
        # Only the money changed: news for the finance endpoints alone.
        webhooks.webhook_emit(
            organization_id=event.organization_id,
            event_type=WebhookEventType.EVENT_UPDATED,
            data=lambda: {"event": webhooks.event_data(event), "changes": ["revenue"]},
            event=event,
            with_revenue=True,
            finance_only=True,
        )
    return BookingUpdate(event=event, changed=[*changes, *(["revenue"] if figures else [])])


@dataclass(frozen=True)
class BookingCancellation:
    event: Event
    cancelled: bool  # False: it already was


@transaction.atomic
def booking_cancel(*, event: Event, reason: str, by: AbstractBaseUser | None = None) -> BookingCancellation:
    """Cancel a booking through the lifecycle (a completed charter is refused with a
    Conflict that says why); the crew are told with the reason and the guests without it,
    each by their own app's receiver, the endpoints by event.cancelled. Cancelling again changes nothing."""
    event = Event.objects.select_for_update(of=("self",)).select_related("organization").get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        return BookingCancellation(event=event, cancelled=False)
    reason = " ".join(reason.split())[:300]
    try:
        validate_no_money(reason)  # crew read the reason
    except ValidationError as exc:
        raise ValidationError({"reason": exc.messages}) from None
    # The crew hear of it (with the reason) and the guests too, from their apps' receivers.
    event = event_services.event_transition(event=event, to_status=EventStatus.CANCELLED, by=by, reason=reason)
    return BookingCancellation(event=event, cancelled=True)
