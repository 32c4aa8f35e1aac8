"""Celery tasks of events: webhook deliveries and the nudge sweep. Thin, safe to run twice."""

from celery import shared_task

from . import webhooks
from .nudges import nudges_sweep


@shared_task
def webhook_deliver(delivery_id: int) -> str:
    """Make the next attempt of a webhook delivery, if it is due (a retry schedules itself)."""
    return webhooks.webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task
def webhook_deliveries_sweep() -> str:
    """Every minute: hand workers the deliveries whose nudge was lost (a killed worker, a broker restart)."""
    due = webhooks.webhook_deliveries_due()
    for delivery_id in due:
        webhook_deliver.delay(delivery_id)
    return f"queued {len(due)} webhook deliveries"


@shared_task
def nudges_sweep_task() -> str:
    """Find what is due, record it once, email it once (safe to run twice, or in parallel)."""
    return nudges_sweep(keep_outcomes=False).summary()
