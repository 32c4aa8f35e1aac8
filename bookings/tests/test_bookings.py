"""The booking intake: one booking becomes the event, its revenue, its seats and checklists, and its crew."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.services import booking_create
from crew.models import ChecklistItem, CrewRole, RoleSlot
from crew.services import CrewAssignment
from crew.tests.scenarios import charter_checklists
from events.models import Event, Revenue


def _times(days: int = 3) -> dict:
    departure = timezone.now() + timedelta(days=days)
    return {"departure_at": departure, "return_at": departure + timedelta(hours=3)}


def test_a_booking_gets_its_seats_and_checklists(org):
    charter_checklists(org)
    event = booking_create(organization=org, name="Harbor charter", deckhand_slots=3, **_times())
    assert sorted(event.role_slots.values_list("role", "position")) == [
        ("captain", 1),
        ("deckhand", 1),
        ("deckhand", 2),
        ("deckhand", 3),
        ("first_mate", 1),
    ]
    assert ChecklistItem.objects.filter(event=event).count() == 4


def test_a_booking_designates_the_crew_it_was_booked_with(org, owner, captain, deckhand):
    event = booking_create(
        organization=org,
        name="Harbor charter",
        by=owner,
        crew=[CrewAssignment(CrewRole.CAPTAIN, captain), CrewAssignment(CrewRole.DECKHAND, deckhand)],
        revenue={"gross": "840.78"},
        **_times(),
    )
    holders = dict(RoleSlot.objects.filter(event=event, holder__isnull=False).values_list("role", "holder"))
    assert holders == {CrewRole.CAPTAIN: captain.pk, CrewRole.DECKHAND: deckhand.pk}
    assert Revenue.objects.get(event=event).gross == Decimal("840.78")


def test_a_refused_crew_member_leaves_no_booking_behind(org, owner, outsider):
    with pytest.raises(ValidationError, match="another organization"):
        booking_create(
            organization=org,
            name="Harbor charter",
            by=owner,
            crew=[CrewAssignment(CrewRole.DECKHAND, outsider)],
            **_times(),
        )
    assert not Event.objects.exists()
    assert not RoleSlot.objects.exists()
