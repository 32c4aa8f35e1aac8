"""Reads of guest data that other surfaces share (the crew event page, the crew API,
nudges and reports).

A guest's waiver status is decided once, by `GuestQuerySet.with_waiver_status` (the
brand's current waiver is its highest version; signed means signed that version): the
manifest reads through it.
"""

from dataclasses import dataclass

from django.http import HttpRequest

from crew.panels import PanelEvent

from .models import ON_HOLD_STATUSES, Guest, WaiverStatus, waiver_status_of


@dataclass(slots=True)
class ManifestLine:
    """What crew may know of a guest: the name and the waiver status. No contact details."""

    name: str
    is_minor: bool
    waiver_status: str
    waiver_status_label: str
    on_hold: bool


def manifest(*, organization_id: int, event_id: int) -> list[ManifestLine]:
    """The event's guests with their waiver status, by name, in one query whatever their number."""
    rows = (
        Guest.objects.for_org(organization_id)
        .filter(event_id=event_id)
        .with_waiver_status()
        .order_by("name", "pk")
        .values_list("name", "is_minor", "current_waiver_id", "signed_current_at", "signed_any")
    )
    lines = []
    for name, is_minor, current_waiver_id, signed_current_at, signed_any in rows:
        status = waiver_status_of(
            published=current_waiver_id is not None, signed_current=signed_current_at is not None, signed_any=signed_any
        )
        lines.append(
            ManifestLine(
                name=name,
                is_minor=is_minor,
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
