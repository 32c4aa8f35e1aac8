"""Reads of guest data that other surfaces share (the crew event page, the crew API,
nudges and reports).

A guest's waiver status is decided once, by `GuestQuerySet.with_waiver_status` (the
brand's current waiver is its highest version; signed means signed that version): the
manifest reads through it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.http import HttpRequest

from charterops.models import Organization
from charterops.sql import CompiledQuery
from crew.panels import PanelEvent
from crew.policy import CLOSED_STATUSES
from events.models import EventStatus

from .models import ON_HOLD_STATUSES, Guest, WaiverStatus, waiver_status_of


@dataclass(slots=True)
class ManifestLine:
    """What crew may know of a guest: the name and the waiver status. No contact details."""

    name: str
    is_minor: bool
    waiver_status: str
    waiver_status_label: str
    on_hold: bool


class _ManifestRow(NamedTuple):
    name: str
    is_minor: bool
    current_waiver_id: int | None
    signed_current_at: Any
    signed_any: bool


# The crew event page shows the manifest on every load: its query is the ORM's (the waiver
# rule is with_waiver_status's, nowhere else), compiled once per process.
_MANIFEST = CompiledQuery(
    lambda organization_ids, event_id: (
        Guest.objects.for_orgs(organization_ids)
        .filter(event_id=event_id)
        .with_waiver_status()
        .order_by("name", "pk")
        .values_list("name", "is_minor", "current_waiver_id", "signed_current_at", "signed_any")
    ),
    _ManifestRow,
    values=["event_id"],
    why="The crew event page reads it on every load: building and compiling the query took "
    "2.7 ms of the page's time, running it 0.3 ms (bench_reads).",
)


def manifest(*, organization_id: int, event_id: int) -> list[ManifestLine]:
    """The event's guests with their waiver status, by name, in one query whatever their number."""
    lines = []
    for row in _MANIFEST.run(organization_ids=[organization_id], event_id=event_id):
        status = waiver_status_of(
            published=row.current_waiver_id is not None,
            signed_current=row.signed_current_at is not None,
            signed_any=bool(row.signed_any),
        )
        lines.append(
            ManifestLine(
                name=row.name,
                is_minor=bool(row.is_minor),
                waiver_status=status,
                waiver_status_label=status.label,
                on_hold=status in ON_HOLD_STATUSES,
            )
        )
    return lines


def crew_manifest_panel(request: HttpRequest | None, event: PanelEvent) -> dict:
    """Context of the manifest panel on the crew event page."""
    lines = manifest(organization_id=event.organization_id, event_id=event.id)
    return {
        "manifest": lines,
        "on_hold_count": sum(line.on_hold for line in lines),
        "all_signed": bool(lines) and all(line.waiver_status == WaiverStatus.SIGNED for line in lines),
    }


# --- Portfolio figures (executive reports) ---
#
# Counts over guests, one query each whatever their number. Who is on hold is decided by
# GuestQuerySet.on_hold(); a charter that is over or called off is crew.policy's
# CLOSED_STATUSES.

Organizations = Iterable[Organization | int]


@dataclass(frozen=True, slots=True)
class OnHoldRow:
    """An event about to sail with guests who have not signed the current waiver."""

    event_id: int
    organization_id: int
    on_hold: int


def on_hold_departing(*, organizations: Organizations, start: datetime, within: timedelta) -> list[OnHoldRow]:
    """Per event departing in [start, start + within) and not closed, its guests on hold."""
    rows = (
        Guest.objects.for_orgs(list(organizations))
        .on_hold()
        .filter(event__departure_at__gte=start, event__departure_at__lt=start + within)
        .exclude(event__status__in=CLOSED_STATUSES)
        .values("event", "organization")
        .annotate(n=Count("pk"))
        .order_by("event")
    )
    return [OnHoldRow(event_id=row["event"], organization_id=row["organization"], on_hold=row["n"]) for row in rows]


@dataclass(frozen=True, slots=True)
class RepeatGuests:
    sailed: int  # distinct guests (by email) aboard a charter departing in the period
    repeat: int  # of them, those aboard more than one charter of these brands up to the period's end


def repeat_guests(*, organizations: Organizations, start: datetime, end: datetime) -> RepeatGuests:
    """Guests are told apart by email address (case-insensitive); guests without one,
    and cancelled charters, are not counted."""
    guests = Guest.objects.for_orgs(list(organizations)).exclude(email="").exclude(event__status=EventStatus.CANCELLED)
    aboard = (
        guests.filter(event__departure_at__gte=start, event__departure_at__lt=end)
        .annotate(address=Lower("email"))
        .values("address")
    )
    # Only the addresses aboard in the period are grouped, not every guest ever.
    per_guest = (
        guests.filter(event__departure_at__lt=end)
        .annotate(address=Lower("email"))
        .filter(address__in=aboard)
        .values("address")
        .annotate(charters=Count("event", distinct=True))
    )
    totals = per_guest.aggregate(sailed=Count("address"), repeat=Count("address", filter=Q(charters__gt=1)))
    return RepeatGuests(sailed=totals["sailed"] or 0, repeat=totals["repeat"] or 0)


def reachable_contacts(*, organizations: Organizations) -> int:
    """Distinct guest email addresses (case-insensitive) of these brands.

    Guests record no marketing opt-out yet, so none is subtracted.
    """
    # SELECT COUNT(*) FROM (SELECT DISTINCT …): hashed, where COUNT(DISTINCT …) sorts.
    return (
        Guest.objects.for_orgs(list(organizations)).exclude(email="").values(address=Lower("email")).distinct().count()
    )


# --- The owner's dashboard (back office) ---


@dataclass(frozen=True, slots=True)
class WaiverCounts:
    """An event's guests and how many of them are on hold (GuestQuerySet.on_hold's rule)."""

    guests: int
    on_hold: int

    @property
    def cleared(self) -> int:
        return self.guests - self.on_hold


def waiver_counts(*, organizations: Organizations, event_ids: Iterable[int]) -> dict[int, WaiverCounts]:
    """Guests and guests on hold per event (of these brands only), in one query."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = (
        Guest.objects.for_orgs(list(organizations))
        .filter(event_id__in=ids)
        .with_waiver_status()
        .values("event")
        .annotate(guests=Count("pk"), held=Count("pk", filter=Q(on_hold=True)))
        .order_by()
    )
    return {row["event"]: WaiverCounts(guests=row["guests"], on_hold=row["held"]) for row in rows}


def manifest_rows(*, organizations: Organizations, start: datetime, end: datetime) -> list[Guest]:
    """Every guest of the brands' charters departing in [start, end) and not cancelled, with
    their event (and its brand and vessel) and waiver status, by departure then name: the
    day's manifest for the dock (contact details included: the owner's eyes only)."""
    return list(
        Guest.objects.for_orgs(list(organizations))
        .filter(event__departure_at__gte=start, event__departure_at__lt=end)
        .exclude(event__status=EventStatus.CANCELLED)
        .with_waiver_status()
        .select_related("event__organization", "event__vessel")
        .order_by("event__departure_at", "event_id", "name", "pk")
    )


def on_hold_names(event_ids: Iterable[int]) -> dict[int, list[str]]:
    """{event id: names of its guests still on hold}, in one query (the crew digest's list:
    names only, never contact details or links)."""
    names: dict[int, list[str]] = {}
    rows = Guest.objects.on_hold().filter(event_id__in=list(event_ids)).order_by("event_id", "name", "pk")
    for event_id, name in rows.values_list("event_id", "name"):
        names.setdefault(event_id, []).append(name)
    return names
