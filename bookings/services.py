"""The booking intake: one booking becomes an event with its revenue, its seats and
checklists, and its crew — whoever books it (a platform's service key, an owner through
the API or the back office, the demo data).

It sits above `events` and `crew` and calls each of them directly with typed arguments;
the signals those apps send are for reactions only (the guest page is published, the
designated crew are emailed).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from charterops.models import Organization
from crew import selectors as crew_selectors
from crew import services as crew_services
from crew.services import CrewAssignment
from events import services as event_services
from events.models import Event, EventType, ServiceKey, Vessel

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


@dataclass(frozen=True)
class PlatformBooking:
    """A booking as a platform sends it (validated by the service API's serializer)."""

    name: str
    day: Any  # date
    start: Any  # time
    end: Any  # time
    source: str
    external_ref: str
    event_type: str = EventType.CHARTER
    captain_email: str = ""
    crew_emails: Sequence[str] = ()
    vessel_name: str = ""
    location: str = ""
    guest_count: int = 0
    notes: str = ""
    revenue: dict[str, Decimal] | None = None


def _local_times(organization: Organization, booking: PlatformBooking) -> tuple[datetime, datetime]:
    """Departure and return from the platform's local date and times; an end earlier
    than the start means the charter ends the next day."""
    tz = organization.tz
    departure = datetime.combine(booking.day, booking.start, tzinfo=tz)
    return_at = datetime.combine(booking.day, booking.end, tzinfo=tz)
    if return_at <= departure:
        return_at += timedelta(days=1)
    return departure, return_at


def _booked_crew(organization: Organization, booking: PlatformBooking) -> list[CrewAssignment]:
    """The crew a platform names by email: the captain, then the first mate, then deckhands."""
    named = [("captain", booking.captain_email)] if booking.captain_email else []
    named += [("first_mate" if n == 0 else "deckhand", email) for n, email in enumerate(booking.crew_emails)]
    crew = []
    for role, email in named:
        member = crew_selectors.crew_member_by_email(organization_id=organization.pk, email=email)
        if member is None:
            raise ValidationError({"crew": f"No active crew member of {organization} has the email {email}."})
        crew.append(CrewAssignment(role=role, crew_member=member))
    return crew


def platform_booking_create(*, key: ServiceKey, booking: PlatformBooking) -> tuple[Event, bool]:
    """Create the booked event for the key's brand, or find the one an earlier try created
    (same source and external reference). Returns (event, created)."""
    organization = key.organization
    existing = Event.objects.for_org(organization).filter(source=booking.source, external_ref=booking.external_ref)
    if event := existing.first():
        return event, False
    vessel = None
    if booking.vessel_name:
        vessel = Vessel.objects.for_org(organization).filter(name__iexact=booking.vessel_name).first()
        if vessel is None:
            raise ValidationError({"vessel": f"No vessel named “{booking.vessel_name}” in {organization}."})
    departure, return_at = _local_times(organization, booking)
    revenue = dict(booking.revenue or {})
    if revenue and booking.crew_emails:
        revenue.setdefault("crew_count", len(booking.crew_emails))
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
                source=booking.source,
                external_ref=booking.external_ref,
                guest_count=booking.guest_count,
                revenue=revenue or None,
                # The first crew email is the first mate, the rest deckhands: enough seats for them all.
                deckhand_slots=max(DEFAULT_DECKHAND_SLOTS, len(booking.crew_emails) - 1),
                crew=_booked_crew(organization, booking),
            )
    except (IntegrityError, ValidationError):
        # The same booking arrived twice at once and the other request created it.
        if event := existing.first():
            return event, False
        raise
    return event, True
