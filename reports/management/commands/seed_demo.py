"""Demo data for the four brands. Idempotent: rows are found by natural keys and updated.

It lives in `reports`, the top of the dependency order, because it seeds every app.
"""

import base64
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bookings.services import booking_create
from charterops.models import Membership, Organization, ShoreContact
from crew import services as crew_services
from crew.models import Anchor, ChecklistPhase, ChecklistTemplate, ChecklistTemplateItem, CrewMember, CrewRole, RoleSlot
from events import services as event_services
from events.models import Event, EventStatus, EventType, ServiceKey, Source, Vessel
from events.service_keys import service_key_create
from guests.models import Guest, WaiverTemplate
from guests.services import guest_page_publish, waiver_sign
from safety.services import check_in_set, headcount_record, route_set

from ...models import Milestone, MonthlyTarget, OwnerInputs, RecipientList, ReportKind
from ...periods import month_of

OWNER_USERNAME = "owner"
OWNER_PASSWORD = "charterops-demo"  # noqa: S105 — local demo only; refused with DEBUG off
# A drawn signature for the demo's signed waivers (a short stroke, as the signing page sends).
DEMO_SIGNATURE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAHgAAAAoCAYAAAA16j4lAAABQElEQVR4nO2bQRKDIAxFa2/g/Q/JEdqtg4oIIfnie5suOiOfF5Oxaj8fAAAAAAAA"
    "eArruv62n3CfJTrAEaWCppQkM6vyjQ6Qc9WtdPMxZ15kuuEsYEppKX03NpU+uZvciYSgmgIytvfUeAsV09KZdPM9ByFSLLrxrYW+u293GZaFedPY"
    "bvXmJmFkx83czb0nsYsArwLMVmiL/QzdeITwGca2pTd30V6So9dvxTq3+WbVxKrlOWNUTrNNKotUH9sj3ZlsTrm4W9RyeuTpOpCasFqic3uu33zA"
    "aEm9RI1tb29md4+eUtic2X+jVx9c/UKll1nvtHFjf4P1SazgrbiQQsAIevetNO147lpghufVu0XVAkZT242q3g4Xv3rP54089Z2x4qhRCKhGzVud"
    "St5kgjwJpYsoGAj/vAAAAAAAmJE/ag4UiD08qigAAAAASUVORK5CYII="
)
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

# Four months of sailed (and a few cancelled) charters per brand, so that the executive
# reports have a history to read: one every five days, channels and amounts varying.
HISTORY_CHARTERS = 24
HISTORY_SOURCES = (
    Source.DIRECT,
    Source.BOATSETTER,
    Source.DIRECT,
    Source.SAILO,
    Source.BOATSETTER,
    Source.GETMYBOAT,
    Source.DIRECT,
    Source.VIATOR,
)
# Guests who come back: a few addresses sail more than once across the brands.
REGULARS = ("morgan.regular@example.com", "sam.regular@example.com", "lee.regular@example.com")
# Who receives each executive report (demo addresses; the sender is the main brand's admin@).
REPORT_SENDER = "CharterOps reports <admin@sailjada.com>"
REPORT_AUDIT_COPY = "admin@sailjada.com"

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
            # After the history: its sailed charters filed float plans nobody ashore should get.
            for brand in BRANDS:
                self.seed_safety(brand)
            self.seed_at_sea(owner)
            self.seed_report_settings()
        # Guest pages are published now, so /g/boatsetter-may-30-2024 answers as soon as the server is up.
        for event in (
            Event.objects.filter(organization__slug__in=[b.slug for b in BRANDS])
            .exclude(slug__startswith="history-")
            .select_related("organization")
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
            organization=org,
            name=brand.vessel,
            defaults={
                "capacity": 12,
                "home_port": "Shelter Island, San Diego",
                # What a float plan tells searchers about her.
                "registration": f"CF {4100 + BRANDS.index(brand)} SD",
                "hailing_port": "San Diego, CA",
                "vessel_type": "Sailing sloop",
                "length_ft": Decimal("42.0"),
                "hull_colour": "White, " + ("navy", "purple", "green", "red")[BRANDS.index(brand)] + " boot stripe",
                "distinguishing_features": f"{brand.vessel} on the transom; tan mainsail",
                "call_sign": f"WDE{5100 + BRANDS.index(brand)}",
                "mmsi": f"36712{3450 + BRANDS.index(brand)}",
                "radios": "VHF-DSC fixed and one handheld; monitoring 16 and 9",
                "epirb": "Category I 406 MHz",
                "flares": "3 handheld, 3 aerial",
                "life_jackets": 16,
            },
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
        self.seed_history(org, vessel, owner, BRANDS.index(brand))

    def seed_safety(self, brand: Brand) -> None:
        """The brand's float-plan settings: its shore contacts and the Coast Guard sector."""
        org = Organization.objects.get(slug=brand.slug)
        Organization.objects.filter(pk=org.pk).update(coast_guard_phone="(619) 278-7033", overdue_grace_minutes=60)
        for name, local in (("Harbor office", "harbor"), ("Shore duty", "shore")):
            ShoreContact.objects.update_or_create(
                organization=org,
                email=f"{local}@{brand.domain}",
                defaults={"name": f"{brand.name} {name.lower()}", "phone": "+16195550100"},
            )

    def seed_at_sea(self, owner) -> None:
        """A charter out on the water now: guests boarded and signed, its float plan filed to
        the shore contacts (var/outbox/). Left as it is once it exists (returned, extended or
        overdue, it is the person trying the demo who moved it)."""
        org = Organization.objects.get(slug="queenofsandiego")
        if Event.objects.for_org(org).filter(slug="at-sea-demo").exists():
            return
        vessel = Vessel.objects.get(organization=org, name="Queen of San Diego")
        crew = list(CrewMember.objects.for_org(org).select_related("user").order_by("pk"))
        captain = next(member for member in crew if member.user.memberships.filter(role="captain").exists())
        departure = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
        event = self.upsert_event(
            org,
            "at-sea-demo",
            owner,
            {
                "name": "Bay charter (at sea now)",
                "event_type": EventType.CHARTER,
                "vessel": vessel,
                "departure_at": departure,
                "return_at": departure + timedelta(hours=3),
                "location": "Shelter Island guest dock, San Diego",
                "guest_count": 3,
            },
            revenue={"gross": Decimal("900.00"), "captain_rate": Decimal("50"), "captain_hours": Decimal(3)},
        )
        self.assign(event, [captain, *[m for m in crew if m != captain]], owner, how_many=2)
        event_services.event_transition(event=event, to_status=EventStatus.CONFIRMED, by=owner)
        template = WaiverTemplate.objects.current_for(org)
        for name, minor in (("Avery Sailor", False), ("Blake Sailor", False), ("Casey Sailor", True)):
            guest = Guest.objects.create(
                event=event,
                organization=org,
                name=name,
                email=f"{name.split()[0].lower()}.sailor@example.com",
                is_minor=minor,
                guardian_name="Avery Sailor" if minor else "",
            )
            waiver_sign(
                guest=guest,
                template=template,
                signed_name="Avery Sailor" if minor else name,
                signature_png=DEMO_SIGNATURE,
                consent=True,
                signer="guardian" if minor else "guest",
                relationship="parent" if minor else "",
            )
            check_in_set(event=event, guest=guest, boarded=True, seen_version=0, by=captain.user)
        headcount_record(event=event, headcount=5, by=captain.user)
        route_set(event=event, area="San Diego Bay, out past Point Loma to the kelp beds and back", by=captain.user)
        crew_services.event_start(event=event, by=captain.user, reason="Demo: departed an hour ago")

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
                "crew_count_override": True,  # the reference figures: 2 crew whoever is rostered
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

    def seed_history(self, org: Organization, vessel: Vessel, owner, brand_number: int) -> None:
        """Past charters (sailed, some cancelled) with revenue, booking dates and guests."""
        today = timezone.localdate(timezone=org.tz)
        for n in range(HISTORY_CHARTERS):
            hours = 2 + (n + brand_number) % 3
            departure = datetime.combine(
                today - timedelta(days=3 + 5 * n), time(17, 30) if n % 2 else time(10, 0), tzinfo=org.tz
            )
            crew_count = 1 + (n + brand_number) % 2
            event = self.upsert_event(
                org,
                f"history-{n + 1}",
                owner,
                {
                    "name": f"{'Sunset sail' if n % 2 else 'Harbor charter'} — {departure:%-d %b}",
                    "event_type": EventType.SUNSET_SAIL if n % 2 else EventType.CHARTER,
                    "vessel": vessel,
                    "departure_at": departure,
                    "return_at": departure + timedelta(hours=hours),
                    "location": "Shelter Island guest dock, San Diego",
                    "source": HISTORY_SOURCES[(n + brand_number) % len(HISTORY_SOURCES)],
                    "guest_count": 2 + (n * 3 + brand_number) % 9,
                },
                # A charter in nine sails with no revenue recorded: the reports flag it.
                revenue=None
                if (n + brand_number) % 9 == 4
                else {
                    "gross": Decimal(280 * hours) + Decimal("37.50") * ((n * 7 + brand_number) % 9),
                    "captain_rate": Decimal("50"),
                    "captain_hours": Decimal(hours),
                    "crew_rate": Decimal("25"),
                    "crew_count": crew_count,
                    "crew_count_override": True,
                    "crew_hours": Decimal(hours),
                    "port_fee_pct": Decimal("18"),
                },
            )
            booked = departure - timedelta(days=2 + (n * 11 + brand_number * 5) % 60)
            Event.objects.filter(pk=event.pk).update(created_at=booked)
            outcome = EventStatus.CANCELLED if (n + brand_number) % 7 == 3 else EventStatus.COMPLETED
            path = (
                [EventStatus.CANCELLED]
                if outcome == EventStatus.CANCELLED
                else [
                    EventStatus.CONFIRMED,
                    EventStatus.IN_PROGRESS,
                    EventStatus.COMPLETED,
                ]
            )
            if event.status == EventStatus.PENDING_CONFIRMATION:
                for status in path:
                    event_services.event_transition(
                        event=event, to_status=status, by=owner, reason="demo history", override=True
                    )
            guests = [(f"Guest {n + 1}-{k}", f"guest{brand_number}-{n}-{k}@example.com") for k in (1, 2)]
            if n % 4 == 1:
                regular = REGULARS[(n // 4 + brand_number) % len(REGULARS)]
                guests.append((f"Regular {regular.split('.')[0].title()}", regular))
            for name, email in guests:
                Guest.objects.get_or_create(event=event, name=name, defaults={"email": email, "organization": org})

        # Two confirmed charters ahead: deferred revenue and a pipeline to read.
        for n in range(2):
            departure = datetime.combine(today + timedelta(days=12 + 9 * n), time(10, 0), tzinfo=org.tz)
            event = self.upsert_event(
                org,
                f"booked-ahead-{n + 1}",
                owner,
                {
                    "name": f"Private charter — {departure:%-d %b}",
                    "event_type": EventType.CHARTER,
                    "vessel": vessel,
                    "departure_at": departure,
                    "return_at": departure + timedelta(hours=4),
                    "location": "Shelter Island guest dock, San Diego",
                    "source": Source.BOATSETTER if n else Source.DIRECT,
                    "guest_count": 6,
                },
                revenue={"gross": Decimal("1450.00"), "captain_rate": Decimal("50"), "captain_hours": Decimal(4)},
            )
            if event.status == EventStatus.PENDING_CONFIRMATION:
                event_services.event_transition(event=event, to_status=EventStatus.CONFIRMED, by=owner)

    def seed_report_settings(self) -> None:
        """Owner inputs, milestones, targets and recipients of the executive reports, and a
        booking platform's key in use, so that every report has something to measure."""
        today = timezone.localdate()
        this_month = today.replace(day=1)
        portfolio, _ = OwnerInputs.objects.update_or_create(
            organization=None,
            defaults={
                "fixed_costs_monthly": Decimal("4000.00"),
                "infrastructure_cost_monthly": Decimal("180.00"),
                "jwt_key_rotated_on": today - timedelta(days=100),
            },
        )
        for org in Organization.objects.filter(slug__in=[b.slug for b in BRANDS]):
            OwnerInputs.objects.update_or_create(organization=org, defaults={"fixed_costs_monthly": Decimal("1500.00")})
        # Monthly targets from three months back to three months ahead (the horizon).
        month = month_of(month_of(month_of(this_month).previous().start).previous().start).previous().start
        for step in range(7):
            MonthlyTarget.objects.update_or_create(
                inputs=portfolio, month=month, defaults={"gross": Decimal(12000 + 1000 * step)}
            )
            month = month_of(month).end
        campaign_start = today - timedelta(days=30)
        for days, target in ((30, 20), (60, 45), (90, 80)):
            Milestone.objects.update_or_create(
                inputs=portfolio,
                title=f"Spring campaign — {days} days",
                defaults={
                    "kind": Milestone.Kind.CAMPAIGN,
                    "metric": Milestone.Metric.BOOKINGS,
                    "target": Decimal(target),
                    "starts_on": campaign_start,
                    "due_on": campaign_start + timedelta(days=days),
                },
            )
        Milestone.objects.update_or_create(
            inputs=portfolio,
            title="Net covers the quarter's fixed costs",
            defaults={
                "kind": Milestone.Kind.PROFITABILITY,
                "metric": Milestone.Metric.NET,
                "target": Decimal("30000.00"),
                "starts_on": this_month - timedelta(days=60),
                "due_on": this_month + timedelta(days=30),
            },
        )
        for report in ReportKind.values:
            RecipientList.objects.update_or_create(
                report=report,
                organization=None,
                defaults={
                    "from_email": REPORT_SENDER,
                    "to": f"{report}@sailjada.com",
                    "bcc": REPORT_AUDIT_COPY,
                },
            )
        queen = Organization.objects.get(slug="queenofsandiego")
        if not ServiceKey.objects.for_org(queen).filter(name="Boatsetter").exists():
            key, _ = service_key_create(organization=queen, name="Boatsetter")
            ServiceKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(days=2))
