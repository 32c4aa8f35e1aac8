"""The owner's dashboard: what needs attention today, each figure a link to the list behind it.

Every figure is read through the apps' selectors (the executive reports' portfolio reads
where they fit), scoped to the brands the user owns, in a fixed number of queries
whatever the number of events.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from charterops.display import moment, money
from charterops.models import Organization
from charterops.selectors import undelivered_email_count
from crew import selectors as crew_selectors
from events import selectors as event_selectors
from events.models import Event, EventStatus
from guests import selectors as guest_selectors
from safety import selectors as safety_selectors

# "Near departure": what still has time to be fixed before the boat leaves.
NEAR_DEPARTURE = timedelta(hours=72)
# Guests on hold are counted for the charters of the coming week.
ON_HOLD_WITHIN = timedelta(days=7)
FAILED_EMAILS_SINCE = timedelta(days=7)
CHART_MONTHS = 6
# Lists on the dashboard are short; the link opens the whole list.
LIST_LIMIT = 15


@dataclass(frozen=True)
class CharterLine:
    """A charter of today or this week as the dashboard lists it."""

    event: Event
    slots: int
    filled: int
    unacknowledged: int
    guests: int
    on_hold: int

    @property
    def departure(self) -> str:
        return moment(self.event.departure_at, self.event.organization.tz)

    @property
    def cleared(self) -> int:
        return self.guests - self.on_hold


@dataclass(frozen=True)
class MonthBar:
    """One bar of the revenue chart (an inline SVG: no script, no image request)."""

    month: datetime
    gross: Decimal
    index: int
    tallest: Decimal

    WIDTH = 36
    GAP = 14
    HEIGHT = 96  # the tallest bar; labels sit below

    @property
    def h(self) -> int:
        return int(self.gross * self.HEIGHT / self.tallest) if self.tallest else 0

    @property
    def x(self) -> int:
        return self.index * (self.WIDTH + self.GAP) + self.GAP

    @property
    def y(self) -> int:
        return 100 - self.h

    @property
    def cx(self) -> int:
        return self.x + self.WIDTH // 2

    @property
    def short(self) -> str:
        return f"{self.month:%b}"

    @property
    def label(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def amount(self) -> str:
        return money(self.gross)


@dataclass
class Dashboard:
    now: datetime
    tz: tzinfo
    today: list[CharterLine]
    today_count: int
    week: list[CharterLine]
    week_count: int
    at_sea: int
    overdue: int
    at_sea_lines: list["AtSeaRow"]
    open_slots: int
    open_slot_events: int
    unacknowledged: int
    unacknowledged_events: int
    on_hold: int
    on_hold_events: int
    pending_ageing: int
    pending_oldest: datetime | None
    failed_emails: int
    revenue: dict | None = field(default=None)


def local_day_start(now: datetime, tz: tzinfo) -> datetime:
    local = timezone.localtime(now, tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(moment: datetime, months_back: int = 0) -> datetime:
    """The first moment of the month `months_back` months before `moment`'s (negative: after)."""
    index = moment.year * 12 + moment.month - 1 - months_back
    year, month = divmod(index, 12)
    month += 1
    return moment.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def _charters(org_ids: list[int], start: datetime, end: datetime) -> QuerySet[Event]:
    return (
        Event.objects.for_orgs(org_ids)
        .filter(departure_at__gte=start, departure_at__lt=end)
        .exclude(status=EventStatus.CANCELLED)
        .select_related("organization", "vessel")
        .order_by("departure_at", "pk")
    )


@dataclass(frozen=True)
class AtSeaRow:
    """A charter under way as the dashboard shows it: POB, expected return, overdue state."""

    line: safety_selectors.AtSeaLine
    tz: tzinfo

    @property
    def expected_return(self) -> str:
        return moment(self.line.expected_return_at, self.tz) if self.line.expected_return_at else "—"

    @property
    def no_later_than(self) -> str:
        return moment(self.line.no_later_than, self.tz) if self.line.no_later_than else "—"

    @property
    def acknowledged(self) -> str:
        if self.line.acknowledged_at is None:
            return ""
        return f"{self.line.acknowledged_by}, {moment(self.line.acknowledged_at, self.tz)}"


def dashboard(*, organizations: list[Organization], now: datetime, tz: tzinfo, with_revenue: bool) -> Dashboard:
    org_ids = [organization.pk for organization in organizations]
    day = local_day_start(now, tz)
    week_end = day + timedelta(days=7)
    week = list(_charters(org_ids, day, week_end)[: LIST_LIMIT * 2])
    week_count = _charters(org_ids, day, week_end).count()
    event_ids = [event.pk for event in week]
    fill = crew_selectors.roster_fill(organizations=org_ids, event_ids=event_ids)
    waivers = guest_selectors.waiver_counts(organizations=org_ids, event_ids=event_ids)
    empty_fill = crew_selectors.RosterFill(0, 0, 0)
    empty_waivers = guest_selectors.WaiverCounts(0, 0)
    lines = [
        CharterLine(
            event=event,
            slots=fill.get(event.pk, empty_fill).slots,
            filled=fill.get(event.pk, empty_fill).filled,
            unacknowledged=fill.get(event.pk, empty_fill).unacknowledged,
            guests=waivers.get(event.pk, empty_waivers).guests,
            on_hold=waivers.get(event.pk, empty_waivers).on_hold,
        )
        for event in week
    ]
    tomorrow = day + timedelta(days=1)
    today = [line for line in lines if line.event.departure_at < tomorrow]
    open_slots = crew_selectors.open_slots_departing(organizations=org_ids, start=now, within=NEAR_DEPARTURE)
    unacknowledged = crew_selectors.unacknowledged_departing(organizations=org_ids, start=now, within=NEAR_DEPARTURE)
    on_hold = guest_selectors.on_hold_departing(organizations=org_ids, start=now, within=ON_HOLD_WITHIN)
    ageing = event_selectors.pending_ageing(
        organizations=org_ids, now=now, older_than=timedelta(hours=settings.NUDGE_PENDING_CONFIRMATION_HOURS)
    )
    # Charters at sea from their float plans (safety): POB, expected return, overdue.
    at_sea = [AtSeaRow(line, tz) for line in safety_selectors.at_sea(organizations=org_ids, now=now)]
    board = Dashboard(
        now=now,
        tz=tz,
        today=today[:LIST_LIMIT],
        today_count=_charters(org_ids, day, tomorrow).count(),
        week=lines[:LIST_LIMIT],
        week_count=week_count,
        at_sea=len(at_sea),
        overdue=sum(row.line.overdue for row in at_sea),
        at_sea_lines=at_sea,
        open_slots=sum(row.open_slots for row in open_slots),
        open_slot_events=len(open_slots),
        unacknowledged=sum(row.unacknowledged for row in unacknowledged),
        unacknowledged_events=len(unacknowledged),
        on_hold=sum(row.on_hold for row in on_hold),
        on_hold_events=len(on_hold),
        pending_ageing=sum(row.charters for row in ageing),
        pending_oldest=min((row.oldest_booked_at for row in ageing), default=None),
        failed_emails=undelivered_email_count(organizations=org_ids, since=now - FAILED_EMAILS_SINCE),
    )
    if with_revenue:
        board.revenue = revenue_months(org_ids=org_ids, now=now, tz=tz)
    return board


def revenue_months(*, org_ids: list[int], now: datetime, tz: tzinfo) -> dict:
    """Gross of the charters departing in each of the last months (booked, not cancelled):
    this month against last month, and a small chart — one query."""
    local_now = timezone.localtime(now, tz)
    first = month_start(local_now, CHART_MONTHS - 1)
    end = month_start(local_now, -1)
    rows = event_selectors.charter_money(
        organizations=org_ids,
        statuses=event_selectors.BOOKED_STATUSES,
        start=first,
        end=end,
        by=("month",),
        tz=tz,
        sums=("gross",),
    )
    by_month = {(row.month.year, row.month.month): row for row in rows}
    months = [month_start(local_now, back) for back in range(CHART_MONTHS - 1, -1, -1)]
    gross = [by_month[(m.year, m.month)].gross if (m.year, m.month) in by_month else Decimal("0.00") for m in months]
    charters = [by_month[(m.year, m.month)].charters if (m.year, m.month) in by_month else 0 for m in months]
    tallest = max(gross)
    bars = [
        MonthBar(month=m, gross=g, index=i, tallest=tallest) for i, (m, g) in enumerate(zip(months, gross, strict=True))
    ]
    this_month, last_month = gross[-1], gross[-2]
    change = None if not last_month else (this_month - last_month) * 100 / last_month
    return {
        "this_month": this_month,
        "last_month": last_month,
        "this_month_text": money(this_month),
        "last_month_text": money(last_month),
        "change_text": "" if change is None else f"{change:+.0f} % this month",
        "chart_width": len(bars) * (MonthBar.WIDTH + MonthBar.GAP) + MonthBar.GAP,
        "this_month_charters": charters[-1],
        "last_month_charters": charters[-2],
        "change_pct": change,
        "bars": bars,
        "this_month_start": months[-1],
        "last_month_start": months[-2],
        "next_month_start": end,
    }
