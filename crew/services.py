"""Business writes for crew. Admin, pages, API, tasks and commands all call these."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from charterops.models import Membership, Organization
from events.models import Event

from .models import CrewMember, CrewRole, RoleClaim, RoleSlot

DEFAULT_DECKHAND_SLOTS = 2
MAX_DECKHAND_SLOTS = 20


@transaction.atomic
def role_slots_create(*, event: Event, deckhands: int = DEFAULT_DECKHAND_SLOTS) -> list[RoleSlot]:
    """Give an event its seats: one captain, one first mate and `deckhands` deckhands."""
    if not 0 <= deckhands <= MAX_DECKHAND_SLOTS:
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
def role_designate(*, slot: RoleSlot, crew_member: CrewMember, by=None) -> RoleSlot:
    """Put `crew_member` in `slot` (replacing whoever held it), and record who did it."""
    if crew_member.organization_id != slot.event.organization_id:
        raise ValidationError("That crew member belongs to another organization.")
    slot = RoleSlot.objects.select_for_update().get(pk=slot.pk)
    if slot.holder_id == crew_member.pk:
        return slot
    if RoleSlot.objects.filter(event_id=slot.event_id, holder=crew_member).exists():
        raise ValidationError(f"{crew_member} already holds another role on this event.")
    slot.holder, slot.acknowledged_at = crew_member, None
    slot.save(update_fields=["holder", "acknowledged_at"])
    RoleClaim.objects.create(slot=slot, crew_member=crew_member, action=RoleClaim.Action.DESIGNATE, by=by)
    return slot
