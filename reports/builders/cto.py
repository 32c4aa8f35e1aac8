"""CTO: a security and operations audit from what the system records about itself."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.utils.dateparse import parse_datetime

from crew import selectors as crew_selectors
from events import selectors as event_selectors
from events.models import EventStatus

from .. import selectors
from ..charts import bar_chart
from ..document import NOT_SET, Figure, Finding, Report, Section, Table, change, money, plural, summarise, tables_as_csv
from ..public_urls import public_routes, stale_reasons, walk
from .base import Context

HEARTBEAT_KEY = "celery:last_heartbeat"
HEARTBEAT_STALE = timedelta(minutes=15)
KEY_UNUSED = timedelta(days=90)
ROTATION = timedelta(days=90)  # RS256 keys and service keys: quarterly
EMAIL_STATUSES = ("sent", "failed", "bounced", "complained", "queued")


def _value(weight: Decimal) -> str:
    return "high" if weight >= 60 else "medium" if weight >= 20 else "low"


def build(ctx: Context) -> Report:
    scope, now = ctx.scope, ctx.now
    actions: list[Finding] = []
    sections = [
        _deploy_section(actions),
        _tokens_section(ctx, actions),
        _keys_section(ctx, actions),
        _urls_section(actions),
        _mail_section(ctx, actions),
        _tasks_section(ctx, actions),
        _sign_in_section(ctx, actions),
        _infrastructure_section(ctx, actions),
    ]
    ranked = sorted(actions, reverse=True)[:10]
    sections.append(
        Section(
            "Engineering actions, ranked by value",
            tables=[
                Table(
                    "The ten most valuable",
                    ["#", "Action", "Value"],
                    [[str(n), a.text, _value(a.weight)] for n, a in enumerate(ranked, start=1)],
                    empty="Nothing to do: every signal is clean.",
                )
            ],
        )
    )
    headers, rows = tables_as_csv(sections)
    return Report(
        kind="cto",
        title=f"CTO report — {scope.label} — {ctx.period.label}",
        reader="the CTO",
        scope=scope.label,
        period=ctx.period.label,
        previous_period=ctx.previous.label,
        summary=summarise(
            f"Systems check for {ctx.period.label}, as of {ctx.when(now)}:",
            actions,
            "Every signal is clean; nothing needs an engineer this week.",
        ),
        sections=sections,
        csv_headers=headers,
        csv_rows=rows,
    )


def _deploy_section(actions: list[Finding]) -> Section:
    # What `manage.py check --deploy` prints, through the same check framework.
    found = [m for m in checks.run_checks(include_deployment_checks=True) if m.level >= checks.WARNING]
    for message in found:
        weight = Decimal(100 if message.level >= checks.ERROR else 40)
        actions.append(Finding(weight, f"Fix {message.id}: {message.msg.splitlines()[0]}"))
    return Section(
        "Deployment checks (check --deploy)",
        tables=[
            Table(
                "Findings",
                ["Check", "Level", "Finding"],
                [[m.id or "—", _level(m), m.msg] for m in found],
                empty="check --deploy finds nothing.",
            )
        ],
    )


def _level(message: checks.CheckMessage) -> str:
    if message.level >= checks.CRITICAL:
        return "critical"
    if message.level >= checks.ERROR:
        return "error"
    return "warning"


def _tokens_section(ctx: Context, actions: list[Finding]) -> Section:
    algorithm = settings.JWT_ALGORITHM
    rotated = ctx.scope.jwt_key_rotated_on
    today = ctx.local(ctx.now).date()
    figures = [Figure("Crew token algorithm", algorithm)]
    if algorithm == "RS256":
        figures.append(Figure("Signing key", settings.JWT_SIGNING_KID or NOT_SET))
    if rotated is None:
        figures.append(Figure("Key last rotated", NOT_SET))
        actions.append(Finding(Decimal(30), "Record when the crew token signing key was last rotated (owner inputs)"))
    else:
        age = (today - rotated).days
        due = rotated + ROTATION
        figures += [Figure("Key age", plural(age, "day")), Figure("Next rotation due", f"{due:%-d %b %Y}")]
        if due <= today:
            actions.append(Finding(Decimal(60), f"Rotate the crew token signing key: {age} days old (due quarterly)"))
    if algorithm == "HS256":
        actions.append(
            Finding(Decimal(35), "Move crew tokens to RS256 with a key id, so keys rotate without signing everyone out")
        )
    return Section("Crew sign-in tokens (JWT)", figures=figures)


def _keys_section(ctx: Context, actions: list[Finding]) -> Section:
    rows = []
    for key in event_selectors.service_key_rows(organizations=ctx.ids):
        brand = ctx.scope.name_of(key.organization_id)
        if not key.active:
            state = "revoked"
        elif key.last_used_at is None:
            state = "never used"
            actions.append(Finding(Decimal(20), f"Revoke or put to use {brand}'s unused service key “{key.name}”"))
        elif ctx.now - key.last_used_at > KEY_UNUSED:
            state = f"unused for {(ctx.now - key.last_used_at).days} days"
            actions.append(Finding(Decimal(30), f"Revoke {brand}'s service key “{key.name}”: {state}"))
        elif ctx.now - key.created_at > ROTATION:
            state = f"not rotated for {(ctx.now - key.created_at).days} days"
            actions.append(Finding(Decimal(25), f"Rotate {brand}'s service key “{key.name}”: {state}"))
        else:
            state = "in use"
        rows.append(
            [
                brand,
                key.name,
                f"{key.prefix}…",
                f"{ctx.local(key.created_at):%-d %b %Y}",
                f"{ctx.local(key.last_used_at):%-d %b %Y}" if key.last_used_at else "never",
                state,
            ]
        )
    return Section(
        "Service keys (booking platforms)",
        tables=[Table("Keys", ["Brand", "Name", "Key", "Made", "Last used", "State"], rows, empty="No service key.")],
    )


def _urls_section(actions: list[Finding]) -> Section:
    routes = list(walk())
    public = public_routes()
    stale = stale_reasons()
    for name in stale:
        actions.append(Finding(Decimal(5), f"Drop the public-URL reason for “{name}”: no URL has that name any more"))
    return Section(
        "Addresses that answer without signing in",
        paragraphs=[
            f"{plural(len(routes), 'URL pattern')} served; {len(public)} answer without a signed-in user, each for "
            "the reason below. A test asks every URL anonymously and fails on a public one with no reason here."
        ],
        tables=[
            Table(
                "Public URLs", ["URL", "Name", "Why it is public"], [[f"/{r.route}", r.name, r.reason] for r in public]
            )
        ],
    )


def _mail_section(ctx: Context, actions: list[Finding]) -> Section:
    organizations = ctx.ids if ctx.scope.brand else None
    counts = {row.key: row for row in selectors.emails_by_status(organizations=organizations, windows=ctx.windows)}
    statuses = [*EMAIL_STATUSES, *sorted(set(counts) - set(EMAIL_STATUSES))]
    figures = []
    for status in statuses:
        row = counts.get(status)
        current, previous = (row.current, row.previous) if row else (0, 0)
        figures.append(Figure(f"Emails {status}", f"{current:,}", f"{previous:,}", change(current, previous)))
    weights = {"failed": 10, "bounced": 8, "complained": 15}
    for status, weight in weights.items():
        row = counts.get(status)
        if row and row.current:
            actions.append(
                Finding(
                    Decimal(min(weight * row.current, 90)),
                    f"Look into {plural(row.current, 'email')} {status} in {ctx.period.label}",
                )
            )
    chart = bar_chart(
        name="emails.png",
        title="Emails by status",
        categories=statuses,
        series={
            ctx.previous.label: [counts[s].previous if s in counts else 0 for s in statuses],
            ctx.period.label: [counts[s].current if s in counts else 0 for s in statuses],
        },
        money=False,
    )
    return Section("Email", figures=figures, charts=[chart])


def _tasks_section(ctx: Context, actions: list[Finding]) -> Section:
    rows = selectors.task_events(windows=ctx.windows)
    failed = sum(current for _, kind, current, _ in rows if kind == "failure")
    retried = sum(current for _, kind, current, _ in rows if kind == "retry")
    if failed:
        actions.append(Finding(Decimal(min(10 * failed, 90)), f"Find why {plural(failed, 'task')} failed"))
    if retried:
        actions.append(Finding(Decimal(min(2 * retried, 40)), f"Reduce task retries ({retried} this period)"))
    beat = _heartbeat(ctx.now)
    if beat is None:
        actions.append(Finding(Decimal(120), "Start Celery beat: no heartbeat has ever been recorded"))
        beat_text = "never recorded"
    else:
        age = ctx.now - beat
        beat_text = f"{int(age.total_seconds() // 60)} minutes ago"
        if age > HEARTBEAT_STALE:
            actions.append(Finding(Decimal(150), f"Celery beat is silent: last heartbeat {beat_text}"))
    return Section(
        "Background tasks",
        paragraphs=["Tasks are counted across the whole system (they belong to no brand)."],
        figures=[
            Figure("Tasks failed", f"{failed:,}"),
            Figure("Tasks retried", f"{retried:,}"),
            Figure("Beat heartbeat", beat_text),
        ],
        tables=[
            Table(
                "By task",
                ["Task", "Event", "This period", "Previous period"],
                [[task, kind, str(current), str(previous)] for task, kind, current, previous in rows],
                empty="No task failed or was retried.",
            )
        ],
    )


def _heartbeat(now: datetime) -> datetime | None:
    value = cache.get(HEARTBEAT_KEY)
    return parse_datetime(value) if isinstance(value, str) else None


def _sign_in_section(ctx: Context, actions: list[Finding]) -> Section:
    links = crew_selectors.magic_link_counts(organizations=ctx.ids, start=ctx.start, end=ctx.end)
    throttled = crew_selectors.sign_in_throttle_counts(start=ctx.start, end=ctx.end)
    if throttled.windows:
        actions.append(
            Finding(
                Decimal(min(5 * throttled.windows, 50)),
                f"Review sign-in throttling: {plural(throttled.addresses, 'address', 'addresses')} refused",
            )
        )
    if links.expired_unused > links.used and links.expired_unused >= 5:
        actions.append(
            Finding(Decimal(15), f"{links.expired_unused} sign-in links expired unused: check that crew mail arrives")
        )
    return Section(
        "Crew sign-in",
        figures=[
            Figure("Sign-in links issued", f"{links.issued:,}"),
            Figure("Used", f"{links.used:,}"),
            Figure("Expired unused", f"{links.expired_unused:,}"),
            Figure(
                "Throttling events",
                f"{throttled.windows:,}",
                note=f"{plural(throttled.addresses, 'address', 'addresses')}, system-wide",
            ),
        ],
    )


def _infrastructure_section(ctx: Context, actions: list[Finding]) -> Section:
    cost = ctx.scope.infrastructure_cost
    month = event_selectors.charter_money(
        organizations=ctx.ids, statuses=(EventStatus.COMPLETED,), start=ctx.now - timedelta(days=30), end=ctx.now
    )[0]
    figures = [Figure("Infrastructure a month (owner's figure)", money(cost))]
    if cost is None:
        actions.append(Finding(Decimal(10), "Enter the monthly infrastructure cost in the owner inputs"))
    else:
        per_charter = (cost / month.charters).quantize(Decimal("0.01")) if month.charters else None
        share = f"{(cost / month.gross * 100).quantize(Decimal('0.1'))} %" if month.gross else "—"
        figures += [
            Figure("Per charter (last 30 days)", money(per_charter) if per_charter is not None else "no charter"),
            Figure("Share of gross (last 30 days)", share),
        ]
    return Section("Infrastructure cost", figures=figures)
