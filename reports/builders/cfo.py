"""CFO: revenue, costs and margin by brand and month, burn, break-even, run rate vs targets."""

import math
from collections import defaultdict
from datetime import date
from decimal import Decimal

from events import selectors as event_selectors
from events.models import EventStatus

from ..charts import trend_chart
from ..document import NOT_SET, Figure, Finding, Report, Section, Table, change, money, plural, summarise, tables_as_csv
from ..periods import month_of
from .base import Context, percent

TREND_MONTHS = 6
RUN_RATE_MONTHS = 3
ZERO = Decimal("0.00")


def build(ctx: Context) -> Report:
    ids, scope, period = ctx.ids, ctx.scope, ctx.period
    findings: list[Finding] = []
    sailed = (EventStatus.COMPLETED,)
    both = event_selectors.charter_money_windows(organizations=ids, statuses=sailed, windows=ctx.windows)
    current, previous = both["current"], both["previous"]
    trend_span = period.months_back(TREND_MONTHS)
    trend_start, trend_end = trend_span.bounds(scope.tz)
    by_month = event_selectors.charter_money(
        organizations=ids, statuses=sailed, start=trend_start, end=trend_end, by=("organization", "month"), tz=scope.tz
    )
    horizon = scope.targets[-1].month if scope.targets else None
    booked_ahead = []
    if horizon is not None:
        ahead_start = period.bounds(scope.tz)[1]
        ahead_end = month_of(horizon).bounds(scope.tz)[1]
        if ahead_end > ahead_start:
            booked_ahead = event_selectors.charter_money(
                organizations=ids,
                statuses=event_selectors.OPEN_STATUSES,
                start=ahead_start,
                end=ahead_end,
                by=("month",),
                tz=scope.tz,
            )

    key_figures = Section(
        "Revenue, costs and margin",
        figures=[
            Figure(
                "Charters sailed",
                f"{current.charters:,}",
                f"{previous.charters:,}",
                change(current.charters, previous.charters),
            ),
            Figure(
                "Revenue (gross)", money(current.gross), money(previous.gross), change(current.gross, previous.gross)
            ),
            Figure(
                "Captain fees",
                money(current.captain_fees),
                money(previous.captain_fees),
                change(current.captain_fees, previous.captain_fees),
            ),
            Figure(
                "Crew wages",
                money(current.crew_wages),
                money(previous.crew_wages),
                change(current.crew_wages, previous.crew_wages),
            ),
            Figure(
                "Port and dock fees",
                money(current.port_fees),
                money(previous.port_fees),
                change(current.port_fees, previous.port_fees),
            ),
            Figure("Net", money(current.net), money(previous.net), change(current.net, previous.net)),
            Figure("Margin", percent(current.net, current.gross), percent(previous.net, previous.gross)),
        ],
    )
    if current.net < previous.net:
        findings.append(
            Finding(previous.net - current.net, f"Net fell to {money(current.net)} from {money(previous.net)}.")
        )
    if current.without_revenue:
        findings.append(
            Finding(Decimal(25), f"{plural(current.without_revenue, 'charter')} sailed with no revenue recorded.")
        )

    months = _months(trend_span)
    portfolio = defaultdict(lambda: defaultdict(lambda: ZERO))
    table_rows = []
    for row in by_month:
        for name in ("gross", "captain_fees", "crew_wages", "port_fees", "net"):
            portfolio[row.month][name] += getattr(row, name)
        table_rows.append(
            [
                f"{row.month:%b %Y}",
                scope.name_of(row.organization_id),
                str(row.charters),
                money(row.gross),
                money(row.captain_fees),
                money(row.crew_wages),
                money(row.port_fees),
                money(row.net),
            ]
        )
    monthly = Table(
        f"By brand and month (last {TREND_MONTHS} months)",
        ["Month", "Brand", "Charters", "Revenue", "Captain fees", "Crew wages", "Port fees", "Net"],
        table_rows,
        empty="No charter sailed in these months.",
    )
    chart = trend_chart(
        name="monthly-trend.png",
        title="Costs and net per month",
        months=[f"{m:%b}" for m in months],
        bars={
            "Captain fees": [portfolio[m]["captain_fees"] for m in months],
            "Crew wages": [portfolio[m]["crew_wages"] for m in months],
            "Port fees": [portfolio[m]["port_fees"] for m in months],
        },
        line=("Net", [portfolio[m]["net"] for m in months]),
    )

    fixed = scope.fixed_costs
    variable = current.costs
    burn_figures = [
        Figure("Fixed costs a month (owner's figure)", money(fixed)),
        Figure("Variable costs this period", money(variable), money(previous.costs), change(variable, previous.costs)),
        Figure(
            "Monthly burn",
            money(fixed + variable) if fixed is not None else f"{money(variable)} + fixed costs {NOT_SET}",
        ),
    ]
    break_even = _break_even(fixed, current)
    burn_figures.append(Figure("Break-even volume", break_even.text, note=break_even.note))
    if break_even.charters is not None and current.charters < break_even.charters:
        shortfall = break_even.charters - current.charters
        findings.append(
            Finding(
                fixed - current.net if fixed is not None else Decimal(0),
                f"Below break-even: {current.charters} charters sailed against {break_even.charters} needed "
                f"({shortfall} short).",
            )
        )
    if fixed is not None and current.net < fixed:
        findings.append(
            Finding(fixed - current.net, f"Net {money(current.net)} does not cover fixed costs of {money(fixed)}.")
        )

    run_rate_months = months[-RUN_RATE_MONTHS:]
    run_rate = sum((portfolio[m]["gross"] for m in run_rate_months), ZERO) / len(run_rate_months)
    run_rate = run_rate.quantize(Decimal("0.01"))
    targets = _targets(ctx, portfolio, booked_ahead, run_rate, findings)
    sections = [
        key_figures,
        Section("By brand and month", tables=[monthly], charts=[chart]),
        Section("Burn and break-even", figures=burn_figures),
        Section(
            "Run rate against targets",
            paragraphs=[f"Run rate: {money(run_rate)} a month (average revenue of the last {RUN_RATE_MONTHS} months)."],
            tables=[targets],
        ),
    ]
    headers, rows = tables_as_csv(sections)
    return Report(
        kind="cfo",
        title=f"CFO report — {scope.label} — {period.label}",
        reader="the CFO",
        scope=scope.label,
        period=period.label,
        previous_period=ctx.previous.label,
        summary=summarise(
            f"Money first: {period.label} brought {money(current.gross)} of revenue and {money(current.net)} net "
            f"({percent(current.net, current.gross)} margin).",
            findings,
            "Costs, margin and targets are where they should be.",
        ),
        sections=sections,
        csv_headers=headers,
        csv_rows=rows,
    )


class BreakEven:
    def __init__(self, text: str, charters: int | None = None, note: str = ""):
        self.text, self.charters, self.note = text, charters, note


def _break_even(fixed: Decimal | None, current: event_selectors.MoneyRow) -> BreakEven:
    """Fixed costs ÷ average net per charter sailed in the period, rounded up."""
    if fixed is None:
        return BreakEven(NOT_SET, note="needs the monthly fixed costs")
    if not current.charters:
        return BreakEven("—", note="no charter sailed in the period: no average net per charter")
    average = (current.net / current.charters).quantize(Decimal("0.01"))
    if average <= 0:
        return BreakEven("not reachable", note=f"average net per charter is {money(average)}")
    needed = math.ceil(fixed / average)
    return BreakEven(f"{needed} a month", needed, note=f"{money(fixed)} ÷ {money(average)} average net per charter")


def _months(span) -> list[date]:
    months, day = [], span.start
    while day < span.end:
        months.append(day)
        day = month_of(day).end
    return months


def _targets(ctx: Context, portfolio, booked_ahead, run_rate: Decimal, findings: list[Finding]) -> Table:
    targets = ctx.scope.targets
    booked = {row.month: row.gross for row in booked_ahead}
    rows = []
    period_month = ctx.period.start.replace(day=1)
    for target in targets:
        if target.month < ctx.period.start.replace(day=1) and target.month not in portfolio:
            continue
        if target.month <= period_month:
            actual = portfolio[target.month]["gross"] if target.month in portfolio else ZERO
            basis = "sailed"
        else:
            actual = booked.get(target.month, ZERO)
            basis = "booked so far"
        gap = actual - target.gross
        if target.month == period_month and gap < 0:
            findings.append(
                Finding(-gap, f"{target.month:%B} revenue {money(actual)} missed its target of {money(target.gross)}.")
            )
        rows.append(
            [
                f"{target.month:%b %Y}",
                money(target.gross),
                f"{money(actual)} ({basis})",
                money(run_rate),
                percent(run_rate, target.gross),
                money(gap),
            ]
        )
    if targets and run_rate < targets[-1].gross:
        findings.append(
            Finding(
                targets[-1].gross - run_rate,
                f"At the run rate of {money(run_rate)} a month the {targets[-1].month:%B %Y} target of "
                f"{money(targets[-1].gross)} is out of reach.",
            )
        )
    return Table(
        "Monthly revenue targets through the owner's horizon",
        ["Month", "Target", "Revenue", "Run rate", "Run rate vs target", "Gap"],
        rows,
        empty=f"{NOT_SET} — add monthly targets in the back office (Owner inputs).",
    )
