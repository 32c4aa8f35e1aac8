"""Celery tasks of the project package: thin, take ids, safe to run twice.

Every email leaves through `send_outbound_email`, exactly once:

1. claim: lock the row, mark it SENDING, commit — before anything reaches the backend;
2. send: hand the message to the backend (SES in production);
3. mark: SENT with the backend's message id (or FAILED, and retry).

A second task for the same row (a redelivery, a retry, the sweeper's re-enqueue) finds
it SENDING or SENT and sends nothing. A worker killed between 1 and 3 leaves the row
SENDING: the message may have left, so `outbox_sweep` reports it instead of sending it
again. Rows still QUEUED long after they were recorded (the broker was down when the
transaction committed, so the task never existed) are enqueued again by `outbox_sweep`.
"""

import logging
from datetime import datetime, timedelta

from botocore.exceptions import ReadTimeoutError
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .mail import message_for
from .models import OutboundEmail

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "celery:last_heartbeat"
# Attempts at sending one email, the first included.
EMAIL_MAX_ATTEMPTS = 6
# A timeout while waiting for the backend's answer: the message may have left.
AMBIGUOUS_ERRORS = (ReadTimeoutError, TimeoutError)


@shared_task
def heartbeat() -> str:
    """Record that beat and a worker are alive (/healthz reads its age; so does the CTO report)."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now


def retry_countdown(attempt: int) -> int:
    """Seconds before retry number `attempt` (1, 2, …): doubling, capped by settings.

    The cap stays below the broker's visibility timeout (a test checks it): a task waiting
    longer than that would be handed to a second worker while the first still holds it.
    """
    return min(settings.EMAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1), settings.EMAIL_RETRY_MAX_SECONDS)


def outbound_email_claim(email_id: int) -> OutboundEmail | str:
    """Mark the email SENDING and commit, or say why it is not ours to send."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None:
            return "gone"
        if email.status == OutboundEmail.Status.SENDING:
            return "in flight"
        if email.status not in (OutboundEmail.Status.QUEUED, OutboundEmail.Status.FAILED):
            return "skipped"
        email.status = OutboundEmail.Status.SENDING
        email.attempts += 1
        email.sending_at = timezone.now()
        email.save(update_fields=["status", "attempts", "sending_at"])
    return email


def _finish(email: OutboundEmail, **fields) -> None:
    # Only the claim we hold is finished: a row someone else moved on is left alone.
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(**fields)


class SendFailed(Exception):
    def __init__(self, email: OutboundEmail, cause: Exception):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.email, self.cause = email, cause


def outbound_email_send(email_id: int) -> str:
    """Claim, send and mark one email; raises SendFailed when the backend refused it."""
    claimed = outbound_email_claim(email_id)
    if isinstance(claimed, str):
        return claimed
    email = claimed
    try:
        message = message_for(email)
        message.send()
    except AMBIGUOUS_ERRORS as exc:
        # The request went out and no answer came back: sending again could send twice.
        _finish(email, error=f"No answer from the mail backend ({type(exc).__name__}); it may have been sent.")
        logger.warning("email %s: no answer from the backend, left in flight: %s", email.key, exc)
        return "in flight"
    except Exception as exc:
        _finish(email, status=OutboundEmail.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        logger.warning("email %s failed (attempt %s): %s", email.key, email.attempts, exc)
        raise SendFailed(email, exc) from exc
    # django-ses puts SES's MessageId here; other backends leave it empty.
    provider_id = str(message.extra_headers.get("message_id", ""))[:120]
    _finish(email, status=OutboundEmail.Status.SENT, sent_at=timezone.now(), error="", provider_message_id=provider_id)
    return "sent"


@shared_task(bind=True, max_retries=EMAIL_MAX_ATTEMPTS - 1)
def send_outbound_email(self, email_id: int) -> str:
    """Send a recorded email unless it was already sent, or is being sent."""
    try:
        return outbound_email_send(email_id)
    except SendFailed as failed:
        raise self.retry(exc=failed.cause, countdown=retry_countdown(failed.email.attempts)) from failed


@shared_task
def send_outbound_emails(email_ids: list[int]) -> dict[str, int]:
    """Send a group of recorded emails (one broker message for many: the nudge sweep's).

    Each goes through the same claim as `send_outbound_email`, so a redelivered group
    skips what was sent or is in flight; a failed one is retried on its own.
    """
    results: dict[str, int] = {}
    for email_id in email_ids:
        try:
            result = outbound_email_send(email_id)
        except SendFailed as failed:
            send_outbound_email.apply_async(args=[email_id], countdown=retry_countdown(failed.email.attempts))
            result = "retrying"
        results[result] = results.get(result, 0) + 1
    return results


def _requeue_due(now: datetime) -> list[int]:
    queued_before = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    # A failed email whose retry should have run long ago lost its task too.
    retry_lost_before = queued_before - timedelta(seconds=settings.EMAIL_RETRY_MAX_SECONDS)
    queued = OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED, created_at__lt=queued_before)
    failed = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.FAILED, attempts__lt=EMAIL_MAX_ATTEMPTS, sending_at__lt=retry_lost_before
    )
    limit = settings.OUTBOX_SWEEP_LIMIT
    return [
        *queued.order_by("created_at").values_list("pk", flat=True)[:limit],
        *failed.order_by("sending_at").values_list("pk", flat=True)[:limit],
    ]


STUCK_PREFIX = "Stuck in flight"


def _report_stuck(now: datetime) -> list[OutboundEmail]:
    """Report each email left SENDING too long, once: log it and say so on the row."""
    stuck_before = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    stuck = list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING, sending_at__lt=stuck_before)
        .exclude(error__startswith=STUCK_PREFIX)
        .order_by("sending_at")[: settings.OUTBOX_SWEEP_LIMIT]
    )
    for email in stuck:
        note = (
            f"{STUCK_PREFIX} since {email.sending_at:%Y-%m-%d %H:%M} UTC: the worker stopped before recording the "
            "result, so it is not sent again. Check the mail provider before sending it again."
        )
        if email.error:
            note = f"{note} ({email.error})"
        OutboundEmail.objects.filter(pk=email.pk).update(error=note)
        logger.error("email %s (%s to %s): %s", email.key, email.kind, ", ".join(email.to), note)
    return stuck


def outbox_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Enqueue emails whose task was lost; report emails stuck in flight (never resend them)."""
    now = now or timezone.now()
    requeued = _requeue_due(now)
    for email_id in requeued:
        send_outbound_email.delay(email_id)
    stuck = _report_stuck(now)
    return {"requeued": len(requeued), "stuck": len(stuck)}


@shared_task(name="charterops.tasks.outbox_sweep")
def outbox_sweep_task() -> dict[str, int]:
    return outbox_sweep()
