"""CMO: where bookings come from, how far ahead guests book, who comes back, who we can reach."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from events import selectors as event_selectors
from guests import selectors as guest_selectors

from ..charts import bar_chart
from ..document import Figure, Finding, Report, Section, Table, change, money, plural, summarise, tables_as_csv
from ..models import Milestone
from .base import Context, percent, source_label
from .milestones import milestone_table
from .platforms import key_platform

LIVE_WITHIN = timedelta(days=30)


def build(ctx: Context) -> Report:
    ids, scope = ctx.ids, ctx.scope
    findings: list[Finding] = []
    channels = event_selectors.charter_money(
        organizations=ids,
        statuses=event_selectors.BOOKED_STATUSES,
        start=ctx.start,
        end=ctx.end,
        by=("organization", "source"),
        date_field="created_at",
    )
    before = {
        row.source: row
        for row in event_selectors.charter_money(
            organizations=ids,
            statuses=event_selectors.BOOKED_STATUSES,
            start=ctx.previous_bounds[0],
            end=ctx.previous_bounds[1],
            by=("source",),
            date_field="created_at",
        )
    }
    leads = event_selectors.lead_times(organizations=ids, start=ctx.start, end=ctx.end)
    repeat = guest_selectors.repeat_guests(organizations=ids, start=ctx.start, end=ctx.end)
    repeat_before = guest_selectors.repeat_guests(
        organizations=ids, start=ctx.previous_bounds[0], end=ctx.previous_bounds[1]
    )
    contacts = guest_selectors.reachable_contacts(organizations=ids)
    keys = [key for key in event_selectors.service_key_rows(organizations=ids) if key.active]

    per_source: dict[str, list] = defaultdict(list)
    for row in channels:
        per_source[row.source].append(row)
    sources = sorted(set(per_source) | set(before), key=lambda s: -sum(r.gross for r in per_source.get(s, [])))
    bookings = sum(row.charters for row in channels)
    bookings_before = sum(row.charters for row in before.values())
    gross = sum((row.gross for row in channels), Decimal("0.00"))
    gross_before = sum((row.gross for row in before.values()), Decimal("0.00"))
    guests = sum(row.guests for row in channels)

    attribution = Table(
        "Bookings by brand and channel (booked in the period, cancelled left out)",
        ["Brand", "Channel", "Bookings", "Guests", "Gross"],
        [
            [
                scope.name_of(row.organization_id),
                source_label(row.source),
                str(row.charters),
                str(row.guests),
                money(row.gross),
            ]
            for row in sorted(channels, key=lambda r: (scope.name_of(r.organization_id), -r.gross))
        ],
        empty="No booking in the period.",
    )
    totals = Table(
        "Channels against the previous period",
        ["Channel", "Bookings", "Before", "Gross", "Before", "Change", "Share of gross"],
        [
            [
                source_label(source),
                str(sum(r.charters for r in per_source.get(source, []))),
                str(before[source].charters if source in before else 0),
                money(sum((r.gross for r in per_source.get(source, [])), Decimal("0.00"))),
                money(before[source].gross if source in before else Decimal("0.00")),
                change(
                    sum((r.gross for r in per_source.get(source, [])), Decimal("0.00")),
                    before[source].gross if source in before else Decimal("0.00"),
                ),
                percent(sum((r.gross for r in per_source.get(source, [])), Decimal("0.00")), gross),
            ]
            for source in sources
        ],
        empty="No booking in either period.",
    )
    channel_chart = bar_chart(
        name="channels.png",
        title="Gross booked per channel",
        categories=[source_label(s) for s in sources] or ["none"],
        series={
            ctx.previous.label: [float(before[s].gross) if s in before else 0.0 for s in sources] or [0.0],
            ctx.period.label: [float(sum(r.gross for r in per_source.get(s, []))) for s in sources] or [0.0],
        },
    )
    if sources and len(sources) == 1 and bookings:
        findings.append(Finding(Decimal(40), f"Every booking came through one channel ({source_label(sources[0])})."))
    if gross < gross_before:
        findings.append(
            Finding(gross_before - gross, f"Gross booked fell to {money(gross)} from {money(gross_before)}.")
        )
    for source in sources:
        now_gross = sum((r.gross for r in per_source.get(source, [])), Decimal("0.00"))
        if source in before and before[source].gross > 0 and now_gross == 0:
            findings.append(
                Finding(before[source].gross, f"{source_label(source)} went silent: no booking this period.")
            )

    lead_table = Table(
        "Lead time: booking to departure",
        ["Channel", "Bookings", "Average", "Under a week", "1–4 weeks", "1–3 months", "Over 3 months"],
        [
            [
                source_label(row.source),
                str(row.bookings),
                f"{row.average_days} days" if row.average_days is not None else "—",
                str(row.within_week),
                str(row.within_month),
                str(row.within_quarter),
                str(row.beyond_quarter),
            ]
            for row in leads
        ],
        empty="No booking with a lead time in the period.",
    )
    buckets = ["Under a week", "1–4 weeks", "1–3 months", "Over 3 months"]
    lead_chart = bar_chart(
        name="lead-time.png",
        title="How far ahead guests book",
        categories=buckets,
        series={
            "bookings": [
                sum(r.within_week for r in leads),
                sum(r.within_month for r in leads),
                sum(r.within_quarter for r in leads),
                sum(r.beyond_quarter for r in leads),
            ]
        },
        money=False,
    )
    short_notice = sum(r.within_week for r in leads)
    lead_total = sum(r.bookings for r in leads)
    if lead_total and short_notice * 2 > lead_total:
        findings.append(
            Finding(Decimal(20), f"{percent(short_notice, lead_total)} of bookings came less than a week ahead.")
        )

    loyalty = Section(
        "Guests",
        figures=[
            Figure(
                "Guests aboard (distinct emails)",
                f"{repeat.sailed:,}",
                f"{repeat_before.sailed:,}",
                change(repeat.sailed, repeat_before.sailed),
            ),
            Figure(
                "Repeat guests",
                f"{repeat.repeat:,} ({percent(repeat.repeat, repeat.sailed)})",
                f"{repeat_before.repeat:,}",
                change(repeat.repeat, repeat_before.repeat),
            ),
            Figure(
                "Reachable contacts",
                f"{contacts:,}",
                note="distinct guest emails, less those who asked for no offers or that SES reported bouncing",
            ),
        ],
    )
    if repeat.sailed and repeat.repeat == 0:
        findings.append(Finding(Decimal(15), f"None of the {repeat.sailed} guests aboard had sailed with us before."))

    platforms = _platforms(ctx, keys, findings)
    campaign = milestone_table(ctx, Milestone.Kind.CAMPAIGN, "Campaign milestones (30/60/90 days)", contacts, findings)

    sections = [
        Section(
            "Channel attribution",
            figures=[
                Figure("Bookings", f"{bookings:,}", f"{bookings_before:,}", change(bookings, bookings_before)),
                Figure("Guests booked", f"{guests:,}"),
                Figure("Gross booked", money(gross), money(gross_before), change(gross, gross_before)),
            ],
            tables=[totals, attribution],
            charts=[channel_chart],
        ),
        Section("Lead time", tables=[lead_table], charts=[lead_chart]),
        loyalty,
        Section("Platform integrations", tables=[platforms]),
        Section("Campaigns", tables=[campaign]),
    ]
    headers, rows = tables_as_csv(sections)
    return Report(
        kind="cmo",
        title=f"CMO report — {scope.label} — {ctx.period.label}",
        reader="the CMO",
        scope=scope.label,
        period=ctx.period.label,
        previous_period=ctx.previous.label,
        summary=summarise(
            f"Channel read for {ctx.period.label}: {plural(bookings, 'booking')} worth {money(gross)}.",
            findings,
            "Channels held steady; nothing to flag.",
        ),
        sections=sections,
        csv_headers=headers,
        csv_rows=rows,
    )


def _platforms(ctx: Context, keys, findings: list[Finding]) -> Table:
    """The owner's planned platforms in order: live (a key used in the last 30 days),
    connected but quiet (a key, unused lately), or not connected."""
    rows = []
    next_up = None
    for position, platform in enumerate(ctx.scope.platform_order, start=1):
        mine = [key for key in keys if key_platform(key.name) == platform]
        live = [k for k in mine if k.last_used_at and ctx.now - k.last_used_at <= LIVE_WITHIN]
        if live:
            state = f"live at {_brands(ctx, live)}"
        elif mine:
            state = f"connected, quiet at {_brands(ctx, mine)}"
        else:
            state = "not connected"
        if not live and next_up is None:
            next_up = platform
        rows.append([str(position), source_label(platform), state])
    if next_up is not None:
        findings.append(Finding(Decimal(30), f"Next platform in the plan: connect {source_label(next_up)}."))
    return Table(
        "In the order the owner plans them",
        ["#", "Platform", "State"],
        rows,
        empty="not set — give the platform order in the back office (Owner inputs).",
    )


def _brands(ctx: Context, keys) -> str:
    return ", ".join(sorted({ctx.scope.name_of(key.organization_id) for key in keys}))
