"""The suite itself is strict: these probes must fail when run under our conftest."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBES = """
import logging
from datetime import datetime

import pytest
from django.template import Context, Template

from events.tests.factories import make_event


def test_unexpected_error_log_fails():
    logging.getLogger("charterops.probe").error("something broke")


def test_missing_template_variable_fails():
    Template("Hello {{ no_such_variable }}").render(Context({}))


@pytest.mark.django_db
def test_naive_datetime_fails(org):
    from events.models import Event

    event = make_event(org)
    Event.objects.filter(pk=event.pk).update(departure_at=datetime(2024, 5, 30, 10))


@pytest.mark.allow_error_logs
def test_expected_error_log_is_allowed():
    logging.getLogger("charterops.probe").error("expected")
"""


def test_error_logs_missing_template_variables_and_naive_datetimes_fail_a_test():
    probe_dir = ROOT / "var" / "strict-suite-probe"
    probe_dir.mkdir(parents=True, exist_ok=True)
    (probe_dir / "test_probes.py").write_text(PROBES)
    result = subprocess.run(  # noqa: S603 — fixed arguments
        [sys.executable, "-m", "pytest", str(probe_dir), "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=ROOT,
        # On SQLite: the outer run (PostgreSQL under CI) holds its own test database.
        env={k: v for k, v in os.environ.items() if k not in {"CI", "DATABASE_URL", "REDIS_URL"}},
        capture_output=True,
        text=True,
        check=False,
    )
    out = result.stdout
    # The error-log check runs at teardown, so pytest reports that probe as an ERROR.
    assert "ERROR var/strict-suite-probe/test_probes.py::test_unexpected_error_log_fails" in out, out
    assert "FAILED var/strict-suite-probe/test_probes.py::test_missing_template_variable_fails" in out
    assert "FAILED var/strict-suite-probe/test_probes.py::test_naive_datetime_fails" in out
    assert "test_expected_error_log_is_allowed PASSED" in out or "2 failed, 2 passed, 1 error" in out
    assert "unexpected ERROR log: charterops.probe: something broke" in out
    assert "no_such_variable" in out
    assert "received a naive datetime" in out
