"""What crew changes tell the owner's webhook endpoints: role.claimed and role.released."""

from events.models import Event, WebhookEventType
from events.webhooks import event_brief, webhook_emit

from .. import selectors
from ..models import CrewMember, RoleSlot, slot_label

# How a role changed hands, as the payload's `action` says it.
CLAIMED, DESIGNATED, RELEASED, REPLACED = "claimed", "designated", "released", "replaced"


def role_emit(*, event: Event, slot: RoleSlot, crew_member_id: int, action: str) -> None:
    """Tell the endpoints that a crew member took (claimed, was designated) or left
    (released, was replaced in) a slot of the event."""
    event_type = WebhookEventType.ROLE_RELEASED if action in {RELEASED, REPLACED} else WebhookEventType.ROLE_CLAIMED

    def data() -> dict:
        member = CrewMember.objects.select_related("user").get(pk=crew_member_id)
        return {
            "event": event_brief(event),
            "slot": {"role": slot.role, "position": slot.position, "label": slot_label(slot.role, slot.position)},
            "crew_member": {
                "name": member.display_name,
                "email": member.user.email,
                "external_ids": selectors.external_ids_of(member.pk),
            },
            "action": action,
        }

    webhook_emit(organization_id=event.organization_id, event_type=event_type, event=event, data=data)
