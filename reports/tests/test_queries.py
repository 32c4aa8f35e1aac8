"""The database adds the figures up: a report runs as many queries for 10,000 events as for 10."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, EventStatus, Revenue, Source
from guests.models import Guest
from guests.tests.factories import make_guest, make_waiver
from reports.models import ReportKind
from reports.periods import default_period

from .conftest import LA, NOW, charter, report_for

STATUSES = [EventStatus.COMPLETED] * 6 + [
    EventStatus.CANCELLED,
    EventStatus.CONFIRMED,
    EventStatus.PENDING_CONFIRMATION,
]
SOURCES = list(Source.values)


def bulk_events(org, count: int) -> None:
    """`count` more charters over September to December 2026, with revenue and guests."""
    start = NOW.astimezone(LA).replace(month=9, day=1, hour=10)
    events = Event.objects.bulk_create(
        [
            Event(
                organization=org,
                slug=f"bulk-{n}",
                name=f"Bulk charter {n}",
                departure_at=start + timedelta(hours=7 * n % (24 * 100)),
                return_at=start + timedelta(hours=7 * n % (24 * 100) + 3),
                status=STATUSES[n % len(STATUSES)],
                source=SOURCES[n % len(SOURCES)],
                guest_count=n % 11,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    Revenue.objects.bulk_create(
        [
            Revenue(
                event=event,
                gross=Decimal("400.00") + n % 500,
                captain_rate=Decimal("50"),
                captain_hours=Decimal("3"),
                crew_rate=Decimal("25"),
                crew_count=n % 3,
                crew_hours=Decimal("3"),
                port_fee_pct=Decimal("18"),
            )
            for n, event in enumerate(events)
            if n % 13
        ],
        batch_size=2000,
    )
    Guest.objects.bulk_create(
        [
            Guest(organization=org, event=event, name=f"Guest {n}", email=f"guest{n % 700}@example.com")
            for n, event in enumerate(events[::4])
        ],
        batch_size=2000,
    )
    Event.objects.filter(slug__startswith="bulk-").update(created_at=start - timedelta(days=20))


def _period(kind: str):
    return default_period(kind, NOW.date())


@pytest.mark.parametrize("kind", ReportKind.values)
def test_query_count_is_the_same_for_10_and_10000_events(book, org, captain, kind):
    make_waiver(org)
    soon = charter(org, NOW + timedelta(hours=20), EventStatus.CONFIRMED, revenue={"gross": "900"})
    make_guest(soon, "On Hold", email="hold@example.com")
    charter(org, NOW + timedelta(days=3), EventStatus.PENDING_CONFIRMATION, revenue={"gross": "450"})
    assert Event.objects.count() == 10  # the book's 8, one about to sail short-handed, one pending
    with CaptureQueriesContext(connection) as small:
        report_for(kind, period=_period(kind))

    bulk_events(org, 10_000 - Event.objects.count())
    assert Event.objects.count() == 10_000
    with CaptureQueriesContext(connection) as large:
        report = report_for(kind, period=_period(kind))

    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
    assert report.summary
