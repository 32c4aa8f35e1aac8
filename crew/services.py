"""Business writes for crew. Admin, pages, API, tasks and commands all call these.

Who may do what lives here, once:
- any active crew member of the brand may claim an open slot (the captain's slot only
  if they sail as captain) and release their own;
- the event's captain or an owner designates, and may release anyone;
- only the holder acknowledges their own slot;
- crew on the event (or an owner) change checklist items.
Refusals are charterops.errors (Conflict 409, Forbidden 403) or ValidationError (400).
"""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from charterops.errors import Conflict, Forbidden
from charterops.mail import email_queue
from charterops.models import Membership, Organization, OutboundEmail
from events import timing
from events.models import Event, EventStatus
from events.services import event_transition

from .models import (
    ChecklistItem,
    ChecklistItemState,
    ChecklistTemplate,
    ChecklistTemplateItem,
    CrewMember,
    CrewRole,
    MagicLink,
    RoleClaim,
    RoleSlot,
    person_name,
)

DEFAULT_DECKHAND_SLOTS = 2
MAX_DECKHAND_SLOTS = 20

# Past these states an event's crew is settled: nobody joins or leaves it any more.
CLOSED_STATUSES = {EventStatus.COMPLETED, EventStatus.CANCELLED}
# Membership roles that may sail as captain.
CAPTAIN_QUALIFIED = {Membership.Role.CAPTAIN, Membership.Role.OWNER}


# --- Who may ------------------------------------------------------------------------------


def is_owner(user: AbstractBaseUser | None, organization_id: int) -> bool:
    if user is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, organization_id=organization_id, role=Membership.Role.OWNER).exists()


def is_event_captain(user: AbstractBaseUser | None, event_id: int) -> bool:
    return user is not None and (
        RoleSlot.objects.filter(
            event_id=event_id, role=CrewRole.CAPTAIN, holder__user=user, holder__active=True
        ).exists()
    )


def is_on_event(user: AbstractBaseUser | None, event_id: int) -> bool:
    return (
        user is not None and RoleSlot.objects.filter(event_id=event_id, holder__user=user, holder__active=True).exists()
    )


def may_manage_roster(user: AbstractBaseUser | None, event: Event) -> bool:
    """The event's captain and the brand's owners designate and release others."""
    return is_owner(user, event.organization_id) or is_event_captain(user, event.pk)


def _ensure_may_manage_roster(by: AbstractBaseUser | None, event: Event) -> None:
    # `by=None` is the system itself (a booking platform's event, the demo data).
    if by is not None and not may_manage_roster(by, event):
        raise Forbidden("Only the event's captain or an owner can assign crew roles.")


def _ensure_open(event: Event) -> None:
    if event.status in CLOSED_STATUSES:
        raise Conflict(f"“{event.name}” is {EventStatus(event.status).label.lower()}: its crew can no longer change.")


def _ensure_can_hold(slot: RoleSlot, crew_member: CrewMember, event: Event) -> None:
    if crew_member.organization_id != event.organization_id:
        raise ValidationError("That crew member belongs to another organization.")
    if not crew_member.active:
        raise ValidationError(f"{crew_member} is no longer active crew.")
    if (
        slot.role == CrewRole.CAPTAIN
        and not Membership.objects.filter(
            user_id=crew_member.user_id, organization_id=event.organization_id, role__in=CAPTAIN_QUALIFIED
        ).exists()
    ):
        raise Forbidden(f"{crew_member} does not sail as captain, so cannot hold the captain's slot.")


def _role_held_elsewhere(slot: RoleSlot, crew_member: CrewMember) -> RoleSlot | None:
    return RoleSlot.objects.filter(event_id=slot.event_id, holder=crew_member).exclude(pk=slot.pk).first()


def _load_slot(slot: RoleSlot) -> RoleSlot:
    return RoleSlot.objects.select_related("event__organization", "holder__user").get(pk=slot.pk)


# --- Role slots ---------------------------------------------------------------------------


@transaction.atomic
def role_slots_create(*, event: Event, deckhands: int = DEFAULT_DECKHAND_SLOTS) -> list[RoleSlot]:
    """Give an event its seats: one captain, one first mate and `deckhands` deckhands."""
    if not isinstance(deckhands, int) or isinstance(deckhands, bool) or not 0 <= deckhands <= MAX_DECKHAND_SLOTS:
        raise ValidationError(f"An event has between 0 and {MAX_DECKHAND_SLOTS} deckhand slots.")
    wanted = [(CrewRole.CAPTAIN, 1), (CrewRole.FIRST_MATE, 1)] + [
        (CrewRole.DECKHAND, n) for n in range(1, deckhands + 1)
    ]
    existing = set(RoleSlot.objects.filter(event=event).values_list("role", "position"))
    RoleSlot.objects.bulk_create(
        [RoleSlot(event=event, role=role, position=pos) for role, pos in wanted if (role, pos) not in existing]
    )
    return list(RoleSlot.objects.filter(event=event))


@transaction.atomic
def crew_member_create(
    *,
    organization: Organization,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    membership_role: str = Membership.Role.CREW,
) -> CrewMember:
    """Add a crew member to a brand: the user (found by email or created without a
    password — crew sign in by magic link), their membership and their crew profile."""
    email = get_user_model().objects.normalize_email(email).strip().lower()
    if not email:
        raise ValidationError({"email": "A crew member needs an email address to receive sign-in links."})
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email, email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": membership_role})
    crew_member, _ = CrewMember.objects.update_or_create(
        user=user, organization=organization, defaults={"phone": phone, "active": True}
    )
    return crew_member


@transaction.atomic
def role_claim(*, slot: RoleSlot, crew_member: CrewMember) -> RoleSlot:
    """Take an open slot. Two people claiming the last slot at once: one wins, the other
    gets a Conflict — the conditional UPDATE (holder still empty) decides, not luck.

    Claiming is the crew member's own choice, so it counts as acknowledged.
    """
    slot = _load_slot(slot)
    event = slot.event
    _ensure_open(event)
    _ensure_can_hold(slot, crew_member, event)
    if slot.holder_id == crew_member.pk:
        return slot
    if slot.holder_id is not None:
        raise Conflict(f"The {slot} slot was just taken by {slot.holder}. Pick another open slot.")
    other = _role_held_elsewhere(slot, crew_member)
    if other is not None:
        raise Conflict(f"You already hold the {other} slot on this event. Release it first to switch.")
    now = timezone.now()
    try:
        with transaction.atomic():
            taken = RoleSlot.objects.filter(pk=slot.pk, holder__isnull=True).update(
                holder=crew_member, acknowledged_at=now
            )
    except IntegrityError:
        # one_role_per_person_per_event: the same person claimed another slot just now.
        raise Conflict("You already hold another slot on this event.") from None
    if not taken:
        raise Conflict(f"The {slot} slot was just taken by someone else. Pick another open slot.")
    claim = RoleClaim.objects.create(
        slot=slot, crew_member=crew_member, action=RoleClaim.Action.CLAIM, by=crew_member.user, at=now
    )
    _notify_on_commit("role_confirmation_send", claim.pk)
    event_confirm_if_ready(event=event, by=crew_member.user)
    return _load_slot(slot)


@transaction.atomic
def role_designate(*, slot: RoleSlot, crew_member: CrewMember, by: AbstractBaseUser | None = None) -> RoleSlot:
    """Put `crew_member` in `slot` (replacing whoever held it), and record who did it.

    The designee is emailed a link to the event and must acknowledge the role.
    """
    slot = RoleSlot.objects.select_for_update().get(pk=slot.pk)
    event = Event.objects.select_related("organization").get(pk=slot.event_id)
    _ensure_may_manage_roster(by, event)
    _ensure_open(event)
    _ensure_can_hold(slot, crew_member, event)
    if slot.holder_id == crew_member.pk:
        return slot
    other = _role_held_elsewhere(slot, crew_member)
    if other is not None:
        raise ValidationError(f"{crew_member} already holds the {other} slot on this event.")
    now = timezone.now()
    if slot.holder_id is not None:
        RoleClaim.objects.create(
            slot=slot, crew_member_id=slot.holder_id, action=RoleClaim.Action.RELEASE, by=by, at=now
        )
    slot.holder, slot.acknowledged_at = crew_member, None
    try:
        with transaction.atomic():
            slot.save(update_fields=["holder", "acknowledged_at"])
    except IntegrityError:
        raise Conflict(f"{crew_member} was just given another slot on this event.") from None
    claim = RoleClaim.objects.create(
        slot=slot, crew_member=crew_member, action=RoleClaim.Action.DESIGNATE, by=by, at=now
    )
    _notify_on_commit("crew_invite_send", claim.pk)
    return slot


@transaction.atomic
def role_release(*, slot: RoleSlot, by: AbstractBaseUser) -> RoleSlot:
    """Leave a slot (your own), or free someone else's (the captain or an owner)."""
    slot = RoleSlot.objects.select_for_update(of=("self",)).select_related("holder__user").get(pk=slot.pk)
    event = Event.objects.select_related("organization").get(pk=slot.event_id)
    if slot.holder_id is None:
        raise Conflict(f"The {slot} slot is already open.")
    if slot.holder.user_id != by.pk and not may_manage_roster(by, event):
        raise Forbidden("You can release only your own role; the captain or an owner can release others.")
    _ensure_open(event)
    released = slot.holder
    slot.holder, slot.acknowledged_at = None, None
    slot.save(update_fields=["holder", "acknowledged_at"])
    RoleClaim.objects.create(slot=slot, crew_member=released, action=RoleClaim.Action.RELEASE, by=by)
    return slot


@transaction.atomic
def role_acknowledge(*, slot: RoleSlot, crew_member: CrewMember) -> RoleSlot:
    """The designee says “I'll be there”. When that completes the crew, the event is confirmed."""
    slot = RoleSlot.objects.select_for_update().get(pk=slot.pk)
    event = Event.objects.select_related("organization").get(pk=slot.event_id)
    if slot.holder_id != crew_member.pk:
        raise Forbidden("Only the person in this role can acknowledge it.")
    _ensure_open(event)
    if slot.acknowledged_at is not None:
        return slot
    slot.acknowledged_at = timezone.now()
    slot.save(update_fields=["acknowledged_at"])
    RoleClaim.objects.create(
        slot=slot, crew_member=crew_member, action=RoleClaim.Action.ACKNOWLEDGE, by=crew_member.user
    )
    event_confirm_if_ready(event=event, by=crew_member.user)
    return slot


def crew_complete(event: Event) -> bool:
    """Every slot of the event has a holder who acknowledged it (and there is at least one)."""
    slots = list(RoleSlot.objects.filter(event=event).values_list("holder_id", "acknowledged_at"))
    return bool(slots) and all(holder and acknowledged for holder, acknowledged in slots)


@transaction.atomic
def event_confirm_if_ready(*, event: Event, by: AbstractBaseUser | None = None) -> bool:
    """Confirm a pending event whose every slot is filled and acknowledged.

    The event row is locked before the slots are counted: of two acknowledgements that
    finish the crew at the same moment, the second to get the lock sees both and confirms.
    """
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status != EventStatus.PENDING_CONFIRMATION or not crew_complete(locked):
        return False
    event_transition(
        event=locked, to_status=EventStatus.CONFIRMED, by=by, reason="Every crew role filled and acknowledged."
    )
    event.status = EventStatus.CONFIRMED
    return True


@transaction.atomic
def event_confirm(*, event: Event, by: AbstractBaseUser) -> Event:
    """An owner confirms the event whatever its roster says."""
    if not is_owner(by, event.organization_id):
        raise Forbidden("Only an owner can confirm an event before its crew is complete.")
    return event_transition(event=event, to_status=EventStatus.CONFIRMED, by=by, reason="Confirmed by an owner.")


@transaction.atomic
def event_start(*, event: Event, by: AbstractBaseUser, reason: str = "") -> Event:
    """The event's captain (or an owner) starts the charter.

    With guests on hold the start is refused unless a reason is given: the reason makes it
    an override, recorded on the lifecycle move (the guard itself lives with the guests).
    """
    if not may_manage_roster(by, event):
        raise Forbidden("Only the event's captain or an owner can start the charter.")
    reason = (reason or "").strip()[:300]
    return event_transition(event=event, to_status=EventStatus.IN_PROGRESS, by=by, reason=reason, override=bool(reason))


def _slot_for(slots: list[RoleSlot], role: str, taken: set[int]) -> RoleSlot | None:
    for slot in slots:
        if slot.role == role and slot.holder_id is None and slot.pk not in taken:
            return slot
    return None


def _booked_crew_member(event: Event, entry: dict[str, Any], role: str) -> CrewMember:
    member = entry.get("crew_member")
    if isinstance(member, CrewMember):
        return member
    email = entry.get("email")
    if not email:
        raise ValidationError(f"Give a crew member for the {CrewRole(role).label.lower()} role.")
    found = (
        CrewMember.objects.for_org(event.organization_id)
        .filter(user__email__iexact=email, active=True)
        .select_related("user")
        .first()
    )
    if found is None:
        raise ValidationError({"crew": f"No active crew member of {event.organization} has the email {email}."})
    return found


@transaction.atomic
def event_crew_assign(*, event: Event, crew: Iterable[dict[str, Any]], by: AbstractBaseUser | None = None) -> None:
    """Designate the crew a new event was booked with: [{"role": "captain", "crew_member": cm}, …].

    An entry may name the crew member by "email" instead (as booking platforms do).
    """
    slots = list(RoleSlot.objects.filter(event=event).order_by("role", "position"))
    used: set[int] = set()
    for entry in crew:
        role = entry.get("role")
        if role not in CrewRole.values:
            raise ValidationError(f"{role!r} is not a crew role. Choose one of: {', '.join(CrewRole.values)}.")
        member = _booked_crew_member(event, entry, role)
        slot = _slot_for(slots, role, used)
        if slot is None:
            raise ValidationError(f"The event has no open {CrewRole(role).label.lower()} slot for {member}.")
        used.add(slot.pk)
        designated = role_designate(slot=slot, crew_member=member, by=by)
        slot.holder_id = designated.holder_id


# --- Checklists ---------------------------------------------------------------------------


@transaction.atomic
def checklist_instantiate(*, event: Event, templates: Iterable[ChecklistTemplate] | None = None) -> list[ChecklistItem]:
    """Copy the active checklist templates of the event's type (or the `templates` given)
    onto the event, once each."""
    chosen = (
        Q(template__in=list(templates))
        if templates is not None
        else Q(template__event_type=event.event_type, template__active=True)
    )
    template_items = (
        ChecklistTemplateItem.objects.filter(chosen, template__organization_id=event.organization_id)
        .select_related("template")
        .order_by("template__phase", "template__name", "position", "pk")
    )
    done = set(ChecklistItem.objects.filter(event=event).values_list("template_item_id", flat=True))
    sun = timing.event_sun_times(event)
    positions: dict[str, int] = {}
    new_items = []
    for source in template_items:
        phase = source.template.phase
        positions[phase] = positions.get(phase, 0) + 1
        if source.pk in done:
            continue
        new_items.append(
            ChecklistItem(
                event=event,
                template_item=source,
                phase=phase,
                text=source.text,
                responsible_role=source.responsible_role,
                anchor=source.anchor,
                offset_minutes=source.offset_minutes,
                due_at=timing.due_at(event, source.anchor, source.offset_minutes, sun),
                position=positions[phase],
            )
        )
    return ChecklistItem.objects.bulk_create(new_items)


@transaction.atomic
def checklist_template_add(*, event: Event, template: ChecklistTemplate, by: AbstractBaseUser) -> list[ChecklistItem]:
    """Add one template's items to an event (its captain or an owner), e.g. a delivery
    checklist on a charter."""
    if template.organization_id != event.organization_id:
        raise ValidationError("That checklist template belongs to another organization.")
    if not may_manage_roster(by, event):
        raise Forbidden("Only the event's captain or an owner can add a checklist.")
    _ensure_open(event)
    return checklist_instantiate(event=event, templates=[template])


def checklist_due_refresh(*, event: Event) -> int:
    """Recompute due times after the event's departure or return moved."""
    sun = timing.event_sun_times(event)
    changed = []
    for item in ChecklistItem.objects.filter(event=event).only("pk", "anchor", "offset_minutes", "due_at"):
        due = timing.due_at(event, item.anchor, item.offset_minutes, sun)
        if due != item.due_at:
            item.due_at = due
            changed.append(item)
    if changed:
        ChecklistItem.objects.bulk_update(changed, ["due_at"])
    return len(changed)


class StaleChecklistItem(Conflict):
    """Someone changed the item since the client saw it; `item` is its current state."""

    def __init__(self, message: str, *, item: ChecklistItem):
        super().__init__(message)
        self.item = item


def _parse_version(seen_version: object) -> int:
    try:
        version = int(str(seen_version).strip())
    except (TypeError, ValueError):
        raise ValidationError("The item's version is missing or not a number; reload the page.") from None
    if not 1 <= version <= 2**31 - 1:  # the column's range; beyond it no item ever was
        raise ValidationError("The item's version is missing or not a number; reload the page.")
    return version


def who(user: AbstractBaseUser | None) -> str:
    if user is None:
        return "someone"
    return person_name(user.first_name, user.last_name, user.email, user.get_username())


@transaction.atomic
def checklist_item_update(
    *, item: ChecklistItem, state: str, seen_version: int | str, by: AbstractBaseUser
) -> ChecklistItem:
    """Set an item's state, only if it is still at the version the client saw."""
    if state not in ChecklistItemState.values:
        raise ValidationError(f"{state!r} is not a checklist state. Choose pending, in progress or complete.")
    version = _parse_version(seen_version)
    event = Event.objects.get(pk=item.event_id)
    if not (is_on_event(by, event.pk) or is_owner(by, event.organization_id)):
        raise Forbidden("Only crew on this event (or an owner) can change its checklist.")
    if event.status == EventStatus.CANCELLED:
        raise Conflict(f"“{event.name}” is cancelled: its checklist is closed.")
    updated = ChecklistItem.objects.filter(pk=item.pk, version=version).update(
        state=state, version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    current = ChecklistItem.objects.select_related("updated_by").get(pk=item.pk)
    if not updated:
        when = timezone.localtime(current.updated_at, event.organization.tz) if current.updated_at else None
        changed = f" by {who(current.updated_by)} at {timing.format_clock(when)}" if when else ""
        raise StaleChecklistItem(
            f"“{current.text}” was changed{changed} and is now {current.get_state_display().lower()}. "
            "Your change was not saved: check it and try again.",
            item=current,
        )
    return current


# --- Crew emails --------------------------------------------------------------------------


def _notify_on_commit(task_name: str, claim_id: int) -> None:
    from . import tasks  # tasks call back into this module

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(claim_id))


@dataclass(frozen=True)
class EventSummary:
    """What a crew email says about an event: never money."""

    name: str
    role: str
    departure: str
    return_at: str
    vessel: str
    location: str
    url: str


def _summary(claim: RoleClaim, url: str) -> EventSummary:
    event = claim.slot.event
    tz = event.organization.tz
    departure = timezone.localtime(event.departure_at, tz)
    return_at = timezone.localtime(event.return_at, tz)
    return EventSummary(
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
    slot = RoleSlot.objects.filter(pk=claim.slot_id).values_list("holder_id", flat=True).first()
    return slot == claim.crew_member_id and claim.slot.event.status not in CLOSED_STATUSES


def event_page_path(event: Event) -> str:
    return reverse("crew:event", kwargs={"public_id": event.public_id})


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
    key = f"crew_invite:{claim_id}"
    claim, existing = _claim_to_email(claim_id, RoleClaim.Action.DESIGNATE, key)
    if claim is None:
        return existing
    from .magic_links import magic_link_create, magic_link_url

    event = claim.slot.event
    _, code = magic_link_create(
        crew_member=claim.crew_member, deep_link=event_page_path(event), purpose=MagicLink.Purpose.EVENT_INVITE
    )
    summary = _summary(claim, magic_link_url(code))
    return email_queue(
        key=key,
        kind="crew_invite",
        to=[claim.crew_member.user.email],
        template="crew/emails/crew_invite",
        context={
            "event": summary,
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
    summary = _summary(claim, settings.SITE_URL + event_page_path(event))
    return email_queue(
        key=key,
        kind="role_confirmation",
        to=[claim.crew_member.user.email],
        template="crew/emails/role_confirmation",
        context={"event": summary, "crew_name": claim.crew_member.display_name},
        organization=event.organization,
    )


# --- Calendar feed ------------------------------------------------------------------------

CALENDAR_TOKEN_BYTES = 24
CALENDAR_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def calendar_token_get_or_create(*, crew_member: CrewMember) -> str:
    """The secret of the crew member's iCal feed address, made on first use."""
    if crew_member.calendar_token:
        return crew_member.calendar_token
    token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
    # Conditional: two first visits at once keep one token, not two different links.
    CrewMember.objects.filter(pk=crew_member.pk, calendar_token__isnull=True).update(calendar_token=token)
    crew_member.calendar_token = CrewMember.objects.values_list("calendar_token", flat=True).get(pk=crew_member.pk)
    return crew_member.calendar_token


def calendar_token_rotate(*, crew_member: CrewMember) -> str:
    """A new feed address; the old one stops working at once."""
    token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
    CrewMember.objects.filter(pk=crew_member.pk).update(calendar_token=token)
    crew_member.calendar_token = token
    return token


def crew_member_for_calendar_token(token: str) -> CrewMember | None:
    """The active crew member whose feed this is, or None (unknown, rotated or malformed)."""
    # Tokens are URL-safe base64; anything else (NUL bytes, quotes …) never reaches the database.
    if not CALENDAR_TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return (
        CrewMember.objects.select_related("organization", "user")
        .filter(calendar_token=token, active=True, user__is_active=True)
        .first()
    )
