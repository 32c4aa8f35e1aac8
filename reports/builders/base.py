"""What every report builder is handed: the scope, the period and "now"."""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.utils import timezone

from events.models import Source

from ..periods import Period
from ..scope import Scope

SOURCE_LABELS = dict(Source.choices)
# The booking platforms a brand may connect (everything but direct and other).
PLATFORMS = [value for value in Source.values if value not in {Source.DIRECT, Source.OTHER}]


@dataclass
class Context:
    scope: Scope
    period: Period
    now: datetime

    @cached_property
    def bounds(self) -> tuple[datetime, datetime]:
        return self.period.bounds(self.scope.tz)

    @property
    def start(self) -> datetime:
        return self.bounds[0]

    @property
    def end(self) -> datetime:
        return self.bounds[1]

    @cached_property
    def previous(self) -> Period:
        return self.period.previous()

    @cached_property
    def previous_bounds(self) -> tuple[datetime, datetime]:
        return self.previous.bounds(self.scope.tz)

    @property
    def windows(self) -> dict[str, tuple[datetime, datetime]]:
        """This period and the previous one, for charter_money_windows."""
        return {"current": self.bounds, "previous": self.previous_bounds}

    @property
    def ids(self) -> list[int]:
        return self.scope.ids

    def local(self, moment: datetime) -> datetime:
        return timezone.localtime(moment, self.scope.tz)

    def when(self, moment: datetime) -> str:
        """Mon 3 Dec 10:00 (local)."""
        return f"{self.local(moment):%a %-d %b %H:%M}"


def source_label(value: str) -> str:
    return SOURCE_LABELS.get(value, value)


def percent(part: Decimal | int, whole: Decimal | int) -> str:
    if not whole:
        return "—"
    return f"{(Decimal(part) / Decimal(whole) * 100).quantize(Decimal('1'), ROUND_HALF_UP)} %"
