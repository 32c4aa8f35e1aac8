"""The guest's add-to-calendar file: one charter as an iCalendar (.ics) event.

Published beside the guest page as `g/<slug>.ics` (a static file, like the page), built
with the `icalendar` library (escaping, folding, VTIMEZONE). Its content depends only on
the event, so publishing twice writes the same bytes: DTSTAMP is the event's last change.
"""

from datetime import timedelta

import icalendar

from events.models import Event, EventStatus
from events.timing import event_sun_times

from .brand import Clock, map_url, page_title
from .models import GuestPage

PRODID = "-//CharterOps//Guest calendar//EN"
STATUS = {EventStatus.CANCELLED: "CANCELLED", EventStatus.PENDING_CONFIRMATION: "TENTATIVE"}


def calendar_key(event: Event) -> str:
    return f"g/{event.slug}.ics"


def guest_calendar(*, event: Event, page: GuestPage, page_url: str) -> bytes:
    """The charter for a guest's calendar: public title, times in the brand's zone, the
    meeting point with a map link, the brand's phone and the charter page. Nothing personal."""
    org = event.organization
    clock = Clock.of(org)
    title = page_title(page)
    details = [f"{title} — {org.name}"]
    if event.location:
        details.append(f"Meet at: {event.location} ({map_url(event.location)})")
    sunset = event_sun_times(event).sunset
    if sunset is not None:
        details.append(f"Sunset: {clock.time(sunset)}")
    if org.contact_phone:
        details.append(f"Questions: {org.contact_phone}")
    details.append(f"The charter page: {page_url}")
    entry = icalendar.Event()
    entry.add("uid", f"{event.public_id}@guests.charterops")
    entry.add("dtstamp", event.updated_at)
    entry.add("sequence", max(0, int((event.updated_at - event.created_at).total_seconds())))
    entry.add("dtstart", clock.local(event.departure_at))
    entry.add("dtend", clock.local(event.return_at))
    entry.add("summary", title)
    entry.add("status", STATUS.get(event.status, "CONFIRMED"))
    entry.add("description", "\n".join(details))
    entry.add("url", page_url)
    if event.location:
        entry.add("location", event.location)
    if event.status != EventStatus.CANCELLED:
        reminder = icalendar.Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", f"{title}: departure in 2 hours")
        reminder.add("trigger", timedelta(hours=-2))
        entry.add_component(reminder)
    feed = icalendar.Calendar()
    feed.add("version", "2.0")
    feed.add("prodid", PRODID)
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add_component(entry)
    feed.add_missing_timezones()
    return feed.to_ical()
