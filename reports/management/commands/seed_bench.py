"""A scaled data set for `make bench`: 4 brands × 500 events, 10 crew each, 40 checklist
items and 20 guests per event. Rows are bulk-inserted (the benchmark measures reads, and
going through the services per row would take minutes); run it on an empty database.

It lives in `reports`, the top of the dependency order, because it seeds every app.
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from charterops.models import Membership, Organization
from charterops.sql import refresh_planner_statistics
from crew.models import ChecklistItem, ChecklistPhase, CrewMember, CrewRole, RoleSlot
from events.models import Event, EventStatus, Revenue, Vessel
from guests.models import Guest

ORGS = ("jada", "queenofsandiego", "quickdumpnow", "dangerouscentaur")
SAN_DIEGO = {"latitude": Decimal("32.7157"), "longitude": Decimal("-117.1611"), "time_zone": "America/Los_Angeles"}


def bulk_crew(org: Organization, count: int, *, captains: int = 0) -> list[CrewMember]:
    """`count` crew members of `org` made in bulk (users, memberships, profiles); the first
    `captains` of them sail as captain."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"{org.slug}-crew-{i}", email=f"crew{i}@{org.slug}.example.com") for i in range(count)]
    )
    roles = [Membership.Role.CAPTAIN if i < captains else Membership.Role.CREW for i in range(count)]
    Membership.objects.bulk_create(
        [Membership(user=user, organization=org, role=role) for user, role in zip(users, roles, strict=True)]
    )
    return CrewMember.objects.bulk_create([CrewMember(user=user, organization=org) for user in users])


class Command(BaseCommand):
    help = "Bulk-load the benchmark data set (4 brands, 2,000 events, 10 crew, 40 items, 20 guests each)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--events-per-org", type=int, default=500)
        parser.add_argument("--crew", type=int, default=10)
        parser.add_argument("--items", type=int, default=40)
        parser.add_argument("--guests", type=int, default=20)

    @transaction.atomic
    def handle(self, *args, events_per_org: int, crew: int, items: int, guests: int, **options) -> None:
        if Event.objects.exists():
            raise CommandError("seed_bench loads an empty database; this one already has events.")
        if crew < 3 or crew > 22:
            raise CommandError("--crew must be between 3 and 22 (captain, first mate, up to 20 deckhands).")
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        for org_slug in ORGS:
            org = Organization.objects.create(
                slug=org_slug, name=org_slug.title(), sender_email=f"crew@{org_slug}.example.com", **SAN_DIEGO
            )
            vessel = Vessel.objects.create(organization=org, name=f"{org.name} One")
            members = bulk_crew(org, crew, captains=1)
            events = Event.objects.bulk_create(
                [
                    Event(
                        organization=org,
                        slug=f"charter-{n}",
                        name=f"Charter {n}",
                        vessel=vessel,
                        departure_at=now + timedelta(hours=6 * n + 2),
                        return_at=now + timedelta(hours=6 * n + 5),
                        location="Shelter Island guest dock",
                        notes="Meet at the dock gate.",
                        status=EventStatus.CONFIRMED,
                        guest_count=guests,
                    )
                    for n in range(events_per_org)
                ]
            )
            Revenue.objects.bulk_create(
                [Revenue(event=e, gross=Decimal("987654.32"), port_fee_pct=Decimal("18")) for e in events]
            )
            roles = [(CrewRole.CAPTAIN, 1), (CrewRole.FIRST_MATE, 1)] + [
                (CrewRole.DECKHAND, n) for n in range(1, crew - 1)
            ]
            RoleSlot.objects.bulk_create(
                [
                    RoleSlot(event=e, role=role, position=pos, holder=members[i], acknowledged_at=now)
                    for e in events
                    for i, (role, pos) in enumerate(roles)
                ],
                batch_size=5000,
            )
            ChecklistItem.objects.bulk_create(
                [
                    ChecklistItem(
                        event=e,
                        phase=ChecklistPhase.PRE_DEPARTURE if i < items // 2 else ChecklistPhase.POST_RETURN,
                        text=f"Checklist item {i}",
                        responsible_role=CrewRole.DECKHAND,
                        due_at=e.departure_at - timedelta(minutes=60 - i),
                        position=i,
                    )
                    for e in events
                    for i in range(items)
                ],
                batch_size=5000,
            )
            Guest.objects.bulk_create(
                [Guest(organization=org, event=e, name=f"Guest {i}") for e in events for i in range(guests)],
                batch_size=5000,
            )
        # Fresh planner statistics, as autovacuum would have them after a bulk load.
        refresh_planner_statistics()
        self.stdout.write(
            f"Bench data: {Organization.objects.count()} organizations, {Event.objects.count()} events, "
            f"{RoleSlot.objects.count()} role slots, {ChecklistItem.objects.count()} checklist items, "
            f"{Guest.objects.count()} guests."
        )
