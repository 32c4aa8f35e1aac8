"""A crew member's events as an iCalendar (RFC 5545) feed their phone can subscribe to.

Built with the `icalendar` library, which does what the format needs and is easy to get
subtly wrong by hand: escaping TEXT values, folding lines at 75 octets without splitting
a UTF-8 character, and the VTIMEZONE block that local times with a TZID refer to (so a
calendar shows 10:00 in San Diego as 10:00 there, daylight saving included).

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
from datetime import datetime, timedelta

import icalendar
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


def sequence(created_at: datetime, updated_at: datetime) -> int:
    return max(0, int((updated_at - created_at).total_seconds()))


def _vevent(slot: RoleSlot, stamp: datetime) -> icalendar.Event:
    event = slot.event
    tz = event.organization.tz
    url = settings.SITE_URL + reverse("crew:event", kwargs={"public_id": event.public_id})
    details = [f"Your role: {slot}"]
    if event.vessel:
        details.append(f"Vessel: {event.vessel.name}")
    if event.status == EventStatus.PENDING_CONFIRMATION:
        details.append("Not confirmed yet.")
    if event.notes:
        details.append(event.notes)
    details.append(url)
    entry = icalendar.Event()
    entry.add("uid", f"{event.public_id}@charterops")
    entry.add("dtstamp", stamp)
    entry.add("dtstart", timezone.localtime(event.departure_at, tz))
    entry.add("dtend", timezone.localtime(event.return_at, tz))
    entry.add("sequence", sequence(event.created_at, event.updated_at))
    entry.add("last-modified", event.updated_at)
    entry.add("status", STATUS[event.status])
    entry.add("summary", f"{event.name} ({slot})")
    entry.add("description", "\n".join(details))
    entry.add("url", url)
    if event.location:
        entry.add("location", event.location)
    return entry


def calendar(*, member: CrewMember, slots: Iterable[RoleSlot], now: datetime | None = None) -> str:
    """The feed of `member`: one VEVENT per event they hold a role on."""
    stamp = now or timezone.now()
    organization = member.organization
    feed = icalendar.Calendar()
    feed.add("version", "2.0")
    feed.add("prodid", PRODID)
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", f"{organization.name} crew — {member.display_name}")
    feed.add("x-wr-timezone", organization.time_zone)
    feed.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", "PT1H")
    for slot in slots:
        feed.add_component(_vevent(slot, stamp))
    feed.add_missing_timezones()
    return feed.to_ical().decode("utf-8")
