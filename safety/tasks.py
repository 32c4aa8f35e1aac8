"""Safety's periodic job: each overdue step told to webhook endpoints once (the emails are
the nudge sweep's: safety.nudges)."""

from celery import shared_task

from . import services


@shared_task
def float_plans_overdue_task() -> str:
    return f"{services.float_plans_overdue_emit()} overdue step(s) sent to webhook endpoints"
