"""Guests and the platforms: a cancelled booking tells each guest once (never why, never
money), and a signed waiver reaches the owner's webhook endpoints."""

import json

from django.core import mail
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from charterops.models import OutboundEmail
from events.models import Event, Source, WebhookEventType
from events.service_keys import service_key_create
from events.webhooks import webhook_endpoint_create
from guests.brand import public_title
from guests.tests.factories import make_guest, make_waiver, sign

URL = "/api/service/events/"
BOOKING = {
    "eventName": "Boatsetter charter",
    "eventDate": "2030-05-30",
    "startTime": "10:00",
    "endTime": "13:00",
    "externalRef": "BS-55",
    "gross": "98765.43",
}


def boatsetter(org) -> APIClient:
    _, plain = service_key_create(organization=org, name="Boatsetter", source=Source.BOATSETTER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_cancelling_a_booking_tells_each_guest_once(org, django_capture_on_commit_callbacks):
    platform = boatsetter(org)
    event = Event.objects.get(public_id=platform.post(URL, BOOKING, format="json").json()["id"])
    ana, ben = make_guest(event, "Ana Reyes"), make_guest(event, "Ben Ortiz")
    make_guest(event, "No Email", email="")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        platform.post(f"{URL}boatsetter/BS-55/cancel", {"reason": "Owner double-booked the boat"}, format="json")
        platform.post(f"{URL}boatsetter/BS-55/cancel", {"reason": "Owner double-booked the boat"}, format="json")

    told = OutboundEmail.objects.filter(kind="guest_event_cancelled").order_by("to")
    assert [email.to for email in told] == [[ana.email], [ben.email]]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ana.email, ben.email])
    body = told[0].body_text + told[0].body_html
    assert public_title(event) in body  # what guests know the charter as
    assert event.name not in body  # the internal name never reaches a guest
    assert "is cancelled" in body
    assert "double-booked" not in body  # the reason is for the crew and the office
    assert "98765.43" not in body


def test_a_signed_waiver_reaches_the_endpoint(org, receiver, django_capture_on_commit_callbacks):
    made = webhook_endpoint_create(organization=org, url=receiver.url(), event_types=[WebhookEventType.WAIVER_SIGNED])
    platform = boatsetter(org)
    event = Event.objects.get(public_id=platform.post(URL, BOOKING, format="json").json()["id"])
    make_waiver(org)
    guest = make_guest(event, "Ana Reyes")

    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(guest)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    payload = Webhook(made.secret).verify(request.body, request.headers)
    assert payload["type"] == "waiver.signed"
    assert payload["data"]["signature"]["id"] == str(signature.public_id)
    assert payload["data"]["guest"]["name"] == "Ana Reyes"
    assert payload["data"]["event"]["external_ref"] == "BS-55"
    assert "98765.43" not in request.body
    assert json.loads(request.body)["data"]["signature"]["waiver_version"] == 1
