"""A brand with a row of every kind the back office shows, each named with a tag word, so
that a page of another brand can be searched for the tag."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from charterops.models import Organization, OutboundEmail
from crew import services as crew_services
from crew.models import ChecklistPhase, ChecklistTemplate, CrewExternalId, CrewMember
from crew.tests.factories import make_crew_member
from crew.tests.factories import make_event as make_crew_event
from events.models import Event, EventType, Source, WebhookEndpoint
from events.service_keys import service_key_create
from events.tests.factories import make_vessel
from guests.models import Guest
from guests.tests.factories import make_guest, make_waiver, sign

REVENUE = {
    "gross": Decimal("840.78"),
    "captain_rate": Decimal("50"),
    "captain_hours": Decimal("3"),
    "crew_rate": Decimal("25"),
    "crew_count": 2,
    "crew_hours": Decimal("5"),
    "port_fee_pct": Decimal("18"),
}


@dataclass
class Brand:
    org: Organization
    tag: str
    event: Event
    captain: CrewMember
    hand: CrewMember
    signed: Guest
    held: Guest

    @property
    def names(self) -> list[str]:
        """What appears only in this brand's rows: its tag, and its name as a value shown
        (help texts may cite a brand's name as an example)."""
        return [self.tag, f">{self.org.name}<", f"{self.org.name} waiver"]


def populate(org: Organization, tag: str) -> Brand:
    vessel = make_vessel(org, name=f"{tag} Vessel")
    captain = make_crew_member(org, f"{tag}cap", captain=True)
    hand = make_crew_member(org, f"{tag}hand")
    CrewExternalId.objects.create(crew_member=hand, source=Source.BOATSETTER, external_id=f"{tag}-bs-1")
    make_waiver(org)
    event = make_crew_event(
        org,
        name=f"{tag} Charter",
        vessel=vessel,
        departure_at=timezone.now() + timedelta(hours=30),
        revenue=dict(REVENUE),
        crew=[crew_services.CrewAssignment(role="captain", crew_member=captain)],
    )
    signed = make_guest(event, f"{tag} Signedguest", phone="+1 619 555 0100")
    sign(signed)
    held = make_guest(event, f"{tag} Heldguest")
    service_key_create(organization=org, name=f"{tag} Platform", source=Source.BOATSETTER)
    ChecklistTemplate.objects.create(
        organization=org, name=f"{tag} Checklist", event_type=EventType.CHARTER, phase=ChecklistPhase.PRE_DEPARTURE
    )
    WebhookEndpoint.objects.create(
        organization=org,
        url=f"https://{tag.lower()}.example.com/hook",
        description=f"{tag} hook",
        event_types=["event.created"],
        secret=f"whsec_{tag}",
    )
    OutboundEmail.objects.create(
        organization=org,
        key=f"{tag}-failed",
        kind="crew_sign_in",
        from_email=org.from_address,
        to=[f"{tag.lower()}@example.com"],
        subject=f"{tag} sign-in",
        body_text="x",
        status=OutboundEmail.Status.FAILED,
    )
    return Brand(org=org, tag=tag, event=event, captain=captain, hand=hand, signed=signed, held=held)
