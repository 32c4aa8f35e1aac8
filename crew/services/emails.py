"""Crew emails: a designee's invitation with a sign-in link, a claim's confirmation, and
what changed when a booking moved, and word to the people a change affects — someone
removed from their slot (released by the captain or replaced), the captain (or the owners)
when crew leave a slot, everyone aboard when a charter is cancelled.

Queued by Celery tasks (crew/tasks.py) after the transaction that caused them commits, each
under an idempotency key (one per recipient and cause), so a retried task sends once.
Never money.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from charterops.mail import email_queue
from charterops.models import Membership, OutboundEmail
from events import timing
from events.models import Event, EventStatus, EventTransition

from ..models import CrewRole, MagicLink, RoleClaim, RoleSlot, person_name
from ..policy import CLOSED_STATUSES


def notify_on_commit(task_name: str, row_id: int) -> None:
    """Queue the crew task `task_name` for a row (a RoleClaim, an Event) once the current
    transaction commits; nothing is sent for a transaction that rolls back."""
    from .. import tasks  # tasks call back into these services

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(row_id))


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
    return _email_event_of(claim.slot.event, str(claim.slot), url)


def _email_event_of(event: Event, role: str, url: str) -> EmailEvent:
    tz = event.organization.tz
    departure = timezone.localtime(event.departure_at, tz)
    return_at = timezone.localtime(event.return_at, tz)
    return EmailEvent(
        name=event.name,
        role=role,
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


# --- A booking moved or cancelled -------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    """One thing about the event that changed, as crew read it: never money."""

    label: str
    before: str
    after: str


def _when(event: Event, moment: datetime) -> str:
    local = timezone.localtime(moment, event.organization.tz)
    return f"{local:%a %-d %b %Y}, {timing.format_clock(local)}"


# What crew see of an event, in the order an email lists it, with how each is written.
_CREW_VISIBLE = {
    "name": ("Event", lambda event, value: value),
    "departure_at": ("Departs", _when),
    "return_at": ("Back", _when),
    "location": ("Meet at", lambda event, value: value or "—"),
    "vessel": ("Vessel", lambda event, value: value.name if value else "—"),
    "guest_count": ("Guests", lambda event, value: str(value)),
    "notes": ("Notes", lambda event, value: value or "—"),
}


def change_lines(*, event: Event, before: Mapping[str, Any]) -> list[ChangeLine]:
    """What crew would notice between `before` (field → old value) and the event now."""
    lines = []
    for name, (label, written) in _CREW_VISIBLE.items():
        if name in before and before[name] != getattr(event, name):
            lines.append(ChangeLine(label, written(event, before[name]), written(event, getattr(event, name))))
    return lines


def _crew_slots(event: Event) -> list[RoleSlot]:
    """The held slots of the event whose holder can be emailed."""
    return list(
        RoleSlot.objects.filter(event=event, holder__active=True)
        .exclude(holder__user__email="")
        .select_related("holder__user")
        .order_by("role", "position")
    )


@transaction.atomic
def event_change_email_queue(*, event: Event, before: Mapping[str, Any], change_key: str) -> list[OutboundEmail]:
    """Tell each crew member on the event, in one email, what changed about it (once per
    change: `change_key` names it). Nothing crew would notice changed: no email."""
    lines = change_lines(event=event, before=before)
    if not lines:
        return []
    url = settings.SITE_URL + event_page_path(event)
    return [
        email_queue(
            key=f"event_changed:{change_key}:{slot.holder_id}",
            kind="event_changed",
            to=[slot.holder.user.email],
            template="crew/emails/event_changed",
            context={
                "event": _email_event_of(event, str(slot), url),
                "crew_name": slot.holder.display_name,
                "changes": lines,
            },
            organization=event.organization,
        )
        for slot in _crew_slots(event)
    ]


# --- Word to the people a change affects ----------------------------------------------------


def _name(user) -> str:
    return person_name(user.first_name, user.last_name, user.email, user.get_username())


def _roster_managers(event: Event, *, besides_user_id: int | None) -> list:
    """Who fills an open slot: the event's captain, or the brand's owners when the captain
    is the one who left (or there is none). Never the person who made the change."""
    captain = (
        RoleSlot.objects.filter(event=event, role=CrewRole.CAPTAIN, holder__isnull=False)
        .select_related("holder__user")
        .first()
    )
    if captain is not None and captain.holder.user_id != besides_user_id:
        return [captain.holder.user]
    owners = Membership.objects.filter(organization=event.organization, role=Membership.Role.OWNER).select_related(
        "user"
    )
    return [m.user for m in owners.order_by("user_id") if m.user_id != besides_user_id]


@transaction.atomic
def role_release_emails_queue(*, claim_id: int) -> list[OutboundEmail]:
    """Tell the people a release affects, once each: the person removed from their slot
    (by the captain, an owner, or a replacement), or — when crew left a slot themselves —
    whoever fills it now. Nothing when the slot went back to the same person meanwhile, or
    the charter is over (a cancellation has its own email)."""
    claim = _claim_for_email(claim_id)
    if claim is None or claim.action != RoleClaim.Action.RELEASE:
        return []
    event = claim.slot.event
    holder_id = RoleSlot.objects.filter(pk=claim.slot_id).values_list("holder_id", flat=True).first()
    if holder_id == claim.crew_member_id or event.status in CLOSED_STATUSES:
        return []
    released = claim.crew_member
    url = settings.SITE_URL + event_page_path(event)
    context = {"crew_name": released.display_name, "by_name": _name(claim.by) if claim.by else ""}
    if claim.by_id is not None and claim.by_id == released.user_id:
        recipients = [
            (user, f"role_released:{claim_id}:{user.pk}")
            for user in _roster_managers(event, besides_user_id=released.user_id)
        ]
        kind, template = "role_released", "crew/emails/role_released"
    else:
        recipients = [(released.user, f"role_removed:{claim_id}")]
        kind, template = "role_removed", "crew/emails/role_removed"
    sent = []
    for user, key in recipients:
        if not user.email:
            continue
        sent.append(
            email_queue(
                key=key,
                kind=kind,
                to=[user.email],
                template=template,
                context={**context, "reader_name": _name(user), "event": _email_event_of(event, str(claim.slot), url)},
                organization=event.organization,
            )
        )
    return sent


@transaction.atomic
def event_cancelled_emails_queue(*, event_id: int) -> list[OutboundEmail]:
    """Tell everyone who holds a slot on a cancelled charter, once each, with the reason the
    cancellation recorded (whoever cancelled it: a platform, the back office, the API)."""
    event = (
        Event.objects.select_for_update(of=("self",))
        .select_related("organization", "vessel")
        .filter(pk=event_id, status=EventStatus.CANCELLED)
        .first()
    )
    if event is None:
        return []
    url = settings.SITE_URL + event_page_path(event)
    reason = (
        EventTransition.objects.filter(event=event, to_status=EventStatus.CANCELLED)
        .order_by("-at", "-pk")
        .values_list("reason", flat=True)
        .first()
    )
    slots = RoleSlot.objects.filter(event=event, holder__isnull=False).select_related("holder__user")
    sent = []
    for slot in slots.order_by("role", "position"):
        user = slot.holder.user
        if not user.email:
            continue
        sent.append(
            email_queue(
                key=f"event_cancelled:{event.pk}:{slot.holder_id}",
                kind="event_cancelled",
                to=[user.email],
                template="crew/emails/event_cancelled",
                context={
                    "crew_name": slot.holder.display_name,
                    "event": _email_event_of(event, str(slot), url),
                    "reason": reason or "",
                },
                organization=event.organization,
            )
        )
    return sent
