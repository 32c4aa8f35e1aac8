"""How much the reads behind `charterops.sql` save over the ORM, measured on the bench data.

For each read kept there (the principal, the sign-in link, the event with its roster, the
checklist and the event list written by hand; the crew page's boarding list and float plan
compiled once from the ORM) this times it against the ORM building the same query anew on
every call, with the same result rows, in process, on the same connection (median of many
runs after a warm-up, so psycopg has prepared both). `make bench` prints the table; the figures are
what each statement's `why` quotes.
"""

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from charterops.models import Membership, RevokedToken
from crew import selectors
from crew.magic_links import magic_link_create
from crew.models import ChecklistItem, CrewMember, MagicLink, RoleSlot
from crew.policy import CLOSED_STATUSES, Actor, claimable_roles
from events.models import Event
from events.selectors import EventSummary
from safety import selectors as safety_selectors
from safety.models import FloatPlan

RUNS = 400


def median_microseconds(read: Callable[[], object], runs: int = RUNS) -> float:
    for _ in range(20):  # warm-up: connection, prepared statements, caches
        read()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        read()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


class Command(BaseCommand):
    help = "Time the hand-written reads against the ORM doing the same work (run on a seed_bench database)."

    def handle(self, *args, **options) -> None:
        event = Event.objects.filter(organization__slug="queenofsandiego").order_by("departure_at").first()
        if event is None:
            raise CommandError("Run seed_bench first.")
        member = RoleSlot.objects.select_related("holder").filter(event=event, role="deckhand").first().holder
        membership = Membership.objects.get(user_id=member.user_id, organization_id=member.organization_id)
        org_id, slug, tz = event.organization_id, event.organization.slug, event.organization.tz
        now = datetime(2000, 1, 1, tzinfo=UTC)  # every event is upcoming: the list pages through all of them
        actor = Actor(member=selectors.member_of(member, membership.role), is_owner=False)

        def principal_orm() -> object:
            found = Membership.objects.select_related("user", "organization").get(
                user_id=member.user_id, organization_id=org_id, organization__slug=slug
            )
            crew = CrewMember.objects.filter(user_id=member.user_id, organization_id=org_id).first()
            return found, crew, RevokedToken.objects.filter(jti="x" * 32).exists()

        def roster_orm() -> object:
            found = Event.objects.for_orgs([org_id]).select_related("vessel").get(public_id=event.public_id)
            slots = RoleSlot.objects.filter(event=found).select_related("holder__user")
            return EventSummary.of(found), selectors.roster_order([selectors.Slot.of(slot) for slot in slots])

        def checklist_orm() -> object:
            items = (
                ChecklistItem.objects.filter(event_id=event.pk, event__organization_id=org_id)
                .select_related("updated_by")
                .order_by("position", "pk")
            )
            return [selectors.ChecklistItemRow.of(item, tz) for item in items]

        def list_orm() -> object:
            mine = RoleSlot.objects.filter(event=OuterRef("pk"), holder_id=member.pk)
            claimable = RoleSlot.objects.filter(
                event=OuterRef("pk"), holder__isnull=True, role__in=claimable_roles(membership.role)
            )
            open_count = (
                RoleSlot.objects.filter(event=OuterRef("pk"), holder__isnull=True)
                .order_by()
                .values("event")
                .annotate(n=Count("pk"))
                .values("n")
            )
            visible = Event.objects.for_orgs([org_id]).filter(
                Exists(mine) | (Q(return_at__gte=now) & ~Q(status__in=CLOSED_STATUSES) & Exists(claimable))
            )
            total = visible.count()
            page = (
                visible.select_related("vessel")
                .annotate(my_role=Subquery(mine.values("role")[:1]), open_slots=Coalesce(Subquery(open_count), 0))
                .order_by("departure_at", "pk")[:20]
            )
            return total, list(page)

        link, _ = magic_link_create(crew_member=member, deep_link="/crew/", purpose=MagicLink.Purpose.SIGN_IN)

        def sign_in_link_orm() -> object:
            membership_in_brand = FilteredRelation(
                "crew_member__user__memberships",
                condition=Q(crew_member__user__memberships__organization=F("organization")),
            )
            return (
                MagicLink.objects.annotate(link_membership=membership_in_brand)
                .select_related("crew_member__user", "organization", "link_membership")
                .defer("crew_member__user__password")
                .filter(code_hash=link.code_hash)
                .first()
            )

        def boarding_orm() -> object:
            # The same ORM query the compiled one is made from, built and compiled on each call.
            return list(safety_selectors.BOARDING.build(organization_ids=[org_id], event_id=event.pk))

        reads = [
            (
                "principal",
                lambda: selectors.principal_parts(
                    user_id=member.user_id, organization_id=org_id, organization_slug=slug, jti="x" * 32
                ),
                principal_orm,
            ),
            ("sign-in link", lambda: selectors.sign_in_link(code_hash=link.code_hash), sign_in_link_orm),
            (
                "event with its roster",
                lambda: selectors.event_roster(organization_ids=[org_id], public_id=event.public_id),
                roster_orm,
            ),
            (
                "checklist",
                lambda: selectors.checklist(organization_ids=[org_id], event_id=event.pk, tz=tz),
                checklist_orm,
            ),
            (
                "boarding list (ORM, compiled once)",
                lambda: safety_selectors.boarding_lines(organization_id=org_id, event_id=event.pk),
                boarding_orm,
            ),
            (
                "float plan (ORM, compiled once)",
                lambda: safety_selectors.float_plan_of(organization_id=org_id, event_id=event.pk),
                lambda: FloatPlan.objects.filter(organization_id=org_id, event_id=event.pk).first(),
            ),
            (
                "event list (page of 20)",
                lambda: selectors.event_list_page(organization_ids=[org_id], actor=actor, now=now, offset=0, limit=20),
                list_orm,
            ),
        ]
        self.stdout.write(f"{'read':<36}{'door µs':>9}{'ORM µs':>9}{'saved µs':>10}")
        for name, by_sql, by_orm in reads:
            sql_time, orm_time = median_microseconds(by_sql), median_microseconds(by_orm)
            self.stdout.write(f"{name:<36}{sql_time:>9.0f}{orm_time:>9.0f}{orm_time - sql_time:>10.0f}")
        self.stdout.write(f"(median of {RUNS} runs each, in process, {timezone.now():%Y-%m-%d})")
