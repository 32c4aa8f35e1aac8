"""Reads of the outbox that the back office shares (the owner's dashboard)."""

from collections.abc import Iterable
from datetime import datetime

from .models import Organization, OutboundEmail

# What an owner should look at: the email did not reach its reader.
UNDELIVERED_STATUSES = (OutboundEmail.Status.FAILED, OutboundEmail.Status.BOUNCED, OutboundEmail.Status.COMPLAINED)


def undelivered_email_count(*, organizations: Iterable[Organization | int], since: datetime) -> int:
    """The brands' emails recorded since `since` that failed, bounced or were complained about."""
    return (
        OutboundEmail.objects.filter(organization__in=list(organizations), created_at__gte=since)
        .filter(status__in=UNDELIVERED_STATUSES)
        .count()
    )
