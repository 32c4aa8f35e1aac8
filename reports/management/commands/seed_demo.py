"""Demo data for the four brands. Idempotent: rows are found by natural keys and updated.

It lives in `reports`, the top of the dependency order, because it seeds every app.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bookings.services import booking_create
from charterops.models import Membership, Organization
from crew import services as crew_services
from crew.models import Anchor, ChecklistPhase, ChecklistTemplate, ChecklistTemplateItem, CrewMember, CrewRole, RoleSlot
from events import services as event_services
from events.models import Event, EventType, Source, Vessel
from guests.models import Guest, WaiverTemplate
from guests.services import guest_page_publish

OWNER_USERNAME = "owner"
OWNER_PASSWORD = "charterops-demo"  # noqa: S105 — local demo only; refused with DEBUG off
SAN_DIEGO = {"latitude": Decimal("32.7157"), "longitude": Decimal("-117.1611"), "time_zone": "America/Los_Angeles"}


@dataclass(frozen=True)
class Brand:
    slug: str
    name: str
    domain: str
    colours: tuple[str, str]
    vessel: str
    crew: tuple[tuple[str, str, str], ...]  # (first name, last name, membership role)


BRANDS = (
    Brand(
        "jada",
        "JADA",
        "sailjada.com",
        ("#0b3d91", "#f5a623"),
        "JADA",
        (("Morgan", "Reyes", "captain"), ("Sam", "Ortiz", "crew"), ("Alex", "Kim", "crew"), ("Jo", "Park", "crew")),
    ),
    Brand(
        "queenofsandiego",
        "Queen of San Diego",
        "queenofsandiego.com",
        ("#5b2c83", "#e8c547"),
        "Queen of San Diego",
        (
            ("Dana", "Brooks", "captain"),
            ("Riley", "Chen", "crew"),
            ("Casey", "Nguyen", "crew"),
            ("Jamie", "Lopez", "crew"),
        ),
    ),
    Brand(
        "quickdumpnow",
        "QuickDumpNow",
        "quickdumpnow.com",
        ("#1f7a3a", "#ffd23f"),
        "Quick Runner",
        (("Pat", "Silva", "captain"), ("Drew", "Hall", "crew"), ("Quinn", "Ward", "crew"), ("Avery", "Fox", "crew")),
    ),
    Brand(
        "dangerouscentaur",
        "DangerousCentaur",
        "dangerouscentaur.com",
        ("#a4161a", "#161a1d"),
        "Dangerous Centaur",
        (("Kai", "Moreno", "captain"), ("Robin", "Shaw", "crew"), ("Sky", "Patel", "crew"), ("Lee", "Young", "crew")),
    ),
)

CHECKLISTS = {
    (EventType.CHARTER, ChecklistPhase.PRE_DEPARTURE): [
        ("Fuel, water and engine checks logged", CrewRole.FIRST_MATE, Anchor.DEPARTURE, -60),
        ("Cooler stocked with ice and water", CrewRole.DECKHAND, Anchor.DEPARTURE, -45),
        ("Safety briefing and life jackets ready", CrewRole.CAPTAIN, Anchor.DEPARTURE, -30),
        ("Lines and fenders ready", CrewRole.DECKHAND, Anchor.DEPARTURE, -15),
    ],
    (EventType.CHARTER, ChecklistPhase.POST_RETURN): [
        ("Engine hours logged", CrewRole.CAPTAIN, Anchor.RETURN, 15),
        ("Deck washed down", CrewRole.DECKHAND, Anchor.RETURN, 30),
        ("Trash and recycling offloaded", CrewRole.DECKHAND, Anchor.RETURN, 30),
    ],
    (EventType.SUNSET_SAIL, ChecklistPhase.PRE_DEPARTURE): [
        ("Route planned back before civil dusk", CrewRole.CAPTAIN, Anchor.SUNSET, -180),
        ("Navigation lights tested", CrewRole.FIRST_MATE, Anchor.DEPARTURE, -30),
        ("Blankets aboard for the evening chill", CrewRole.DECKHAND, Anchor.DEPARTURE, -20),
    ],
    (EventType.SUNSET_SAIL, ChecklistPhase.POST_RETURN): [
        ("Deck washed down", CrewRole.DECKHAND, Anchor.RETURN, 30),
    ],
}

WAIVER_TEXT = (
    "I understand that sailing involves risks, including injury from moving equipment, "
    "slippery decks and weather. I agree to follow the captain's and crew's instructions, "
    "to wear a life jacket when asked, and I release {brand} and its crew from liability "
    "for injuries that are not caused by their gross negligence."
)

# Upcoming demo events, relative to today so that every page has something current.
UPCOMING = (
    ("sunset-sail", "Sunset sail", EventType.SUNSET_SAIL, 1, time(17, 30), 2),
    ("harbor-charter", "Harbor charter", EventType.CHARTER, 2, time(10, 0), 3),
    ("whale-watch-charter", "Whale-watch charter", EventType.CHARTER, 4, time(9, 0), 4),
)


class Command(BaseCommand):
    help = "Create or refresh demo data for the four brands (idempotent) and print the owner login."

    def handle(self, *args, **options) -> None:
        from django.conf import settings

        if not settings.DEBUG and not options.get("force"):
            self.stderr.write("seed_demo creates a known password; it only runs with DEBUG on (or --force).")
            raise SystemExit(2)
        with transaction.atomic():
            owner = self.seed_owner()
            for brand in BRANDS:
                self.seed_brand(brand, owner)
        # Guest pages are published now, so /g/boatsetter-may-30-2024 answers as soon as the server is up.
        for event in Event.objects.filter(organization__slug__in=[b.slug for b in BRANDS]).select_related(
            "organization"
        ):
            guest_page_publish(event=event)
        counts = {m._meta.verbose_name_plural: m.objects.count() for m in (Organization, Event, CrewMember, Guest)}
        self.stdout.write(
            "Demo data ready: " + ", ".join(f"{n} {name}" for name, n in counts.items()) + ".\n"
            f"Back office: {settings.SITE_URL}/admin/  login: {OWNER_USERNAME} / {OWNER_PASSWORD}"
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def seed_owner(self):
        User = get_user_model()
        owner, created = User.objects.get_or_create(
            username=OWNER_USERNAME,
            defaults={
                "email": "owner@charterops.local",
                "first_name": "Olivia",
                "last_name": "Owner",
                "is_staff": True,
            },
        )
        if created:
            owner.set_password(OWNER_PASSWORD)
            owner.save()
        return owner

    def seed_brand(self, brand: Brand, owner) -> None:
        org, _ = Organization.objects.update_or_create(
            slug=brand.slug,
            defaults={
                "name": brand.name,
                "guest_page_domain": brand.domain,
                "sender_email": f"crew@{brand.domain}",
                "primary_colour": brand.colours[0],
                "accent_colour": brand.colours[1],
                **SAN_DIEGO,
            },
        )
        Membership.objects.update_or_create(user=owner, organization=org, defaults={"role": Membership.Role.OWNER})
        vessel, _ = Vessel.objects.update_or_create(
            organization=org, name=brand.vessel, defaults={"capacity": 12, "home_port": "Shelter Island, San Diego"}
        )
        crew = [
            crew_services.crew_member_create(
                organization=org,
                email=f"{first.lower()}.{last.lower()}@{brand.domain}",
                first_name=first,
                last_name=last,
                phone=f"+1619555{i:04d}",
                membership_role=role,
            )
            for i, (first, last, role) in enumerate(brand.crew, start=len(brand.slug) * 10)
        ]
        self.seed_checklists(org)
        if not WaiverTemplate.objects.for_org(org).exists():
            WaiverTemplate.objects.create(
                organization=org, title=f"{brand.name} liability waiver", body=WAIVER_TEXT.format(brand=brand.name)
            )
        if brand.slug == "queenofsandiego":
            self.seed_boatsetter_charter(org, vessel, crew, owner)
        for key, name, event_type, days_ahead, start, hours in UPCOMING:
            self.seed_upcoming(org, vessel, crew, owner, f"{key}-demo", name, event_type, days_ahead, start, hours)

    def seed_checklists(self, org: Organization) -> None:
        for (event_type, phase), items in CHECKLISTS.items():
            template, _ = ChecklistTemplate.objects.update_or_create(
                organization=org,
                name=f"{EventType(event_type).label} — {ChecklistPhase(phase).label.lower()}",
                defaults={"event_type": event_type, "phase": phase},
            )
            for position, (text, role, anchor, offset) in enumerate(items, start=1):
                ChecklistTemplateItem.objects.update_or_create(
                    template=template,
                    position=position,
                    defaults={"text": text, "responsible_role": role, "anchor": anchor, "offset_minutes": offset},
                )

    def upsert_event(self, org: Organization, slug: str, owner, fields: dict, revenue: dict | None) -> Event:
        event = Event.objects.for_org(org).filter(slug=slug).first()
        if event is None:
            return booking_create(organization=org, slug=slug, by=owner, revenue=revenue, **fields)
        event = event_services.event_update(
            event=event, by=owner, **{k: v for k, v in fields.items() if k not in {"source", "external_ref"}}
        )
        # Demo databases made before checklists existed get them too (adds only what is missing).
        crew_services.checklist_instantiate(event=event)
        if revenue is not None:
            event_services.revenue_set(event=event, **revenue)
        return event

    def assign(self, event: Event, crew: list[CrewMember], owner, how_many: int) -> None:
        slots = {(s.role, s.position): s for s in RoleSlot.objects.filter(event=event)}
        wanted = [(CrewRole.CAPTAIN, 1), (CrewRole.FIRST_MATE, 1), (CrewRole.DECKHAND, 1)][:how_many]
        for member, key in zip(crew, wanted, strict=False):
            if key in slots and slots[key].holder_id is None:
                crew_services.role_designate(slot=slots[key], crew_member=member, by=owner)

    def seed_boatsetter_charter(self, org: Organization, vessel: Vessel, crew: list[CrewMember], owner) -> None:
        tz = org.tz
        event = self.upsert_event(
            org,
            "boatsetter-may-30-2024",
            owner,
            {
                "name": "Boatsetter charter — 30 May 2024",
                "event_type": EventType.CHARTER,
                "vessel": vessel,
                "departure_at": datetime(2024, 5, 30, 10, 0, tzinfo=tz),
                "return_at": datetime(2024, 5, 30, 13, 0, tzinfo=tz),
                "location": "Shelter Island guest dock, San Diego",
                "notes": "Birthday group; they bring their own cake. Meet guests at the dock gate.",
                "source": Source.BOATSETTER,
                "external_ref": "BS-2024-0530-QSD",
                "guest_count": 6,
            },
            # The reference case: $150.00 captain, $250.00 crew, $151.34 port fees.
            revenue={
                "gross": Decimal("840.78"),
                "captain_rate": Decimal("50"),
                "captain_hours": Decimal("3"),
                "crew_rate": Decimal("25"),
                "crew_count": 2,
                "crew_hours": Decimal("5"),
                "port_fee_pct": Decimal("18"),
            },
        )
        self.assign(event, crew, owner, how_many=2)
        for name, email in (("Taylor Guest", "taylor@example.com"), ("Jordan Guest", "jordan@example.com")):
            Guest.objects.get_or_create(event=event, name=name, defaults={"email": email, "organization": org})

    def seed_upcoming(self, org, vessel, crew, owner, slug, name, event_type, days_ahead, start, hours) -> None:
        day: date = timezone.localdate(timezone=org.tz) + timedelta(days=days_ahead)
        departure = datetime.combine(day, start, tzinfo=org.tz)
        event = self.upsert_event(
            org,
            slug,
            owner,
            {
                "name": name,
                "event_type": event_type,
                "vessel": vessel,
                "departure_at": departure,
                "return_at": departure + timedelta(hours=hours),
                "location": "Shelter Island guest dock, San Diego",
                "guest_count": 4,
            },
            revenue={"gross": Decimal(300 * hours), "captain_rate": Decimal("50"), "captain_hours": Decimal(hours)},
        )
        self.assign(event, crew, owner, how_many=1 if days_ahead > 1 else 2)
