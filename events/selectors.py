"""Reads of events that pages, the API, emails, tasks and reports share.

`EventSummary` is how an event is shown anywhere outside the back office: what crew may
see of it, never its revenue (another table, read only through the field permissions).
Crew read it together with the roster (crew.selectors.event_roster, one query); code
that already holds an `Event` makes one with `EventSummary.of(event)`.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Avg, Count, DateField, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from charterops.models import Organization
from charterops.sql import aware

from .models import Event, EventStatus, ServiceKey, Vessel, revenue_cents


@dataclass(frozen=True, slots=True)
class EventSummary:
    """An event as crew pages, the crew API, crew emails and nudges show it."""

    id: int
    public_id: UUID
    organization_id: int
    slug: str
    name: str
    event_type: str
    status: str
    departure_at: datetime
    return_at: datetime
    location: str
    notes: str
    source: str
    guest_count: int
    nudges_enabled: bool
    vessel_name: str | None

    @property
    def status_label(self) -> str:
        return EventStatus(self.status).label

    @classmethod
    def of_row(cls, row: Any) -> "EventSummary":
        """The summary from a hand-written read's row, whose fields are named as this class's."""
        values = {field.name: getattr(row, field.name) for field in fields(cls)}
        public_id = values["public_id"]
        values.update(
            public_id=public_id if isinstance(public_id, UUID) else UUID(public_id),  # SQLite: hex text
            departure_at=aware(values["departure_at"]),
            return_at=aware(values["return_at"]),
            nudges_enabled=bool(values["nudges_enabled"]),
        )
        return cls(**values)

    @classmethod
    def of(cls, event: Event) -> "EventSummary":
        """The summary of an event the ORM loaded (with its vessel, where it has one)."""
        derived = {"id": event.pk, "vessel_name": event.vessel.name if event.vessel_id else None}
        copied = {field.name: getattr(event, field.name) for field in fields(cls) if field.name not in derived}
        return cls(**copied, **derived)


# --- Portfolio figures (executive reports) ---
#
# Aggregations over many events, each one query whatever the number of events: sums of
# Revenue's figures come from its database twins (events.models.revenue_cents), never
# from Python loops over rows. Every function takes the organizations it may read.

Organizations = Iterable[Organization | int]

# Booked and not called off: what can still earn money.
OPEN_STATUSES = (EventStatus.PENDING_CONFIRMATION, EventStatus.CONFIRMED, EventStatus.IN_PROGRESS)
# Everything but cancelled: the charters a booking figure counts.
BOOKED_STATUSES = (*OPEN_STATUSES, EventStatus.COMPLETED)

MONEY_GROUPS = ("organization", "source", "status", "month")


def _money(cents: int | Decimal | None) -> Decimal:
    return Decimal(int(cents or 0)).scaleb(-2)


@dataclass(frozen=True, slots=True)
class MoneyRow:
    """Charters and their money, summed per group (the keys not grouped by are None)."""

    organization_id: int | None
    source: str | None
    status: str | None
    month: date | None
    charters: int
    guests: int
    gross: Decimal
    captain_fees: Decimal
    crew_wages: Decimal
    port_fees: Decimal
    net: Decimal
    without_revenue: int  # charters with no revenue recorded (no row, or a gross of 0)

    @property
    def costs(self) -> Decimal:
        return self.captain_fees + self.crew_wages + self.port_fees


MONEY_SUMS = ("gross", "captain_fee", "crew_wages", "port_fees")


def _money_aggregates(condition: Q | None = None, *, sums: bool | Collection[str] = True) -> dict:
    """Counts, and the sums of gross and costs in cents (`sums`: all of them, none, or
    those named; the others read as 0). Net is not summed:
    each event's net is its gross less its three costs, all in whole cents, so the sum of
    the nets is the sums' difference exactly — and the database is spared the work."""
    extra = {"filter": condition} if condition is not None else {}
    no_revenue = Q(revenue__isnull=True) | Q(revenue__gross=0)
    aggregates = {
        "charters": Count("pk", **extra),
        "guests": Coalesce(Sum("guest_count", **extra), 0),
        "without_revenue": Count("pk", filter=no_revenue & condition if condition is not None else no_revenue),
    }
    cents = revenue_cents("revenue__")
    for name in MONEY_SUMS if sums is True else (sums or ()):
        aggregates[f"{name}_cents"] = Sum(cents[name], **extra)
    return aggregates


def _money_row(values: Mapping, prefix: str = "") -> MoneyRow:
    cents = {
        name: int(values.get(f"{prefix}{name}_cents") or 0)
        for name in ("gross", "captain_fee", "crew_wages", "port_fees")
    }
    return MoneyRow(
        organization_id=values.get("organization"),
        source=values.get("source"),
        status=values.get("status"),
        month=values.get("month"),
        charters=values[f"{prefix}charters"] or 0,
        guests=int(values[f"{prefix}guests"] or 0),
        gross=_money(cents["gross"]),
        captain_fees=_money(cents["captain_fee"]),
        crew_wages=_money(cents["crew_wages"]),
        port_fees=_money(cents["port_fees"]),
        net=_money(cents["gross"] - cents["captain_fee"] - cents["crew_wages"] - cents["port_fees"]),
        without_revenue=values[f"{prefix}without_revenue"] or 0,
    )


def _events(organizations: Organizations, statuses: Collection[str]):
    return Event.objects.for_orgs(list(organizations)).filter(status__in=list(statuses))


def charter_money(
    *,
    organizations: Organizations,
    statuses: Collection[str],
    start: datetime | None = None,
    end: datetime | None = None,
    by: Sequence[str] = (),
    tz: tzinfo | None = None,
    date_field: str = "departure_at",
    sums: bool | Collection[str] = True,
) -> list[MoneyRow]:
    """Charters in `statuses` whose `date_field` (departure, or `created_at` for the
    booking date) falls in [start, end), summed per `by` (organization, source, status,
    month — the month in `tz`, so a month's boundaries are local midnights). `sums` limits
    the money summed (False: counts only; the figures not summed read 0)."""
    unknown = set(by) - set(MONEY_GROUPS)
    if unknown:
        raise ValueError(f"charter_money cannot group by {sorted(unknown)}")
    events = _events(organizations, statuses)
    if start is not None:
        events = events.filter(**{f"{date_field}__gte": start})
    if end is not None:
        events = events.filter(**{f"{date_field}__lt": end})
    if "month" in by:
        if tz is None:
            raise ValueError("a month is a local month: give its time zone")
        events = events.annotate(month=TruncMonth(date_field, tzinfo=tz, output_field=DateField()))
    if not by:
        return [_money_row(events.aggregate(**_money_aggregates(sums=sums)))]
    rows = events.values(*by).annotate(**_money_aggregates(sums=sums)).order_by(*by)
    return [_money_row(row) for row in rows]


def charter_money_windows(
    *,
    organizations: Organizations,
    statuses: Collection[str],
    windows: Mapping[str, tuple[datetime, datetime]],
    date_field: str = "departure_at",
) -> dict[str, MoneyRow]:
    """The same sums for several [start, end) windows at once (this period and the
    previous one, a milestone's span …), in one query."""
    aggregates = {}
    for name, (start, end) in windows.items():
        condition = Q(**{f"{date_field}__gte": start, f"{date_field}__lt": end})
        aggregates.update({f"{name}__{key}": value for key, value in _money_aggregates(condition).items()})
    if not aggregates:
        return {}
    totals = _events(organizations, statuses).aggregate(**aggregates)
    return {name: _money_row(totals, prefix=f"{name}__") for name in windows}


@dataclass(frozen=True, slots=True)
class PipelineRow:
    """Open charters of one brand departing within `days` of now."""

    organization_id: int
    days: int
    charters: int
    confirmed: int
    gross: Decimal


def pipeline(
    *, organizations: Organizations, now: datetime, horizons: Sequence[int] = (30, 60, 90)
) -> list[PipelineRow]:
    """Per brand, the booked and not yet sailed charters departing in the next N days."""
    gross = revenue_cents("revenue__")["gross"]
    aggregates = {}
    for days in horizons:
        window = Q(departure_at__lt=now + timedelta(days=days))
        aggregates[f"d{days}_charters"] = Count("pk", filter=window)
        aggregates[f"d{days}_confirmed"] = Count("pk", filter=window & Q(status=EventStatus.CONFIRMED))
        aggregates[f"d{days}_gross"] = Sum(gross, filter=window)
    rows = (
        _events(organizations, (EventStatus.PENDING_CONFIRMATION, EventStatus.CONFIRMED))
        .filter(departure_at__gte=now)
        .values("organization")
        .annotate(**aggregates)
        .order_by("organization")
    )
    return [
        PipelineRow(
            organization_id=row["organization"],
            days=days,
            charters=row[f"d{days}_charters"],
            confirmed=row[f"d{days}_confirmed"],
            gross=_money(row[f"d{days}_gross"]),
        )
        for row in rows
        for days in horizons
    ]


@dataclass(frozen=True, slots=True)
class AgeingRow:
    """Charters of one brand still pending confirmation long after they were booked."""

    organization_id: int
    charters: int
    gross: Decimal
    oldest_booked_at: datetime


def pending_ageing(*, organizations: Organizations, now: datetime, older_than: timedelta) -> list[AgeingRow]:
    """Per brand, future charters still pending confirmation `older_than` after booking."""
    rows = (
        _events(organizations, (EventStatus.PENDING_CONFIRMATION,))
        .filter(departure_at__gte=now, created_at__lt=now - older_than)
        .values("organization")
        .annotate(charters=Count("pk"), gross=Sum(revenue_cents("revenue__")["gross"]), oldest=Min("created_at"))
        .order_by("organization")
    )
    return [
        AgeingRow(
            organization_id=row["organization"],
            charters=row["charters"],
            gross=_money(row["gross"]),
            oldest_booked_at=row["oldest"],
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class EventMoney:
    """An event named for a list of actions, with its gross (0 when none is recorded)."""

    event_id: int
    organization_id: int
    name: str
    departure_at: datetime
    gross: Decimal


def event_money(*, organizations: Organizations, event_ids: Iterable[int]) -> dict[int, EventMoney]:
    """The given events (of these brands only) with their gross, by id."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = (
        Event.objects.for_orgs(list(organizations))
        .filter(pk__in=ids)
        .annotate(gross_cents=revenue_cents("revenue__")["gross"])
        .values_list("pk", "organization", "name", "departure_at", "gross_cents")
    )
    return {row[0]: EventMoney(*row[:4], gross=_money(row[4])) for row in rows}


@dataclass(frozen=True, slots=True)
class LeadTimeRow:
    """How far ahead one booking channel books: from booking to departure."""

    source: str
    bookings: int
    average_days: Decimal | None
    within_week: int
    within_month: int
    within_quarter: int
    beyond_quarter: int


def lead_times(
    *, organizations: Organizations, start: datetime, end: datetime, statuses: Collection[str] = BOOKED_STATUSES
) -> list[LeadTimeRow]:
    """Per source, bookings made in [start, end) and their lead time (booking → departure)."""
    lead = ExpressionWrapper(F("departure_at") - F("created_at"), output_field=DurationField())
    week, month, quarter = timedelta(days=7), timedelta(days=30), timedelta(days=90)
    rows = (
        _events(organizations, statuses)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(lead=lead)
        # A charter entered after it sailed (a back-filled booking) has no lead time.
        .filter(departure_at__gte=F("created_at"))
        .values("source")
        .annotate(
            bookings=Count("pk"),
            average=Avg("lead"),
            within_week=Count("pk", filter=Q(lead__lt=week)),
            within_month=Count("pk", filter=Q(lead__gte=week, lead__lt=month)),
            within_quarter=Count("pk", filter=Q(lead__gte=month, lead__lt=quarter)),
            beyond_quarter=Count("pk", filter=Q(lead__gte=quarter)),
        )
        .order_by("source")
    )
    return [
        LeadTimeRow(
            source=row["source"],
            bookings=row["bookings"],
            average_days=_days(row["average"]),
            within_week=row["within_week"],
            within_month=row["within_month"],
            within_quarter=row["within_quarter"],
            beyond_quarter=row["beyond_quarter"],
        )
        for row in rows
    ]


def _days(value: timedelta | float | int | None) -> Decimal | None:
    """An average duration in days; SQLite hands it back as microseconds."""
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value) / 1_000_000
    return (Decimal(str(seconds)) / 86400).quantize(Decimal("0.1"))


@dataclass(frozen=True, slots=True)
class ChargeLine:
    """One charter with its money, for journal lines."""

    event_id: int
    organization_id: int
    name: str
    slug: str
    departure_at: datetime
    source: str
    status: str
    has_revenue: bool
    gross: Decimal
    captain_fee: Decimal
    crew_wages: Decimal
    port_fees: Decimal
    net: Decimal


def charge_lines(
    *, organizations: Organizations, statuses: Collection[str], start: datetime, end: datetime | None = None
) -> list[ChargeLine]:
    """Each charter departing in [start, end) with its figures, in departure order."""
    events = _events(organizations, statuses).filter(departure_at__gte=start)
    if end is not None:
        events = events.filter(departure_at__lt=end)
    cents = {f"{name}_cents": expression for name, expression in revenue_cents("revenue__").items()}
    rows = events.annotate(**cents).values(
        "pk", "organization", "name", "slug", "departure_at", "source", "status", "revenue__pk", *cents
    )
    return [
        ChargeLine(
            event_id=row["pk"],
            organization_id=row["organization"],
            name=row["name"],
            slug=row["slug"],
            departure_at=row["departure_at"],
            source=row["source"],
            status=row["status"],
            has_revenue=row["revenue__pk"] is not None,
            gross=_money(row["gross_cents"]),
            captain_fee=_money(row["captain_fee_cents"]),
            crew_wages=_money(row["crew_wages_cents"]),
            port_fees=_money(row["port_fees_cents"]),
            net=_money(row["net_cents"]),
        )
        for row in rows.order_by("departure_at", "pk")
    ]


@dataclass(frozen=True, slots=True)
class CostAudit:
    """Charters whose costs cannot all be booked: a figure the books need is missing."""

    charters: int
    without_revenue: int  # no revenue row, or a gross of 0
    captain_fee_missing: int  # earning, but no captain rate or hours
    crew_wages_missing: int  # crew counted, but no rate or hours
    port_fee_missing: int  # earning, but no port fee percentage


def cost_audit(*, organizations: Organizations, statuses: Collection[str], start: datetime, end: datetime) -> CostAudit:
    cents = revenue_cents("revenue__")
    earning = Q(revenue__gross__gt=0)
    totals = (
        _events(organizations, statuses)
        .filter(departure_at__gte=start, departure_at__lt=end)
        .alias(captain_fee=cents["captain_fee"], crew_wages=cents["crew_wages"])
        .aggregate(
            charters=Count("pk"),
            without_revenue=Count("pk", filter=Q(revenue__isnull=True) | Q(revenue__gross=0)),
            captain_fee_missing=Count("pk", filter=earning & Q(captain_fee=0)),
            crew_wages_missing=Count("pk", filter=Q(revenue__crew_count__gt=0, crew_wages=0)),
            port_fee_missing=Count("pk", filter=earning & Q(revenue__port_fee_pct=0)),
        )
    )
    return CostAudit(**totals)


def vessel_counts(*, organizations: Organizations) -> dict[int, int]:
    """Active vessels per brand."""
    rows = Vessel.objects.for_orgs(list(organizations)).filter(active=True).values("organization")
    return {row["organization"]: row["n"] for row in rows.annotate(n=Count("pk")).order_by()}


@dataclass(frozen=True, slots=True)
class ServiceKeyRow:
    organization_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def service_key_rows(*, organizations: Organizations) -> list[ServiceKeyRow]:
    """Every service key of the brands, revoked ones too (a handful per brand)."""
    rows = ServiceKey.objects.for_orgs(list(organizations)).values_list(
        "organization", "name", "prefix", "created_at", "last_used_at", "revoked_at"
    )
    return [ServiceKeyRow(*row) for row in rows.order_by("organization", "name", "created_at")]
