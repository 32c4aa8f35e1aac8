"""CEO: the portfolio at a glance — assets, charters, money, pipeline, and where money leaks."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from crew import selectors as crew_selectors
from events import selectors as event_selectors
from events.models import EventStatus
from guests import selectors as guest_selectors

from ..charts import bar_chart
from ..document import Figure, Finding, Report, Section, Table, change, money, plural, summarise, tables_as_csv
from .base import PLATFORMS, Context, source_label
from .platforms import key_platform

NEAR_DEPARTURE = timedelta(hours=72)
PENDING_TOO_LONG = timedelta(hours=72)
HORIZONS = (30, 60, 90)
TRAILING = timedelta(days=90)


@dataclass
class Leak:
    brand: str
    kind: str
    detail: str
    at_stake: Decimal | None  # None: the data cannot say
    action: str


def build(ctx: Context) -> Report:
    ids, scope = ctx.ids, ctx.scope
    run = event_selectors.charter_money(
        organizations=ids,
        statuses=(EventStatus.COMPLETED, EventStatus.CANCELLED),
        start=ctx.start,
        end=ctx.end,
        by=("organization", "status"),
    )
    run_before = event_selectors.charter_money(
        organizations=ids,
        statuses=(EventStatus.COMPLETED, EventStatus.CANCELLED),
        start=ctx.previous_bounds[0],
        end=ctx.previous_bounds[1],
        by=("status",),
    )
    pipeline = event_selectors.pipeline(organizations=ids, now=ctx.now, horizons=HORIZONS)
    trailing = {
        row.organization_id: row
        for row in event_selectors.charter_money(
            organizations=ids,
            statuses=(EventStatus.COMPLETED,),
            start=ctx.now - TRAILING,
            end=ctx.now,
            by=("organization",),
            sums=("gross",),
        )
    }
    bookings_by_source = event_selectors.charter_money(
        organizations=ids,
        statuses=event_selectors.BOOKED_STATUSES,
        start=ctx.now - TRAILING,
        end=ctx.now,
        by=("organization", "source"),
        date_field="created_at",
        sums=False,
    )
    unbilled = {
        row.organization_id: row
        for row in event_selectors.charter_money(
            organizations=ids,
            statuses=event_selectors.BOOKED_STATUSES,
            start=ctx.start,
            end=ctx.now + timedelta(days=HORIZONS[-1]),
            by=("organization",),
            sums=False,
        )
    }
    keys = event_selectors.service_key_rows(organizations=ids)
    vessels = event_selectors.vessel_counts(organizations=ids)
    crew = crew_selectors.active_crew_counts(organizations=ids)
    open_slots = crew_selectors.open_slots_departing(organizations=ids, start=ctx.now, within=NEAR_DEPARTURE)
    on_hold = guest_selectors.on_hold_departing(organizations=ids, start=ctx.now, within=NEAR_DEPARTURE)
    ageing = event_selectors.pending_ageing(organizations=ids, now=ctx.now, older_than=PENDING_TOO_LONG)
    events = event_selectors.event_money(
        organizations=ids, event_ids={row.event_id for row in open_slots} | {row.event_id for row in on_hold}
    )

    completed = [row for row in run if row.status == EventStatus.COMPLETED]
    cancelled = {row.organization_id: row.charters for row in run if row.status == EventStatus.CANCELLED}
    done = {row.organization_id: row for row in completed}
    before = {row.status: row for row in run_before}
    gross = sum((row.gross for row in completed), Decimal("0.00"))
    net = sum((row.net for row in completed), Decimal("0.00"))
    charters = sum(row.charters for row in completed)
    prev_done = before.get(EventStatus.COMPLETED)
    prev_gross = prev_done.gross if prev_done else Decimal("0.00")
    prev_net = prev_done.net if prev_done else Decimal("0.00")
    prev_charters = prev_done.charters if prev_done else 0
    prev_cancelled = before[EventStatus.CANCELLED].charters if EventStatus.CANCELLED in before else 0
    pipe = defaultdict(dict)
    for row in pipeline:
        pipe[row.organization_id][row.days] = row
    upcoming = sum(pipe[org][HORIZONS[-1]].charters for org in pipe)
    upcoming_gross = sum((pipe[org][HORIZONS[-1]].gross for org in pipe), Decimal("0.00"))
    active_keys = [key for key in keys if key.active]

    glance = Section(
        "At a glance",
        figures=[
            Figure("Charters run", f"{charters:,}", f"{prev_charters:,}", change(charters, prev_charters)),
            Figure("Gross", money(gross), money(prev_gross), change(gross, prev_gross)),
            Figure("Net (after captain, crew, port fees)", money(net), money(prev_net), change(net, prev_net)),
            Figure(
                "Cancelled",
                f"{sum(cancelled.values()):,}",
                f"{prev_cancelled:,}",
                change(sum(cancelled.values()), prev_cancelled),
            ),
            Figure(f"Upcoming (next {HORIZONS[-1]} days)", f"{upcoming:,}", note=money(upcoming_gross) + " booked"),
        ],
    )

    inventory = Table(
        "Assets per brand",
        ["Brand", "Vessels", "Active crew", "Guest-page domain", "Service keys in use"],
        [
            [
                org.name,
                str(vessels.get(org.pk, 0)),
                str(crew.get(org.pk, 0)),
                org.guest_page_domain or "none",
                f"{sum(1 for k in active_keys if k.organization_id == org.pk and k.last_used_at)} of "
                f"{sum(1 for k in active_keys if k.organization_id == org.pk)} active",
            ]
            for org in scope.organizations
        ],
    )
    by_brand = Table(
        "Charters and money per brand",
        ["Brand", "Run", "Cancelled", "Gross", "Net", *[f"Next {d} days" for d in HORIZONS]],
        [
            [
                org.name,
                str(done[org.pk].charters if org.pk in done else 0),
                str(cancelled.get(org.pk, 0)),
                money(done[org.pk].gross if org.pk in done else Decimal("0.00")),
                money(done[org.pk].net if org.pk in done else Decimal("0.00")),
                *[
                    f"{pipe[org.pk][d].charters} · {money(pipe[org.pk][d].gross)}" if d in pipe[org.pk] else "0"
                    for d in HORIZONS
                ],
            ]
            for org in scope.organizations
        ],
    )
    pipeline_chart = bar_chart(
        name="pipeline.png",
        title=f"Booked gross departing in the next {HORIZONS[0]}/{HORIZONS[1]}/{HORIZONS[2]} days",
        categories=[org.name for org in scope.organizations],
        series={
            f"{d} days": [float(pipe[org.pk][d].gross) if d in pipe[org.pk] else 0.0 for org in scope.organizations]
            for d in HORIZONS
        },
    )
    gross_chart = bar_chart(
        name="gross-by-brand.png",
        title="Gross of charters run, per brand",
        categories=[org.name for org in scope.organizations],
        series={
            ctx.period.label: [float(done[org.pk].gross) if org.pk in done else 0.0 for org in scope.organizations]
        },
    )

    leaks = _leaks(ctx, pipe, trailing, bookings_by_source, unbilled, active_keys, open_slots, on_hold, ageing, events)
    platforms = _platform_table(ctx, bookings_by_source, active_keys)
    ranked = sorted(leaks, key=lambda leak: leak.at_stake if leak.at_stake is not None else Decimal(-1), reverse=True)
    leak_table = Table(
        "Revenue leaks found in the data",
        ["Brand", "Leak", "Detail", "Money at stake"],
        [
            [leak.brand, leak.kind, leak.detail, money(leak.at_stake) if leak.at_stake is not None else "unknown"]
            for leak in ranked
        ],
        empty="No leak found.",
    )
    actions = Table(
        "Next 30 days: actions ranked by money at stake",
        ["#", "Action", "Money at stake"],
        [
            [str(n), leak.action, money(leak.at_stake) if leak.at_stake is not None else "unknown"]
            for n, leak in enumerate(ranked[:10], start=1)
        ],
        empty="Nothing pressing.",
    )

    findings = [
        Finding(leak.at_stake or Decimal(0), f"{leak.brand}: {leak.kind.lower()} — {leak.detail}.") for leak in leaks
    ]
    if gross < prev_gross:
        findings.append(
            Finding(prev_gross - gross, f"Gross fell to {money(gross)} from {money(prev_gross)} the period before.")
        )
    elif gross > prev_gross:
        findings.append(Finding(Decimal(0), f"Gross rose to {money(gross)} from {money(prev_gross)}."))
    sections = [
        glance,
        Section("Brands", tables=[inventory, by_brand], charts=[gross_chart]),
        Section("Pipeline", charts=[pipeline_chart]),
        Section("Revenue leaks", tables=[leak_table, platforms]),
        Section("Action list", tables=[actions]),
    ]
    headers, rows = tables_as_csv(sections)
    return Report(
        kind="ceo",
        title=f"CEO report — {scope.label} — {ctx.period.label}",
        reader="the CEO",
        scope=scope.label,
        period=ctx.period.label,
        previous_period=ctx.previous.label,
        summary=summarise(
            f"Bottom line for {ctx.period.label}: {plural(charters, 'charter')} run for {money(gross)} gross "
            f"and {money(net)} net.",
            findings,
            "No leak and nothing slipping: keep the pipeline full.",
        ),
        sections=sections,
        csv_headers=headers,
        csv_rows=rows,
    )


def _leaks(ctx, pipe, trailing, bookings_by_source, unbilled, active_keys, open_slots, on_hold, ageing, events):
    scope = ctx.scope
    leaks: list[Leak] = []
    months = Decimal(TRAILING.days) / 30
    for org in scope.organizations:
        next30 = pipe[org.pk].get(HORIZONS[0])
        if next30 is None or next30.charters == 0:
            history = trailing.get(org.pk)
            monthly = (history.gross / months).quantize(Decimal("0.01")) if history and history.gross else None
            leaks.append(
                Leak(
                    org.name,
                    "Empty pipeline",
                    f"nothing booked in the next {HORIZONS[0]} days",
                    monthly,
                    f"Fill {org.name}'s calendar for the next {HORIZONS[0]} days",
                )
            )
        missing = unbilled.get(org.pk)
        if missing and missing.without_revenue:
            history = trailing.get(org.pk)
            average = (
                (history.gross / history.charters).quantize(Decimal("0.01")) if history and history.charters else None
            )
            leaks.append(
                Leak(
                    org.name,
                    "No structured billing",
                    f"{plural(missing.without_revenue, 'charter')} without revenue recorded"
                    + (f" (est. at the brand's average gross of {money(average)})" if average else ""),
                    average * missing.without_revenue if average else None,
                    f"Record the revenue of {plural(missing.without_revenue, 'charter')} at {org.name}",
                )
            )
    # Events about to sail short-handed or with guests on hold: the money at stake is theirs.
    near_departure = [
        (open_slots, "Unfilled roles near departure", lambda row: plural(row.open_slots, "open slot"), "Staff {}"),
        (
            on_hold,
            "Guests on hold near departure",
            lambda row: f"{plural(row.on_hold, 'guest')} without a signed waiver",
            "Get the waivers of {} signed",
        ),
    ]
    for rows, kind, what, action in near_departure:
        for row in rows:
            event = events.get(row.event_id)
            if event is None:
                continue
            when = f"{event.name} ({ctx.when(event.departure_at)})"
            leaks.append(
                Leak(scope.name_of(row.organization_id), kind, f"{when}: {what(row)}", event.gross, action.format(when))
            )
    for row in ageing:
        leaks.append(
            Leak(
                scope.name_of(row.organization_id),
                "Pending confirmations ageing",
                f"{plural(row.charters, 'charter')} pending since {ctx.local(row.oldest_booked_at):%-d %b} or longer",
                row.gross,
                f"Confirm or release {plural(row.charters, 'pending charter')} at {scope.name_of(row.organization_id)}",
            )
        )
    bookings = {(row.organization_id, row.source): row.charters for row in bookings_by_source}
    for platform in PLATFORMS:
        keyless = [org.name for org in scope.organizations if not _has_key(active_keys, org.pk, platform)]
        quiet = [org.name for org in scope.organizations if not bookings.get((org.pk, platform))]
        if len(quiet) == len(scope.organizations):
            leaks.append(
                Leak(
                    "all" if len(scope.organizations) > 1 else scope.organizations[0].name,
                    "Booking platform idle",
                    f"{source_label(platform)}: no booking in {TRAILING.days} days"
                    + (f", no service key at {', '.join(keyless)}" if keyless else ""),
                    None,
                    f"Connect {source_label(platform)}"
                    if keyless
                    else f"Find out why {source_label(platform)} is quiet",
                )
            )
    return leaks


def _has_key(keys, organization_id: int, platform: str) -> bool:
    return any(key.organization_id == organization_id and key_platform(key.name) == platform for key in keys)


def _platform_table(ctx, bookings_by_source, active_keys) -> Table:
    scope = ctx.scope
    bookings = {(row.organization_id, row.source): row.charters for row in bookings_by_source}
    rows = []
    for platform in PLATFORMS:
        rows.append(
            [
                source_label(platform),
                ", ".join(org.name for org in scope.organizations if _has_key(active_keys, org.pk, platform)) or "none",
                str(sum(bookings.get((org.pk, platform), 0) for org in scope.organizations)),
            ]
        )
    return Table(
        f"Booking platforms (bookings in the last {TRAILING.days} days)",
        ["Platform", "Service key at", "Bookings"],
        rows,
    )
