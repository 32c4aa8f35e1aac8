"""`make bench`: gunicorn (2 workers) on PostgreSQL with the scaled data set, load from wrk.

Prints p50, p95 and requests/s for each endpoint, its ratio to the trivial view (the
framework floor) measured in the same run, and the queries each request runs.

The endpoints are measured in rounds (floor, list, detail, page, exchange; again; …) and
each figure is the median over the rounds; a ratio is the median of each round's p50 over
that round's floor. A shared machine's slow seconds then move a figure less than when
each endpoint gets one window of its own.

    make bench                      # defaults: 3 rounds of 5 s per endpoint, 2 connections
    BENCH_ROUNDS=5 BENCH_SECONDS=10 make bench
"""

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "18900"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "2"))
DB_NAME = "charterops_bench"
BASE = f"http://127.0.0.1:{PORT}"
WRK = shutil.which("wrk") or "/usr/bin/wrk"

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "charterops.settings",
    "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"),
    "DB_CONN_MAX_AGE": "600",  # persistent connections, as in production
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "JWT_SECRET": "bench-only-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SITE_URL": BASE,
    # The benchmark measures serving, not the abuse limits: lift every throttle.
    "API_THROTTLE_USER": "100000000/min",
    "API_THROTTLE_ANON": "100000000/min",
    "API_THROTTLE_EXCHANGE": "100000000/min",
    "SIGN_IN_FAILURES_PER_IP": "100000000",
    "SIGN_IN_FAILURES_GLOBAL": "100000000",
    "LOG_LEVEL": "WARNING",
}


def manage(*args: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def fresh_database() -> None:
    import psycopg

    admin_url = ENV["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 — loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} did not answer within {timeout:.0f} s")


def wrk(path: str, seconds: int, extra_env: dict[str, str]) -> dict:
    result = subprocess.run(  # noqa: S603
        [WRK, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(ROOT / "bench" / "wrk.lua"), BASE + path],
        env={**os.environ, **extra_env},
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"^BENCH (\{.*\})$", result.stdout, re.MULTILINE)
    if not match:
        sys.exit(f"wrk printed no result for {path}:\n{result.stdout}\n{result.stderr}")
    stats = json.loads(match.group(1))
    stats["rps"] = stats["requests"] / (stats["duration_us"] / 1e6)
    return stats


def main() -> None:
    if not Path(WRK).exists():
        sys.exit("wrk is missing: make bench installs it with apt (Debian's wrk).")
    print(f"Preparing {DB_NAME} (migrate + seed_bench) …", flush=True)
    fresh_database()
    manage("migrate", "--noinput", "-v0")
    print(manage("seed_bench").strip(), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        codes_file = Path(tmp) / "codes.txt"
        plan = json.loads(manage("bench_prepare", "--codes-file", str(codes_file), "--codes", "40000"))
        split_codes(codes_file)
        server = subprocess.Popen(  # noqa: S603
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "charterops.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=ENV,
            start_new_session=True,
        )
        try:
            wait_for(BASE + "/ping")
            endpoints = plan["endpoints"]
            for endpoint in endpoints:
                if not endpoint.get("codes"):
                    wrk(endpoint["path"], 2, endpoint.get("env", {}))  # warm-up: caches, connections, imports
            rounds = [
                [wrk(endpoint["path"], SECONDS, env_for(endpoint, codes_file, round_no)) for endpoint in endpoints]
                for round_no in range(ROUNDS)
            ]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
    print("\nThe hand-written reads against the ORM doing the same work (charterops.sql):")
    print(manage("bench_reads").rstrip(), flush=True)
    print_table(endpoints, rounds, plan)


def split_codes(codes_file: Path) -> None:
    """One file of unused codes per round (each wrk run starts at its file's first line)."""
    codes = codes_file.read_text().split()
    share = len(codes) // ROUNDS
    for round_no in range(ROUNDS):
        Path(f"{codes_file}.{round_no}").write_text("\n".join(codes[round_no * share : (round_no + 1) * share]) + "\n")


def env_for(endpoint: dict, codes_file: Path, round_no: int) -> dict[str, str]:
    extra = dict(endpoint.get("env", {}))
    if endpoint.get("codes"):
        extra["BENCH_CODES"] = f"{codes_file}.{round_no}"
    return extra


def print_table(endpoints: list[dict], rounds: list[list[dict]], plan: dict) -> None:
    floors = [results[0]["p50_us"] for results in rounds]
    print()
    print(
        f"gunicorn 2 workers · PostgreSQL · wrk -t1 -c{CONNECTIONS} · median of {ROUNDS} rounds of {SECONDS} s "
        f"per endpoint · event with {plan['event_size']}"
    )
    header = (
        f"{'endpoint':<44} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'p50 ÷ floor':>11} {'target':>7} {'queries':>7}"
    )
    print(header)
    print("-" * len(header))
    failures = []
    for i, endpoint in enumerate(endpoints):
        runs = [results[i] for results in rounds]
        ratio = statistics.median(run["p50_us"] / floor for run, floor in zip(runs, floors, strict=True))
        p50 = statistics.median(run["p50_us"] for run in runs)
        p95 = statistics.median(run["p95_us"] for run in runs)
        rps = statistics.median(run["rps"] for run in runs)
        target = endpoint.get("target")
        print(
            f"{endpoint['name']:<44} {p50 / 1000:>8.2f} {p95 / 1000:>8.2f} "
            f"{rps:>8.0f} {ratio:>10.1f}× {('≤' + str(target) + '×') if target else '':>7} "
            f"{endpoint['queries']:>7}"
        )
        non_2xx, socket_errors = sum(run["non_2xx"] for run in runs), sum(run["socket_errors"] for run in runs)
        if non_2xx or socket_errors:
            failures.append(f"{endpoint['name']}: {non_2xx} non-2xx, {socket_errors} socket errors")
        if target and ratio > target:
            failures.append(f"{endpoint['name']}: {ratio:.1f}× the floor, over the {target}× target")
    if failures:
        print("\n" + "\n".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
