"""Events as the crew pages meet them: with checklists, full rosters and guests."""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.apps import apps
from django.utils import timezone

from charterops.models import Organization
from crew.models import (
    Anchor,
    ChecklistItem,
    ChecklistPhase,
    ChecklistTemplate,
    ChecklistTemplateItem,
    CrewMember,
    CrewRole,
    RoleSlot,
)
from crew.tests.factories import make_crew_member, make_event
from events.models import Event, EventType

PACIFIC = ZoneInfo("America/Los_Angeles")
BOATSETTER_DEPARTURE = datetime(2024, 5, 30, 10, 0, tzinfo=PACIFIC)
_seq = itertools.count(1)


def charter_checklists(org: Organization) -> list[ChecklistTemplateItem]:
    """A pre-departure and a post-return checklist for charters (as the demo brands have)."""
    items = []
    for phase, rows in (
        (
            ChecklistPhase.PRE_DEPARTURE,
            [
                ("Fuel, water and engine checks logged", CrewRole.FIRST_MATE, Anchor.DEPARTURE, -60),
                ("Safety briefing and life jackets ready", CrewRole.CAPTAIN, Anchor.DEPARTURE, -30),
                ("Lines and fenders ready", CrewRole.DECKHAND, Anchor.DEPARTURE, -15),
            ],
        ),
        (ChecklistPhase.POST_RETURN, [("Deck washed down", CrewRole.DECKHAND, Anchor.RETURN, 30)]),
    ):
        template, _ = ChecklistTemplate.objects.get_or_create(
            organization=org, name=f"Charter {phase}", defaults={"event_type": EventType.CHARTER, "phase": phase}
        )
        for position, (text, role, anchor, offset) in enumerate(rows, start=1):
            items.append(
                ChecklistTemplateItem.objects.create(
                    template=template,
                    position=position,
                    text=text,
                    responsible_role=role,
                    anchor=anchor,
                    offset_minutes=offset,
                )
            )
    return items


def boatsetter_charter(org: Organization, **fields) -> Event:
    """The reference charter: 30 May 2024, 10:00–13:00 in San Diego."""
    fields.setdefault("name", "Boatsetter charter — 30 May 2024")
    fields.setdefault("slug", "boatsetter-may-30-2024")
    return make_event(org, departure_at=BOATSETTER_DEPARTURE, hours=3, event_type=EventType.CHARTER, **fields)


def slot(event: Event, role: str = CrewRole.DECKHAND, position: int = 1) -> RoleSlot:
    return RoleSlot.objects.get(event=event, role=role, position=position)


def seat(event: Event, member: CrewMember, role: str = CrewRole.DECKHAND, position: int = 1) -> RoleSlot:
    """Put a crew member in a slot, acknowledged, without going through the pages."""
    RoleSlot.objects.filter(event=event, role=role, position=position).update(
        holder=member, acknowledged_at=timezone.now()
    )
    return slot(event, role, position)


def add_guests(event: Event, count: int) -> None:
    # By app label: crew never imports guests (the guests app plugs its panel into crew).
    guest_model = apps.get_model("guests", "Guest")
    for n in range(count):
        guest_model.objects.create(event=event, name=f"Guest {n + 1}", email=f"guest{n + 1}@example.com")


def check_everyone_in(event: Event) -> None:
    """Every guest tapped aboard and the heads counted, so that the start gate (safety's
    check-in) lets the charter go. By app label: crew never imports safety."""
    check_in, float_plan = apps.get_model("safety", "CheckIn"), apps.get_model("safety", "FloatPlan")
    guests = list(apps.get_model("guests", "Guest").objects.filter(event=event))
    check_in.objects.bulk_create(
        check_in(event=event, organization_id=event.organization_id, guest=guest, boarded=True, version=1)
        for guest in guests
    )
    crew = RoleSlot.objects.filter(event=event, holder__isnull=False).count()
    float_plan.objects.update_or_create(
        event=event, defaults={"organization_id": event.organization_id, "headcount": len(guests) + crew}
    )


def sized_event(org: Organization, *, crew: int, items: int, guests: int, deckhand_slots: int = 18) -> Event:
    """An upcoming event with `crew` people aboard, `items` checklist items and `guests` guests."""
    event = make_event(org, departure_at=timezone.now() + timedelta(days=2), deckhand_slots=deckhand_slots)
    slots = list(RoleSlot.objects.filter(event=event).order_by("role", "position"))
    for n, target in zip(range(crew), slots, strict=False):
        member = make_crew_member(org, f"Aboard{next(_seq)}", captain=target.role == CrewRole.CAPTAIN)
        RoleSlot.objects.filter(pk=target.pk).update(holder=member, acknowledged_at=timezone.now() if n % 2 else None)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            event=event,
            phase=ChecklistPhase.PRE_DEPARTURE if n % 2 else ChecklistPhase.POST_RETURN,
            text=f"Item {n + 1}",
            responsible_role=CrewRole.DECKHAND,
            due_at=event.departure_at - timedelta(minutes=n),
            position=n + 1,
        )
        for n in range(items)
    )
    add_guests(event, guests)
    return event
