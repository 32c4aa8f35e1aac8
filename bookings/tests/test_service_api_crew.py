"""The service API's crew: booked crew are designated and emailed a sign-in link."""

import pytest
from rest_framework.test import APIClient

from bookings.tests.test_service_api import BOOKING, URL
from events.models import Event
from events.service_keys import service_key_create


@pytest.fixture
def platform(org):
    _, plain = service_key_create(organization=org, name="Boatsetter")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_booked_crew_are_designated_and_emailed_a_sign_in_link_without_money(
    platform, org, captain, deckhand, django_capture_on_commit_callbacks
):
    from charterops.models import OutboundEmail
    from crew.models import RoleSlot

    booking = {**BOOKING, "captain": captain.user.email, "crew": [deckhand.user.email]}
    with django_capture_on_commit_callbacks(execute=True):
        response = platform.post(URL, booking, format="json")

    assert response.status_code == 201, response.json()
    event = Event.objects.get(public_id=response.json()["id"])
    holders = dict(RoleSlot.objects.filter(event=event, holder__isnull=False).values_list("role", "holder"))
    assert holders == {"captain": captain.pk, "first_mate": deckhand.pk}
    emails = OutboundEmail.objects.filter(kind="crew_invite")
    assert sorted(e.to[0] for e in emails) == sorted([captain.user.email, deckhand.user.email])
    for email in emails:
        assert "/m/" in email.body_text
        for amount in ("840.78", "151.34", "150.00", "250.00"):
            assert amount not in email.body_text + email.body_html


def test_an_unknown_crew_email_is_reported_and_its_seat_left_open(platform, deckhand):
    booking = {**BOOKING, "captain": "stranger@example.com", "crew": [deckhand.user.email]}
    response = platform.post(URL, booking, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["unknown_crew"] == ["stranger@example.com"]
    assert any("stranger@example.com" in warning for warning in body["warnings"])
    event = Event.objects.get(public_id=body["id"])
    from crew.models import RoleSlot

    holders = dict(RoleSlot.objects.filter(event=event, holder__isnull=False).values_list("role", "holder"))
    assert holders == {"first_mate": deckhand.pk}
