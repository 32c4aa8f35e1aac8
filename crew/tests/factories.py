"""Test data builders for crew members."""

import itertools

from charterops.models import Membership, Organization
from crew import services
from crew.models import CrewMember
from events.models import Event
from events.tests import factories as events_factories

_seq = itertools.count(1)


def make_crew_member(org: Organization, name: str | None = None, *, captain: bool = False) -> CrewMember:
    first = name or f"Crew{next(_seq)}"
    return services.crew_member_create(
        organization=org,
        email=f"{first.lower()}.{org.slug}@example.com",
        first_name=first,
        membership_role=Membership.Role.CAPTAIN if captain else Membership.Role.CREW,
    )


def make_event(
    org: Organization,
    *,
    deckhand_slots: int = services.DEFAULT_DECKHAND_SLOTS,
    crew: list[services.CrewAssignment] | None = None,
    by=None,
    **fields,
) -> Event:
    """An event with its crew side, as a booking makes it: seats, checklists, booked crew.

    (The booking intake itself, bookings.services.booking_create, sits above crew; crew's
    tests compose the same three services.)
    """
    event = events_factories.make_event(org, by=by, **fields)
    services.event_crew_setup(event=event, deckhands=deckhand_slots)
    if crew:
        services.event_crew_assign(event=event, crew=crew, by=by)
    return event
