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
