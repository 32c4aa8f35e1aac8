"""Who may do what for safety at sea, on top of crew.policy's roster rules.

- the captain and the first mate of the event (and owners) check guests in, add walk-up
  guests and record the headcount; deckhands on the event see the check-in;
- the captain (or an owner) sets the route, extends the trip and marks the boat back at
  the dock — the start itself stays crew.policy's rule;
- an owner completes a returned charter from the crew page (the post-return checklist
  completes it otherwise).
"""

from dataclasses import dataclass

from charterops.errors import Conflict, DomainError, Forbidden
from crew.models import CrewRole
from crew.policy import RosterPolicy
from events.models import EventStatus

CHECK_IN_ROLES = frozenset({CrewRole.CAPTAIN, CrewRole.FIRST_MATE})
BEFORE_START = frozenset({EventStatus.PENDING_CONFIRMATION, EventStatus.CONFIRMED})


@dataclass(frozen=True)
class SafetyPolicy:
    roster: RosterPolicy

    @property
    def _status(self) -> str:
        return self.roster.event.status

    @property
    def _captain_or_owner(self) -> bool:
        return self.roster.is_owner or self.roster.is_event_captain

    def check_in_refusal(self) -> DomainError | None:
        slot = self.roster.my_slot
        if not (self.roster.is_owner or (slot is not None and slot.role in CHECK_IN_ROLES)):
            return Forbidden("Only the captain, the first mate or an owner can check guests in.")
        if self._status not in BEFORE_START:
            return Conflict(f"“{self.roster.event.name}” has left the dock: the check-in is closed.")
        return None

    def route_refusal(self) -> DomainError | None:
        if not self._captain_or_owner:
            return Forbidden("Only the captain or an owner can set the planned route.")
        if self._status not in BEFORE_START | {EventStatus.IN_PROGRESS}:
            return Conflict("The charter is over: its float plan is closed.")
        return None

    def at_sea_refusal(self, what: str) -> DomainError | None:
        if not self._captain_or_owner:
            return Forbidden(f"Only the captain or an owner can {what}.")
        if self._status != EventStatus.IN_PROGRESS:
            return Conflict(f"“{self.roster.event.name}” is not at sea.")
        return None

    def complete_refusal(self) -> DomainError | None:
        if not self.roster.is_owner:
            return Forbidden("Only an owner completes a charter; the post-return checklist completes it otherwise.")
        if self._status != EventStatus.IN_PROGRESS:
            return Conflict(f"“{self.roster.event.name}” is not under way.")
        return None

    @property
    def may_check_in(self) -> bool:
        return self.check_in_refusal() is None

    @property
    def may_set_route(self) -> bool:
        return self.route_refusal() is None

    @property
    def may_act_at_sea(self) -> bool:
        return self.at_sea_refusal("do that") is None

    @property
    def may_complete(self) -> bool:
        return self.complete_refusal() is None
