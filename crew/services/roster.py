"""Writes of an event's crew: its seats, who holds them, and the lifecycle moves crew make.

Who may do what is crew.policy's to decide: each service reads the rows it acts on, asks
the policy (the same answer the pages and the API give), and raises its refusal —
Conflict (409), Forbidden (403) or ValidationError (400) — before it writes. What the
policy cannot know from a read (a slot taken a millisecond ago) the database decides: a
conditional UPDATE, a row lock, a unique constraint.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from charterops.audit import record_changes
from charterops.errors import Conflict, DomainError, NotFound
from charterops.models import Membership, Organization
from events.models import Event, EventStatus
from events.services import event_transition, revenue_crew_count_follow

from .. import selectors
from ..models import CrewMember, CrewRole, RoleClaim, RoleSlot
from ..policy import Actor, EventFacts, RosterPolicy, enforce, start_window
from .emails import notify_on_commit
from .webhooks import CLAIMED, DESIGNATED, RELEASED, REPLACED, role_emit

DEFAULT_DECKHAND_SLOTS = 2
MAX_DECKHAND_SLOTS = 20


def _facts(event: Event) -> EventFacts:
    """The event as the rules read it; `event.organization` is loaded with it (a join)."""
    return EventFacts(
        name=event.name,
        status=event.status,
        organization_id=event.organization_id,
        departure_at=event.departure_at,
        start_window=start_window(event.organization.start_window_hours),
    )


def _policy(event: Event, actor: Actor) -> tuple[RosterPolicy, dict[tuple[str, int], selectors.Slot]]:
    """The rules for `actor` on `event`, from its roster as it is now (one query)."""
    slots = selectors.event_slots(event.pk)
    return RosterPolicy(actor, _facts(event), slots), {(slot.role, slot.position): slot for slot in slots}


def _actor_of_member(crew_member: CrewMember) -> Actor:
    from charterops.permissions import owns

    return Actor(member=selectors.member_of(crew_member), is_owner=owns(crew_member.user, crew_member.organization_id))


def _actor_of(by: AbstractBaseUser | None, organization_id: int) -> Actor:
    # `by=None` is the system itself (a booking platform's crew, the demo data).
    return Actor.system() if by is None else selectors.actor_of_user(by, organization_id)


# --- Seats ---------------------------------------------------------------------------------


@transaction.atomic
def role_slots_create(*, event: Event, deckhands: int = DEFAULT_DECKHAND_SLOTS) -> list[RoleSlot]:
    """Give an event its seats: one captain, one first mate and `deckhands` deckhands."""
    if not isinstance(deckhands, int) or isinstance(deckhands, bool) or not 0 <= deckhands <= MAX_DECKHAND_SLOTS:
        raise ValidationError(f"An event has between 0 and {MAX_DECKHAND_SLOTS} deckhand slots.")
    wanted = [(CrewRole.CAPTAIN, 1), (CrewRole.FIRST_MATE, 1)] + [
        (CrewRole.DECKHAND, n) for n in range(1, deckhands + 1)
    ]
    existing = set(RoleSlot.objects.filter(event=event).values_list("role", "position"))
    made = RoleSlot.objects.bulk_create(
        [RoleSlot(event=event, role=role, position=pos) for role, pos in wanted if (role, pos) not in existing]
    )
    record_changes(made, created=True)  # bulk_create sends no signal: the audit log is told here
    return list(RoleSlot.objects.filter(event=event))


def revenue_crew_count_refresh(*, event: Event) -> None:
    """Revenue's crew count follows the roster (first mate and deckhands aboard) unless the
    owner set it by hand."""
    aboard = RoleSlot.objects.filter(event=event, holder__isnull=False).exclude(role=CrewRole.CAPTAIN).count()
    revenue_crew_count_follow(event=event, crew_count=aboard)


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


def crew_member_update_refusal(
    *, crew_member: CrewMember, by: AbstractBaseUser | None, first_name: str, last_name: str, email: str
) -> ValidationError | None:
    """Why this change of the person would be refused, or None (a form asks before it saves).

    The name and email are the person's account, shared with every brand they sail for:
    they are changed only by someone who runs all of those brands.
    """
    from charterops.permissions import owns

    User = get_user_model()
    user = User.objects.get(pk=crew_member.user_id)
    email = User.objects.normalize_email(email).strip().lower()
    if not email:
        return ValidationError({"email": "A crew member needs an email address to receive sign-in links."})
    person = {"first_name": first_name.strip(), "last_name": last_name.strip(), "email": email}
    if all(getattr(user, field) == value for field, value in person.items()):
        return None
    elsewhere = Membership.objects.filter(user=user).exclude(organization_id=crew_member.organization_id)
    if any(not owns(by, org_id) for org_id in elsewhere.values_list("organization_id", flat=True)):
        return ValidationError(
            "This person also sails for a brand you do not run: their name and email are theirs to change."
        )
    taken = User.objects.exclude(pk=user.pk).filter(Q(email__iexact=email) | Q(username__iexact=email))
    if taken.exists():
        return ValidationError({"email": "Another person already uses this email address."})
    return None


@transaction.atomic
def crew_member_update(
    *,
    crew_member: CrewMember,
    by: AbstractBaseUser | None,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    captain_qualified: bool,
) -> CrewMember:
    """Change a crew member's person (name, email), phone and whether they may sail as
    captain (their membership's role; an owner's membership stays an owner's)."""
    enforce(
        crew_member_update_refusal(
            crew_member=crew_member, by=by, first_name=first_name, last_name=last_name, email=email
        )
    )
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=crew_member.user_id)
    email = User.objects.normalize_email(email).strip().lower()
    person = {"first_name": first_name.strip(), "last_name": last_name.strip(), "email": email}
    if any(getattr(user, field) != value for field, value in person.items()):
        if user.username == user.email:
            user.username = email  # crew accounts are named by their address
        for field, value in person.items():
            setattr(user, field, value)
        user.full_clean()
        user.save()
    membership = Membership.objects.get(user=user, organization_id=crew_member.organization_id)
    if membership.role != Membership.Role.OWNER:
        role = Membership.Role.CAPTAIN if captain_qualified else Membership.Role.CREW
        if membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
    crew_member.phone = phone
    crew_member.full_clean(exclude=["user", "organization"])
    crew_member.save(update_fields=["phone"])
    return crew_member


def role_slot_pick(
    *, event: Event, role: str, position: int | None = None, holder: CrewMember | None = None, open_only: bool = False
) -> RoleSlot:
    """The slot an action names by role (the API's way): the deckhand `position` given, the
    one `holder` holds, or with `open_only` the first open one of the role."""
    slots = RoleSlot.objects.filter(event=event, role=role).order_by("position")
    if position is not None:
        slots = slots.filter(position=position)
    if holder is not None:
        slots = slots.filter(holder=holder)
    elif open_only:
        open_slot = slots.filter(holder__isnull=True).first()
        if open_slot is not None:
            return open_slot
        if slots.exists():
            raise Conflict(f"Every {CrewRole(role).label.lower()} slot is taken.")
    slot = slots.first()
    if slot is None:
        raise NotFound(f"No matching {CrewRole(role).label.lower()} slot on this event.")
    return slot


# --- Claims, designations, releases, acknowledgements -------------------------------------


@transaction.atomic
def role_claim(*, slot: RoleSlot, crew_member: CrewMember) -> RoleSlot:
    """Take an open slot. Two people claiming the last slot at once: one wins, the other
    gets a Conflict — the conditional UPDATE (holder still empty) decides, not luck.

    Claiming is the crew member's own choice, so it counts as acknowledged.
    """
    slot = RoleSlot.objects.select_related("event__organization").get(pk=slot.pk)
    event = slot.event
    policy, by_seat = _policy(event, _actor_of_member(crew_member))
    enforce(policy.claim_refusal(by_seat[(slot.role, slot.position)]))
    if slot.holder_id == crew_member.pk:
        return slot
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
    slot.holder, slot.acknowledged_at = crew_member, now
    record_changes([slot], by=crew_member.user)  # the conditional UPDATE sends no signal
    claim = RoleClaim.objects.create(
        slot=slot, crew_member=crew_member, action=RoleClaim.Action.CLAIM, by=crew_member.user, at=now
    )
    notify_on_commit("role_confirmation_send", claim.pk)
    role_emit(event=event, slot=slot, crew_member_id=crew_member.pk, action=CLAIMED)
    revenue_crew_count_refresh(event=event)
    event_confirm_if_ready(event=event, by=crew_member.user)
    slot.refresh_from_db(fields=["holder", "acknowledged_at"])
    return slot


@transaction.atomic
def role_designate(
    *, slot: RoleSlot, crew_member: CrewMember, by: AbstractBaseUser | None = None, replace: bool = False
) -> RoleSlot:
    """Put `crew_member` in `slot`, and record who did it.

    A slot someone else holds is refused unless `replace` says the replacement was
    confirmed; the person replaced is then released (and emailed that they were). The
    designee is emailed a link to the event and must acknowledge the role.
    """
    slot = RoleSlot.objects.select_for_update().get(pk=slot.pk)
    event = Event.objects.select_related("organization").get(pk=slot.event_id)
    policy, by_seat = _policy(event, _actor_of(by, event.organization_id))
    designee = selectors.member_of(crew_member)
    enforce(policy.designate_refusal(by_seat[(slot.role, slot.position)], designee, replace=replace))
    if slot.holder_id == crew_member.pk:
        return slot
    now = timezone.now()
    if slot.holder_id is not None:
        released = RoleClaim.objects.create(
            slot=slot, crew_member_id=slot.holder_id, action=RoleClaim.Action.RELEASE, by=by, at=now
        )
        role_emit(event=event, slot=slot, crew_member_id=slot.holder_id, action=REPLACED)
        notify_on_commit("role_release_send", released.pk)
    slot.holder, slot.acknowledged_at = crew_member, None
    try:
        with transaction.atomic():
            slot.save(update_fields=["holder", "acknowledged_at"])
    except IntegrityError:
        raise Conflict(f"{crew_member} was just given another slot on this event.") from None
    claim = RoleClaim.objects.create(
        slot=slot, crew_member=crew_member, action=RoleClaim.Action.DESIGNATE, by=by, at=now
    )
    notify_on_commit("crew_invite_send", claim.pk)
    role_emit(event=event, slot=slot, crew_member_id=crew_member.pk, action=DESIGNATED)
    revenue_crew_count_refresh(event=event)
    return slot


def role_designate_refusal(
    *, slot: RoleSlot, crew_member: CrewMember, by: AbstractBaseUser | None, replace: bool = False
) -> DomainError | ValidationError | None:
    """What role_designate would refuse now (the policy's answer), for a form to show
    before it saves anything."""
    event = Event.objects.select_related("organization").get(pk=slot.event_id)
    policy, by_seat = _policy(event, _actor_of(by, event.organization_id))
    return policy.designate_refusal(
        by_seat[(slot.role, slot.position)], selectors.member_of(crew_member), replace=replace
    )


def role_release_refusal(*, slot: RoleSlot, by: AbstractBaseUser | None) -> DomainError | None:
    """What role_release would refuse now, for a form to show before it saves anything."""
    event = Event.objects.select_related("organization").get(pk=slot.event_id)
    policy, by_seat = _policy(event, _actor_of(by, event.organization_id))
    return policy.release_refusal(by_seat[(slot.role, slot.position)])


@transaction.atomic
def role_release(*, slot: RoleSlot, by: AbstractBaseUser) -> RoleSlot:
    """Leave a slot (your own), or free someone else's (the captain or an owner)."""
    slot = RoleSlot.objects.select_for_update(of=("self",)).select_related("holder__user").get(pk=slot.pk)
    event = Event.objects.select_related("organization").get(pk=slot.event_id)
    policy, by_seat = _policy(event, _actor_of(by, event.organization_id))
    enforce(policy.release_refusal(by_seat[(slot.role, slot.position)]))
    released = slot.holder
    slot.holder, slot.acknowledged_at = None, None
    slot.save(update_fields=["holder", "acknowledged_at"])
    claim = RoleClaim.objects.create(slot=slot, crew_member=released, action=RoleClaim.Action.RELEASE, by=by)
    role_emit(event=event, slot=slot, crew_member_id=released.pk, action=RELEASED)
    # Whoever is affected hears of it: the person removed, or whoever fills the slot now.
    notify_on_commit("role_release_send", claim.pk)
    revenue_crew_count_refresh(event=event)
    return slot


@transaction.atomic
def role_acknowledge(*, slot: RoleSlot, crew_member: CrewMember) -> RoleSlot:
    """The designee says “I'll be there”. When that completes the crew, the event is confirmed."""
    slot = RoleSlot.objects.select_for_update().get(pk=slot.pk)
    event = Event.objects.select_related("organization").get(pk=slot.event_id)
    policy, by_seat = _policy(event, _actor_of_member(crew_member))
    enforce(policy.acknowledge_refusal(by_seat[(slot.role, slot.position)]))
    if slot.acknowledged_at is not None:
        return slot
    slot.acknowledged_at = timezone.now()
    slot.save(update_fields=["acknowledged_at"])
    RoleClaim.objects.create(
        slot=slot, crew_member=crew_member, action=RoleClaim.Action.ACKNOWLEDGE, by=crew_member.user
    )
    event_confirm_if_ready(event=event, by=crew_member.user)
    return slot


# --- Lifecycle moves crew make -------------------------------------------------------------


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
    policy, _ = _policy(event, _actor_of(by, event.organization_id))
    enforce(policy.confirm_refusal())
    return event_transition(event=event, to_status=EventStatus.CONFIRMED, by=by, reason="Confirmed by an owner.")


@transaction.atomic
def event_start(*, event: Event, by: AbstractBaseUser, reason: str = "") -> Event:
    """The event's captain (or an owner) starts the charter.

    Before the brand's start window opens, or with the check-in incomplete, the start is refused
    unless a reason is given: the reason makes it an override, recorded on the lifecycle
    move (the window is crew.policy's rule; the check-in gate is safety's, on
    events.signals.event_transitioning).
    """
    reason = (reason or "").strip()[:300]
    policy, _ = _policy(event, _actor_of(by, event.organization_id))
    enforce(policy.start_refusal(reason))
    return event_transition(event=event, to_status=EventStatus.IN_PROGRESS, by=by, reason=reason, override=bool(reason))


# --- A booking's crew ---------------------------------------------------------------------


@dataclass(frozen=True)
class CrewAssignment:
    """A role and who fills it, as a booking names them."""

    role: str
    crew_member: CrewMember


@transaction.atomic
def event_crew_assign(
    *, event: Event, crew: Iterable[CrewAssignment], by: AbstractBaseUser | None = None
) -> list[RoleSlot]:
    """Designate the crew a new event was booked with, each into the first open slot of their role."""
    slots = list(RoleSlot.objects.filter(event=event).order_by("role", "position"))
    filled: list[RoleSlot] = []
    for assignment in crew:
        if assignment.role not in CrewRole.values:
            raise ValidationError(
                f"{assignment.role!r} is not a crew role. Choose one of: {', '.join(CrewRole.values)}."
            )
        slot = next((s for s in slots if s.role == assignment.role and s.holder_id is None and s not in filled), None)
        if slot is None:
            label = CrewRole(assignment.role).label.lower()
            raise ValidationError(f"The event has no open {label} slot for {assignment.crew_member}.")
        filled.append(role_designate(slot=slot, crew_member=assignment.crew_member, by=by))
    return filled
