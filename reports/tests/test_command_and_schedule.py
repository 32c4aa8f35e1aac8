"""send_exec_reports, the beat entries, the scheduled task, and the task failures it records."""

from datetime import date
from io import StringIO

import pytest
from celery import shared_task
from celery.schedules import crontab
from django.core.management import CommandError, call_command

from charterops.celery import app
from reports.models import RecipientList, ReportRun, TaskEvent
from reports.periods import default_period, parse_period, week_of
from reports.tasks import exec_report_send


def run_command(*args: str) -> str:
    out = StringIO()
    call_command("send_exec_reports", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_summary_and_records_nothing(book):
    out = run_command("--report", "cfo", "--period", "2026-11", "--dry-run")
    assert "Money first: November 2026 brought $9,618.80 of revenue" in out
    assert "Dry run: nothing recorded, nothing sent." in out
    assert not ReportRun.objects.exists()


def test_out_writes_html_charts_text_and_csv_for_a_look(book, tmp_path):
    out = run_command("--report", "ceo", "--report", "accounting", "--period", "2026-11", "--out", str(tmp_path))
    assert "2 report(s) run, 0 already run" in out
    folder = tmp_path / "accounting-2026-11-portfolio"
    html = (folder / "report.html").read_text()
    assert 'src="recognised-deferred.png"' in html
    assert (folder / "recognised-deferred.png").read_bytes().startswith(b"\x89PNG")
    assert (folder / "report.csv").read_text().startswith("date,entry,brand,charter,account")
    assert "Accounting report" in (folder / "report.txt").read_text()
    assert (tmp_path / "ceo-2026-11-portfolio" / "pipeline.png").exists()


def test_a_second_run_says_it_already_ran_and_still_writes_the_archived_copy(book, tmp_path):
    run_command("--report", "cmo", "--period", "2026-W48")
    out = run_command("--report", "cmo", "--period", "2026-W48", "--out", str(tmp_path))
    assert "already run" in out
    assert ReportRun.objects.count() == 1
    assert (tmp_path / "cmo-2026-W48-portfolio" / "report.html").exists()


def test_brand_option_runs_that_brands_own_report(book, org):
    out = run_command("--report", "cfo", "--period", "2026-11", "--brand", org.slug)
    assert "cfo 2026-11 queenofsandiego" in out
    assert ReportRun.objects.get().organization == org


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2026-13"), "a month is 01 to 12"),
        (("--period", "last week"), "is not a period"),
        (("--brand", "nope"), "No brand with the slug nope"),
    ],
)
def test_bad_options_are_refused_with_a_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        run_command(*args)


def test_beat_sends_weekly_and_monthly_reports_at_13_utc():
    schedule = app.conf.beat_schedule
    for report in ("ceo", "cto", "cmo"):
        entry = schedule[f"exec-report-{report}"]
        assert entry["task"] == "reports.tasks.exec_report_send"
        assert entry["kwargs"] == {"report": report}
        assert entry["schedule"] == crontab(minute=0, hour=13, day_of_week="mon")
    for report in ("cfo", "accounting"):
        assert schedule[f"exec-report-{report}"]["schedule"] == crontab(minute=0, hour=13, day_of_month=1)


def test_the_scheduled_task_runs_the_portfolio_and_brands_with_recipients(book, org):
    RecipientList.objects.create(report="cfo", organization=org, from_email="admin@x.com", to="cfo@x.com")
    result = exec_report_send("cfo")
    assert result == "portfolio: ran; queenofsandiego: ran"
    assert exec_report_send("cfo") == "portfolio: already run; queenofsandiego: already run"
    assert ReportRun.objects.count() == 2


def test_default_periods_are_the_last_full_week_or_month():
    monday = date(2026, 11, 30)
    assert default_period("ceo", monday) == week_of(date(2026, 11, 23))
    assert default_period("cfo", date(2026, 12, 1)) == parse_period("2026-11")
    assert default_period("accounting", date(2026, 1, 1)) == parse_period("2025-12")
    assert parse_period("2026-W48").previous() == week_of(date(2026, 11, 16))
    assert parse_period("2026-03").previous() == parse_period("2026-02")
    assert parse_period("2026-W48").label == "the week of 23 Nov 2026"


@shared_task(name="reports.tests.always_fails")
def always_fails() -> None:
    raise RuntimeError("the harbor is closed")


@pytest.mark.allow_error_logs  # Celery logs the failure it reports
def test_a_failed_task_is_recorded_for_the_cto_report(db):
    # As a worker runs it: Celery's tracer, the error not propagated to the caller.
    result = always_fails.apply(throw=False)
    assert result.failed()
    event = TaskEvent.objects.get()
    assert (event.task, event.kind) == ("reports.tests.always_fails", TaskEvent.Kind.FAILURE)
    assert event.error == "RuntimeError: the harbor is closed"


def test_a_retried_task_is_recorded(db):
    from celery import signals

    from charterops.tasks import send_outbound_email

    signals.task_retry.send(
        sender=send_outbound_email, request=send_outbound_email.request, reason=ConnectionError("SES is unreachable")
    )
    event = TaskEvent.objects.get()
    assert (event.task, event.kind) == ("charterops.tasks.send_outbound_email", TaskEvent.Kind.RETRY)
    assert event.error == "ConnectionError: SES is unreachable"


def test_recording_never_breaks_the_task(monkeypatch, caplog):
    from reports import receivers

    def no_database(**fields):
        raise RuntimeError("Database access not allowed")

    monkeypatch.setattr("reports.models.TaskEvent.objects.create", no_database)
    receivers.task_failed(sender=always_fails, task_id="t1", exception=ValueError("x"))
    assert "could not record task failure" in caplog.text
