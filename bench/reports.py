"""The executive reports over 100,000 events on PostgreSQL: seconds and queries per report.

Loads its own database (charterops_bench_reports, dropped and made afresh): 4 brands ×
25,000 charters from two years back to three months ahead, with revenue, guests, role
slots near departure, service keys, sign-in links and an outbox. Then builds each of the
five portfolio reports (the figures, the charts and the inlined HTML, as a run does),
three times, and prints the median and the queries each ran. Target: ≤ 2 s per report.

    .venv/bin/python bench/reports.py            # 100,000 events
    BENCH_EVENTS=20000 .venv/bin/python bench/reports.py
    BENCH_REUSE=1 .venv/bin/python bench/reports.py   # measure again on the data already loaded
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "charterops_bench_reports"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
EVENTS = int(os.environ.get("BENCH_EVENTS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
REUSE = os.environ.get("BENCH_REUSE") == "1"
TARGET_SECONDS = 2.0

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "charterops.settings",
        "DATABASE_URL": f"{SERVER}/{DB_NAME}",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "JWT_SECRET": "bench-only-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": os.environ.get("BENCH_VAR_DIR", str(ROOT / "var" / "bench-reports")),
    }
)
os.environ.pop("REDIS_URL", None)  # the local-memory cache: the reports read no broker


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def seed(events_wanted: int) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from charterops.models import Organization, OutboundEmail
    from crew.models import CrewRole, MagicLink, RoleSlot
    from events.models import Event, EventStatus, Revenue, ServiceKey, Source, Vessel
    from guests.models import Guest, WaiverTemplate
    from reports.management.commands.seed_bench import bulk_crew

    brands = ("jada", "queenofsandiego", "quickdumpnow", "dangerouscentaur")
    per_brand = events_wanted // len(brands)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    first = now - timedelta(days=730)
    span_hours = (730 + 90) * 24
    statuses = [EventStatus.COMPLETED] * 8 + [EventStatus.CANCELLED, EventStatus.CONFIRMED]
    sources = list(Source.values)
    with transaction.atomic():
        for b, slug in enumerate(brands):
            org = Organization.objects.create(
                slug=slug,
                name=slug.title(),
                sender_email=f"crew@{slug}.example.com",
                guest_page_domain=f"{slug}.example.com",
                latitude=Decimal("32.7157"),
                longitude=Decimal("-117.1611"),
            )
            Vessel.objects.create(organization=org, name=f"{org.name} One")
            WaiverTemplate.objects.create(organization=org, title="Waiver", body="I accept the risks.")
            members = bulk_crew(org, 10)
            events = Event.objects.bulk_create(
                [
                    Event(
                        organization=org,
                        slug=f"charter-{n}",
                        name=f"Charter {n}",
                        departure_at=first + timedelta(hours=(n * 7 + b * 3) % span_hours),
                        return_at=first + timedelta(hours=(n * 7 + b * 3) % span_hours + 3),
                        status=statuses[n % len(statuses)]
                        if first + timedelta(hours=(n * 7 + b * 3) % span_hours) < now
                        else (EventStatus.CONFIRMED if n % 3 else EventStatus.PENDING_CONFIRMATION),
                        source=sources[(n + b) % len(sources)],
                        guest_count=2 + n % 9,
                    )
                    for n in range(per_brand)
                ],
                batch_size=5000,
            )
            Event.objects.filter(organization=org).update(created_at=first - timedelta(days=30))
            Revenue.objects.bulk_create(
                [
                    Revenue(
                        event=e,
                        gross=Decimal("600.00") + (n % 900),
                        captain_rate=Decimal("50"),
                        captain_hours=Decimal("3"),
                        crew_rate=Decimal("25"),
                        crew_count=1 + n % 3,
                        crew_hours=Decimal("3"),
                        port_fee_pct=Decimal("18"),
                    )
                    for n, e in enumerate(events)
                    if n % 17
                ],
                batch_size=5000,
            )
            Guest.objects.bulk_create(
                [
                    Guest(organization=org, event=e, name=f"Guest {n}", email=f"guest{(n * 31) % 40000}@example.com")
                    for n, e in enumerate(events)
                ],
                batch_size=5000,
            )
            soon = [e for e in events if now <= e.departure_at < now + timedelta(days=3)]
            RoleSlot.objects.bulk_create(
                [
                    RoleSlot(event=e, role=role, position=1, holder=members[0] if role == CrewRole.CAPTAIN else None)
                    for e in soon
                    for role in (CrewRole.CAPTAIN, CrewRole.FIRST_MATE)
                ]
            )
            ServiceKey.objects.create(organization=org, name="Boatsetter", prefix=f"bench{b}", key_hash="0" * 64)
            MagicLink.objects.bulk_create(
                [
                    MagicLink(
                        code_hash=f"{b}-{n}",
                        crew_member=members[n % len(members)],
                        organization=org,
                        deep_link="/crew/",
                        purpose=MagicLink.Purpose.SIGN_IN,
                        expires_at=now - timedelta(hours=n),
                    )
                    for n in range(2000)
                ]
            )
            OutboundEmail.objects.bulk_create(
                [
                    OutboundEmail(
                        organization=org,
                        key=f"bench:{b}:{n}",
                        kind="crew_invite",
                        from_email="crew@example.com",
                        to=["x@example.com"],
                        subject="Invite",
                        body_text="…",
                        status=("sent", "sent", "sent", "failed", "bounced")[n % 5],
                    )
                    for n in range(5000)
                ]
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure() -> list[tuple[str, float, float, int]]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from reports.builders import build_report
    from reports.models import ReportKind
    from reports.periods import default_period
    from reports.render import assign_content_ids, render
    from reports.scope import scope_for

    results = []
    today = timezone.localdate()
    for kind in ReportKind.values:
        period = default_period(kind, today)
        timings, queries = [], 0
        for _ in range(ROUNDS + 1):  # the first round warms imports, fonts and plans; not counted
            reset_queries()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                report = build_report(kind, scope=scope_for(), period=period)
                figures_done = time.perf_counter()
                assign_content_ids(report, period_slug=period.slug, scope_slug="portfolio")
                render(report)
            timings.append((figures_done - started, time.perf_counter() - started))
            queries = len(captured)
        counted = timings[1:]
        results.append(
            (
                kind,
                statistics.median(t[0] for t in counted),
                statistics.median(t[1] for t in counted),
                queries,
            )
        )
    return results


def main() -> None:
    import django

    if not REUSE:
        print(f"Fresh database {DB_NAME}; loading {EVENTS:,} events …", flush=True)
        fresh_database()
    django.setup()
    from django.core.management import call_command

    from events.models import Event

    if not REUSE:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        seed(EVENTS)
        print(f"Loaded {Event.objects.count():,} events in {time.perf_counter() - started:.0f} s.", flush=True)
    rows = measure()
    print(f"\nPortfolio reports over {Event.objects.count():,} events, median of {ROUNDS} rounds:")
    print(f"{'report':<12}{'figures s':>11}{'total s':>10}{'queries':>9}  target ≤ {TARGET_SECONDS:.0f} s")
    for kind, figures, total, queries in rows:
        verdict = "ok" if total <= TARGET_SECONDS else "OVER"
        print(f"{kind:<12}{figures:>11.3f}{total:>10.3f}{queries:>9}  {verdict}")
    if any(total > TARGET_SECONDS for *_, total, _ in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
