"""The nudge sweep under load: the guests' on-hold reminders and the crew's daily digest.

    .venv/bin/python bench/nudges.py                 # 1,000 and 10,000 events, both rules
    BENCH_NUDGE_SIZES=500,2000 .venv/bin/python bench/nudges.py
    BENCH_NUDGE_RULES=crew .venv/bin/python bench/nudges.py   # only the crew digest

Guests: 3 guests on hold per event. Crew: 5 people on each event's roster (captain,
first mate, 3 deckhands, from a pool of 1,000 crew), 4 checklist items and 2 guests on
hold per event; the sweep at the digest moment emails each of them the digest (with a
sign-in link each).

Its own PostgreSQL database (charterops_bench_nudges, dropped and made again), the local
mail backend and Celery's in-memory broker: what is measured is the sweep — find what is
due, record each occurrence, decide, render and record each email, queue its task — not
SES. For each size it prints:

- first sweep: every guest's 24 h reminder is due (emailed) and the 48 h one was missed
  (recorded skipped): wall time (not capturing queries), then its queries and queries per
  500 events counted on a second run (CaptureQueriesContext);
- steady sweep: the same sweep a minute later, when everything is recorded (what beat
  pays every minute), after the planner's statistics are refreshed as autovacuum would:
  wall time and queries;
- peak memory of the first sweep (tracemalloc, on a second run after the records are
  deleted), to compare 1,000 with 10,000 events.

It exits non-zero when the crew digest misses a target at 10,000 events: 30 s, 5 queries
per 500 events, peak memory within 20 % of 1,000 events'.
"""

import os
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "charterops_bench_nudges"
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "charterops.settings",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # A real broker, so that queued tasks leave the process as they do in production.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        "LOG_LEVEL": "WARNING",
        # As in production: DEBUG keeps every query's SQL in memory.
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "JWT_SECRET": "bench-only-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://ops.example.com",
        "VAR_DIR": os.environ.get("BENCH_VAR_DIR", str(ROOT / "var" / "bench-nudges")),
    }
)
SIZES = [int(n) for n in os.environ.get("BENCH_NUDGE_SIZES", "1000,10000").split(",")]
GUESTS_PER_EVENT = int(os.environ.get("BENCH_GUESTS_PER_EVENT", "3"))
RULES = os.environ.get("BENCH_NUDGE_RULES", "guests,crew").split(",")
CREW_POOL, CAPTAINS = 1000, 200
# The crew digest's targets at 10,000 events (docs/benchmarks.md).
TARGET_SECONDS, TARGET_QUERIES_PER_500, TARGET_MEMORY_RATIO = 30, 5, 1.2


def recreate_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def seed(events: int, now) -> None:
    """`events` events departing 3 to 23 hours from now, each with guests on hold."""
    from charterops.models import Organization
    from events.models import Event, Nudge
    from guests.models import Guest, WaiverTemplate

    Nudge.objects.all().delete()
    Guest.objects.all().delete()
    Event.objects.all().delete()
    org, _ = Organization.objects.get_or_create(
        slug="bench",
        defaults={
            "name": "Bench Brand",
            "latitude": 32.7157,
            "longitude": -117.1611,
            "sender_email": "crew@bench.example.com",
        },
    )
    # Quiet hours off: the figures should not depend on the hour the bench is run.
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    if not WaiverTemplate.objects.filter(organization=org).exists():
        WaiverTemplate.objects.create(organization=org, title="Waiver", body="I accept the risks.")
    window = timedelta(hours=20).total_seconds()
    rows = [
        Event(
            organization=org,
            name=f"Charter {i}",
            slug=f"charter-{i}",
            departure_at=now + timedelta(hours=3, seconds=window * i / events),
            return_at=now + timedelta(hours=6, seconds=window * i / events),
        )
        for i in range(events)
    ]
    Event.objects.bulk_create(rows, batch_size=2000)
    guests = [
        Guest(organization=org, event=event, name=f"Guest {event.pk}-{n}", email=f"g{event.pk}-{n}@bench.example.com")
        for event in Event.objects.filter(organization=org).only("pk")
        for n in range(GUESTS_PER_EVENT)
    ]
    Guest.objects.bulk_create(guests, batch_size=2000)
    # Added a week ago: their reminders are theirs to get.
    Guest.objects.update(created_at=now - timedelta(days=7))


def seed_crew(events: int, now) -> None:
    """`events` events departing in the digest's window, each with 5 crew, 4 items, 2 on hold."""
    from charterops.models import Organization
    from crew.models import ChecklistItem, ChecklistPhase, CrewMember, CrewRole, MagicLink, RoleSlot
    from events.models import Event, Nudge
    from guests.models import Guest, WaiverTemplate
    from reports.management.commands.seed_bench import bulk_crew

    Nudge.objects.all().delete()
    MagicLink.objects.all().delete()
    Guest.objects.all().delete()
    Event.objects.all().delete()
    org = Organization.objects.get(slug="bench")
    if not WaiverTemplate.objects.filter(organization=org).exists():
        WaiverTemplate.objects.create(organization=org, title="Waiver", body="I accept the risks.")
    members = list(CrewMember.objects.filter(organization=org).order_by("pk"))
    if not members:
        members = bulk_crew(org, CREW_POOL, captains=CAPTAINS)
    window = timedelta(hours=20).total_seconds()
    made = Event.objects.bulk_create(
        [
            Event(
                organization=org,
                name=f"Charter {i}",
                slug=f"charter-{i}",
                departure_at=now + timedelta(hours=2, seconds=window * i / events),
                return_at=now + timedelta(hours=5, seconds=window * i / events),
                location="Shelter Island guest dock",
            )
            for i in range(events)
        ],
        batch_size=2000,
    )
    slots, items, guests = [], [], []
    for i, event in enumerate(made):
        crew = [
            (CrewRole.CAPTAIN, 1, members[i % CAPTAINS]),
            (CrewRole.FIRST_MATE, 1, members[CAPTAINS + i % CAPTAINS]),
            *((CrewRole.DECKHAND, k + 1, members[2 * CAPTAINS + (3 * i + k) % 600]) for k in range(3)),
        ]
        slots += [RoleSlot(event=event, role=r, position=p, holder=m, acknowledged_at=now) for r, p, m in crew]
        items += [
            ChecklistItem(
                event=event,
                phase=ChecklistPhase.PRE_DEPARTURE,
                text=f"{role} check",
                responsible_role=role,
                due_at=event.departure_at - timedelta(minutes=30),
                position=n,
            )
            for n, role in enumerate(CrewRole.values)
        ]
        items.append(
            ChecklistItem(
                event=event,
                phase=ChecklistPhase.POST_RETURN,
                text="Deck washed down",
                responsible_role=CrewRole.DECKHAND,
                due_at=event.return_at + timedelta(minutes=30),
                position=9,
            )
        )
        guests += [Guest(organization=org, event=event, name=f"Guest {event.pk}-{n}") for n in range(2)]
    RoleSlot.objects.bulk_create(slots, batch_size=5000)
    ChecklistItem.objects.bulk_create(items, batch_size=5000)
    Guest.objects.bulk_create(guests, batch_size=5000)


def analyze() -> None:
    """Refresh the planner's statistics, as autovacuum does after this many inserts.

    Measured right after the first sweep wrote 60,000 rows, the steady sweep otherwise
    runs on plans made for empty tables (3 to 8 times slower here), which production,
    where nudges accumulate over days, never sees.
    """
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}", autocommit=True) as conn:
        conn.execute("ANALYZE")


def forget_sweep() -> None:
    from charterops.celery import app
    from charterops.models import OutboundEmail
    from crew.models import MagicLink
    from events.models import Nudge

    Nudge.objects.all().delete()
    MagicLink.objects.all().delete()
    OutboundEmail.objects.all().delete()
    # The send tasks the sweep queued (no worker runs here).
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


def measure(events: int, rule: str) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from crew.nudges import digest_moment
    from events.nudges import nudges_sweep

    if rule == "crew":
        # A minute after the digest moment: every event of the window is due.
        now = digest_moment(timezone.now()) + timedelta(minutes=1)
        seed(0, now)  # the brand, quiet hours off
        seed_crew(events, now)
        kind = "crew_digest"
    else:
        now = timezone.now()
        seed(events, now)
        kind = "guest_on_hold"
    forget_sweep()
    # Timed as beat runs it: capturing queries makes the backend format each statement with
    # its values (tens of MB for a chunk's emails), which is not the sweep's cost.
    started = time.perf_counter()
    first = nudges_sweep(now=now, kinds=[kind], keep_outcomes=False)
    first_seconds = time.perf_counter() - started
    analyze()
    # Counted from an empty log: a full one (9,000 entries) would hide every new query.
    reset_queries()
    with CaptureQueriesContext(connection) as steady_queries:
        started = time.perf_counter()
        steady = nudges_sweep(now=now + timedelta(minutes=1), kinds=[kind], keep_outcomes=False)
        steady_seconds = time.perf_counter() - started
    forget_sweep()
    # The same first sweep again, its queries counted.
    reset_queries()
    with CaptureQueriesContext(connection) as first_queries:
        nudges_sweep(now=now, kinds=[kind], keep_outcomes=False)
    forget_sweep()
    tracemalloc.start()
    nudges_sweep(now=now, kinds=[kind], keep_outcomes=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    forget_sweep()
    return {
        "events": events,
        "first_seconds": first_seconds,
        "first_queries": len(first_queries.captured_queries),
        "first_summary": first.summary(),
        "steady_seconds": steady_seconds,
        "steady_queries": len(steady_queries.captured_queries),
        "steady_outcomes": sum(steady.counts.values()),
        "peak_mib": peak / 2**20,
    }


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    missed = []
    for rule in RULES:
        results = [measure(n, rule) for n in SIZES]
        report(rule, results)
        if rule == "crew":
            missed = missed_targets(results)
            print("crew digest targets: " + ("; ".join(missed) if missed else "met") + "\n")
    if missed:
        sys.exit(1)


def report(rule: str, results: list[dict]) -> None:
    if rule == "crew":
        print("Nudge sweep, the crew's daily digest, 5 crew per event (PostgreSQL)")
    else:
        print(f"Nudge sweep, guests' on-hold reminders, {GUESTS_PER_EVENT} guests on hold per event (PostgreSQL)")
    header = (
        f"{'events':>7} {'first sweep':>12} {'queries':>8} {'per 500 ev':>10} "
        f"{'steady sweep':>13} {'queries':>8} {'peak MiB':>9}"
    )
    print(header)
    for r in results:
        per_500 = queries_per_500(r)
        print(
            f"{r['events']:>7} {r['first_seconds']:>11.2f}s {r['first_queries']:>8} {per_500:>10.1f} "
            f"{r['steady_seconds']:>12.2f}s {r['steady_queries']:>8} {r['peak_mib']:>9.1f}"
        )
    for r in results:
        print(f"{r['events']:>7} events, first sweep: {r['first_summary']}; steady sweep: {r['steady_outcomes']} new")
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = large["peak_mib"] / small["peak_mib"]
        print(f"peak memory {large['events']:,} vs {small['events']:,} events: {ratio:.2f}×")


def queries_per_500(result: dict) -> float:
    """The first sweep's queries per 500 events."""
    return result["first_queries"] / (result["events"] / 500)


def missed_targets(results: list[dict]) -> list[str]:
    """The crew digest's targets at 10,000 events: ≤ 30 s, ≤ 5 queries per 500 events, and
    peak memory within 20 % of 1,000 events'."""
    by_size = {r["events"]: r for r in results}
    if 10_000 not in by_size:
        return []
    large, missed = by_size[10_000], []
    if large["first_seconds"] > TARGET_SECONDS:
        missed.append(f"first sweep {large['first_seconds']:.2f} s, over {TARGET_SECONDS} s")
    per_500 = queries_per_500(large)
    if per_500 > TARGET_QUERIES_PER_500:
        missed.append(f"{per_500:.1f} queries per 500 events, over {TARGET_QUERIES_PER_500}")
    if 1_000 in by_size:
        ratio = large["peak_mib"] / by_size[1_000]["peak_mib"]
        if ratio > TARGET_MEMORY_RATIO:
            missed.append(f"peak memory {ratio:.2f}× that of 1,000 events, over {TARGET_MEMORY_RATIO}×")
    return missed


if __name__ == "__main__":
    main()
