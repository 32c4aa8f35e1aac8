"""The owner's milestones measured against the data: two queries for any number of them."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from events import selectors as event_selectors
from events.models import EventStatus

from ..document import Finding, Table, money
from ..models import Milestone
from .base import Context, percent

# Bookings and guests count by booking date; charters, gross and net by the day they sailed.
BOOKED_METRICS = {Milestone.Metric.BOOKINGS, Milestone.Metric.GUESTS}
SAILED_METRICS = {Milestone.Metric.CHARTERS, Milestone.Metric.GROSS, Milestone.Metric.NET}
MONEY_METRICS = {Milestone.Metric.GROSS, Milestone.Metric.NET}


def _span(ctx: Context, milestone: Milestone) -> tuple[datetime, datetime]:
    tz = ctx.scope.tz
    start = datetime.combine(milestone.starts_on, time(), tzinfo=tz)
    due = datetime.combine(milestone.due_on + timedelta(days=1), time(), tzinfo=tz)
    return start, max(start, min(due, ctx.now))


def milestone_table(ctx: Context, kind: str, title: str, contacts: int | None, findings: list[Finding]) -> Table:
    milestones = [m for m in ctx.scope.milestones if m.kind == kind]
    booked = event_selectors.charter_money_windows(
        organizations=ctx.ids,
        statuses=event_selectors.BOOKED_STATUSES,
        windows={str(m.pk): _span(ctx, m) for m in milestones if m.metric in BOOKED_METRICS},
        date_field="created_at",
    )
    sailed = event_selectors.charter_money_windows(
        organizations=ctx.ids,
        statuses=(EventStatus.COMPLETED,),
        windows={str(m.pk): _span(ctx, m) for m in milestones if m.metric in SAILED_METRICS},
    )
    today = ctx.local(ctx.now).date()
    rows = []
    for milestone in milestones:
        actual = _actual(milestone, booked, sailed, contacts)
        status = _status(milestone, actual, today)
        if status in {"behind", "missed"}:
            weight = milestone.target - actual if milestone.metric in MONEY_METRICS else Decimal(50)
            findings.append(
                Finding(weight, f"Milestone “{milestone.title}” is {status}: {percent(actual, milestone.target)} done")
            )
        show = money if milestone.metric in MONEY_METRICS else (lambda v: f"{v:,.0f}")
        rows.append(
            [
                milestone.title,
                milestone.get_metric_display(),
                f"{milestone.starts_on:%-d %b} → {milestone.due_on:%-d %b %Y}",
                show(milestone.target),
                show(actual),
                percent(actual, milestone.target),
                status,
            ]
        )
    return Table(
        title,
        ["Milestone", "Measure", "Span", "Target", "So far", "Progress", "Status"],
        rows,
        empty="not set — add milestones in the back office (Owner inputs).",
    )


def _actual(milestone: Milestone, booked: dict, sailed: dict, contacts: int | None) -> Decimal:
    key = str(milestone.pk)
    metric = milestone.metric
    if metric == Milestone.Metric.BOOKINGS:
        return Decimal(booked[key].charters)
    if metric == Milestone.Metric.GUESTS:
        return Decimal(booked[key].guests)
    if metric == Milestone.Metric.CHARTERS:
        return Decimal(sailed[key].charters)
    if metric == Milestone.Metric.GROSS:
        return sailed[key].gross
    if metric == Milestone.Metric.NET:
        return sailed[key].net
    return Decimal(contacts or 0)


def _status(milestone: Milestone, actual: Decimal, today) -> str:
    if actual >= milestone.target:
        return "achieved"
    if today < milestone.starts_on:
        return "not started"
    if today > milestone.due_on:
        return "missed"
    elapsed = (today - milestone.starts_on).days + 1
    length = (milestone.due_on - milestone.starts_on).days + 1
    return "on track" if actual / milestone.target >= Decimal(elapsed) / Decimal(length) else "behind"
