"""A crew member's events as an iCalendar (RFC 5545) feed their phone can subscribe to.

- UID is the event's public UUID, so an event stays one calendar entry however often
  the feed is fetched or the event changes.
- SEQUENCE grows whenever the event changes: it is the number of seconds between the
  event's creation and its last change (`updated_at` moves forward on every save), so
  it needs no counter of its own and never goes backwards.
- A cancelled event stays in the feed with STATUS:CANCELLED, so calendars remove it
  rather than keep a stale entry; a pending one is TENTATIVE.
- Never revenue: only the name, times, role, vessel, meeting point and crew notes.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events.models import EventStatus

from .models import CrewMember, RoleSlot

PRODID = "-//CharterOps//Crew calendar//EN"
STATUS = {
    EventStatus.PENDING_CONFIRMATION: "TENTATIVE",
    EventStatus.CONFIRMED: "CONFIRMED",
    EventStatus.IN_PROGRESS: "CONFIRMED",
    EventStatus.COMPLETED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (§3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def sequence(created_at: datetime, updated_at: datetime) -> int:
    return max(0, int((updated_at - created_at).total_seconds()))


def _event_lines(slot: RoleSlot, stamp: str) -> list[str]:
    event = slot.event
    url = settings.SITE_URL + reverse("crew:event", kwargs={"public_id": event.public_id})
    details = [f"Your role: {slot}"]
    if event.vessel:
        details.append(f"Vessel: {event.vessel.name}")
    if event.status == EventStatus.PENDING_CONFIRMATION:
        details.append("Not confirmed yet.")
    if event.notes:
        details.append(event.notes)
    details.append(url)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.public_id}@charterops",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{utc(event.departure_at)}",
        f"DTEND:{utc(event.return_at)}",
        f"SEQUENCE:{sequence(event.created_at, event.updated_at)}",
        f"LAST-MODIFIED:{utc(event.updated_at)}",
        f"STATUS:{STATUS[event.status]}",
        f"SUMMARY:{escape(f'{event.name} ({slot})')}",
        f"DESCRIPTION:{escape(chr(10).join(details))}",
        f"URL:{url}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape(event.location)}")
    lines.append("END:VEVENT")
    return lines


def calendar(*, member: CrewMember, slots: Iterable[RoleSlot], now: datetime | None = None) -> str:
    """The feed of `member`: one VEVENT per event they hold a role on."""
    stamp = utc(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(f'{member.organization.name} crew — {member.display_name}')}",
        f"X-WR-TIMEZONE:{member.organization.time_zone}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for slot in slots:
        lines.extend(_event_lines(slot, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
