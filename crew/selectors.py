"""Reads of crew data that the crew pages, the crew API, emails, nudges and reports share.

One row type per concept, with named fields:
- `Slot`: a seat of an event's roster and who holds it;
- `EventRoster`: an event (`events.selectors.EventSummary`) with its slots in roster order;
- `ChecklistItemRow`: a checklist item with its state and who last changed it;
- `EventListRow`: an event of the API's list, with the reader's role and the open slots;
- `CrewChoice`: a crew member a captain or owner may assign.

Who may do what with these rows is `crew.policy`'s to say, not this module's.

Four reads run on nearly every crew request and are hand-written (through
`charterops.sql`, scoped by organization ids, each with its measured reason): the
principal (crew.auth), the event with its roster, the checklist and the event list.
Everything else here is the ORM.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, tzinfo
from functools import cache
from typing import Any, NamedTuple
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, DateTimeField, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower

from charterops.models import Membership, Organization
from charterops.sql import ModelColumns, Statement, aware, db_value, select, select_by_credential, select_first
from charterops.tenancy import Scope
from events.models import Event, EventStatus
from events.selectors import EventSummary
from events.timing import format_clock, format_day_clock

from .models import (
    ROLE_ORDER,
    ChecklistItem,
    ChecklistItemState,
    ChecklistPhase,
    CrewExternalId,
    CrewMember,
    CrewRole,
    MagicLink,
    RoleClaim,
    RoleSlot,
    SignInThrottleEvent,
    person_name,
    slot_label,
)
from .policy import (
    CLOSED_STATUSES,
    DEFAULT_START_WINDOW,
    Actor,
    EventFacts,
    Member,
    RosterPolicy,
    claimable_roles,
    is_mine_to_do,
    sails_as_captain,
    start_window,
)

_ROLE_RANK = {role: rank for rank, role in enumerate(ROLE_ORDER)}
# The same order in a query: captain, first mate, deckhands.
ROLE_RANK = Case(
    *(When(role=role, then=Value(rank)) for rank, role in enumerate(ROLE_ORDER)),
    default=Value(len(ROLE_ORDER)),
    output_field=IntegerField(),
)
_ROLE_LABELS = dict(CrewRole.choices)
_STATE_LABELS = dict(ChecklistItemState.choices)


# --- Rows ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Slot:
    """One seat of the roster and who holds it."""

    role: str
    position: int
    label: str
    holder_id: int | None
    holder_name: str  # "" when open
    acknowledged_at: datetime | None

    @classmethod
    def of(cls, slot: RoleSlot) -> "Slot":
        """The row of a slot the ORM loaded (with `holder__user` where it is held)."""
        holder = slot.holder
        return cls(
            role=slot.role,
            position=slot.position,
            label=slot_label(slot.role, slot.position),
            holder_id=slot.holder_id,
            holder_name=holder.display_name if holder is not None else "",
            acknowledged_at=slot.acknowledged_at,
        )


def roster_order(slots: list[Slot]) -> list[Slot]:
    """Captain, first mate, then deckhands by number."""
    slots.sort(key=lambda slot: (_ROLE_RANK.get(slot.role, len(ROLE_ORDER)), slot.position))
    return slots


@dataclass(frozen=True, slots=True)
class EventRoster:
    """An event and its roster (and its brand's start window), as read in one query."""

    event: EventSummary
    slots: list[Slot]
    start_window: timedelta = DEFAULT_START_WINDOW

    @property
    def facts(self) -> EventFacts:
        return EventFacts(
            name=self.event.name,
            status=self.event.status,
            organization_id=self.event.organization_id,
            departure_at=self.event.departure_at,
            start_window=self.start_window,
        )

    def policy(self, actor: Actor, *, now: datetime | None = None) -> RosterPolicy:
        return RosterPolicy(actor, self.facts, self.slots, now=now)


@dataclass(slots=True)
class ChecklistItemRow:
    """A checklist item as every surface shows it; texts in `tz` (the brand's zone)."""

    id: int
    phase: str
    text: str
    responsible_role: str
    due_at: datetime | None
    state: str
    version: int
    updated_at: datetime | None
    updated_by_name: str  # "" when no one is recorded
    tz: tzinfo

    @property
    def responsible_role_label(self) -> str:
        return _ROLE_LABELS.get(self.responsible_role, self.responsible_role)

    @property
    def state_label(self) -> str:
        return _STATE_LABELS.get(self.state, self.state)

    @property
    def due_text(self) -> str:
        """`7:50 PM`, "" when the item has no due time."""
        return format_clock(self.due_at.astimezone(self.tz)) if self.due_at else ""

    @property
    def updated_text(self) -> str:
        """`Thu 30 May 7:50 PM`, "" when never changed."""
        return format_day_clock(self.updated_at.astimezone(self.tz)) if self.updated_at else ""

    @classmethod
    def of(cls, item: ChecklistItem, tz: tzinfo) -> "ChecklistItemRow":
        """The row of an item the ORM loaded (with `updated_by`), as a tick answers with."""
        user = item.updated_by
        return cls(
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


@dataclass(frozen=True, slots=True)
class CrewChoice:
    """A crew member a captain or owner may put in a slot."""

    id: int
    name: str
    captain_qualified: bool


# --- The event with its roster (hand-written) -----------------------------------------------


# The event's columns, in EventSummary's order, as the hand-written reads select them:
# timestamps as text (see charterops.sql.aware), the vessel by name.
_EVENT_SELECT = """e.id, e.public_id, e.organization_id, e.slug, e.name, e.event_type, e.status,
           CAST(e.departure_at AS TEXT), CAST(e.return_at AS TEXT), e.location, e.notes, e.source,
           e.guest_count, e.nudges_enabled, v.name"""
_EVENT_FIELDS = [(field.name, Any) for field in fields(EventSummary)]

_EventRosterRow = NamedTuple(
    "_EventRosterRow",
    [
        *_EVENT_FIELDS,
        ("slot_role", str | None),
        ("slot_position", int | None),
        ("slot_holder_id", int | None),
        ("slot_acknowledged_at", str | None),
        ("holder_first_name", str | None),
        ("holder_last_name", str | None),
        ("holder_email", str | None),
        ("holder_username", str | None),
        ("start_window_hours", int),
    ],
)


_EVENT_ROSTER = Statement(
    f"""
    SELECT {_EVENT_SELECT},
           s.role, s.position, s.holder_id, CAST(s.acknowledged_at AS TEXT),
           u.first_name, u.last_name, u.email, u.username, o.start_window_hours
    FROM {{Event}} e
    JOIN {{Organization}} o ON o.id = e.organization_id
    LEFT JOIN {{Vessel}} v ON v.id = e.vessel_id
    LEFT JOIN {{RoleSlot}} s ON s.event_id = e.id
    LEFT JOIN {{CrewMember}} c ON c.id = s.holder_id
    LEFT JOIN {{User}} u ON u.id = c.user_id
    WHERE e.public_id = %(public_id)s AND e.organization_id IN {{organizations}}
    """,  # noqa: S608 — the column list is a constant; every value is a parameter
    _EventRosterRow,
    why="Every crew page load and API detail reads it: one query instead of three ORM "
    "queries (event, slots, holders); 0.21 ms against 1.42 ms (bench_reads, 2026-12-01).",
)


def event_roster(*, organization_ids: Sequence[int], public_id: UUID) -> EventRoster | None:
    """The event of one of these brands with this public id and its slots in roster order
    (captain, first mate, deckhands by number), in one query; or None."""
    rows = select(
        _EVENT_ROSTER,
        organization_ids=organization_ids,
        params={"public_id": db_value(Event, "public_id", public_id)},
    )
    if not rows:
        return None
    event = EventSummary.of_row(rows[0])
    slots = [
        Slot(
            role=row.slot_role,
            position=row.slot_position,
            label=slot_label(row.slot_role, row.slot_position),
            holder_id=row.slot_holder_id,
            holder_name=person_name(row.holder_first_name, row.holder_last_name, row.holder_email, row.holder_username)
            if row.slot_holder_id is not None
            else "",
            acknowledged_at=aware(row.slot_acknowledged_at),
        )
        for row in rows
        if row.slot_role is not None  # an event without slots is one row with no slot columns
    ]
    return EventRoster(event=event, slots=roster_order(slots), start_window=start_window(rows[0].start_window_hours))


def event_slots(event_id: int) -> list[Slot]:
    """The event's slots in roster order, read by the ORM (what a service checks before it writes)."""
    slots = RoleSlot.objects.filter(event_id=event_id).select_related("holder__user")
    return roster_order([Slot.of(slot) for slot in slots])


# --- The checklist (hand-written) --------------------------------------------------------------


class _ChecklistRow(NamedTuple):
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


_CHECKLIST = Statement(
    """
    SELECT i.id, i.phase, i.text, i.responsible_role, CAST(i.due_at AS TEXT), i.state, i.version,
           CAST(i.updated_at AS TEXT), u.first_name, u.last_name, u.email, u.username
    FROM {ChecklistItem} i
    JOIN {Event} e ON e.id = i.event_id
    LEFT JOIN {User} u ON u.id = i.updated_by_id
    WHERE i.event_id = %(event_id)s AND e.organization_id IN {organizations}
    ORDER BY i.position, i.id
    """,
    _ChecklistRow,
    why="40 items on every crew page load and API detail: built from columns, not model "
    "instances; 0.20 ms against 0.92 ms (bench_reads, 2026-12-01).",
)

_PHASE_RANK = {phase: rank for rank, phase in enumerate(ChecklistPhase.values)}


def checklist(*, organization_ids: Sequence[int], event_id: int, tz: tzinfo) -> list[ChecklistItemRow]:
    """The event's items, pre-departure first, each phase in its order; texts in `tz`."""
    items = [
        ChecklistItemRow(
            id=row.id,
            phase=row.phase,
            text=row.text,
            responsible_role=row.responsible_role,
            due_at=aware(row.due_at),
            state=row.state,
            version=row.version,
            updated_at=aware(row.updated_at),
            updated_by_name=person_name(row.first_name, row.last_name, row.email, row.username)
            if row.username is not None
            else "",
            tz=tz,
        )
        for row in select(_CHECKLIST, organization_ids=organization_ids, params={"event_id": event_id})
    ]
    items.sort(key=lambda item: _PHASE_RANK.get(item.phase, len(_PHASE_RANK)))  # stable: keeps each phase's order
    return items


def checklists_by_phase(items: list[ChecklistItemRow]) -> list[tuple[str, list[ChecklistItemRow]]]:
    """(phase label, its items) for each phase that has items, pre-departure first."""
    by_phase: dict[str, list[ChecklistItemRow]] = {}
    for item in items:
        by_phase.setdefault(item.phase, []).append(item)
    return [(label, by_phase[phase]) for phase, label in ChecklistPhase.choices if phase in by_phase]


# --- The event list (hand-written) ------------------------------------------------------------


# A row of the event list: the event's columns, the reader's role on it, its open slots,
# and how many events match in all.
EventListRow = NamedTuple(
    "EventListRow", [*_EVENT_FIELDS, ("my_role", str | None), ("open_slots", int), ("total", int)]
)


_LIST_SELECT = """
    WITH visible AS (
        SELECT e.id, e.departure_at
        FROM {Event} e
        LEFT JOIN {Vessel} v ON v.id = e.vessel_id
        WHERE e.organization_id IN {organizations} AND %s
    )
    SELECT EVENT_SELECT,
           (SELECT s.role FROM {RoleSlot} s WHERE s.event_id = e.id AND s.holder_id = %%(member)s LIMIT 1),
           (SELECT COUNT(*) FROM {RoleSlot} s WHERE s.event_id = e.id AND s.holder_id IS NULL),
           (SELECT COUNT(*) FROM visible)
    FROM (SELECT id, departure_at FROM visible ORDER BY departure_at, id {page}) p
    JOIN {Event} e ON e.id = p.id
    LEFT JOIN {Vessel} v ON v.id = e.vessel_id
    ORDER BY p.departure_at, p.id
"""

# What a crew member sees (crew.policy decides the values): the events they hold a role
# on, and the upcoming events of their brand that are not over and have an open slot of a
# role they may claim.
_CREW_SEES = """(
    EXISTS (SELECT 1 FROM {RoleSlot} s WHERE s.event_id = e.id AND s.holder_id = %(member)s)
    OR (e.return_at >= %(now)s AND e.status NOT IN (CLOSED)
        AND EXISTS (SELECT 1 FROM {RoleSlot} s WHERE s.event_id = e.id AND s.holder_id IS NULL AND s.role IN (ROLES)))
)"""
_FILTERS = {
    "status": "e.status = %(status)s",
    "departure_from": "e.departure_at >= %(departure_from)s",
    "departure_to": "e.departure_at <= %(departure_to)s",
    "vessel": "UPPER(v.name) = UPPER(%(vessel)s)",
}
_CLOSED = sorted(CLOSED_STATUSES)
_LIST_WHY = (
    "The crew app polls it: the page of events with role and open slots in one query that "
    "counts once; 0.51 ms against 3.87 ms through the ORM (bench_reads, 2026-12-01)."
)


def _params(prefix: str, values: Sequence[str]) -> tuple[str, dict[str, str]]:
    names = {f"{prefix}_{n}": value for n, value in enumerate(values)}
    return ", ".join(f"%({name})s" for name in names), names


@cache
def _list_statement(crew: bool, role_count: int, filters: tuple[str, ...]) -> Statement[EventListRow]:
    """The list's statement for one combination of conditions, made once per process."""
    conditions = []
    if crew:
        closed, _ = _params("closed", _CLOSED)
        roles, _ = _params("role", ["x"] * role_count)
        conditions.append(_CREW_SEES.replace("CLOSED", closed).replace("ROLES", roles))
    conditions += [_FILTERS[name] for name in filters]
    where = " AND ".join(conditions) or "1 = 1"
    return Statement(_LIST_SELECT.replace("EVENT_SELECT", _EVENT_SELECT) % where, EventListRow, why=_LIST_WHY)


# The largest offset PostgreSQL (bigint) and SQLite (integer) take: a page starting past it
# is past the last page, like any other, rather than a database error.
_LARGEST_OFFSET = 2**63 - 1


def event_list_page(
    *,
    organization_ids: Sequence[int],
    actor: Actor,
    now: datetime,
    offset: int,
    limit: int,
    status: str | None = None,
    departure_from: datetime | None = None,
    departure_to: datetime | None = None,
    vessel: str | None = None,
) -> tuple[int, list[EventListRow]]:
    """(how many events match, the rows of this page) for events of these brands, by
    departure. Owners see every event; crew see theirs and those they could join."""
    if offset > _LARGEST_OFFSET - limit:
        return 0, []
    member = actor.member
    params: dict[str, Any] = {"member": member.id if member else None}
    crew = not actor.is_owner
    roles: tuple[str, ...] = ()
    if crew:
        roles = claimable_roles(member.membership_role if member else None)
        params["now"] = db_value(Event, "return_at", now)
        params.update(_params("closed", _CLOSED)[1])
        params.update(_params("role", roles)[1])
    given = {"status": status, "departure_from": departure_from, "departure_to": departure_to, "vessel": vessel}
    filters = tuple(name for name, value in given.items() if value)
    params.update({name: given[name] for name in filters})
    for name in ("departure_from", "departure_to"):
        if name in params:
            params[name] = db_value(Event, "departure_at", params[name])
    rows = select(
        _list_statement(crew, len(roles), filters),
        organization_ids=organization_ids,
        params=params,
        limit=limit,
        offset=offset,
    )
    return (rows[0].total if rows else 0), rows


# --- The principal (hand-written) ----------------------------------------------------------

_MEMBERSHIP = ModelColumns(Membership, "m")
# The password hash is never needed to act on a token: it stays deferred.
_USER = ModelColumns(get_user_model(), "u", exclude=["password"])
_ORGANIZATION = ModelColumns(Organization, "o")
_CREW_MEMBER = ModelColumns(CrewMember, "c")
_PRINCIPAL_COLUMNS = (_MEMBERSHIP, _USER, _ORGANIZATION, _CREW_MEMBER)
_PrincipalRow = NamedTuple(
    "_PrincipalRow", [(name, Any) for columns in _PRINCIPAL_COLUMNS for name in columns.names] + [("revoked", Any)]
)
_PRINCIPAL = Statement(
    f"""
    SELECT {_MEMBERSHIP.select}, {_USER.select}, {_ORGANIZATION.select}, {_CREW_MEMBER.select},
           EXISTS (SELECT 1 FROM {{RevokedToken}} r WHERE r.jti = %(jti)s)
    FROM {{Membership}} m
    JOIN {{User}} u ON u.id = m.user_id
    JOIN {{Organization}} o ON o.id = m.organization_id
    LEFT JOIN {{CrewMember}} c ON c.user_id = m.user_id AND c.organization_id = m.organization_id
    WHERE m.user_id = %(user_id)s AND o.slug = %(slug)s AND m.organization_id IN {{organizations}}
    """,  # noqa: S608 — the column lists come from the models; every value is a parameter
    _PrincipalRow,
    why="Every crew request starts with it: membership, user, brand, crew profile and the "
    "revocation check in one query; 0.22 ms against 1.28 ms (bench_reads, 2026-12-01).",
)


def principal_parts(
    *, user_id: int, organization_id: int, organization_slug: str, jti: str
) -> tuple[Membership, CrewMember | None, bool] | None:
    """(membership with its user and brand, crew profile or None, token revoked?) or None.

    The brand is named twice in a token (id and slug): both must name the same brand.
    """
    params = {"jti": jti, "user_id": user_id, "slug": organization_slug}
    row = select_first(_PRINCIPAL, organization_ids=[organization_id], params=params)
    if row is None:
        return None
    membership = _MEMBERSHIP.build(_MEMBERSHIP.take(row))
    membership.user = _USER.build(_USER.take(row))
    membership.organization = _ORGANIZATION.build(_ORGANIZATION.take(row))
    crew_member = None
    if row.c_id is not None:  # the outer join found a crew profile
        crew_member = _CREW_MEMBER.build(_CREW_MEMBER.take(row))
        crew_member.user, crew_member.organization = membership.user, membership.organization
    return membership, crew_member, bool(row.revoked)


_MAGIC_LINK = ModelColumns(MagicLink, "l")
_LINK_MEMBERSHIP = ModelColumns(Membership, "m")
_SIGN_IN_COLUMNS = (_MAGIC_LINK, _CREW_MEMBER, _USER, _ORGANIZATION, _LINK_MEMBERSHIP)
_SignInRow = NamedTuple("_SignInRow", [(name, Any) for columns in _SIGN_IN_COLUMNS for name in columns.names])
_SIGN_IN_LINK = Statement(
    f"""
    SELECT {_MAGIC_LINK.select}, {_CREW_MEMBER.select}, {_USER.select}, {_ORGANIZATION.select},
           {_LINK_MEMBERSHIP.select}
    FROM {{MagicLink}} l
    JOIN {{CrewMember}} c ON c.id = l.crew_member_id
    JOIN {{User}} u ON u.id = c.user_id
    JOIN {{Organization}} o ON o.id = l.organization_id
    LEFT JOIN {{Membership}} m ON m.user_id = c.user_id AND m.organization_id = l.organization_id
    WHERE l.code_hash = %(code_hash)s
    """,  # noqa: S608 — the column lists come from the models; every value is a parameter
    _SignInRow,
    found_by="the hash of a sign-in code, unique across brands: the link found says its brand",
    why="The exchange reads it on every sign-in: as an ORM query (a FilteredRelation and four "
    "joined models) 1.00 ms, by hand 0.25 ms (bench_reads, 2026-12-01).",
)


def sign_in_link(*, code_hash: str) -> tuple[MagicLink, Membership | None] | None:
    """The sign-in link with its crew member, user and brand loaded, and the membership (if
    any) a token for it is issued from; None for an unknown code. One query."""
    row = select_by_credential(_SIGN_IN_LINK, params={"code_hash": code_hash})
    if row is None:
        return None
    link = _MAGIC_LINK.build(_MAGIC_LINK.take(row))
    member = _CREW_MEMBER.build(_CREW_MEMBER.take(row))
    member.user = _USER.build(_USER.take(row))
    member.organization = link.organization = _ORGANIZATION.build(_ORGANIZATION.take(row))
    link.crew_member = member
    membership = None
    if row.m_id is not None:  # the outer join found a membership in the link's brand
        membership = _LINK_MEMBERSHIP.build(_LINK_MEMBERSHIP.take(row))
        membership.user, membership.organization = member.user, member.organization
    return link, membership


# --- Who acts ------------------------------------------------------------------------------


def member_of(crew_member: CrewMember, membership_role: str | None = None) -> Member:
    """The rules' view of a crew member; their membership role is read unless given."""
    if membership_role is None:
        membership_role = (
            Membership.objects.filter(user_id=crew_member.user_id, organization_id=crew_member.organization_id)
            .values_list("role", flat=True)
            .first()
        )
    return Member(
        id=crew_member.pk,
        name=crew_member.display_name,
        membership_role=membership_role,
        organization_id=crew_member.organization_id,
        active=crew_member.active,
    )


def actor_of_principal(principal: Any) -> Actor:
    """A signed-in person (crew.auth.Principal) acting in their token's brand."""
    member = principal.crew_member
    return Actor(
        member=member_of(member, principal.role) if member is not None else None,
        is_owner=principal.is_owner,
    )


def actor_of_scope(scope: Scope) -> Actor:
    """Whoever an API request is from: a crew token's person, or an owner's session."""
    member = scope.crew_member
    return Actor(
        member=member_of(member, scope.membership_role) if member is not None else None,
        is_owner=scope.is_owner,
    )


def actor_of_user(user: Any, organization_id: int) -> Actor:
    """A user acting in a brand (the back office, a service called directly)."""
    from charterops.permissions import owns

    crew_member = (
        CrewMember.objects.filter(user=user, organization_id=organization_id, active=True)
        .select_related("user")
        .first()
    )
    return Actor(member=member_of(crew_member) if crew_member else None, is_owner=owns(user, organization_id))


# --- Pages' lists (ORM) ------------------------------------------------------------------


def held_slots(*, crew_member: CrewMember, returned_after: datetime) -> list[RoleSlot]:
    """The slots a crew member holds on events returning after a moment, soonest first
    (with the event and vessel): their upcoming events at `now`, their iCal feed further back."""
    return list(
        RoleSlot.objects.for_org(crew_member.organization_id)
        .filter(holder=crew_member, event__return_at__gte=returned_after)
        .select_related("event__vessel")
        .order_by("event__departure_at", "event__pk")
    )


def is_to_do(item: ChecklistItemRow, my_role: str) -> bool:
    return is_mine_to_do(responsible_role=item.responsible_role, state=item.state, my_role=my_role)


def upcoming_held_slots(*, crew_member: CrewMember, now: datetime) -> list[RoleSlot]:
    """`held_slots` of events not yet returned, each with `items_to_do`: how many checklist
    items of the event fall to the slot's role and are not complete (crew.policy's
    `is_mine_to_do`, counted in the same query)."""
    open_items = (
        ChecklistItem.objects.filter(event=OuterRef("event"), responsible_role=OuterRef("role"))
        .exclude(state=ChecklistItemState.COMPLETE)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    slots = (
        RoleSlot.objects.for_org(crew_member.organization_id)
        .filter(holder=crew_member, event__return_at__gte=now)
        .annotate(items_to_do=Coalesce(Subquery(open_items, output_field=IntegerField()), 0))
        .select_related("event__vessel")
        .order_by("event__departure_at", "event__pk")
    )
    return list(slots)


def upcoming_events(*, organization: Organization, now: datetime, limit: int) -> list[Event]:
    """A brand's events not yet returned, soonest first (an owner's short list on a phone)."""
    events = Event.objects.for_org(organization).filter(return_at__gte=now).select_related("vessel")
    return list(events.order_by("departure_at", "pk")[:limit])


def claimable_slots(*, member: Member, now: datetime, limit: int) -> list[RoleSlot]:
    """Open slots of the brand's upcoming events that this crew member could claim, by
    departure then roster order (the same events the API list shows them)."""
    mine = RoleSlot.objects.filter(event=OuterRef("event"), holder_id=member.id)
    slots = (
        RoleSlot.objects.for_org(member.organization_id)
        .filter(holder__isnull=True, event__return_at__gte=now, role__in=claimable_roles(member.membership_role))
        .exclude(event__status__in=CLOSED_STATUSES)
        .exclude(Exists(mine))
        .select_related("event__vessel")
        .order_by("event__departure_at", "event__pk", ROLE_RANK, "position")
    )
    return list(slots[:limit])


def designate_choices(*, organization_id: int) -> list[CrewChoice]:
    """The brand's active crew, each marked if they may sail as captain."""
    role = Membership.objects.filter(user=OuterRef("user"), organization=OuterRef("organization")).values("role")[:1]
    rows = (
        CrewMember.objects.for_org(organization_id)
        .filter(active=True)
        .annotate(membership_role=Subquery(role))
        .order_by("user__first_name", "user__last_name", "pk")
        .values_list("pk", "user__first_name", "user__last_name", "user__email", "user__username", "membership_role")
    )
    return [
        CrewChoice(id=pk, name=person_name(first, last, email, username), captain_qualified=sails_as_captain(role))
        for pk, first, last, email, username, role in rows
    ]


def crew_member_by_email(*, organization_id: int, email: str) -> CrewMember | None:
    """The brand's active crew member with this email address, or None."""
    return (
        CrewMember.objects.for_org(organization_id)
        .filter(user__email__iexact=email.strip(), active=True)
        .select_related("user", "organization")
        .first()
    )


def crew_member_by_external_id(*, organization_id: int, source: str, external_id: str) -> CrewMember | None:
    """The brand's active crew member a booking platform knows by this id, or None."""
    return (
        CrewMember.objects.for_org(organization_id)
        .filter(external_ids__source=source, external_ids__external_id=external_id.strip(), active=True)
        .select_related("user", "organization")
        .first()
    )


def external_ids_of(crew_member_id: int) -> dict[str, str]:
    """{platform: id} of a crew member (what a webhook tells about them)."""
    rows = CrewExternalId.objects.filter(crew_member_id=crew_member_id).values_list("source", "external_id")
    return dict(rows)


def event_in_scope(*, organization_ids: Sequence[int], public_id: Any) -> Event | None:
    """One event of these brands by public id (with its brand and vessel), for writes; or None."""
    try:
        return (
            Event.objects.for_orgs(organization_ids)
            .select_related("organization", "vessel")
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, TypeError):
        return None


# --- Portfolio figures (executive reports) ---
#
# Counts over crew, role slots and sign-in rows, one query each whatever their number.
# Nothing here reads money: reports join it from events' selectors by event id.

Organizations = Iterable[Organization | int]


def active_crew_counts(*, organizations: Organizations) -> dict[int, int]:
    """Active crew members per brand (their user account active too)."""
    rows = (
        CrewMember.objects.for_orgs(list(organizations))
        .filter(active=True, user__is_active=True)
        .values("organization")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["organization"]: row["n"] for row in rows}


@dataclass(frozen=True, slots=True)
class OpenSlotsRow:
    """An event still sailing short-handed: its empty role slots."""

    event_id: int
    organization_id: int
    departure_at: datetime
    open_slots: int


def open_slots_departing(*, organizations: Organizations, start: datetime, within: timedelta) -> list[OpenSlotsRow]:
    """Events departing in [start, start + within), not closed, with slots nobody holds."""
    rows = (
        RoleSlot.objects.for_orgs(list(organizations))
        .filter(holder__isnull=True, event__departure_at__gte=start, event__departure_at__lt=start + within)
        .exclude(event__status__in=CLOSED_STATUSES)
        .values("event", "event__organization", "event__departure_at")
        .annotate(n=Count("pk"))
        .order_by("event__departure_at", "event")
    )
    return [
        OpenSlotsRow(
            event_id=row["event"],
            organization_id=row["event__organization"],
            departure_at=row["event__departure_at"],
            open_slots=row["n"],
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class MagicLinkCounts:
    issued: int  # made in the period
    used: int  # used in the period
    expired_unused: int  # expired in the period without being used


def magic_link_counts(*, organizations: Organizations, start: datetime, end: datetime) -> MagicLinkCounts:
    created = Q(created_at__gte=start, created_at__lt=end)
    used = Q(used_at__gte=start, used_at__lt=end)
    expired = Q(expires_at__gte=start, expires_at__lt=end, used_at__isnull=True)
    totals = (
        MagicLink.objects.for_orgs(list(organizations))
        .filter(created | used | expired)
        .aggregate(
            issued=Count("pk", filter=created),
            used=Count("pk", filter=used),
            expired_unused=Count("pk", filter=expired),
        )
    )
    return MagicLinkCounts(**totals)


@dataclass(frozen=True, slots=True)
class ThrottleCounts:
    windows: int  # (address, window) pairs refused
    addresses: int  # distinct client addresses refused


def sign_in_throttle_counts(*, start: datetime, end: datetime) -> ThrottleCounts:
    """Sign-in throttling in [start, end). Throttling is per client address, not per brand."""
    totals = SignInThrottleEvent.objects.filter(at__gte=start, at__lt=end).aggregate(
        windows=Count("pk"), addresses=Count("ip", distinct=True)
    )
    return ThrottleCounts(**totals)


def crew_only_addresses(addresses: Iterable[str]) -> set[str]:
    """Those of `addresses` that belong to crew of some brand who are not its owner.

    Crew never receive revenue; an owner who also sails keeps their owner's mail.
    """
    wanted = {address.strip().lower() for address in addresses if address and address.strip()}
    if not wanted:
        return set()
    owner_of_brand = Membership.objects.filter(
        user=OuterRef("user"), organization=OuterRef("organization"), role=Membership.Role.OWNER
    )
    rows = (
        CrewMember.objects.annotate(address=Lower("user__email"))
        .filter(address__in=wanted)
        .exclude(Exists(owner_of_brand))
        .values_list("address", flat=True)
    )
    return set(rows)


# --- The owner's dashboard (back office) ---
#
# Per-event counts for a handful of events (today's, this week's), one query whatever
# their number; nothing here reads money.


@dataclass(frozen=True, slots=True)
class RosterFill:
    """How full an event's roster is."""

    slots: int
    filled: int
    unacknowledged: int  # held by someone designated who has not said "I'll be there"

    @property
    def open(self) -> int:
        return self.slots - self.filled


def roster_fill(*, organizations: Organizations, event_ids: Iterable[int]) -> dict[int, RosterFill]:
    """Slots, filled slots and unacknowledged designations per event (of these brands only)."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = (
        RoleSlot.objects.for_orgs(list(organizations))
        .filter(event_id__in=ids)
        .values("event")
        .annotate(
            slots=Count("pk"),
            filled=Count("pk", filter=Q(holder__isnull=False)),
            unacknowledged=Count("pk", filter=Q(holder__isnull=False, acknowledged_at__isnull=True)),
        )
        .order_by()
    )
    return {
        row["event"]: RosterFill(slots=row["slots"], filled=row["filled"], unacknowledged=row["unacknowledged"])
        for row in rows
    }


@dataclass(frozen=True, slots=True)
class UnacknowledgedRow:
    """An event about to sail with crew designated who have not acknowledged their role."""

    event_id: int
    organization_id: int
    departure_at: datetime
    unacknowledged: int


def unacknowledged_departing(
    *, organizations: Organizations, start: datetime, within: timedelta
) -> list[UnacknowledgedRow]:
    """Events departing in [start, start + within), not closed, with held but unacknowledged slots."""
    rows = (
        RoleSlot.objects.for_orgs(list(organizations))
        .filter(
            holder__isnull=False,
            acknowledged_at__isnull=True,
            event__departure_at__gte=start,
            event__departure_at__lt=start + within,
        )
        .exclude(event__status__in=CLOSED_STATUSES)
        .values("event", "event__organization", "event__departure_at")
        .annotate(n=Count("pk"))
        .order_by("event__departure_at", "event")
    )
    return [
        UnacknowledgedRow(
            event_id=row["event"],
            organization_id=row["event__organization"],
            departure_at=row["event__departure_at"],
            unacknowledged=row["n"],
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class Assignment:
    """A seat a crew member holds, with the charter's hours (the back office's crew page)."""

    event_id: int
    event_name: str
    organization_id: int
    status: str
    departure_at: datetime
    return_at: datetime
    slot: str
    acknowledged: bool

    @property
    def hours(self) -> float:
        return (self.return_at - self.departure_at).total_seconds() / 3600


def assignments_of(*, crew_member_id: int, organization_id: int) -> list[Assignment]:
    """Every seat the crew member holds on the brand's events, latest first (one query)."""
    rows = (
        RoleSlot.objects.for_org(organization_id)
        .filter(holder_id=crew_member_id)
        .order_by("-event__departure_at", "event_id")
        .values_list(
            "event_id",
            "event__name",
            "event__organization_id",
            "event__status",
            "event__departure_at",
            "event__return_at",
            "role",
            "position",
            "acknowledged_at",
        )
    )
    return [
        Assignment(
            event_id=event_id,
            event_name=name,
            organization_id=org_id,
            status=status,
            departure_at=departure_at,
            return_at=return_at,
            slot=slot_label(role, position),
            acknowledged=acknowledged_at is not None,
        )
        for event_id, name, org_id, status, departure_at, return_at, role, position, acknowledged_at in rows
    ]


# --- Nudges' reads (crew.nudges): many events at once, one query each whatever their number ---


@dataclass(frozen=True, slots=True)
class Seat:
    """A slot of an event as the nudges read it: who holds it and how to reach them."""

    event_id: int
    role: str
    position: int
    holder_id: int | None
    user_id: int | None
    name: str  # "" when open
    email: str
    active: bool  # the holder is active crew with an active account
    acknowledged_at: datetime | None
    designated_at: datetime | None  # their latest designation into it (None: claimed, or not read)

    @property
    def label(self) -> str:
        return slot_label(self.role, self.position)


def seats_of(event_ids: Iterable[int], *, designations: bool = False) -> dict[int, list[Seat]]:
    """Every slot of these events in roster order, by event; with `designations`, when its
    holder was last designated into it (what an acknowledgement reminder counts from)."""
    rows = RoleSlot.objects.filter(event_id__in=list(event_ids))
    designated_at = Value(None, output_field=DateTimeField())
    if designations:
        designated_at = Subquery(
            RoleClaim.objects.filter(
                slot=OuterRef("pk"), crew_member=OuterRef("holder"), action=RoleClaim.Action.DESIGNATE
            )
            .order_by("-at")
            .values("at")[:1]
        )
    rows = rows.annotate(designated=designated_at).values_list(
        "event_id",
        "role",
        "position",
        "holder_id",
        "holder__user_id",
        "holder__user__first_name",
        "holder__user__last_name",
        "holder__user__email",
        "holder__user__username",
        "holder__active",
        "holder__user__is_active",
        "acknowledged_at",
        "designated",
    )
    seats: dict[int, list[Seat]] = {}
    for (
        event_id,
        role,
        position,
        holder_id,
        user_id,
        first,
        last,
        email,
        username,
        active,
        user_active,
        ack,
        des,
    ) in rows:
        seats.setdefault(event_id, []).append(
            Seat(
                event_id=event_id,
                role=role,
                position=position,
                holder_id=holder_id,
                user_id=user_id,
                name=person_name(first, last, email, username) if holder_id is not None else "",
                email=email or "",
                active=bool(active and user_active),
                acknowledged_at=ack,
                designated_at=aware(des) if designations else None,
            )
        )
    for event_seats in seats.values():
        event_seats.sort(key=lambda seat: (_ROLE_RANK.get(seat.role, len(ROLE_ORDER)), seat.position))
    return seats


@dataclass(frozen=True, slots=True)
class ItemRow:
    """A checklist item as the nudges read it."""

    id: int
    event_id: int
    phase: str
    text: str
    responsible_role: str
    due_at: datetime | None
    state: str
    updated_by_id: int | None
    updated_at: datetime | None

    @property
    def complete(self) -> bool:
        return self.state == ChecklistItemState.COMPLETE


def items_of(event_ids: Iterable[int], *, open_only: bool = False) -> dict[int, list[ItemRow]]:
    """The checklist items of these events (only those not complete, with `open_only`),
    by event, each phase in its order, pre-departure first."""
    rows = ChecklistItem.objects.filter(event_id__in=list(event_ids))
    if open_only:
        rows = rows.exclude(state=ChecklistItemState.COMPLETE)
    rows = rows.order_by("event_id", "position", "id").values_list(
        "id", "event_id", "phase", "text", "responsible_role", "due_at", "state", "updated_by_id", "updated_at"
    )
    items: dict[int, list[ItemRow]] = {}
    for row in rows:
        item = ItemRow(*row)
        items.setdefault(item.event_id, []).append(item)
    for event_items in items.values():
        event_items.sort(key=lambda item: _PHASE_RANK.get(item.phase, len(_PHASE_RANK)))
    return items


def overdue_items(*, due_from: datetime, due_to: datetime, statuses: Iterable[str]) -> list[ItemRow]:
    """Items not complete whose due moment is in [due_from, due_to], of events in these states."""
    rows = (
        ChecklistItem.objects.filter(due_at__gte=due_from, due_at__lte=due_to, event__status__in=list(statuses))
        .exclude(state=ChecklistItemState.COMPLETE)
        .order_by("event_id", "due_at", "id")
        .values_list(
            "id", "event_id", "phase", "text", "responsible_role", "due_at", "state", "updated_by_id", "updated_at"
        )
    )
    return [ItemRow(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class Reachable:
    """An active crew member with an email address, and what they may sail as."""

    id: int
    organization_id: int
    user_id: int
    name: str
    email: str
    membership_role: str | None

    @property
    def claimable_roles(self) -> tuple[str, ...]:
        return claimable_roles(self.membership_role)


def reachable_crew(organization_ids: Iterable[int]) -> dict[int, list[Reachable]]:
    """Each brand's active crew (their account active too) who have an email address."""
    role = Membership.objects.filter(user=OuterRef("user"), organization=OuterRef("organization")).values("role")[:1]
    rows = (
        CrewMember.objects.for_orgs(list(organization_ids))
        .filter(active=True, user__is_active=True)
        .exclude(user__email="")
        .annotate(membership_role=Subquery(role))
        .order_by("organization_id", "user__first_name", "user__last_name", "pk")
        .values_list(
            "pk",
            "organization_id",
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__email",
            "user__username",
            "membership_role",
        )
    )
    crew: dict[int, list[Reachable]] = {}
    for pk, org_id, user_id, first, last, email, username, membership_role in rows:
        crew.setdefault(org_id, []).append(
            Reachable(pk, org_id, user_id, person_name(first, last, email, username), email, membership_role)
        )
    return crew


def held_departures(
    *, crew_member_ids: Iterable[int], start: datetime, end: datetime
) -> list[tuple[int, int, datetime]]:
    """(crew member, event, departure) of every slot these people hold on events departing
    in [start, end] that are not cancelled: when they are already booked."""
    rows = (
        RoleSlot.objects.filter(
            holder_id__in=list(crew_member_ids), event__departure_at__gte=start, event__departure_at__lte=end
        )
        .exclude(event__status=EventStatus.CANCELLED)
        .values_list("holder_id", "event_id", "event__departure_at")
    )
    return list(rows)
