"""Crew emails, sent by Celery after the transaction that caused them commits.

Thin: take the id of the RoleClaim (or Event) row, call the service. Each service records its email
under an idempotency key, so running a task twice (a retry, a redelivery) sends once.
"""

from celery import shared_task

from . import services


@shared_task
def crew_invite_send(claim_id: int) -> str:
    """A designation: email the designee the event with a magic link to its page."""
    email = services.crew_invite_email_queue(claim_id=claim_id)
    return "queued" if email is not None else "skipped"


@shared_task
def role_confirmation_send(claim_id: int) -> str:
    """A claim: confirm it to the crew member who made it."""
    email = services.role_confirmation_email_queue(claim_id=claim_id)
    return "queued" if email is not None else "skipped"


@shared_task
def role_release_send(claim_id: int) -> str:
    """A release: tell the person removed, or whoever fills the slot now."""
    emails = services.role_release_emails_queue(claim_id=claim_id)
    return f"queued {len(emails)}" if emails else "skipped"


@shared_task
def event_cancelled_send(event_id: int) -> str:
    """A cancelled charter: tell everyone who held a slot on it."""
    emails = services.event_cancelled_emails_queue(event_id=event_id)
    return f"queued {len(emails)}" if emails else "skipped"


@shared_task
def sign_in_rows_prune() -> str:
    """Daily: forget long-expired magic links and revocations of tokens that expired anyway."""
    from .magic_links import sign_in_rows_prune as prune

    links, revocations = prune()
    return f"deleted {links} magic links and {revocations} token revocations"


# A phone holds an offline tap for hours, not weeks: keys older than this are forgotten.
IDEMPOTENCY_KEYS_KEPT_DAYS = 30


@shared_task
def idempotency_keys_prune() -> str:
    """Daily: forget the keys of replayable taps made long ago."""
    from datetime import timedelta

    from django.utils import timezone

    older_than = timezone.now() - timedelta(days=IDEMPOTENCY_KEYS_KEPT_DAYS)
    return f"deleted {services.idempotency_keys_prune(older_than=older_than)} idempotency keys"
