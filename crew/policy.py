"""Who may do what on an event's roster and checklists: the rules, written once.

The crew page asks this module which buttons to offer, the API which rows to show, and
the services enforce the same answers before they write — each from rows it has already
read (the roster, the event's status), so a decision costs no query. A refusal is the
exception the service raises (Conflict 409, Forbidden 403, ValidationError 400), with the
message the person sees; a page offers an action exactly when its refusal is None.
crew/tests/test_policy_parity.py walks every persona × slot × event state and checks that
the page, the API and the services agree.

What the rules are:
- any active crew member of the brand may claim an open slot (the captain's only if they
  sail as captain: membership role captain or owner) and release their own;
- the event's captain or an owner designates, releases anyone, starts the charter and
  adds checklists; only an owner confirms early;
- designating someone into a slot another person holds replaces them only when the
  replacement is confirmed (no silent replacement);
- the charter starts from the brand's start window before departure (default 2 h);
  earlier only with a reason, which is recorded with the start;
- only the holder acknowledges their slot;
- crew on the event (or an owner) see its checklists, guests and notes, and tick items;
- past completion or cancellation (CLOSED_STATUSES) nobody joins or leaves the crew.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils import timezone

from charterops.errors import Conflict, DomainError, Forbidden
from charterops.models import Membership
from events.models import ALLOWED_TRANSITIONS, EventStatus

from .models import ChecklistItemState, CrewRole

# Past these states an event's crew is settled: nobody joins or leaves it any more.
CLOSED_STATUSES = frozenset({EventStatus.COMPLETED, EventStatus.CANCELLED})
# Membership roles that may sail as captain.
CAPTAIN_QUALIFIED = frozenset({Membership.Role.CAPTAIN, Membership.Role.OWNER})
# A brand that says nothing else lets the captain start this long before departure.
DEFAULT_START_WINDOW = timedelta(hours=2)


def sails_as_captain(membership_role: str | None) -> bool:
    return membership_role in CAPTAIN_QUALIFIED


def claimable_roles(membership_role: str | None) -> tuple[str, ...]:
    """The roles of open slots a person with this membership role may claim (what the
    crew home lists and the API shows them)."""
    return tuple(role for role in CrewRole.values if role != CrewRole.CAPTAIN or sails_as_captain(membership_role))


class SlotState(Protocol):
    """What the rules read of a slot (crew.selectors.Slot, or a RoleSlot read by a service)."""

    role: str
    position: int
    holder_id: int | None
    acknowledged_at: datetime | None

    @property
    def label(self) -> str: ...

    @property
    def holder_name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Member:
    """A crew member as the rules see them."""

    id: int
    name: str
    membership_role: str | None
    organization_id: int
    active: bool = True


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: their crew profile in the event's brand (if any), whether they own the
    brand, or the system itself (a booking platform's crew, the demo data)."""

    member: Member | None
    is_owner: bool
    is_system: bool = False

    @classmethod
    def system(cls) -> "Actor":
        return cls(member=None, is_owner=False, is_system=True)


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What the rules read of the event itself (and of its brand: the start window)."""

    name: str
    status: str
    organization_id: int
    departure_at: datetime
    start_window: timedelta = DEFAULT_START_WINDOW


def start_window(hours: int | None) -> timedelta:
    """A brand's start window (`Organization.start_window_hours`) as a duration."""
    return DEFAULT_START_WINDOW if hours is None else timedelta(hours=hours)


def duration_text(duration: timedelta) -> str:
    """`2 h`, `45 min`, `1 d 3 h`: how long, rounded up to the minute."""
    minutes = max(1, -(-int(duration.total_seconds()) // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    return f"{minutes} min"


class RosterPolicy:
    """The rules for one actor on one event, from its roster as already read."""

    def __init__(self, actor: Actor, event: EventFacts, slots: Sequence[SlotState], *, now: datetime | None = None):
        self.actor = actor
        self.event = event
        self.slots = slots
        self.now = now or timezone.now()

    # --- Facts ----------------------------------------------------------------------------

    @cached_property
    def my_slot(self) -> SlotState | None:
        member = self.actor.member
        if member is None:
            return None
        return next((slot for slot in self.slots if slot.holder_id == member.id), None)

    @property
    def on_event(self) -> bool:
        return self.my_slot is not None

    @property
    def is_owner(self) -> bool:
        return self.actor.is_owner

    @property
    def is_event_captain(self) -> bool:
        return self.my_slot is not None and self.my_slot.role == CrewRole.CAPTAIN

    @property
    def manages_roster(self) -> bool:
        """The event's captain and the brand's owners (and the system) assign crew."""
        return self.actor.is_system or self.actor.is_owner or self.is_event_captain

    @property
    def sees_everything(self) -> bool:
        """Crew on the event and owners see its checklists, guests and notes, and the full roster."""
        return self.on_event or self.actor.is_owner

    @property
    def closed(self) -> bool:
        return self.event.status in CLOSED_STATUSES

    @property
    def start_opens_at(self) -> datetime:
        """From when the charter may be started without a reason."""
        return self.event.departure_at - self.event.start_window

    @property
    def too_early_to_start(self) -> bool:
        return self.now < self.start_opens_at

    @property
    def _startable(self) -> bool:
        return EventStatus.IN_PROGRESS in ALLOWED_TRANSITIONS[self.event.status]

    def holds_elsewhere(self, member_id: int, slot: SlotState) -> SlotState | None:
        return next((other for other in self.slots if other.holder_id == member_id and other is not slot), None)

    # --- Refusals (None: allowed) ---------------------------------------------------------

    def _closed_refusal(self) -> Conflict | None:
        if self.closed:
            label = EventStatus(self.event.status).label.lower()
            return Conflict(f"“{self.event.name}” is {label}: its crew can no longer change.")
        return None

    def _hold_refusal(self, slot: SlotState, member: Member) -> DomainError | ValidationError | None:
        if member.organization_id != self.event.organization_id:
            return ValidationError("That crew member belongs to another organization.")
        if not member.active:
            return ValidationError(f"{member.name} is no longer active crew.")
        if slot.role == CrewRole.CAPTAIN and not sails_as_captain(member.membership_role):
            return Forbidden(f"{member.name} does not sail as captain, so cannot hold the captain's slot.")
        return None

    def claim_refusal(self, slot: SlotState) -> DomainError | ValidationError | None:
        member = self.actor.member
        if member is None:
            return Forbidden("You have no crew profile in this brand.")
        refusal = self._closed_refusal() or self._hold_refusal(slot, member)
        if refusal is not None or slot.holder_id == member.id:
            return refusal
        if slot.holder_id is not None:
            return Conflict(f"The {slot.label} slot was just taken by {slot.holder_name}. Pick another open slot.")
        other = self.holds_elsewhere(member.id, slot)
        if other is not None:
            return Conflict(f"You already hold the {other.label} slot on this event. Release it first to switch.")
        return None

    def release_refusal(self, slot: SlotState) -> DomainError | None:
        if slot.holder_id is None:
            return Conflict(f"The {slot.label} slot is already open.")
        mine = self.actor.member is not None and slot.holder_id == self.actor.member.id
        if not mine and not (self.actor.is_owner or self.is_event_captain):
            return Forbidden("You can release only your own role; the captain or an owner can release others.")
        return self._closed_refusal()

    def acknowledge_refusal(self, slot: SlotState) -> DomainError | None:
        if self.actor.member is None or slot.holder_id != self.actor.member.id:
            return Forbidden("Only the person in this role can acknowledge it.")
        return self._closed_refusal()

    def designate_refusal(
        self, slot: SlotState, designee: Member, *, replace: bool = False
    ) -> DomainError | ValidationError | None:
        """`replace`: the person designating confirmed that whoever holds the slot now
        gives it up (they are told by email); without it a held slot is refused."""
        if not self.manages_roster:
            return Forbidden("Only the event's captain or an owner can assign crew roles.")
        refusal = self._closed_refusal() or self._hold_refusal(slot, designee)
        if refusal is not None or slot.holder_id == designee.id:
            return refusal
        other = self.holds_elsewhere(designee.id, slot)
        if other is not None:
            return ValidationError(f"{designee.name} already holds the {other.label} slot on this event.")
        if slot.holder_id is not None and not replace:
            return ReplacementUnconfirmed(slot, designee)
        return None

    def start_refusal(self, reason: str = "") -> DomainError | None:
        """Whether the charter may start now; `reason` is what an early start needs."""
        if not (self.actor.is_owner or self.is_event_captain):
            return Forbidden("Only the event's captain or an owner can start the charter.")
        # A move the lifecycle refuses anyway is refused by event_transition, with the
        # allowed next states: the window only speaks about a start that could happen.
        if self._startable and self.too_early_to_start and not (reason or "").strip():
            window = duration_text(self.event.start_window)
            opens_in = duration_text(self.start_opens_at - self.now)
            return Conflict(
                f"Too early to start “{self.event.name}”: the start opens {window} before departure, "
                f"in {opens_in}. To start now, give the reason; it is recorded with the start."
            )
        return None

    def confirm_refusal(self) -> DomainError | None:
        if not self.actor.is_owner:
            return Forbidden("Only an owner can confirm an event before its crew is complete.")
        return None

    def checklist_add_refusal(self) -> DomainError | None:
        if not (self.actor.is_owner or self.is_event_captain):
            return Forbidden("Only the event's captain or an owner can add a checklist.")
        return self._closed_refusal()

    def checklist_edit_refusal(self) -> DomainError | None:
        if not self.sees_everything:
            return Forbidden("Only crew on this event (or an owner) can change its checklist.")
        if self.event.status == EventStatus.CANCELLED:
            return Conflict(f"“{self.event.name}” is cancelled: its checklist is closed.")
        return None

    # --- What a page offers ---------------------------------------------------------------

    def may_claim(self, slot: SlotState) -> bool:
        return slot.holder_id is None and self.claim_refusal(slot) is None

    def may_release(self, slot: SlotState) -> bool:
        return self.release_refusal(slot) is None

    def may_acknowledge(self, slot: SlotState) -> bool:
        return slot.acknowledged_at is None and self.acknowledge_refusal(slot) is None

    @property
    def may_designate(self) -> bool:
        return self.manages_roster and not self.actor.is_system and not self.closed

    @property
    def may_start(self) -> bool:
        """Start offered as it is (a reason only for an incomplete check-in)."""
        return self._startable and self.start_refusal() is None

    @property
    def may_start_early(self) -> bool:
        """Start offered only with a reason: before the brand's start window opens."""
        return self._startable and not self.may_start and self.start_refusal(reason="early") is None

    @property
    def may_confirm(self) -> bool:
        return self.confirm_refusal() is None and EventStatus.CONFIRMED in ALLOWED_TRANSITIONS[self.event.status]

    @property
    def may_edit_checklist(self) -> bool:
        return self.checklist_edit_refusal() is None

    def visible_slots(self) -> list[SlotState]:
        """The slots this person sees: all of them on the event (or as an owner), else the open ones."""
        if self.sees_everything:
            return list(self.slots)
        return [slot for slot in self.slots if slot.holder_id is None]


# --- What a crew member has to do about an event (the one pill pages show) -------------


@dataclass(frozen=True, slots=True)
class ToDo:
    text: str
    pending: bool  # something is asked of them (False: nothing left)


def is_mine_to_do(*, responsible_role: str, state: str, my_role: str) -> bool:
    """A checklist item is a crew member's to do when it falls to their role and is not
    complete (crew.selectors counts the same in its query for the crew home)."""
    return responsible_role == my_role and state != ChecklistItemState.COMPLETE


def to_do(*, slot: SlotState | None, status: str, items_to_do: int) -> ToDo | None:
    """The one next thing for the holder of `slot`: say they'll be there, then their
    checklist items; None when they are not on the event or it is over."""
    if slot is None or status in CLOSED_STATUSES:
        return None
    if slot.acknowledged_at is None:
        return ToDo("Say you'll be there", pending=True)
    if items_to_do:
        return ToDo(f"{items_to_do} checklist item{'s' if items_to_do != 1 else ''} to do", pending=True)
    return ToDo("Nothing to do", pending=False)


class ReplacementUnconfirmed(Conflict):
    """Designating into a slot someone else holds, without confirming the replacement."""

    def __init__(self, slot: SlotState, designee: Member):
        super().__init__(
            f"{slot.holder_name} holds the {slot.label} slot. Confirm to replace them with {designee.name}: "
            f"{slot.holder_name} will be told by email."
        )
        self.slot = slot
        self.designee = designee


def enforce(refusal: DomainError | ValidationError | None) -> None:
    """Raise a refusal the rules gave; services call this before they write."""
    if refusal is not None:
        raise refusal
