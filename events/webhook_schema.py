"""The webhooks as the OpenAPI document shows them (the `webhooks` section, OpenAPI 3.1).

One payload shape per type, each `{"type", "timestamp", "data"}` as events.webhooks
writes it; these serializers only describe it (tests check real bodies against them).
Listed in settings.SPECTACULAR_SETTINGS["WEBHOOKS"].
"""

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema
from rest_framework import serializers

from .models import EventStatus, EventType, Source, WebhookEventType

SIGNATURE_DOC = (
    "Signed as the Standard Webhooks specification says: `webhook-id` (the same on every retry: drop "
    "repeats), `webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated list of "
    "`v1,<base64 HMAC-SHA256>` over `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64 part "
    "of the endpoint's `whsec_` secret (two signatures while a rotated secret's overlap lasts). Answer any "
    "2xx within 10 seconds; anything else is retried with exponential backoff for about three days "
    "(a `Retry-After` is respected); 410 disables the endpoint. Redirects are not followed."
)


class _Strict(serializers.Serializer):
    """Read-only documentation shapes."""


class EventPayload(_Strict):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    name = serializers.CharField()
    event_type = serializers.ChoiceField(choices=EventType.choices)
    status = serializers.ChoiceField(choices=EventStatus.choices)
    departure_at = serializers.DateTimeField()
    return_at = serializers.DateTimeField()
    location = serializers.CharField(allow_blank=True)
    vessel = serializers.CharField(allow_null=True)
    source = serializers.ChoiceField(choices=Source.choices)
    external_ref = serializers.CharField(allow_blank=True)
    guest_count = serializers.IntegerField()
    notes = serializers.CharField(allow_blank=True)


class EventBriefPayload(_Strict):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=EventStatus.choices)
    departure_at = serializers.DateTimeField()
    return_at = serializers.DateTimeField()
    source = serializers.ChoiceField(choices=Source.choices)
    external_ref = serializers.CharField(allow_blank=True)


class RevenuePayload(_Strict):
    """Only in payloads sent to finance endpoints; decimal amounts as strings."""

    gross = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    captain_rate = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    captain_hours = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    crew_rate = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    crew_count = serializers.IntegerField()
    crew_hours = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    port_fee_pct = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    captain_fee = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    crew_wages = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    port_fees = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    net = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)


class EventData(_Strict):
    event = EventPayload()
    revenue = RevenuePayload(required=False, allow_null=True, help_text="Finance endpoints only.")


class EventUpdatedData(EventData):
    changes = serializers.ListField(
        child=serializers.CharField(), help_text="The fields that changed (`revenue`: finance endpoints only)."
    )


class EventMovedData(EventData):
    from_status = serializers.ChoiceField(choices=EventStatus.choices)
    reason = serializers.CharField(allow_blank=True)


class SlotPayload(_Strict):
    role = serializers.ChoiceField(
        choices=[("captain", "Captain"), ("first_mate", "First mate"), ("deckhand", "Deckhand")]
    )
    position = serializers.IntegerField()
    label = serializers.CharField()


class CrewMemberPayload(_Strict):
    name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    external_ids = serializers.DictField(child=serializers.CharField(), help_text="Platform → its id for this person.")


class RoleData(_Strict):
    event = EventBriefPayload()
    slot = SlotPayload()
    crew_member = CrewMemberPayload()
    action = serializers.ChoiceField(
        choices=["claimed", "designated", "released", "replaced"],
        help_text="role.claimed: claimed or designated; role.released: released, or replaced by a designation.",
    )


class WaiverGuestPayload(_Strict):
    name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    is_minor = serializers.BooleanField()


class SignaturePayload(_Strict):
    id = serializers.UUIDField()
    signer = serializers.ChoiceField(choices=["guest", "guardian"])
    signed_name = serializers.CharField()
    signed_at = serializers.DateTimeField()
    waiver_version = serializers.IntegerField()
    text_sha256 = serializers.CharField()


class WaiverSignedData(_Strict):
    event = EventBriefPayload()
    guest = WaiverGuestPayload()
    signature = SignaturePayload()


class BoardedGuestPayload(_Strict):
    name = serializers.CharField()


class GuestBoardedData(_Strict):
    event = EventBriefPayload()
    guest = BoardedGuestPayload()
    boarded_at = serializers.DateTimeField()
    on_hold = serializers.BooleanField(help_text="Boarded without a signed waiver (an override).")


class FloatPlanOverdueData(_Strict):
    event = EventBriefPayload()
    expected_return_at = serializers.DateTimeField()
    no_later_than = serializers.DateTimeField()
    persons_on_board = serializers.IntegerField()
    escalation_level = serializers.IntegerField()


# type → (what the data holds, when it is sent)
PAYLOADS: dict[str, tuple[type[serializers.Serializer], str]] = {
    WebhookEventType.EVENT_CREATED: (EventData, "A booking made an event (a platform, the office, the API)."),
    WebhookEventType.EVENT_UPDATED: (EventUpdatedData, "An event's details changed (moved, renamed, party size …)."),
    WebhookEventType.EVENT_CONFIRMED: (
        EventMovedData,
        "Every crew role is filled and acknowledged, or an owner confirmed.",
    ),
    WebhookEventType.EVENT_CANCELLED: (EventMovedData, "The event was cancelled (`reason` says why)."),
    WebhookEventType.EVENT_STARTED: (EventMovedData, "The captain started the charter."),
    WebhookEventType.EVENT_COMPLETED: (EventMovedData, "The charter is over."),
    WebhookEventType.ROLE_CLAIMED: (RoleData, "A crew member claimed a slot, or was designated to it."),
    WebhookEventType.ROLE_RELEASED: (RoleData, "A crew member left a slot, or was replaced in it."),
    WebhookEventType.WAIVER_SIGNED: (WaiverSignedData, "A guest (or their guardian) signed the current waiver."),
    WebhookEventType.GUEST_BOARDED: (
        GuestBoardedData,
        "A guest was checked in on the dock (tapped aboard, or added as a walk-up).",
    ),
    WebhookEventType.FLOAT_PLAN_OVERDUE: (
        FloatPlanOverdueData,
        "A charter is not back by its float plan's “no later than”: once per escalation step "
        "(0 at that moment, then one every 15 min until acknowledged).",
    ),
}


def _envelope(event_type: str, data: type[serializers.Serializer]) -> type[serializers.Serializer]:
    event_type = str(event_type)
    name = "".join(part.title() for part in event_type.replace("_", ".").split(".")) + "Webhook"
    fields = {
        "type": serializers.ChoiceField(choices=[event_type]),
        "timestamp": serializers.DateTimeField(help_text="When it happened (UTC)."),
        "data": data(),
        "Meta": type("Meta", (), {"ref_name": name}),
    }
    return type(name, (_Strict,), fields)


def _webhook(event_type: str) -> OpenApiWebhook:
    data, when = PAYLOADS[event_type]
    return OpenApiWebhook(
        name=str(event_type),
        decorator=extend_schema(
            summary=when,
            description=SIGNATURE_DOC,
            request=_envelope(event_type, data),
            responses={200: OpenApiResponse(description="Any 2xx: received.")},
            tags=["webhooks"],
        ),
    )


EVENT_CREATED = _webhook(WebhookEventType.EVENT_CREATED)
EVENT_UPDATED = _webhook(WebhookEventType.EVENT_UPDATED)
EVENT_CONFIRMED = _webhook(WebhookEventType.EVENT_CONFIRMED)
EVENT_CANCELLED = _webhook(WebhookEventType.EVENT_CANCELLED)
EVENT_STARTED = _webhook(WebhookEventType.EVENT_STARTED)
EVENT_COMPLETED = _webhook(WebhookEventType.EVENT_COMPLETED)
ROLE_CLAIMED = _webhook(WebhookEventType.ROLE_CLAIMED)
ROLE_RELEASED = _webhook(WebhookEventType.ROLE_RELEASED)
WAIVER_SIGNED = _webhook(WebhookEventType.WAIVER_SIGNED)
GUEST_BOARDED = _webhook(WebhookEventType.GUEST_BOARDED)
FLOAT_PLAN_OVERDUE = _webhook(WebhookEventType.FLOAT_PLAN_OVERDUE)

HEADERS = [
    {"name": "webhook-id", "in": "header", "required": True, "schema": {"type": "string"}, "example": "msg_…"},
    {"name": "webhook-timestamp", "in": "header", "required": True, "schema": {"type": "integer"}},
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "`v1,<base64>` signatures, space-separated.",
    },
]


def document_webhook_headers(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: every webhook carries the three Standard Webhooks headers."""
    for item in result.get("webhooks", {}).values():
        for operation in item.values():
            operation["parameters"] = HEADERS
    return result
