"""Report periods: a week or a month of local days, and the one before it.

A period is a span of whole local days [start, end); its moments are local midnights in
the reader's time zone, so a charter at 23:30 on 31 October in San Diego belongs to
October even though it is 1 November in UTC.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from .models import ReportKind

# CFO and Accounting close the books by month; the others read the last full week.
MONTHLY = frozenset({ReportKind.CFO, ReportKind.ACCOUNTING})


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the day after the last day
    kind: str  # "week" or "month"

    @property
    def label(self) -> str:
        """ "November 2026", or "the week of 23 Nov 2026" (a week starts on Monday)."""
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        return f"the week of {self.start:%-d %b %Y}"

    @property
    def slug(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """The period's first and first-after moments: local midnights, aware."""
        return datetime.combine(self.start, time(), tzinfo=tz), datetime.combine(self.end, time(), tzinfo=tz)

    def previous(self) -> "Period":
        if self.kind == "month":
            return month_of(self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=7), self.start, "week")

    def months_back(self, count: int) -> "Period":
        """The `count` months ending with this period's month (for trends)."""
        first = self.start.replace(day=1)
        for _ in range(count - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        return Period(first, month_of(self.start).end, "month")


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following, "month")


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=7), "week")


def default_period(report: str, today: date) -> Period:
    """The last full period before `today` (a local date): last week, or last month."""
    if report in MONTHLY:
        return month_of(today.replace(day=1) - timedelta(days=1))
    return week_of(today - timedelta(days=7))


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_period(value: str) -> Period:
    """`2026-11` (a month) or `2026-W47` (an ISO week)."""
    value = value.strip()
    if match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"{value!r}: a month is 01 to 12.")
        return month_of(date(year, month, 1))
    if match := _WEEK.match(value):
        try:
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError as exc:
            raise PeriodError(f"{value!r}: {exc}.") from None
        return week_of(monday)
    raise PeriodError(f"{value!r} is not a period: give a month like 2026-11 or an ISO week like 2026-W47.")
