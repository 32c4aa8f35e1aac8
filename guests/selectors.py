"""Reads of guest data for other surfaces (the crew event page, the crew API)."""

from dataclasses import dataclass

from django.http import HttpRequest

from charterops.sql import fetch_rows
from crew.panels import PanelEvent

from .models import ON_HOLD_STATUSES, WaiverStatus, waiver_status_of


@dataclass(slots=True)
class ManifestEntry:
    """What crew may know of a guest: the name and the waiver status. No contact details."""

    name: str
    is_minor: bool
    waiver_status: str
    waiver_status_label: str
    on_hold: bool


# The brand's current waiver is its highest version (as GuestQuerySet.with_waiver_status
# reads it). Hand-written: the crew event page shows it on every load.
_MANIFEST_SQL = """
    WITH current_waiver AS (
        SELECT id FROM guests_waivertemplate WHERE organization_id = %s ORDER BY version DESC LIMIT 1
    )
    SELECT g.name, g.is_minor,
           EXISTS (SELECT 1 FROM current_waiver),
           EXISTS (
               SELECT 1 FROM guests_waiversignature s JOIN current_waiver w ON w.id = s.template_id
               WHERE s.guest_id = g.id
           ),
           EXISTS (SELECT 1 FROM guests_waiversignature s WHERE s.guest_id = g.id)
    FROM guests_guest g
    WHERE g.organization_id = %s AND g.event_id = %s
    ORDER BY g.name, g.id
"""


def manifest_for(event: PanelEvent) -> list[ManifestEntry]:
    """The event's guests with their waiver status, in one query whatever their number."""
    entries = []
    for name, is_minor, published, signed_current, signed_any in fetch_rows(
        _MANIFEST_SQL, [event.organization_id, event.organization_id, event.id]
    ):
        status = waiver_status_of(
            published=bool(published), signed_current=bool(signed_current), signed_any=bool(signed_any)
        )
        entries.append(
            ManifestEntry(
                name=name,
                is_minor=bool(is_minor),
                waiver_status=status,
                waiver_status_label=status.label,
                on_hold=status in ON_HOLD_STATUSES,
            )
        )
    return entries


def crew_manifest_panel(request: HttpRequest | None, event: PanelEvent) -> dict:
    """Context of the manifest panel on the crew event page."""
    manifest = manifest_for(event)
    return {
        "manifest": manifest,
        "on_hold_count": sum(entry.on_hold for entry in manifest),
        "all_signed": bool(manifest) and all(entry.waiver_status == WaiverStatus.SIGNED for entry in manifest),
    }


# --- Portfolio figures (executive reports) ---
#
# Counts over guests, one query each whatever their number. Who is on hold is decided by
# GuestQuerySet.on_hold(); a charter that is over or called off is crew.services'
# CLOSED_STATUSES. Imports are kept with this section so that it stands on its own.

from collections.abc import Iterable  # noqa: E402
from dataclasses import dataclass as _dataclass  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402

from django.db.models import Count, Q  # noqa: E402
from django.db.models.functions import Lower  # noqa: E402

from charterops.models import Organization  # noqa: E402
from crew.services import CLOSED_STATUSES  # noqa: E402
from events.models import EventStatus  # noqa: E402

from .models import Guest  # noqa: E402

Organizations = Iterable[Organization | int]


@_dataclass(frozen=True, slots=True)
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


@_dataclass(frozen=True, slots=True)
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
