"""Sunset, civil dusk and the timing panel, computed locally for the brand's coordinates."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from events import timing
from events.tests.factories import make_event

PACIFIC = ZoneInfo("America/Los_Angeles")


def test_san_diego_sunset_on_30_may_2024_is_7_50_pm():
    sun = timing.sun_times(
        latitude=Decimal("32.7157"), longitude=Decimal("-117.1611"), day=date(2024, 5, 30), tz=PACIFIC
    )
    assert (sun.sunset.hour, sun.sunset.minute) == (19, 50)
    assert sun.sunset.tzname() == "PDT"
    assert timing.format_clock(sun.sunset) == "7:50 PM"
    # Civil dusk (sun 6° below the horizon) comes about half an hour later.
    assert (sun.civil_dusk.hour, sun.civil_dusk.minute) == (20, 19)


def test_polar_day_has_no_sunset_instead_of_an_error():
    sun = timing.sun_times(latitude=78.22, longitude=15.65, day=date(2024, 6, 21), tz=ZoneInfo("Arctic/Longyearbyen"))
    assert sun.sunset is None
    assert timing.format_clock(sun.sunset) == "—"


@pytest.mark.parametrize(
    ("minutes", "text"), [(12, "12 min"), (65, "1 h 05 min"), (60 * 24 * 2 + 180, "2 d 3 h"), (0, "0 min")]
)
def test_durations_read_at_a_glance(minutes, text):
    assert timing.format_duration(timedelta(minutes=minutes)) == text


def test_the_boatsetter_charter_panel_shows_sunset_and_a_countdown(org):
    departure = datetime(2024, 5, 30, 10, 0, tzinfo=PACIFIC)
    event = make_event(org, departure_at=departure, hours=3, slug="boatsetter-may-30-2024")

    panel = timing.timing_panel(event, now=departure - timedelta(hours=2, minutes=5))

    assert panel.sunset_text == "7:50 PM"
    assert panel.countdown == timedelta(hours=2, minutes=5)
    assert panel.countdown_text == "Departs in 2 h 05 min"
    assert not panel.returns_after_dusk
    assert panel.dusk_warning == ""
    assert panel.departure.tzinfo == PACIFIC


def test_a_return_after_civil_dusk_is_warned(org):
    departure = datetime(2024, 5, 30, 18, 30, tzinfo=PACIFIC)
    event = make_event(org, departure_at=departure, hours=2.5)  # back at 21:00, dusk 20:19

    panel = timing.timing_panel(event, now=departure + timedelta(hours=1))

    assert panel.returns_after_dusk
    assert "after civil dusk (8:19 PM)" in panel.dusk_warning
    assert panel.countdown is None
    assert panel.countdown_text == "Under way — back in 1 h 30 min"


def test_due_times_follow_their_anchor(org):
    departure = datetime(2024, 5, 30, 17, 0, tzinfo=PACIFIC)
    event = make_event(org, departure_at=departure, hours=3)
    assert timing.due_at(event, "departure", -30, None) == departure - timedelta(minutes=30)
    assert timing.due_at(event, "return", 15, None) == departure + timedelta(hours=3, minutes=15)
    sunset_minus_an_hour = timing.due_at(event, "sunset", -60, None).astimezone(PACIFIC)
    assert (sunset_minus_an_hour.hour, sunset_minus_an_hour.minute) == (18, 50)
    assert timing.due_at(event, "moonrise", 0, None) is None


def test_clock_texts_read_as_djangos_date_formats():
    from django.utils import dateformat

    for moment in (
        datetime(2024, 5, 30, 19, 50, 39, tzinfo=PACIFIC),
        datetime(2024, 12, 1, 0, 5, tzinfo=PACIFIC),
        datetime(2024, 2, 29, 12, 0, tzinfo=PACIFIC),
    ):
        assert timing.format_clock(moment) == dateformat.format(moment, "g:i A")
        assert timing.format_day_clock(moment) == dateformat.format(moment, "D j M g:i A")
        assert timing.format_clock(moment, style="24h") == dateformat.format(moment, "H:i")
        assert timing.format_day_clock(moment, style="24h") == dateformat.format(moment, "D j M H:i")


def test_a_brand_in_24_hour_style_reads_19_50_and_the_default_stays_12_hour():
    sunset = datetime(2024, 5, 30, 19, 50, 39, tzinfo=PACIFIC)
    assert timing.format_clock(sunset, style="24h") == "19:50"
    assert timing.format_clock(sunset, style="12h") == timing.format_clock(sunset) == "7:50 PM"
    assert timing.format_clock(None, style="24h") == "—"
    assert timing.format_clock(sunset, seconds=True) == "7:50:39 PM"
    assert timing.format_clock(sunset, style="24h", seconds=True) == "19:50:39"


def test_the_panel_built_from_times_alone_is_the_events_panel(org):
    departure = datetime(2024, 5, 30, 18, 30, tzinfo=PACIFIC)
    event = make_event(org, departure_at=departure, hours=2.5)
    now = departure - timedelta(minutes=20)

    from_times = timing.timing_panel_for(
        org, departure_at=event.departure_at, return_at=event.return_at, status=event.status, now=now
    )

    assert from_times == timing.timing_panel(event, now=now)
    assert (from_times.departure_text, from_times.return_text, from_times.now_text) == ("6:30 PM", "9:00 PM", "6:10 PM")
