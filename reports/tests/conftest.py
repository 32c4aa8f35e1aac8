"""A small portfolio whose figures are worked out by hand in the tests, and SES at moto."""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest

from crew.tests.factories import make_event
from events.models import Event, EventStatus, Source
from events.services import event_transition
from guests.tests.factories import make_guest
from reports.builders import build_report
from reports.document import Report
from reports.models import OwnerInputs
from reports.periods import Period, parse_period
from reports.scope import scope_for

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
# The reports are read on 1 December 2026, 09:00 in San Diego.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=LA)
NOVEMBER = parse_period("2026-11")

SAILED_PATH = (EventStatus.CONFIRMED, EventStatus.IN_PROGRESS, EventStatus.COMPLETED)


def set_status(event: Event, status: str) -> Event:
    path = SAILED_PATH[: SAILED_PATH.index(status) + 1] if status in SAILED_PATH else (status,)
    for step in path:
        event = event_transition(event=event, to_status=step, override=True, reason="test")
    return event


def booked_on(event: Event, moment: datetime) -> None:
    Event.objects.filter(pk=event.pk).update(created_at=moment)


def charter(org, departure: datetime, status: str, *, revenue: dict | None = None, source=Source.DIRECT, **fields):
    figures = {k: (v if isinstance(v, int) else Decimal(v)) for k, v in (revenue or {}).items()}
    event = make_event(org, departure_at=departure, revenue=figures or None, source=source, **fields)
    return set_status(event, status) if status != EventStatus.PENDING_CONFIRMATION else event


@dataclass
class Book:
    """The charters of the hand-computed tests (see `book` below for the sums)."""

    a: Event
    b: Event
    c: Event
    d: Event
    e: Event
    f: Event
    g: Event
    x: Event


@pytest.fixture
def book(org, other_org) -> Book:
    """Queen of San Diego (`org`) and JADA (`other_org`), November 2026:

    A  3 Nov 10:00, completed, direct: 840.78 gross; captain 50 × 3 = 150.00, crew
       25 × 2 × 5 = 250.00, port 18 % = 151.34 (151.3404); net 289.44. Booked 1 Nov 10:00.
    B  30 Nov 23:30 (1 Dec 07:30 UTC), completed, Boatsetter: 1000.25 gross; captain
       45.50 × 2.5 = 113.75; port 12.5 % = 125.03 (125.03125); net 761.47. Booked 10 Nov 23:30.
    C  31 Oct 23:30 (1 Nov 06:30 UTC), completed, 500.00: October, not November.
    D  15 Nov, cancelled, 999.00: never counted.
    E  20 Nov 10:00, completed, no revenue recorded. Booked 20 Nov 08:00.
    F  10 Dec, confirmed, Sailo, 1200.00: deferred at the end of November. Booked 5 Nov.
    G  12 Dec 10:00, pending, direct, 700.00: neither recognised nor deferred. Booked 28 Nov 10:00.
    X  JADA, 10 Nov, completed, 7777.77: the other brand.

    November for Queen of San Diego: 3 charters (A, B, E), gross 1841.03, captain fees
    263.75, crew wages 250.00, port fees 276.37, net 1050.91.
    """
    a = charter(
        org,
        datetime(2026, 11, 3, 10, 0, tzinfo=LA),
        EventStatus.COMPLETED,
        revenue={
            "gross": "840.78",
            "captain_rate": "50",
            "captain_hours": "3",
            "crew_rate": "25",
            "crew_count": 2,
            "crew_hours": "5",
            "port_fee_pct": "18",
        },
        name="Charter A",
    )
    b = charter(
        org,
        datetime(2026, 11, 30, 23, 30, tzinfo=LA),
        EventStatus.COMPLETED,
        revenue={"gross": "1000.25", "captain_rate": "45.50", "captain_hours": "2.5", "port_fee_pct": "12.5"},
        source=Source.BOATSETTER,
        name="Charter B",
    )
    c = charter(org, datetime(2026, 10, 31, 23, 30, tzinfo=LA), EventStatus.COMPLETED, revenue={"gross": "500"})
    d = charter(org, datetime(2026, 11, 15, 10, 0, tzinfo=LA), EventStatus.CANCELLED, revenue={"gross": "999"})
    e = charter(org, datetime(2026, 11, 20, 10, 0, tzinfo=LA), EventStatus.COMPLETED, name="Charter E")
    f = charter(
        org,
        datetime(2026, 12, 10, 10, 0, tzinfo=LA),
        EventStatus.CONFIRMED,
        revenue={"gross": "1200"},
        source=Source.SAILO,
    )
    g = charter(
        org, datetime(2026, 12, 12, 10, 0, tzinfo=LA), EventStatus.PENDING_CONFIRMATION, revenue={"gross": "700"}
    )
    x = charter(
        other_org, datetime(2026, 11, 10, 10, 0, tzinfo=LA), EventStatus.COMPLETED, revenue={"gross": "7777.77"}
    )
    booked_on(a, datetime(2026, 11, 1, 10, 0, tzinfo=LA))
    booked_on(b, datetime(2026, 11, 10, 23, 30, tzinfo=LA))
    booked_on(c, datetime(2026, 10, 1, 10, 0, tzinfo=LA))
    booked_on(d, datetime(2026, 11, 2, 10, 0, tzinfo=LA))
    booked_on(e, datetime(2026, 11, 20, 8, 0, tzinfo=LA))
    booked_on(f, datetime(2026, 11, 5, 10, 0, tzinfo=LA))
    booked_on(g, datetime(2026, 11, 28, 10, 0, tzinfo=LA))
    booked_on(x, datetime(2026, 10, 20, 10, 0, tzinfo=LA))
    # Guests (by email, case-insensitive): ann sails A and B, cy sailed C in October and
    # B in November, bob sails A only, dee was on the cancelled D.
    for event, name, email in (
        (a, "Ann Lee", "ann@example.com"),
        (a, "Bob Ray", "bob@example.com"),
        (b, "Ann Lee", "Ann@Example.com"),
        (b, "Cy Wu", "cy@example.com"),
        (c, "Cy Wu", "cy@example.com"),
        (d, "Dee Fox", "dee@example.com"),
        (x, "Xavi Ruiz", "xavi@example.com"),
    ):
        make_guest(event, name, email=email)
    return Book(a, b, c, d, e, f, g, x)


def report_for(kind: str, *, brand=None, period: Period = NOVEMBER, now: datetime = NOW) -> Report:
    return build_report(kind, scope=scope_for(brand), period=period, now=now)


def figure(report: Report, label: str) -> str:
    for section in report.sections:
        for item in section.figures:
            if item.label == label:
                return item.value
    raise AssertionError(f"no figure {label!r} in {report.kind}")


def previous(report: Report, label: str) -> str | None:
    for section in report.sections:
        for item in section.figures:
            if item.label == label:
                return item.previous
    raise AssertionError(f"no figure {label!r} in {report.kind}")


def table(report: Report, title: str) -> list[list[str]]:
    for section in report.sections:
        for item in section.tables:
            if item.title.startswith(title):
                return item.rows
    raise AssertionError(f"no table {title!r} in {report.kind}")


def everything(report: Report) -> str:
    """Every word and figure the report shows, for "this never appears" checks."""
    parts = [report.title, report.summary]
    for section in report.sections:
        parts += section.paragraphs
        parts += [f"{f.label} {f.value} {f.previous} {f.note}" for f in section.figures]
        parts += [" ".join(row) for t in section.tables for row in t.rows]
    parts += [" ".join(row) for row in report.csv_rows]
    return "\n".join(parts)


@pytest.fixture
def inputs(org) -> OwnerInputs:
    return OwnerInputs.objects.create(organization=org, fixed_costs_monthly=Decimal("2100.00"))
