"""Fixtures of the safety tests: a confirmed charter an hour from departure, on a vessel
with its float-plan details, a captain and a first mate on the roster, a published waiver
and the brand's shore contacts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from charterops.models import ShoreContact
from crew.models import RoleSlot
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import charter_checklists
from events.models import EventStatus
from events.services import event_transition
from events.tests.factories import make_vessel
from guests.tests.factories import make_waiver


@pytest.fixture
def first_mate(org):
    member = make_crew_member(org, "Riley")
    member.phone = "+16195550222"
    member.save(update_fields=["phone"])
    return member


@pytest.fixture
def vessel(org):
    return make_vessel(
        org,
        name="Queen",
        registration="CF 1234 AB",
        hailing_port="San Diego, CA",
        vessel_type="Sailing sloop",
        length_ft=Decimal("42.0"),
        hull_colour="White with a blue stripe",
        distinguishing_features="Tan mainsail, sail number 5150",
        call_sign="WDE1234",
        mmsi="367123450",
        radios="VHF-DSC, monitoring 16 and 9",
        epirb="Cat I 406 MHz",
        flares="3 handheld, 3 aerial",
        life_jackets=14,
    )


@pytest.fixture
def shore(org):
    org.overdue_grace_minutes = 60
    org.coast_guard_phone = "(619) 278-7033"
    org.save(update_fields=["overdue_grace_minutes", "coast_guard_phone"])
    return [
        ShoreContact.objects.create(
            organization=org, name="Harbor Office", email="office@qsd.example", phone="+16195550100"
        ),
        ShoreContact.objects.create(organization=org, name="Pat Ashore", email="pat@qsd.example"),
    ]


@pytest.fixture
def waiver(org):
    return make_waiver(org)


@pytest.fixture
def charter(org, captain, first_mate, vessel, waiver, shore):
    """Departs in an hour (inside the start window), confirmed, captain and first mate aboard,
    with a pre-departure and a post-return checklist; $1234.56 of revenue nobody here may see."""
    charter_checklists(org)  # a pre-departure and a post-return checklist ("Deck washed down")
    captain.phone = "+16195550111"
    captain.save(update_fields=["phone"])
    event = make_event(
        org,
        name="Harbor charter",
        vessel=vessel,
        location="Shelter Island guest dock",
        departure_at=timezone.now() + timedelta(hours=1),
        hours=3,
        revenue={"gross": Decimal("1234.56")},
    )
    RoleSlot.objects.filter(event=event, role="captain").update(holder=captain)
    RoleSlot.objects.filter(event=event, role="first_mate").update(holder=first_mate)
    event_transition(event=event, to_status=EventStatus.CONFIRMED)
    return event
