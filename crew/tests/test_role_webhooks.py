"""What the roster and the lifecycle tell the owner's webhook endpoints, in order."""

from standardwebhooks.webhooks import Webhook

from crew import services as crew_services
from crew.models import CrewExternalId, RoleSlot
from crew.tests.factories import make_event as make_crew_event
from events import services
from events.models import EventStatus, WebhookEventType
from events.webhooks import webhook_endpoint_create


def endpoint_for(org, url) -> tuple[object, str]:
    made = webhook_endpoint_create(organization=org, url=url, event_types=WebhookEventType.values)
    return made.endpoint, made.secret


def verified(secret: str, request) -> dict:
    return Webhook(secret).verify(request.body, request.headers)


def test_the_lifecycle_and_the_roster_are_told(
    org, owner, captain, deckhand, receiver, django_capture_on_commit_callbacks
):
    _, secret = endpoint_for(org, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        event = make_crew_event(org, deckhand_slots=0)
        first_mate = RoleSlot.objects.get(event=event, role="first_mate")
        crew_services.role_claim(slot=first_mate, crew_member=deckhand)
        crew_services.role_release(slot=first_mate, by=deckhand.user)
        services.event_update(event=event, guest_count=8, name=event.name)
        crew_services.event_confirm(event=event, by=owner)
        services.event_transition(event=event, to_status=EventStatus.IN_PROGRESS, by=owner)
        services.event_transition(event=event, to_status=EventStatus.COMPLETED, by=owner)

    payloads = [verified(secret, request) for request in receiver.requests]
    assert [p["type"] for p in payloads] == [
        "event.created",
        "role.claimed",
        "role.released",
        "event.updated",
        "event.confirmed",
        "event.started",
        "event.completed",
    ]
    claimed = payloads[1]["data"]
    assert claimed["crew_member"]["name"] == deckhand.display_name
    assert (claimed["slot"]["label"], claimed["action"]) == ("First mate", "claimed")
    assert payloads[3]["data"]["changes"] == ["guest_count"]  # the unchanged name is not news
    assert payloads[5]["data"]["from_status"] == "confirmed"
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 7


def test_a_designation_replacing_someone_tells_both(org, owner, captain, receiver, django_capture_on_commit_callbacks):
    from crew.tests.factories import make_crew_member

    other_captain = make_crew_member(org, "Kai", captain=True)
    CrewExternalId.objects.create(crew_member=other_captain, source="boatsetter", external_id="BS-KAI")
    _, secret = endpoint_for(org, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        event = make_crew_event(org, deckhand_slots=0)
        seat = RoleSlot.objects.get(event=event, role="captain")
        crew_services.role_designate(slot=seat, crew_member=captain, by=owner)
        crew_services.role_designate(slot=seat, crew_member=other_captain, by=owner, replace=True)

    payloads = [verified(secret, request)["data"] for request in receiver.requests[1:]]
    assert [(p["crew_member"]["name"], p["action"]) for p in payloads] == [
        (captain.display_name, "designated"),
        (captain.display_name, "replaced"),
        ("Kai", "designated"),
    ]
    assert payloads[2]["crew_member"]["external_ids"] == {"boatsetter": "BS-KAI"}
