"""Celery tasks of events: the nudge sweep (beat runs it every minute)."""

from celery import shared_task

from .nudges import nudges_sweep


@shared_task
def nudges_sweep_task() -> str:
    """Find what is due, record it once, email it once (safe to run twice, or in parallel)."""
    return nudges_sweep(keep_outcomes=False).summary()
