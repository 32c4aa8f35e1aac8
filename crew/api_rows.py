"""The event API's reads: rows built in the shape the serializers of crew/api.py declare.

GET /api/events/ and /api/events/<uuid>/ are what the crew app polls. Like the crew event
page (crew/event_page.py, whose event-and-roster and checklist queries the detail reuses)
they read through `charterops.sql`, not the ORM, and build each row as the dict that
`EventListOut` / `EventDetailOut` declare. The serializers stay the schema and the
revenue gate; they do not walk every field of every row a second time.

Revenue is never read here: `add_revenue` adds it, from its own query, to the rows whose
brand `FieldPermissionsMixin.field_permitted` lets the request see it in.
"""

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from uuid import UUID

from django.db import connection
from django.utils import timezone

from charterops.api import FieldPermissionsMixin
from charterops.sql import aware, fetch_rows
from events.models import Revenue
from events.serializers import RevenueSerializer

from . import services
from .event_page import EventSummary, Slot, read_checklist, read_event
from .models import ChecklistPhase

_PHASE_RANK = {phase: rank for rank, phase in enumerate(ChecklistPhase.values)}


@dataclass(slots=True)
class EventRow:
    """One event of a response: its key (for revenue), its brand (for the permission
    check) and its data, in the declared shape."""

    pk: int
    organization_id: int
    data: dict[str, Any]


def iso(moment: datetime | str | None, tz: tzinfo) -> str | None:
    """A time as DRF's DateTimeField writes it (ISO 8601 in the zone of the request, UTC as
    `Z`), for the hundred times a response holds: the field itself takes 5 µs each."""
    if moment is None:
        return None
    text = aware(moment).astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _uuid_text(value: UUID | str) -> str:
    # PostgreSQL returns a UUID, SQLite its 32 hex digits.
    return str(value if isinstance(value, UUID) else UUID(value))


def _event_fields(
    tz, public_id, slug, name, event_type, status, vessel, departure_at, return_at, location, notes, source, guest_count
) -> dict[str, Any]:
    """The fields every event representation starts with (EventSerializer's, minus revenue)."""
    return {
        "id": _uuid_text(public_id),
        "slug": slug,
        "name": name,
        "event_type": event_type,
        "status": status,
        "vessel": vessel,
        "departure_at": iso(departure_at, tz),
        "return_at": iso(return_at, tz),
        "location": location,
        "notes": notes,
        "source": source,
        "guest_count": guest_count,
    }


# --- The list ------------------------------------------------------------------------------
#
# One query: the matching events' ids (narrow rows, counted once), the page of them, and
# for those only the full rows with `my_role` and `open_slots`.

_EVENT_PAGE_SQL = """
    WITH visible AS (
        SELECT e.id, e.departure_at
        FROM events_event e
        LEFT JOIN events_vessel v ON v.id = e.vessel_id
        WHERE {where}
    )
    SELECT e.id, e.organization_id, e.public_id, e.slug, e.name, e.event_type, e.status, v.name,
           CAST(e.departure_at AS TEXT), CAST(e.return_at AS TEXT), e.location, e.notes, e.source,
           e.guest_count,
           (SELECT s.role FROM crew_roleslot s WHERE s.event_id = e.id AND s.holder_id = %s LIMIT 1),
           (SELECT COUNT(*) FROM crew_roleslot s WHERE s.event_id = e.id AND s.holder_id IS NULL),
           (SELECT COUNT(*) FROM visible)
    FROM (SELECT id, departure_at FROM visible ORDER BY departure_at, id LIMIT {limit:d} OFFSET {offset:d}) p
    JOIN events_event e ON e.id = p.id
    LEFT JOIN events_vessel v ON v.id = e.vessel_id
    ORDER BY p.departure_at, p.id
"""

# The largest offset PostgreSQL (bigint) and SQLite (integer) take: a page starting past it
# is past the last page, like any other, rather than a database error.
_LARGEST_OFFSET = 2**63 - 1

# Crew see the events they hold a role on, and upcoming ones of their brand with an open
# slot that are not over (closed as crew.services defines it).
_CLOSED = sorted(services.CLOSED_STATUSES)
_CREW_SEES = f"""(
    EXISTS (SELECT 1 FROM crew_roleslot s WHERE s.event_id = e.id AND s.holder_id = %s)
    OR (e.return_at >= %s AND e.status NOT IN ({", ".join(["%s"] * len(_CLOSED))})
        AND EXISTS (SELECT 1 FROM crew_roleslot s WHERE s.event_id = e.id AND s.holder_id IS NULL))
)"""  # noqa: S608 — placeholders only; every value is a parameter


def event_list_page(
    *,
    organization_ids: list[int],
    crew_member_id: int | None,
    include_all: bool,
    now: datetime,
    offset: int,
    limit: int,
    status: str | None = None,
    departure_from: datetime | None = None,
    departure_to: datetime | None = None,
    vessel: str | None = None,
) -> tuple[int, list[EventRow]]:
    """(how many events match, the rows of this page) for events of these brands, by
    departure. Owners (`include_all`) see every event; crew see theirs and the claimable."""
    if not organization_ids or offset > _LARGEST_OFFSET - limit:
        return 0, []
    moment = connection.ops.adapt_datetimefield_value
    where = [f"e.organization_id IN ({', '.join(['%s'] * len(organization_ids))})"]
    params: list[Any] = [*organization_ids]
    if not include_all:
        where.append(_CREW_SEES)
        params += [crew_member_id, moment(now), *_CLOSED]
    if status:
        where.append("e.status = %s")
        params.append(status)
    if departure_from is not None:
        where.append("e.departure_at >= %s")
        params.append(moment(departure_from))
    if departure_to is not None:
        where.append("e.departure_at <= %s")
        params.append(moment(departure_to))
    if vessel:
        where.append("UPPER(v.name) = UPPER(%s)")
        params.append(vessel)
    # The page's bounds are written into the statement, not sent as parameters: with
    # parameters PostgreSQL cannot cost the LIMIT, so it plans the query anew on every
    # request (0.3 ms); with numbers it keeps one plan per page size and position.
    sql = _EVENT_PAGE_SQL.format(where=" AND ".join(where), limit=int(limit), offset=int(offset))
    rows = fetch_rows(sql, [*params, crew_member_id])
    tz = timezone.get_current_timezone()
    events = [
        EventRow(
            pk=row[0],
            organization_id=row[1],
            data={**_event_fields(tz, *row[2:14]), "my_role": row[14], "open_slots": row[15]},
        )
        for row in rows
    ]
    return (rows[0][16] if rows else 0), events


# --- One event -----------------------------------------------------------------------------


def event_detail(
    *, organization_ids: list[int], public_id: UUID, crew_member_id: int | None, is_owner: bool
) -> EventRow | None:
    """The event with its roster and checklist for its crew and owners; for other crew of
    the brand, its open slots and no checklist. None when no such event is in scope."""
    found = read_event(organization_ids, public_id)
    if found is None:
        return None
    event, slots = found
    my_slot = next((slot for slot in slots if crew_member_id is not None and slot.holder_id == crew_member_id), None)
    on_event = is_owner or my_slot is not None
    roster = roster_data(slots, full=on_event)
    tz = timezone.get_current_timezone()
    data = {
        **_summary_fields(event, tz),
        "my_role": my_slot.role if my_slot else None,
        "open_slots": sum(1 for slot in roster if slot["holder"] is None),
        "nudges_enabled": event.nudges_enabled,
        "roster": roster,
        "checklist": checklist_data(event.id, tz) if on_event else [],
    }
    return EventRow(pk=event.id, organization_id=event.organization_id, data=data)


def _summary_fields(event: EventSummary, tz: tzinfo) -> dict[str, Any]:
    return _event_fields(
        tz,
        event.public_id,
        event.slug,
        event.name,
        event.event_type,
        event.status,
        event.vessel_name,
        event.departure_at,
        event.return_at,
        event.location,
        event.notes,
        event.source,
        event.guest_count,
    )


def roster_data(slots: list[Slot], *, full: bool) -> list[dict[str, Any]]:
    """The slots as SlotOut declares them; only the open ones unless `full`."""
    return [
        {
            "role": slot.role,
            "position": slot.position,
            "holder": slot.holder_name if slot.holder_id is not None else None,
            "acknowledged": slot.acknowledged_at is not None,
        }
        for slot in slots
        if full or slot.holder_id is None
    ]


def roster_of(organization_id: int, public_id: UUID, crew_member_id: int | None, is_owner: bool) -> tuple[str, list]:
    """(the event's status, its roster as this person sees it), read in one query."""
    found = read_event([organization_id], public_id)
    if found is None:  # deleted between the write and this read
        return "", []
    event, slots = found
    on_event = is_owner or any(slot.holder_id == crew_member_id for slot in slots if crew_member_id is not None)
    return event.status, roster_data(slots, full=on_event)


def checklist_data(event_id: int, tz: tzinfo | None = None) -> list[dict[str, Any]]:
    """The event's checklist as ChecklistItemOut declares it: pre-departure first, each
    phase in its order; times in `tz` (the request's zone by default)."""
    tz = tz or timezone.get_current_timezone()
    rows = [
        {
            "id": item.id,
            "phase": item.phase,
            "text": item.text,
            "responsible_role": item.responsible_role,
            "due_at": iso(item.due_at, tz),
            "state": item.state,
            "version": item.version,
            "updated_by": item.updated_by_name or None,
            "updated_at": iso(item.updated_at, tz),
        }
        for item in read_checklist(event_id)
    ]
    rows.sort(key=lambda row: _PHASE_RANK.get(row["phase"], len(_PHASE_RANK)))  # stable: keeps each phase's order
    return rows


# --- Revenue, for those who may see it ------------------------------------------------------


def add_revenue(rows: list[EventRow], gate: FieldPermissionsMixin) -> None:
    """Give each row its `revenue` (null when none was recorded) where `gate` permits it,
    in one query; other rows get no `revenue` key at all."""
    # The permission follows the row's brand alone: asked once per brand, not per row.
    by_brand: dict[int, bool] = {}
    for row in rows:
        if row.organization_id not in by_brand:
            by_brand[row.organization_id] = gate.field_permitted("revenue", row)
    permitted = [row for row in rows if by_brand[row.organization_id]]
    if not permitted:
        return
    revenues = {revenue.event_id: revenue for revenue in Revenue.objects.filter(event_id__in=[r.pk for r in permitted])}
    for row in permitted:
        revenue = revenues.get(row.pk)
        shown = RevenueSerializer(revenue).data if revenue is not None else None
        row.data = _with_revenue(row.data, shown)


def _with_revenue(data: dict[str, Any], revenue: dict | None) -> dict[str, Any]:
    """`data` with `revenue` where EventSerializer declares it (after guest_count), so owners
    read it where the schema has it."""
    shown: dict[str, Any] = {}
    for key, value in data.items():
        shown[key] = value
        if key == "guest_count":
            shown["revenue"] = revenue
    return shown
