"""What guests' events tell the owner's webhook endpoints: waiver.signed. (guest.boarded is
sent by the boarding check-in, in safety.)"""

from events.models import WebhookEventType
from events.webhooks import event_brief, webhook_emit

from .models import WaiverSignature


def waiver_signed_emit(*, signature: WaiverSignature) -> None:
    """Tell the endpoints a guest (or their guardian) signed the current waiver."""
    guest = signature.guest
    event = guest.event

    def data() -> dict:
        return {
            "event": event_brief(event),
            "guest": {"name": guest.name, "email": guest.email, "is_minor": guest.is_minor},
            "signature": {
                "id": str(signature.public_id),
                "signer": signature.signer,
                "signed_name": signature.signed_name,
                "signed_at": signature.signed_at.isoformat().replace("+00:00", "Z"),
                "waiver_version": signature.template.version,
                "text_sha256": signature.text_sha256,
            },
        }

    webhook_emit(
        organization_id=signature.organization_id, event_type=WebhookEventType.WAIVER_SIGNED, event=event, data=data
    )
