"""Celery tasks of the project package: thin, take ids, safe to run twice."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .mail import message_for
from .models import OutboundEmail

logger = logging.getLogger(__name__)


@shared_task
def heartbeat() -> str:
    """Record that beat and a worker are alive (read by operators and the CTO report)."""
    now = timezone.now().isoformat()
    cache.set("celery:last_heartbeat", now, timeout=None)
    return now


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def send_outbound_email(self, email_id: int) -> str:
    """Send a recorded email unless it was already sent.

    The row is locked while sending, so two workers given the same id (a redelivery, a
    retry) cannot both send it.
    """
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status == OutboundEmail.Status.SENT:
            return "skipped"
        email.attempts += 1
        message = message_for(email)
        try:
            message.send()
        except Exception as exc:
            email.status, email.error = OutboundEmail.Status.FAILED, f"{type(exc).__name__}: {exc}"
            email.save(update_fields=["status", "error", "attempts"])
            logger.warning("email %s failed (attempt %s): %s", email.key, email.attempts, exc)
            failed = exc
        else:
            email.status, email.sent_at, email.error = OutboundEmail.Status.SENT, timezone.now(), ""
            email.save(update_fields=["status", "sent_at", "error", "attempts"])
            return "sent"
    # Retry outside the transaction so the failure (and attempt count) stays recorded.
    raise self.retry(exc=failed)
