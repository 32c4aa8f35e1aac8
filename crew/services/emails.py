"""Crew emails: a designee's invitation with a sign-in link, a claim's confirmation.

Queued by Celery tasks (crew/tasks.py) after the transaction that caused them commits, each
under an idempotency key, so a retried task sends once. Never money.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from charterops.mail import email_queue
from charterops.models import OutboundEmail
from events import timing
from events.models import Event

from ..models import MagicLink, RoleClaim, RoleSlot
from ..policy import CLOSED_STATUSES


def notify_on_commit(task_name: str, claim_id: int) -> None:
    """Queue the crew task `task_name` for a RoleClaim once the current transaction commits."""
    from .. import tasks  # tasks call back into these services

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(claim_id))


def event_page_path(event: Event) -> str:
    return reverse("crew:event", kwargs={"public_id": event.public_id})


@dataclass(frozen=True)
class EmailEvent:
    """What a crew email says about an event and the reader's role in it: never money."""

    name: str
    role: str
    departure: str
    return_at: str
    vessel: str
    location: str
    url: str


def _email_event(claim: RoleClaim, url: str) -> EmailEvent:
    event = claim.slot.event
    tz = event.organization.tz
    departure = timezone.localtime(event.departure_at, tz)
    return_at = timezone.localtime(event.return_at, tz)
    return EmailEvent(
        name=event.name,
        role=str(claim.slot),
        departure=f"{departure:%a %-d %b %Y}, {timing.format_clock(departure)}",
        return_at=timing.format_clock(return_at),
        vessel=event.vessel.name if event.vessel else "",
        location=event.location,
        url=url,
    )


def _claim_for_email(claim_id: int) -> RoleClaim | None:
    # Locked so that two runs of the same task (a retry, a redelivery) take turns.
    return (
        RoleClaim.objects.select_for_update(of=("self",))
        .select_related("slot__event__organization", "slot__event__vessel", "crew_member__user", "by")
        .filter(pk=claim_id)
        .first()
    )


def _still_holds(claim: RoleClaim) -> bool:
    holder_id = RoleSlot.objects.filter(pk=claim.slot_id).values_list("holder_id", flat=True).first()
    return holder_id == claim.crew_member_id and claim.slot.event.status not in CLOSED_STATUSES


def _claim_to_email(claim_id: int, action: str, key: str) -> tuple[RoleClaim | None, OutboundEmail | None]:
    """The claim an email is owed for, or (None, the email already recorded) when nothing
    is owed: already sent, the role changed hands since, or no address to send to."""
    claim = _claim_for_email(claim_id)
    if claim is None or claim.action != action:
        return None, None
    existing = OutboundEmail.objects.filter(key=key).first()
    if existing is not None or not _still_holds(claim) or not claim.crew_member.user.email:
        return None, existing
    return claim, None


@transaction.atomic
def crew_invite_email_queue(*, claim_id: int) -> OutboundEmail | None:
    """Email a designee the event with a magic link straight to its page (once per designation)."""
    from ..magic_links import magic_link_create, magic_link_url
    from .checklists import who

    key = f"crew_invite:{claim_id}"
    claim, existing = _claim_to_email(claim_id, RoleClaim.Action.DESIGNATE, key)
    if claim is None:
        return existing
    event = claim.slot.event
    _, code = magic_link_create(
        crew_member=claim.crew_member, deep_link=event_page_path(event), purpose=MagicLink.Purpose.EVENT_INVITE
    )
    return email_queue(
        key=key,
        kind="crew_invite",
        to=[claim.crew_member.user.email],
        template="crew/emails/crew_invite",
        context={
            "event": _email_event(claim, magic_link_url(code)),
            "crew_name": claim.crew_member.display_name,
            "designated_by": who(claim.by) if claim.by else "",
        },
        organization=event.organization,
    )


@transaction.atomic
def role_confirmation_email_queue(*, claim_id: int) -> OutboundEmail | None:
    """Confirm a claim to the crew member who made it (once per claim)."""
    key = f"role_confirmation:{claim_id}"
    claim, existing = _claim_to_email(claim_id, RoleClaim.Action.CLAIM, key)
    if claim is None:
        return existing
    event = claim.slot.event
    return email_queue(
        key=key,
        kind="role_confirmation",
        to=[claim.crew_member.user.email],
        template="crew/emails/role_confirmation",
        context={
            "event": _email_event(claim, settings.SITE_URL + event_page_path(event)),
            "crew_name": claim.crew_member.display_name,
        },
        organization=event.organization,
    )
