"""How a brand presents a charter to its guests, the same on every guest surface: the
public guest page, the waiver and photo pages, emails, the PDF and the .ics.

- Times in the brand's zone and its 12/24-hour style (`Organization.clock_style`),
  formatted by events.timing like the crew pages' times.
- The charter's public title (the event's name is internal: "Boatsetter BS-991").
- A map link to the meeting point (the brand's phone link is `Organization.contact_phone_href`).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from urllib.parse import quote_plus

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from charterops.models import Organization
from events.models import Event
from events.timing import format_clock

from .models import GuestPage


@dataclass(frozen=True)
class Clock:
    """Moments as a brand's guests read them: in its zone, in its clock style."""

    tz: tzinfo
    style: str

    @classmethod
    def of(cls, organization: Organization) -> "Clock":
        return cls(organization.tz, organization.clock_style)

    def local(self, moment: datetime) -> datetime:
        return timezone.localtime(moment, self.tz)

    def day(self, moment: datetime) -> str:
        """`Thursday 30 May 2024`"""
        local = self.local(moment)
        return f"{local:%A} {local.day} {local:%B %Y}"

    def time(self, moment: datetime | None) -> str:
        """`7:50 PM` or `19:50`"""
        return format_clock(None if moment is None else self.local(moment), style=self.style)

    def moment(self, moment: datetime) -> str:
        """`Thu 30 May 2024, 7:50 PM`"""
        local = self.local(moment)
        return f"{local:%a} {local.day} {local:%b %Y}, {self.time(local)}"

    def record(self, moment: datetime) -> str:
        """A moment for a record, to the second and labelled with its real zone, then in UTC:
        `Thu 30 May 2024, 7:50:39 PM PDT (2024-05-31 02:50:39 UTC)`."""
        local = self.local(moment)
        clock = format_clock(local, style=self.style, seconds=True)
        utc = f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        return f"{local:%a} {local.day} {local:%b %Y}, {clock} {self.zone(local)} ({utc})"

    def zone(self, moment: datetime) -> str:
        """The zone's abbreviation at that moment: `PDT` in summer, `PST` in winter."""
        return self.local(moment).tzname() or str(self.tz)


def default_title(event: Event) -> str:
    return f"{event.get_event_type_display()} with {event.organization.name}"


def public_title(event: Event) -> str:
    """What guests see as the charter's name: the guest page's title, or the event type
    with the brand's name. Never the internal event name."""
    try:
        page = event.guest_page  # select_related("guest_page") where a page reads it
    except ObjectDoesNotExist:
        page = None
    return (page.public_title if page is not None else "") or default_title(event)


def page_title(page: GuestPage) -> str:
    return page.public_title or default_title(page.event)


def map_url(place: str) -> str:
    """A link that opens the place in the phone's maps app (or the browser)."""
    return f"https://www.google.com/maps/search/?api=1&query={quote_plus(place)}" if place.strip() else ""
