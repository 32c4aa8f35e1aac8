"""The crew pages' own time, in process: the event page, the crew home and a checklist tick.

A lighter companion to `make bench` (no gunicorn, no wrk, one process): it builds its own
PostgreSQL database (`charterops_bench_crewpages`, or BENCH_DB), loads a smaller bench data
set (seed_bench, 50 events a brand), then times each request through Django's test client
— the whole stack but the network — as the median of many runs after a warm-up, and counts
its queries. Run it from two trees to compare them:

    .venv/bin/python bench/crew_page_timing.py
    BENCH_DB=charterops_bench_crewpages_base .venv/bin/python bench/crew_page_timing.py  # in the other tree
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = os.environ.get("BENCH_DB", "charterops_bench_crewpages")
RUNS = int(os.environ.get("BENCH_RUNS", "300"))

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "charterops.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "DB_CONN_MAX_AGE": "600",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "JWT_SECRET": "bench-only-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "ERROR",
    }
)
os.environ.pop("REDIS_URL", None)  # local-memory cache: nothing shared with anyone's Redis


def fresh_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        connection.execute(f'CREATE DATABASE "{DB}"')


def median_ms(request, runs: int = RUNS) -> float:
    for _ in range(20):
        request()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        request()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    fresh_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from crew.auth import COOKIE_NAME, token_for
    from crew.models import ChecklistItem, RoleSlot
    from events.models import Event

    call_command("migrate", verbosity=0)
    call_command("seed_bench", "--events-per-org", "50", stdout=open(os.devnull, "w"))  # noqa: SIM115
    event = Event.objects.filter(organization__slug="queenofsandiego").order_by("departure_at").first()
    deckhand = RoleSlot.objects.select_related("holder").filter(event=event, role="deckhand").first().holder
    client = Client()
    client.cookies[COOKIE_NAME] = token_for(deckhand)
    page, home = f"/crew/events/{event.public_id}/", "/crew/"
    item = ChecklistItem.objects.filter(event=event).order_by("pk").first()
    tick_url = f"{page}checklist"
    ticks = iter(range(10**9))

    def tick(with_key: bool):
        def send():
            n = next(ticks)
            version = ChecklistItem.objects.filter(pk=item.pk).values_list("version", flat=True).get()
            headers = {"HTTP_IDEMPOTENCY_KEY": f"bench-key-{n:012d}"} if with_key else {}
            state = ("pending", "in_progress", "complete")[n % 3]
            response = client.post(
                tick_url, {"item": item.pk, "state": state, "version": version}, HTTP_HX_REQUEST="true", **headers
            )
            if response.status_code != 200:
                raise SystemExit(f"tick answered {response.status_code}")

        return send

    def queries(request) -> int:
        with CaptureQueriesContext(connection) as captured:
            request()
        return len(captured.captured_queries)

    rows = [
        ("event page (deckhand)", lambda: client.get(page)),
        ("crew home (deckhand)", lambda: client.get(home)),
        ("checklist tick, no key", tick(False)),
        ("checklist tick, Idempotency-Key", tick(True)),
    ]
    print(f"{'request':34} {'median ms':>9} {'queries':>8}   ({RUNS} runs, database {DB})")
    for name, request in rows:
        print(f"{name:34} {median_ms(request):9.2f} {queries(request):8d}")


if __name__ == "__main__":
    main()
