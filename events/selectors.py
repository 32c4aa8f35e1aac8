"""Reads of events that pages, the API, emails, tasks and reports share.

`EventSummary` is how an event is shown anywhere outside the back office: what crew may
see of it, never its revenue (another table, read only through the field permissions).
Crew read it together with the roster (crew.selectors.event_roster, one query); code
that already holds an `Event` makes one with `EventSummary.of(event)`.
"""

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from uuid import UUID

from charterops.sql import aware

from .models import Event, EventStatus


@dataclass(frozen=True, slots=True)
class EventSummary:
    """An event as crew pages, the crew API, crew emails and nudges show it."""

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

    @classmethod
    def of_row(cls, row: Any) -> "EventSummary":
        """The summary from a hand-written read's row, whose fields are named as this class's."""
        values = {field.name: getattr(row, field.name) for field in fields(cls)}
        public_id = values["public_id"]
        values.update(
            public_id=public_id if isinstance(public_id, UUID) else UUID(public_id),  # SQLite: hex text
            departure_at=aware(values["departure_at"]),
            return_at=aware(values["return_at"]),
            nudges_enabled=bool(values["nudges_enabled"]),
        )
        return cls(**values)

    @classmethod
    def of(cls, event: Event) -> "EventSummary":
        """The summary of an event the ORM loaded (with its vessel, where it has one)."""
        derived = {"id": event.pk, "vessel_name": event.vessel.name if event.vessel_id else None}
        copied = {field.name: getattr(event, field.name) for field in fields(cls) if field.name not in derived}
        return cls(**copied, **derived)
