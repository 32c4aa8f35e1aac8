"""What the crew event page shows, read in a few hand-written queries.

Crew reload this page on the dock all day, so it reads through `charterops.sql` rather
than the ORM: the event with its vessel and roster in one query, its checklist items in
another (for those who see them), and the crew a captain may assign in a third (for those
who assign). Rows become the small dataclasses below, which the Jinja2 templates show;
they are slotted, not frozen: a page builds a hundred of them, and a frozen one takes
three times as long to make. Who may do what stays defined once, in `crew.services`
(CLOSED_STATUSES, CAPTAIN_QUALIFIED): `EventPage` only asks it. Writes go through the
services and the ORM.
"""

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cached_property
from typing import NamedTuple
from uuid import UUID

from django.db import connection

from charterops.sql import aware, fetch_rows
from events.models import Event, EventStatus
from events.timing import format_clock, format_day_clock

from . import services
from .auth import Principal
from .models import (
    ROLE_ORDER,
    ChecklistItem,
    ChecklistItemState,
    ChecklistPhase,
    CrewRole,
    person_name,
    slot_label,
)


@dataclass(frozen=True)
class EventSummary:
    """The event as crew pages and the crew API show it (never its revenue: that is
    another table)."""

    id: int
    public_id: UUID
    organization_id: int
    slug: str
    name: str
    event_type: str
    status: str
    departure_at: datetime
    return_at: datetime
    location: str
    notes: str
    source: str
    guest_count: int
    nudges_enabled: bool
    vessel_name: str | None

    @property
    def status_label(self) -> str:
        return EventStatus(self.status).label


@dataclass(slots=True)
class Slot:
    """One seat of the roster and who holds it."""

    role: str
    position: int
    label: str
    holder_id: int | None
    holder_name: str
    acknowledged_at: datetime | None


_ROLE_LABELS = dict(CrewRole.choices)
_STATE_LABELS = dict(ChecklistItemState.choices)


@dataclass(slots=True)
class ChecklistEntry:
    """One checklist item with its state and who last changed it, times in the brand's zone."""

    id: int
    phase: str
    text: str
    responsible_role_label: str
    due_at: datetime | None
    due_text: str  # `7:50 PM`, "" when the item has no due time
    state: str
    state_label: str
    version: int
    updated_text: str  # `Thu 30 May 7:50 PM`, "" when never changed
    updated_by_name: str  # "" when no one is recorded

    @classmethod
    def make(
        cls,
        *,
        id: int,
        phase: str,
        text: str,
        responsible_role: str,
        due_at: datetime | None,
        state: str,
        version: int,
        updated_at: datetime | None,
        updated_by_name: str,
        tz: tzinfo,
    ) -> "ChecklistEntry":
        """The entry of an item, with its labels and its times written in `tz`."""
        return cls(
            id=id,
            phase=phase,
            text=text,
            responsible_role_label=_ROLE_LABELS.get(responsible_role, responsible_role),
            due_at=due_at,
            due_text=_clock(due_at, tz),
            state=state,
            state_label=_STATE_LABELS.get(state, state),
            version=version,
            updated_text=_day_clock(updated_at, tz),
            updated_by_name=updated_by_name,
        )

    @classmethod
    def from_item(cls, item: ChecklistItem, tz: tzinfo) -> "ChecklistEntry":
        """The entry of an item the ORM loaded (with `updated_by`), as a tick answers with."""
        user = item.updated_by
        return cls.make(
            id=item.pk,
            phase=item.phase,
            text=item.text,
            responsible_role=item.responsible_role,
            due_at=item.due_at,
            state=item.state,
            version=item.version,
            updated_at=item.updated_at,
            updated_by_name=person_name(user.first_name, user.last_name, user.email, user.get_username())
            if user
            else "",
            tz=tz,
        )


def _clock(moment: datetime | None, tz: tzinfo) -> str:
    return format_clock(moment.astimezone(tz)) if moment else ""


def _day_clock(moment: datetime | None, tz: tzinfo) -> str:
    return format_day_clock(moment.astimezone(tz)) if moment else ""


@dataclass(slots=True)
class DesignateChoice:
    """A crew member a captain or owner may put in a slot."""

    id: int
    name: str
    captain_qualified: bool


_ROLE_RANK = {role: rank for rank, role in enumerate(ROLE_ORDER)}


@dataclass
class EventPage:
    """The event, its roster and what the signed-in person may do on it."""

    event: EventSummary
    principal: Principal
    slots: list[Slot]

    @cached_property
    def my_slot(self) -> Slot | None:
        member = self.principal.crew_member
        if member is None:
            return None
        return next((slot for slot in self.slots if slot.holder_id == member.pk), None)

    @property
    def on_event(self) -> bool:
        return self.my_slot is not None

    @property
    def sees_everything(self) -> bool:
        return self.on_event or self.principal.is_owner

    @property
    def manages_roster(self) -> bool:
        slot = self.my_slot
        return self.principal.is_owner or (slot is not None and slot.role == CrewRole.CAPTAIN)

    @property
    def captain_qualified(self) -> bool:
        return self.principal.role in services.CAPTAIN_QUALIFIED

    @property
    def open_slots(self) -> list[Slot]:
        return [slot for slot in self.slots if slot.holder_id is None]

    @property
    def closed(self) -> bool:
        return self.event.status in services.CLOSED_STATUSES

    @property
    def may_designate(self) -> bool:
        """The captain or owner assigns crew to slots until the event is over."""
        return self.manages_roster and not self.closed

    @cached_property
    def roster(self) -> list["RosterRow"]:
        """The slots this person sees (on the event, or an owner: all; otherwise the open
        ones), each with the actions offered to them."""
        member, my_slot, open_to_changes = self.principal.crew_member, self.my_slot, not self.closed
        rows = []
        for slot in self.slots:
            held = slot.holder_id is not None
            if held and not self.sees_everything:
                continue
            mine = held and slot is my_slot
            rows.append(
                RosterRow(
                    slot=slot,
                    mine=mine,
                    may_claim=open_to_changes
                    and not held
                    and member is not None
                    and my_slot is None
                    and (slot.role != CrewRole.CAPTAIN or self.captain_qualified),
                    may_acknowledge=open_to_changes and mine and slot.acknowledged_at is None,
                    may_release=open_to_changes and held and (mine or self.manages_roster),
                )
            )
        return rows


@dataclass(slots=True)
class RosterRow:
    """A slot as the signed-in person sees it, and the buttons offered to them (the
    services decide, and refuse with a reason, whatever a page offers)."""

    slot: Slot
    mine: bool
    may_claim: bool
    may_acknowledge: bool
    may_release: bool


# --- Reads --------------------------------------------------------------------------------
#
# Timestamps are selected as text and parsed by `aware` (datetime.fromisoformat, in C):
# under Django, psycopg parses a timestamptz in Python, a few microseconds each, and this
# page reads about a hundred of them. The text is ISO 8601 on SQLite and on PostgreSQL
# (with its default ISO DateStyle, which psycopg's own parser needs as well).

_EVENT_AND_ROSTER_SQL = """
    SELECT e.id, e.organization_id, e.slug, e.name, e.event_type, e.status,
           CAST(e.departure_at AS TEXT), CAST(e.return_at AS TEXT), e.location, e.notes,
           e.source, e.guest_count, e.nudges_enabled, v.name,
           s.role, s.position, s.holder_id, CAST(s.acknowledged_at AS TEXT),
           u.first_name, u.last_name, u.email, u.username
    FROM events_event e
    LEFT JOIN events_vessel v ON v.id = e.vessel_id
    LEFT JOIN crew_roleslot s ON s.event_id = e.id
    LEFT JOIN crew_crewmember c ON c.id = s.holder_id
    LEFT JOIN auth_user u ON u.id = c.user_id
    WHERE e.public_id = %s AND e.organization_id IN ({organizations})
"""

_EVENT_COLUMNS = 14  # the event's columns in _EVENT_AND_ROSTER_SQL; the slot's follow

_CHECKLIST_SQL = """
    SELECT i.id, i.phase, i.text, i.responsible_role, CAST(i.due_at AS TEXT), i.state, i.version,
           CAST(i.updated_at AS TEXT), u.first_name, u.last_name, u.email, u.username
    FROM crew_checklistitem i
    LEFT JOIN auth_user u ON u.id = i.updated_by_id
    WHERE i.event_id = %s
    ORDER BY i.position, i.id
"""

_DESIGNATE_SQL = """
    SELECT c.id, u.first_name, u.last_name, u.email, u.username,
           EXISTS (
               SELECT 1 FROM charterops_membership m
               WHERE m.user_id = c.user_id AND m.organization_id = c.organization_id AND m.role IN ({roles})
           )
    FROM crew_crewmember c
    JOIN auth_user u ON u.id = c.user_id
    WHERE c.organization_id = %s AND c.active = %s
    ORDER BY u.first_name, u.last_name, c.id
"""


def event_page(principal: Principal, public_id: UUID) -> EventPage | None:
    """The event of the principal's organization with this public id, and its roster; or None."""
    found = read_event([principal.organization.pk], public_id)
    if found is None:
        return None
    event, slots = found
    return EventPage(event=event, principal=principal, slots=slots)


def read_event(organization_ids: list[int], public_id: UUID) -> tuple[EventSummary, list[Slot]] | None:
    """The event of one of these organizations with this public id and its slots in roster
    order (captain, first mate, deckhands by number), in one query; or None."""
    if not organization_ids:
        return None
    db_public_id = Event._meta.get_field("public_id").get_db_prep_value(public_id, connection)
    sql = _EVENT_AND_ROSTER_SQL.format(organizations=", ".join(["%s"] * len(organization_ids)))
    rows = fetch_rows(sql, [db_public_id, *organization_ids])
    if not rows:
        return None
    (
        event_id,
        organization_id,
        slug,
        name,
        event_type,
        status,
        departure_at,
        return_at,
        location,
        notes,
        source,
        guest_count,
        nudges_enabled,
        vessel_name,
    ) = rows[0][:_EVENT_COLUMNS]
    event = EventSummary(
        id=event_id,
        public_id=public_id,
        organization_id=organization_id,
        slug=slug,
        name=name,
        event_type=event_type,
        status=status,
        departure_at=aware(departure_at),
        return_at=aware(return_at),
        location=location,
        notes=notes,
        source=source,
        guest_count=guest_count,
        nudges_enabled=bool(nudges_enabled),
        vessel_name=vessel_name,
    )
    slots = []
    for role, position, holder_id, acknowledged_at, first_name, last_name, email, username in (
        row[_EVENT_COLUMNS:] for row in rows
    ):
        if role is None:  # an event without slots is one row with no slot columns
            continue
        slots.append(
            Slot(
                role=role,
                position=position,
                label=slot_label(role, position),
                holder_id=holder_id,
                holder_name=person_name(first_name, last_name, email, username) if holder_id is not None else "",
                acknowledged_at=aware(acknowledged_at),
            )
        )
    slots.sort(key=lambda slot: (_ROLE_RANK.get(slot.role, len(ROLE_ORDER)), slot.position))
    return event, slots


class ChecklistRow(NamedTuple):
    """A checklist item as _CHECKLIST_SQL reads it (timestamps as the database's text)."""

    id: int
    phase: str
    text: str
    responsible_role: str
    due_at: str | None
    state: str
    version: int
    updated_at: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    username: str | None

    @property
    def updated_by_name(self) -> str:
        """Who last changed the item, "" when no one is recorded."""
        if self.username is None:
            return ""
        return person_name(self.first_name, self.last_name, self.email, self.username)


def read_checklist(event_id: int) -> list[ChecklistRow]:
    """The event's checklist items in their order (phases mixed: callers group them)."""
    return [ChecklistRow._make(row) for row in fetch_rows(_CHECKLIST_SQL, [event_id])]


def checklists(event: EventSummary, tz: tzinfo) -> list[tuple[str, list[ChecklistEntry]]]:
    """The event's items by phase (pre-departure first), each phase in its order."""
    by_phase: dict[str, list[ChecklistEntry]] = {phase: [] for phase in ChecklistPhase.values}
    for row in read_checklist(event.id):
        by_phase.setdefault(row.phase, []).append(
            ChecklistEntry.make(
                id=row.id,
                phase=row.phase,
                text=row.text,
                responsible_role=row.responsible_role,
                due_at=aware(row.due_at),
                state=row.state,
                version=row.version,
                updated_at=aware(row.updated_at),
                updated_by_name=row.updated_by_name,
                tz=tz,
            )
        )
    return [(label, by_phase[phase]) for phase, label in ChecklistPhase.choices if by_phase[phase]]


def designate_choices(event: EventSummary) -> list[DesignateChoice]:
    """The brand's active crew, each marked if they may sail as captain."""
    roles = sorted(services.CAPTAIN_QUALIFIED)
    sql = _DESIGNATE_SQL.format(roles=", ".join(["%s"] * len(roles)))
    return [
        DesignateChoice(
            id=member_id,
            name=person_name(first_name, last_name, email, username),
            captain_qualified=bool(captain_qualified),
        )
        for member_id, first_name, last_name, email, username, captain_qualified in fetch_rows(
            sql, [*roles, event.organization_id, True]
        )
    ]
