"""Reads of safety at sea: the check-in, the start gate's answer, the float plan's content,
and the charters at sea.

The gate is one function, `start_check`: the crew page's panel shows its answer before the
captain taps Start, and the start itself (receivers.start_gate) enforces the same answer.
A guest's waiver status is guests' rule (`GuestQuerySet.with_waiver_status`); who is crew
aboard is the roster's holders (crew).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import quote

from django.db.models import BooleanField, F, IntegerField, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from charterops.models import Organization
from charterops.sql import CompiledQuery, ModelColumns
from crew.models import ChecklistItem, ChecklistItemState, ChecklistPhase, CrewRole, RoleSlot, slot_label
from crew.panels import PanelPage
from events.models import Event, EventStatus, Vessel
from guests.models import ON_HOLD_STATUSES, Guest, waiver_status_of

from .models import FloatPlan
from .policy import SafetyPolicy

# Overdue alerts go out at "no later than" and then every this often, until acknowledged.
ESCALATION_STEP = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class BoardingLine:
    """A guest as the check-in shows them: name, minor, waiver status, aboard or not. No contact details."""

    guest_id: int
    name: str
    is_minor: bool
    waiver_status: str
    waiver_label: str
    on_hold: bool
    boarded: bool
    version: int  # the check-in's version the page saw (0: never tapped)
    walk_up: bool
    # A walk-up still to sign: a text message to their phone carrying their signing link
    # (the captain's phone sends it). Empty otherwise: crew see no guest's contact details.
    sms_href: str = ""


@dataclass(frozen=True, slots=True)
class CrewAboard:
    name: str
    role: str
    label: str
    phone: str
    email: str
    user_id: int


@dataclass
class StartCheck:
    """Whether the charter may start: every boarded guest signed, nobody on the manifest
    left on the dock, and the heads counted match the persons on board."""

    guests: list[BoardingLine]
    crew: list[CrewAboard]
    headcount: int | None
    missing: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        unsigned = [line.name + (" (minor: a guardian signs)" if line.is_minor else "") for line in self.unsigned]
        if unsigned:
            self.missing.append(f"waiver not signed: {', '.join(unsigned)}")
        if self.not_boarded:
            self.missing.append(f"not checked in: {', '.join(line.name for line in self.not_boarded)}")
        if self.guests and self.headcount is None:
            self.missing.append(f"no headcount recorded (the check-in says {self.pob_text})")
        elif self.headcount is not None and self.headcount != self.pob:
            self.missing.append(f"the headcount is {self.headcount} but the check-in says {self.pob_text}")

    @property
    def boarded(self) -> list[BoardingLine]:
        return [line for line in self.guests if line.boarded]

    @property
    def unsigned(self) -> list[BoardingLine]:
        return [line for line in self.boarded if line.on_hold]

    @property
    def not_boarded(self) -> list[BoardingLine]:
        return [line for line in self.guests if not line.boarded]

    @property
    def pob(self) -> int:
        """Persons on board: boarded guests and the crew on the roster."""
        return len(self.boarded) + len(self.crew)

    @property
    def pob_text(self) -> str:
        return f"{self.pob} aboard ({len(self.boarded)} guests + {len(self.crew)} crew)"

    @property
    def ready(self) -> bool:
        return not self.missing


class _BoardingRow(NamedTuple):
    guest_id: int
    name: str
    is_minor: bool
    current_waiver_id: int | None
    signed_current_at: Any
    signed_any: bool
    boarded: bool
    version: int
    walk_up: bool
    phone: str
    token: str


BOARDING = CompiledQuery(
    lambda organization_ids, event_id: (
        Guest.objects.for_orgs(organization_ids)
        .filter(event_id=event_id)
        .with_waiver_status()
        .annotate(
            is_boarded=Coalesce(F("check_in__boarded"), Value(False), output_field=BooleanField()),
            check_in_version=Coalesce(F("check_in__version"), Value(0), output_field=IntegerField()),
            is_walk_up=Coalesce(F("check_in__walk_up"), Value(False), output_field=BooleanField()),
        )
        .order_by("name", "pk")
        .values_list(
            "pk",
            "name",
            "is_minor",
            "current_waiver_id",
            "signed_current_at",
            "signed_any",
            "is_boarded",
            "check_in_version",
            "is_walk_up",
            "phone",
            "token",
        )
    ),
    _BoardingRow,
    values=["event_id"],
    why="The crew event page reads it on every load: built and compiled anew each time it "
    "took 1.49 ms, compiled once 0.20 ms (bench_reads, 2026-12-01).",
)


def boarding_lines(*, organization_id: int, event_id: int, with_sms_links: bool = False) -> list[BoardingLine]:
    """The event's guests with their waiver status and check-in, by name, in one query.

    `with_sms_links`: for those who check guests in, a walk-up still to sign carries a text
    message with their own signing link; nobody else's page holds it.
    """
    lines = []
    for row in BOARDING.run(organization_ids=[organization_id], event_id=event_id):
        status = waiver_status_of(
            published=row.current_waiver_id is not None,
            signed_current=row.signed_current_at is not None,
            signed_any=bool(row.signed_any),
        )
        on_hold = status in ON_HOLD_STATUSES
        sms = ""
        if with_sms_links and row.walk_up and row.phone and on_hold:
            link = Guest(name=row.name, token=row.token).signing_url
            sms = f"sms:{row.phone}?&body=" + quote(f"Your waiver for today's charter: {link}")
        lines.append(
            BoardingLine(
                guest_id=row.guest_id,
                name=row.name,
                is_minor=bool(row.is_minor),
                waiver_status=status,
                waiver_label="Not signed" if on_hold else "Signed",
                on_hold=on_hold,
                boarded=bool(row.boarded),
                version=int(row.version),
                walk_up=bool(row.walk_up),
                sms_href=sms,
            )
        )
    return lines


def crews_aboard(event_ids: Iterable[int]) -> dict[int, list[CrewAboard]]:
    """Each event's crew on the roster (every held slot) with how to reach them, captain
    first, by event: one query whatever the number of events."""
    slots = (
        RoleSlot.objects.filter(event_id__in=list(event_ids), holder__isnull=False)
        .select_related("holder__user")
        .order_by("role", "position")
    )
    order = {role: index for index, role in enumerate((CrewRole.CAPTAIN, CrewRole.FIRST_MATE, CrewRole.DECKHAND))}
    crews: dict[int, list[CrewAboard]] = {}
    for slot in sorted(slots, key=lambda slot: order.get(slot.role, 9)):
        crews.setdefault(slot.event_id, []).append(
            CrewAboard(
                name=str(slot.holder),
                role=slot.role,
                label=slot_label(slot.role, slot.position),
                phone=slot.holder.phone,
                email=slot.holder.user.email,
                user_id=slot.holder.user_id,
            )
        )
    return crews


def crew_aboard(*, event_id: int) -> list[CrewAboard]:
    """The event's crew on the roster, captain first (one query)."""
    return crews_aboard([event_id]).get(event_id, [])


def start_check(*, organization_id: int, event_id: int) -> StartCheck:
    """The start gate's answer for the event (three queries whatever its size)."""
    plan = float_plan_of(organization_id=organization_id, event_id=event_id)
    return StartCheck(
        guests=boarding_lines(organization_id=organization_id, event_id=event_id),
        crew=crew_aboard(event_id=event_id),
        headcount=plan.headcount if plan else None,
    )


def post_return_left(*, event_id: int) -> list[str]:
    """The post-return checklist items not yet complete."""
    return list(
        ChecklistItem.objects.filter(event_id=event_id, phase=ChecklistPhase.POST_RETURN)
        .exclude(state=ChecklistItemState.COMPLETE)
        .order_by("position", "pk")
        .values_list("text", flat=True)
    )


_PLAN = ModelColumns(FloatPlan, "p")
_PlanRow = NamedTuple("_PlanRow", [(name, Any) for name in _PLAN.attnames])
PLAN = CompiledQuery(
    lambda organization_ids, event_id: FloatPlan.objects.filter(
        organization_id__in=organization_ids, event_id=event_id
    ).values_list(*_PLAN.attnames),
    _PlanRow,
    values=["event_id"],
    why="The crew event page reads it on every load: as `.first()` it took 0.41 ms of "
    "Python, compiled once 0.09 ms (bench_reads, 2026-12-01).",
)


def float_plan_of(*, organization_id: int, event_id: int) -> FloatPlan | None:
    """The event's float plan (drafted, filed or closed), or None: one query."""
    rows = PLAN.run(organization_ids=[organization_id], event_id=event_id)
    return _PLAN.build(rows[0]) if rows else None


def check_in_panel(request: HttpRequest, page: PanelPage) -> dict:
    """Context of the check-in panel on the crew event page. Two queries whatever the
    event's size (the float plan, the boarding list; the post-return checklist once the
    boat is back): the roster and what the person may do come with the page."""
    event = page.event
    plan = float_plan_of(organization_id=event.organization_id, event_id=event.id)
    crew = [
        CrewAboard(name=slot.holder_name, role=slot.role, label=slot.label, phone="", email="", user_id=0)
        for slot in page.roster.slots
        if slot.holder_id is not None
    ]
    policy = SafetyPolicy(page.policy)
    guests = boarding_lines(
        organization_id=event.organization_id, event_id=event.id, with_sms_links=policy.may_check_in
    )
    check = StartCheck(guests=guests, crew=crew, headcount=plan.headcount if plan else None)
    now = page.now
    returned = plan is not None and plan.returned_at is not None
    tz = request.principal.organization.tz

    def clock(moment: datetime | None) -> str:
        return timezone.localtime(moment, tz).strftime("%H:%M") if moment else ""

    return {
        "check": check,
        "plan": plan,
        "safety": policy,
        "status": event.status,
        "in_progress": event.status == EventStatus.IN_PROGRESS,
        "before_start": event.status in (EventStatus.PENDING_CONFIRMATION, EventStatus.CONFIRMED),
        "overdue": plan is not None and plan.is_overdue(now),
        "returned": returned,
        "post_return_left": post_return_left(event_id=event.id) if returned else [],
        "times": {
            "return": clock(plan.expected_return_at if plan and plan.is_filed else event.return_at),
            "no_later_than": clock(plan.no_later_than if plan else None),
            "returned": clock(plan.returned_at if plan else None),
            "filed": clock(plan.filed_at if plan else None),
            "acknowledged": clock(plan.acknowledged_at if plan else None),
        },
    }


# --- The float plan's content -------------------------------------------------------------


@dataclass(frozen=True)
class FloatPlanDocument:
    """What a float plan says (the USCG form's parts). Guests appear by name only."""

    event: Event
    plan: FloatPlan
    organization: Organization
    operator: CrewAboard | None
    crew: list[CrewAboard]
    guests: list[BoardingLine]
    shore_contacts: list
    departure_place: str
    departed_at: datetime
    expected_return_at: datetime
    no_later_than: datetime
    grace_minutes: int

    @property
    def vessel(self) -> Vessel:
        # An event without a vessel still prints the form, its boat lines empty.
        return self.event.vessel or Vessel(name="")

    @property
    def operator_name(self) -> str:
        return self.operator.name if self.operator else ""

    @property
    def operator_phone(self) -> str:
        return self.operator.phone if self.operator else ""

    @property
    def first_mate_phone(self) -> str:
        return next((member.phone for member in self.crew if member.role == CrewRole.FIRST_MATE), "")

    @property
    def local_departed(self) -> str:
        return self.local(self.departed_at)

    @property
    def local_return(self) -> str:
        return self.local(self.expected_return_at)

    @property
    def local_no_later_than(self) -> str:
        return self.local(self.no_later_than)

    @property
    def local_returned(self) -> str:
        return self.local(self.plan.returned_at) if self.plan.returned_at else ""

    @property
    def persons_on_board(self) -> int:
        return len(self.crew) + len(self.guests)

    def local(self, moment: datetime) -> str:
        return timezone.localtime(moment, self.organization.tz).strftime("%a %d %b %Y %H:%M %Z")


def float_plan_document(*, plan: FloatPlan, now: datetime) -> FloatPlanDocument:
    event = Event.objects.select_related("organization", "vessel").get(pk=plan.event_id)
    org = event.organization
    crew = crew_aboard(event_id=event.pk)
    guests = [line for line in boarding_lines(organization_id=org.pk, event_id=event.pk) if line.boarded]
    operator = next((member for member in crew if member.role == CrewRole.CAPTAIN), None)
    return FloatPlanDocument(
        event=event,
        plan=plan,
        organization=org,
        operator=operator,
        crew=crew,
        guests=guests,
        shore_contacts=list(org.shore_contacts.all()),
        departure_place=event.location or (event.vessel.home_port if event.vessel else ""),
        departed_at=plan.departed_at or now,
        expected_return_at=event.return_at,
        no_later_than=event.return_at + timedelta(minutes=org.overdue_grace_minutes),
        grace_minutes=org.overdue_grace_minutes,
    )


# --- Charters at sea (the back office) ----------------------------------------------------


@dataclass(frozen=True)
class AtSeaLine:
    event: Event
    persons_on_board: int
    expected_return_at: datetime | None
    no_later_than: datetime | None
    overdue: bool
    past_return: bool
    acknowledged_at: datetime | None
    acknowledged_by: str
    filed: bool


def at_sea(*, organizations: Iterable[Organization | int], now: datetime) -> list[AtSeaLine]:
    """Every charter under way (in progress) with its POB, expected return and overdue
    state, overdue ones first — one query. A charter started before float plans existed
    shows its event's return time and no POB."""
    events = (
        Event.objects.for_orgs(organizations)
        .filter(status=EventStatus.IN_PROGRESS)
        .select_related("organization", "vessel", "float_plan")
        .order_by("return_at", "pk")
    )
    lines = []
    for event in events:
        plan = getattr(event, "float_plan", None)
        filed = plan is not None and plan.is_filed
        no_later_than = plan.no_later_than if filed else None
        lines.append(
            AtSeaLine(
                event=event,
                persons_on_board=plan.persons_on_board if filed else 0,
                expected_return_at=plan.expected_return_at if filed else event.return_at,
                no_later_than=no_later_than,
                overdue=bool(filed and plan.closed_at is None and no_later_than and now >= no_later_than),
                past_return=now >= event.return_at,
                acknowledged_at=plan.acknowledged_at if filed else None,
                acknowledged_by=plan.acknowledged_by if filed else "",
                filed=filed,
            )
        )
    lines.sort(key=lambda line: (not line.overdue, line.expected_return_at or now))
    return lines
