"""The Celery app and its beat schedule: every periodic job is declared here, once."""

import os
from datetime import timedelta
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "charterops.settings")

app = Celery("charterops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The file-system broker (local default) needs its folders before the first message.
for option in ("data_folder_in", "data_folder_out", "control_folder"):
    folder = (app.conf.broker_transport_options or {}).get(option)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)


def _cron(expression: str) -> crontab:
    """A crontab from five fields: minute hour day-of-month month day-of-week."""
    minute, hour, day_of_month, month_of_year, day_of_week = expression.split()
    return crontab(
        minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week
    )


# When the executive reports go out (UTC); override with five cron fields in the environment.
EXEC_REPORTS_WEEKLY = _cron(os.environ.get("EXEC_REPORTS_WEEKLY_CRON", "0 13 * * mon"))
EXEC_REPORTS_MONTHLY = _cron(os.environ.get("EXEC_REPORTS_MONTHLY_CRON", "0 13 1 * *"))


def _nudge_sweep_schedule():
    # Every minute: reminders due 48 h / 24 h before a departure go out within a minute of
    # their moment, and a run that beat missed is caught up by the next one. A test schedule
    # (NUDGE_SWEEP_EVERY_SECONDS) fires every few seconds.
    seconds = int(os.environ.get("NUDGE_SWEEP_EVERY_SECONDS") or 0)
    return timedelta(seconds=seconds) if seconds else crontab(minute="*")


app.conf.beat_schedule = {
    # Every 5 minutes: proves beat → broker → worker end to end; /healthz reads its time.
    "heartbeat": {
        "task": "charterops.tasks.heartbeat",
        "schedule": crontab(minute="*/5"),
    },
    # Every minute: nudges (waiver reminders, owner alerts, the crew's) that are due, or were
    # missed and are still useful, are recorded once and emailed once (events.nudges). Two
    # beats running at once send nothing twice: each occurrence has a unique key.
    # The crew's daily digest has no entry of its own: its moment (NUDGE_DIGEST_HOUR_UTC,
    # 12:00 UTC) is an occurrence this sweep finds within a minute, and a beat that was
    # down at noon catches it up while it is still useful (until each departure).
    "nudges-sweep": {
        "task": "events.tasks.nudges_sweep_task",
        "schedule": _nudge_sweep_schedule(),
    },
    # Every minute: a charter past its float plan's "no later than" is told to webhook
    # endpoints (float_plan.overdue) once per escalation step; its emails are a nudge above.
    "float-plans-overdue": {
        "task": "safety.tasks.float_plans_overdue_task",
        "schedule": _nudge_sweep_schedule(),
    },
    # Every 5 minutes: emails whose task was lost (broker down at commit) are enqueued
    # again; emails left in flight by a killed worker are reported, never resent.
    "outbox-sweep": {
        "task": "charterops.tasks.outbox_sweep",
        "schedule": crontab(minute="*/5"),
    },
    # Daily at 03:17 UTC (quiet hours in San Diego): sign-in rows past any use are deleted.
    "sign-in-rows-prune": {
        "task": "crew.tasks.sign_in_rows_prune",
        "schedule": crontab(hour=3, minute=17),
    },
    # Mondays 13:00 UTC (early morning in San Diego): last week's CEO, CTO and CMO reports,
    # for the portfolio and every brand with recipients of its own. Once per period.
    **{
        f"exec-report-{report}": {
            "task": "reports.tasks.exec_report_send",
            "schedule": EXEC_REPORTS_WEEKLY,
            "kwargs": {"report": report},
        }
        for report in ("ceo", "cto", "cmo")
    },
    # The 1st of the month, 13:00 UTC: last month's CFO and Accounting reports.
    **{
        f"exec-report-{report}": {
            "task": "reports.tasks.exec_report_send",
            "schedule": EXEC_REPORTS_MONTHLY,
            "kwargs": {"report": report},
        }
        for report in ("cfo", "accounting")
    },
    # Every minute: webhook deliveries whose worker died or whose retry nudge was lost go out again.
    "webhook-deliveries-sweep": {
        "task": "events.tasks.webhook_deliveries_sweep",
        "schedule": crontab(minute="*"),
    },
    # Daily at 03:23 UTC: keys of taps replayed from phones, kept 30 days, are forgotten.
    "idempotency-keys-prune": {
        "task": "crew.tasks.idempotency_keys_prune",
        "schedule": crontab(hour=3, minute=23),
    },
}
