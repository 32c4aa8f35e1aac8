"""Helpers of the nudge tests: sweep at a frozen moment and read what was emailed."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.core import mail

from events.models import Nudge
from events.nudges import SweepReport, nudges_sweep

LA = ZoneInfo("America/Los_Angeles")


def la(*args: int) -> datetime:
    """A wall-clock moment in San Diego, e.g. la(2027, 6, 5, 10, 0), in UTC as the database keeps it.

    In UTC, `moment - timedelta(hours=48)` is 48 real hours, as in the code under test
    (arithmetic on a datetime in a local zone would move the wall clock instead).
    """
    return datetime(*args, tzinfo=LA).astimezone(UTC)


def sweep(capture, now: datetime, **kwargs) -> SweepReport:
    """Run the sweep as beat would at `now`; the emails it queues are sent on commit."""
    with capture(execute=True):
        return nudges_sweep(now=now, **kwargs)


def sent_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def nudge_of(kind: str, **lookup) -> Nudge:
    return Nudge.objects.select_related("email").get(kind=kind, **lookup)
