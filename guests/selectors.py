"""Reads of guest data for other surfaces (the crew event page, the crew API)."""

from dataclasses import dataclass

from events.models import Event

from .models import Guest, WaiverStatus


@dataclass(frozen=True)
class ManifestEntry:
    """What crew may know of a guest: the name and the waiver status. No contact details."""

    name: str
    is_minor: bool
    waiver_status: str
    waiver_status_label: str
    on_hold: bool


def manifest_for(event: Event) -> list[ManifestEntry]:
    """The event's guests with their waiver status, in one query whatever their number."""
    guests = (
        Guest.objects.for_org(event.organization_id)
        .filter(event=event)
        .with_waiver_status()
        .only("name", "is_minor", "organization_id")
        .order_by("name", "pk")
    )
    entries = []
    for guest in guests:
        status = guest.waiver_status()
        entries.append(
            ManifestEntry(
                name=guest.name,
                is_minor=guest.is_minor,
                waiver_status=status,
                waiver_status_label=WaiverStatus(status).label,
                on_hold=guest.on_hold,
            )
        )
    return entries


def crew_manifest_panel(request, event: Event) -> dict:
    """Context of the manifest panel on the crew event page."""
    manifest = manifest_for(event)
    return {
        "manifest": manifest,
        "on_hold_count": sum(entry.on_hold for entry in manifest),
        "all_signed": bool(manifest) and all(entry.waiver_status == WaiverStatus.SIGNED for entry in manifest),
    }
