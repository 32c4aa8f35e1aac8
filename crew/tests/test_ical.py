"""The crew iCal feed: my events, stable UIDs, SEQUENCE bumped on change, cancellations."""

from datetime import datetime, timedelta

import icalendar
import pytest
from django.utils import timezone

from crew import services
from crew.models import CrewRole
from crew.tests.factories import make_event
from crew.tests.scenarios import PACIFIC, boatsetter_charter, seat
from events.models import EventStatus
from events.services import event_transition, event_update


@pytest.fixture
def feed(client, deckhand):
    token = services.calendar_token_get_or_create(crew_member=deckhand)

    def fetch() -> str:
        response = client.get(f"/crew/calendar/{token}.ics")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        return response.content.decode()

    return fetch


def unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def events_in(body: str) -> dict[str, dict[str, str]]:
    found, current = {}, None
    for line in unfold(body):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found[current["UID"]] = current
            current = None
        elif current is not None and ":" in line:
            key, value = line.split(":", 1)
            current[key if key.startswith(("DTSTART", "DTEND")) else key.split(";")[0]] = value
    return found


def test_the_feed_lists_my_events_with_stable_uids_and_utc_times(feed, org, deckhand):
    departure = datetime(2030, 5, 30, 10, 0, tzinfo=PACIFIC)
    mine = make_event(org, name="Harbor charter", departure_at=departure, hours=3, location="Shelter Island, dock 3")
    seat(mine, deckhand)
    make_event(org, name="Not mine")

    body = feed()

    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    entries = events_in(body)
    assert list(entries) == [f"{mine.public_id}@charterops"]
    entry = entries[f"{mine.public_id}@charterops"]
    assert entry["DTSTART;TZID=America/Los_Angeles"] == "20300530T100000"  # local time, with its zone
    assert entry["DTEND;TZID=America/Los_Angeles"] == "20300530T130000"
    assert "BEGIN:VTIMEZONE\r\nTZID:America/Los_Angeles\r\n" in body
    parsed = icalendar.Calendar.from_ical(body)
    [vevent] = parsed.walk("VEVENT")
    assert vevent.decoded("dtstart") == departure
    assert vevent.decoded("dtstart").utcoffset() == timedelta(hours=-7)  # PDT
    assert entry["SUMMARY"] == "Harbor charter (Deckhand 1)"
    assert entry["LOCATION"] == "Shelter Island\\, dock 3"
    assert entry["STATUS"] == "TENTATIVE"
    assert list(events_in(feed())) == list(entries)  # the same UID on every fetch


def test_events_long_past_drop_out_of_the_feed(feed, org, deckhand):
    seat(boatsetter_charter(org), deckhand)  # 30 May 2024
    assert events_in(feed()) == {}


def test_a_change_bumps_the_sequence_and_a_cancellation_says_cancelled(feed, org, deckhand):
    event = make_event(org, departure_at=timezone.now() + timedelta(days=3))
    seat(event, deckhand)
    uid = f"{event.public_id}@charterops"
    first = int(events_in(feed())[uid]["SEQUENCE"])

    event_update(event=event, departure_at=event.departure_at + timedelta(hours=1), location="New dock")
    event.updated_at += timedelta(seconds=5)  # a later edit, as on a real clock
    type(event).objects.filter(pk=event.pk).update(updated_at=event.updated_at)
    moved = events_in(feed())[uid]
    assert int(moved["SEQUENCE"]) > first

    event_transition(event=event, to_status=EventStatus.CANCELLED)
    type(event).objects.filter(pk=event.pk).update(updated_at=event.updated_at + timedelta(seconds=5))
    cancelled = events_in(feed())[uid]
    assert cancelled["STATUS"] == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > int(moved["SEQUENCE"])


def test_a_confirmed_event_is_confirmed_in_the_feed(feed, org, deckhand, captain):
    event = make_event(org)
    seat(event, deckhand)
    seat(event, captain, CrewRole.CAPTAIN)
    event_transition(event=event, to_status=EventStatus.CONFIRMED)
    assert events_in(feed())[f"{event.public_id}@charterops"]["STATUS"] == "CONFIRMED"


def test_long_lines_are_folded_and_text_escaped(feed, org, deckhand):
    notes = "Crew; bring jackets, and hats\n" * 6 + "é" * 40
    seat(make_event(org, notes=notes, location="Dock 3; gate B, left"), deckhand)

    body = feed()

    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    [entry] = events_in(body).values()
    assert entry["LOCATION"] == "Dock 3\\; gate B\\, left"
    assert "Crew\\; bring jackets\\, and hats\\n" in entry["DESCRIPTION"]
    assert body.encode().decode("utf-8").count("é") == 40  # folding never splits a character
    [vevent] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert notes in str(vevent["description"])


def test_the_feed_never_holds_revenue(feed, org, deckhand):
    event = make_event(org, revenue={"gross": "987654.32"}, notes="Gate code 4471")
    seat(event, deckhand)
    body = feed()
    assert "987654" not in body
    assert "Gate code 4471" in body  # crew notes are fine
