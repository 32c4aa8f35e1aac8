from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task
def heartbeat() -> str:
    """Record that beat and a worker are alive (read by operators and the CTO report)."""
    now = timezone.now().isoformat()
    cache.set("celery:last_heartbeat", now, timeout=None)
    return now
