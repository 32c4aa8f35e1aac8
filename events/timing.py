"""When the sun sets where a brand sails, and the timing panel crew read on the dock.

Computed locally with astral for the organization's coordinates: no network call, and
the same answer on every worker. Times come back in the organization's time zone.
San Diego (32.7157 N, 117.1611 W) on 30 May 2024: sunset 19:50 PDT, civil dusk 20:19.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache

from astral import Observer
from astral.sun import dusk, sunset
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR

from charterops.models import ClockStyle, Organization

from .models import Event

# Names of the moments a checklist item can be due relative to (crew.models.Anchor).
DEPARTURE, RETURN, SUNSET = "departure", "return", "sunset"


@dataclass(frozen=True)
class SunTimes:
    """Sunset and civil dusk of one local day; None where the sun does not set (polar)."""

    sunset: datetime | None
    civil_dusk: datetime | None


@lru_cache(maxsize=4096)
def _sun_times(latitude: float, longitude: float, day: date, tz: tzinfo) -> SunTimes:
    # A pure function of its arguments, so caching it per process is safe: a busy
    # roster page asks for the same day many times.
    observer = Observer(latitude=latitude, longitude=longitude)
    try:
        set_at = sunset(observer, date=day, tzinfo=tz)
    except ValueError:
        set_at = None
    try:
        dusk_at = dusk(observer, date=day, tzinfo=tz)  # civil dusk: the sun 6° below the horizon
    except ValueError:
        dusk_at = None
    return SunTimes(sunset=set_at, civil_dusk=dusk_at)


def sun_times(*, latitude: Decimal | float, longitude: Decimal | float, day: date, tz: tzinfo) -> SunTimes:
    """Sunset and civil dusk at a place on a local day, in `tz`."""
    return _sun_times(float(latitude), float(longitude), day, tz)


def organization_sun_times(organization: Organization, day: date) -> SunTimes:
    return sun_times(latitude=organization.latitude, longitude=organization.longitude, day=day, tz=organization.tz)


def event_sun_times(event: Event) -> SunTimes:
    """Sunset and civil dusk of the local day the event departs."""
    organization = event.organization
    return organization_sun_times(organization, timezone.localtime(event.departure_at, organization.tz).date())


def anchor_times(event: Event, sun: SunTimes | None = None) -> dict[str, datetime | None]:
    """The moments checklist items are due relative to, by anchor name."""
    sun = sun or event_sun_times(event)
    return {DEPARTURE: event.departure_at, RETURN: event.return_at, SUNSET: sun.sunset}


def due_at(event: Event, anchor: str, offset_minutes: int, sun: SunTimes | None = None) -> datetime | None:
    """When an item anchored at `anchor` is due; None if the anchor does not exist that day."""
    moment = anchor_times(event, sun).get(anchor)
    return None if moment is None else moment + timedelta(minutes=offset_minutes)


def format_clock(moment: datetime | None, *, style: str = ClockStyle.H12, seconds: bool = False) -> str:
    """`7:50 PM` (or `19:50` in a brand's 24-hour style) — the minute the moment falls in
    (19:50:39 is still 7:50 PM); with `seconds`, `7:50:39 PM` (for records such as a signature)."""
    if moment is None:
        return "—"
    minutes = f"{moment.minute:02d}:{moment.second:02d}" if seconds else f"{moment.minute:02d}"
    if style == ClockStyle.H24:
        return f"{moment.hour:02d}:{minutes}"
    return f"{moment.hour % 12 or 12}:{minutes} {'AM' if moment.hour < 12 else 'PM'}"


def format_day_clock(moment: datetime, *, style: str = ClockStyle.H12) -> str:
    """`Thu 30 May 7:50 PM` — Django's "D j M g:i A", without its per-call parsing."""
    day = f"{WEEKDAYS_ABBR[moment.weekday()]} {moment.day} {MONTHS_3[moment.month].title()}"
    return f"{day} {format_clock(moment, style=style)}"


def format_duration(delta: timedelta) -> str:
    """`2 d 3 h`, `3 h 05 min`, `12 min` — a countdown a phone can show at a glance."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


@dataclass(frozen=True)
class TimingPanel:
    """What the crew event page shows about time, all in the organization's zone."""

    now: datetime
    departure: datetime
    return_at: datetime
    sunset: datetime | None
    civil_dusk: datetime | None
    status: str

    @property
    def departed(self) -> bool:
        return self.now >= self.departure

    @property
    def returned(self) -> bool:
        return self.now >= self.return_at

    @property
    def countdown(self) -> timedelta | None:
        """Time left until departure; None once the boat has left."""
        return None if self.departed else self.departure - self.now

    @property
    def countdown_text(self) -> str:
        if self.countdown is not None:
            return f"Departs in {format_duration(self.countdown)}"
        if not self.returned:
            return f"Under way — back in {format_duration(self.return_at - self.now)}"
        return f"Returned {format_duration(self.now - self.return_at)} ago"

    @property
    def returns_after_dusk(self) -> bool:
        return self.civil_dusk is not None and self.return_at > self.civil_dusk

    @property
    def dusk_warning(self) -> str:
        if not self.returns_after_dusk:
            return ""
        late = format_duration(self.return_at - self.civil_dusk)
        return (
            f"The return ({format_clock(self.return_at)}) is {late} after civil dusk "
            f"({format_clock(self.civil_dusk)}): navigation lights on, and plan for the dark."
        )

    @property
    def now_text(self) -> str:
        return format_clock(self.now)

    @property
    def departure_text(self) -> str:
        return format_clock(self.departure)

    @property
    def return_text(self) -> str:
        return format_clock(self.return_at)

    @property
    def sunset_text(self) -> str:
        return format_clock(self.sunset)

    @property
    def civil_dusk_text(self) -> str:
        return format_clock(self.civil_dusk)


def timing_panel(event: Event, now: datetime | None = None) -> TimingPanel:
    """The timing panel of an event (no query beyond the event and its organization)."""
    return timing_panel_for(
        event.organization, departure_at=event.departure_at, return_at=event.return_at, status=event.status, now=now
    )


def timing_panel_for(
    organization: Organization, *, departure_at: datetime, return_at: datetime, status: str, now: datetime | None = None
) -> TimingPanel:
    """The timing panel from an event's times, for pages that read them without an Event."""
    tz = organization.tz
    departure = timezone.localtime(departure_at, tz)
    sun = organization_sun_times(organization, departure.date())
    return TimingPanel(
        now=timezone.localtime(now or timezone.now(), tz),
        departure=departure,
        return_at=timezone.localtime(return_at, tz),
        sunset=sun.sunset,
        civil_dusk=sun.civil_dusk,
        status=status,
    )
