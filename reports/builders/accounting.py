"""Accounting: chart of accounts, journal lines per charter, recognised vs deferred revenue,
an audit of costs that cannot be booked, and the CSV an accountant loads."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from events import selectors as event_selectors
from events.models import EventStatus, Source

from ..charts import bar_chart
from ..document import Figure, Finding, Report, Section, Table, change, money, plural, summarise
from ..models import Milestone
from .base import Context, source_label
from .milestones import milestone_table

POLICY = (
    "Revenue is recognised when a charter has sailed (status completed), in the month of its departure in local "
    "time. Confirmed charters departing after the period are deferred: booked, not yet earned; they are listed "
    "as a schedule and journaled when they sail. Pending confirmations and cancelled charters carry no revenue. "
    "Each charter's costs (captain fees, crew wages, port and dock fees) are booked with its revenue."
)
RECEIVABLE = ("1100", "Accounts receivable", "asset")
PAYROLL = ("2100", "Crew payroll payable", "liability")
PAYABLE = ("2000", "Accounts payable", "liability")
CAPTAIN = ("5100", "Captain fees", "expense")
CREW = ("5200", "Crew wages", "expense")
PORT = ("5300", "Port and dock fees", "expense")
INCOME_CODES = {
    Source.DIRECT: "4010",
    Source.BOATSETTER: "4020",
    Source.SAILO: "4030",
    Source.GETMYBOAT: "4040",
    Source.VIATOR: "4050",
    Source.GETYOURGUIDE: "4060",
    Source.OTHER: "4090",
}
SHOWN_IN_MAIL = 40
CSV_HEADERS = ["date", "entry", "brand", "charter", "account", "account_name", "debit", "credit", "memo"]


def income_account(source: str) -> tuple[str, str, str]:
    return INCOME_CODES.get(source, "4090"), f"Charter income — {source_label(source)}", "income"


def chart_of_accounts() -> list[tuple[str, str, str]]:
    income = [income_account(source) for source in INCOME_CODES]
    return sorted([RECEIVABLE, PAYABLE, PAYROLL, *income, CAPTAIN, CREW, PORT])


@dataclass
class JournalLine:
    date: str
    entry: str
    brand: str
    charter: str
    account: tuple[str, str, str]
    debit: Decimal
    credit: Decimal
    memo: str


def journal(ctx: Context, line: event_selectors.ChargeLine) -> list[JournalLine]:
    """A sailed charter's entry: revenue against receivable, each cost against what is owed.
    A zero amount makes no line; every entry balances."""
    day = f"{ctx.local(line.departure_at):%Y-%m-%d}"
    entry = f"CH-{line.event_id}"
    brand = ctx.scope.name_of(line.organization_id)
    charter = line.slug or line.name
    pairs = [
        (RECEIVABLE, income_account(line.source), line.gross, "charter revenue"),
        (CAPTAIN, PAYROLL, line.captain_fee, "captain fee"),
        (CREW, PAYROLL, line.crew_wages, "crew wages"),
        (PORT, PAYABLE, line.port_fees, "port and dock fees"),
    ]
    lines = []
    for debit, credit, amount, memo in pairs:
        if amount:
            lines.append(JournalLine(day, entry, brand, charter, debit, amount, Decimal("0.00"), memo))
            lines.append(JournalLine(day, entry, brand, charter, credit, Decimal("0.00"), amount, memo))
    return lines


def build(ctx: Context) -> Report:
    ids, scope = ctx.ids, ctx.scope
    findings: list[Finding] = []
    recognised = event_selectors.charge_lines(
        organizations=ids, statuses=(EventStatus.COMPLETED,), start=ctx.start, end=ctx.end
    )
    deferred = event_selectors.charter_money(
        organizations=ids, statuses=(EventStatus.CONFIRMED,), start=ctx.end, by=("organization",)
    )
    compared = event_selectors.charter_money_windows(
        organizations=ids, statuses=(EventStatus.COMPLETED,), windows=ctx.windows
    )
    audit = event_selectors.cost_audit(
        organizations=ids, statuses=(EventStatus.COMPLETED,), start=ctx.start, end=ctx.end
    )

    lines = [journal_line for charge in recognised for journal_line in journal(ctx, charge)]
    debits, credits = defaultdict(lambda: Decimal("0.00")), defaultdict(lambda: Decimal("0.00"))
    for journal_line in lines:
        debits[journal_line.account] += journal_line.debit
        credits[journal_line.account] += journal_line.credit
    accounts = Table(
        "Chart of accounts, with the period's totals",
        ["Account", "Name", "Type", "Debits", "Credits"],
        [
            [code, name, kind, money(debits[(code, name, kind)]), money(credits[(code, name, kind)])]
            for code, name, kind in chart_of_accounts()
        ],
    )
    total_debits = sum(debits.values(), Decimal("0.00"))
    total_credits = sum(credits.values(), Decimal("0.00"))

    recognised_by_brand = defaultdict(lambda: [0, Decimal("0.00")])
    for charge in recognised:
        recognised_by_brand[charge.organization_id][0] += 1
        recognised_by_brand[charge.organization_id][1] += charge.gross
    deferred_by_brand = {row.organization_id: row for row in deferred}
    recognised_total = sum((v[1] for v in recognised_by_brand.values()), Decimal("0.00"))
    deferred_total = sum((row.gross for row in deferred), Decimal("0.00"))
    recognition = Table(
        "Recognised and deferred revenue per brand",
        ["Brand", "Charters sailed", "Recognised", "Confirmed ahead", "Deferred"],
        [
            [
                org.name,
                str(recognised_by_brand[org.pk][0]),
                money(recognised_by_brand[org.pk][1]),
                str(deferred_by_brand[org.pk].charters if org.pk in deferred_by_brand else 0),
                money(deferred_by_brand[org.pk].gross if org.pk in deferred_by_brand else Decimal("0.00")),
            ]
            for org in scope.organizations
        ],
    )
    chart = bar_chart(
        name="recognised-deferred.png",
        title="Recognised this period and deferred at its end",
        categories=[org.name for org in scope.organizations],
        series={
            "Recognised": [float(recognised_by_brand[org.pk][1]) for org in scope.organizations],
            "Deferred": [
                float(deferred_by_brand[org.pk].gross) if org.pk in deferred_by_brand else 0.0
                for org in scope.organizations
            ],
        },
    )

    shown = lines[: SHOWN_IN_MAIL * 8]
    shown_charters = len({line.entry for line in shown})
    journal_table = Table(
        "Journal lines per charter",
        ["Date", "Entry", "Brand", "Charter", "Account", "Debit", "Credit"],
        [
            [
                line.date,
                line.entry,
                line.brand,
                line.charter,
                f"{line.account[0]} {line.account[1]}",
                money(line.debit) if line.debit else "",
                money(line.credit) if line.credit else "",
            ]
            for line in shown
        ],
        note=(
            f"The first {shown_charters} of {len(recognised)} charters; the CSV holds every line."
            if shown_charters < len(recognised)
            else ""
        ),
        empty="No charter sailed in the period.",
    )

    unbilled = [charge for charge in recognised if not charge.gross]
    audit_table = Table(
        "Charters whose books are incomplete",
        ["Charter", "Brand", "Sailed", "Missing"],
        [
            [
                charge.slug or charge.name,
                scope.name_of(charge.organization_id),
                ctx.when(charge.departure_at),
                "revenue",
            ]
            for charge in unbilled[:SHOWN_IN_MAIL]
        ],
        empty="Every charter sailed has its revenue recorded.",
    )
    audit_figures = [
        Figure("Charters sailed", f"{audit.charters:,}"),
        Figure("No revenue recorded", f"{audit.without_revenue:,}"),
        Figure(
            "Captain fee not mapped", f"{audit.captain_fee_missing:,}", note="earning, but no captain rate or hours"
        ),
        Figure("Crew wages not mapped", f"{audit.crew_wages_missing:,}", note="crew counted, but no rate or hours"),
        Figure("Port fee not mapped", f"{audit.port_fee_missing:,}", note="earning, but no port fee percentage"),
    ]
    if audit.without_revenue:
        findings.append(
            Finding(Decimal(80), f"{plural(audit.without_revenue, 'charter')} sailed with no revenue recorded.")
        )
    unmapped = audit.captain_fee_missing + audit.crew_wages_missing + audit.port_fee_missing
    if unmapped:
        findings.append(Finding(Decimal(40), f"{plural(unmapped, 'cost')} on sailed charters cannot be mapped."))
    if total_debits != total_credits:  # cannot happen: every entry balances; said loudly if it ever does
        findings.append(
            Finding(Decimal(1000), f"The journal does not balance: {money(total_debits)} vs {money(total_credits)}.")
        )
    if deferred_total:
        findings.append(
            Finding(Decimal(1), f"{money(deferred_total)} of confirmed charters is deferred to later periods.")
        )

    profitability = milestone_table(ctx, Milestone.Kind.PROFITABILITY, "Profitability milestones", None, findings)

    sections = [
        Section(
            "Revenue recognition",
            paragraphs=[POLICY],
            figures=[
                Figure(
                    "Recognised",
                    money(recognised_total),
                    money(compared["previous"].gross),
                    change(recognised_total, compared["previous"].gross),
                    note=plural(len(recognised), "charter"),
                ),
                Figure(
                    "Deferred at period end",
                    money(deferred_total),
                    note=plural(sum(r.charters for r in deferred), "charter"),
                ),
            ],
            tables=[recognition],
            charts=[chart],
        ),
        Section(
            "Chart of accounts",
            figures=[Figure("Debits", money(total_debits)), Figure("Credits", money(total_credits))],
            tables=[accounts],
        ),
        Section("Journal", tables=[journal_table]),
        Section("Expense categorisation audit", figures=audit_figures, tables=[audit_table]),
        Section("Profitability", tables=[profitability]),
    ]
    return Report(
        kind="accounting",
        title=f"Accounting report — {scope.label} — {ctx.period.label}",
        reader="Accounting",
        scope=scope.label,
        period=ctx.period.label,
        previous_period=ctx.previous.label,
        summary=summarise(
            f"For the books, {ctx.period.label}: {money(recognised_total)} recognised from "
            f"{plural(len(recognised), 'charter')}, {money(deferred_total)} deferred; the journal balances at "
            f"{money(total_debits)}.",
            findings,
            "Nothing is missing from the books.",
        ),
        sections=sections,
        csv_headers=CSV_HEADERS,
        csv_rows=[
            [
                line.date,
                line.entry,
                line.brand,
                line.charter,
                line.account[0],
                line.account[1],
                f"{line.debit:.2f}",
                f"{line.credit:.2f}",
                line.memo,
            ]
            for line in lines
        ],
    )
