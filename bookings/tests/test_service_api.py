from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from events.models import Event, Revenue, ServiceKey
from events.service_keys import service_key_create, service_key_revoke

URL = "/api/service/events/"
BOOKING = {
    "eventName": "Boatsetter charter",
    "eventDate": "2024-05-30",
    "startTime": "10:00",
    "endTime": "13:00",
    "source": "boatsetter",
    "externalRef": "BS-123",
    "guestCount": 6,
    "notes": "Birthday group",
    "gross": "840.78",
    "captainRate": "50",
    "captainHours": "3",
    "crewRate": "25",
    "crewHours": "5",
    "portFeePct": "18",
}


@pytest.fixture
def platform(org):
    """A booking platform holding a service key of `org`."""
    key, plain = service_key_create(organization=org, name="Boatsetter")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    client.key = key
    return client


def test_platform_creates_a_charter_with_its_revenue(platform, org):
    response = platform.post(URL, BOOKING, format="json")

    assert response.status_code == 201, response.json()
    event = Event.objects.get(public_id=response.json()["id"])
    assert event.organization == org
    assert event.slug == "boatsetter-may-30-2024"
    assert event.local(event.departure_at).hour == 10
    assert event.local(event.return_at).hour == 13
    assert event.notes == "Birthday group"
    assert event.revenue.gross == Decimal("840.78")
    assert event.revenue.port_fees == Decimal("151.34")
    assert "gross" not in response.json()  # the platform gets the event back, not the money


def test_retry_with_the_same_external_ref_returns_the_same_event(platform):
    first = platform.post(URL, BOOKING, format="json")
    second = platform.post(URL, BOOKING, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Event.objects.count() == 1
    assert Revenue.objects.count() == 1


def test_money_in_notes_is_refused_with_the_reason(platform):
    response = platform.post(URL, {**BOOKING, "notes": "Captain gets $150"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert "Money belongs in Revenue" in body["fields"]["notes"][0]
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer cosk_abc_def", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b c", ""],
)
def test_wrong_keys_are_401(org, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post(URL, BOOKING, format="json")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert not Event.objects.exists()


def test_revoked_key_is_401(platform):
    service_key_revoke(key=platform.key)
    response = platform.post(URL, BOOKING, format="json")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_another_brands_key_cannot_see_our_events(platform, other_org):
    _, theirs_plain = service_key_create(organization=other_org, name="Viator")
    ours = platform.post(URL, BOOKING, format="json").json()
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {theirs_plain}")

    assert other.get(f"{URL}{ours['id']}/").status_code == 404
    assert platform.get(f"{URL}{ours['id']}/").status_code == 200
    # The same externalRef from another brand is another brand's booking.
    created = other.post(URL, BOOKING, format="json")
    assert created.status_code == 201
    assert Event.objects.get(public_id=created.json()["id"]).organization == other_org


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"eventDate": "30/05/2024"}, "eventDate"),
        ({"startTime": "25:00"}, "startTime"),
        ({"endTime": "10:00"}, "endTime"),
        ({"source": "direct"}, "source"),
        ({"gross": "-1"}, "gross"),
        ({"portFeePct": "150"}, "portFeePct"),
        ({"crew": "not-a-list"}, "crew"),
        ({"crew": [{"id": 7}]}, "crew"),
        ({"crew": [""]}, "crew"),
        ({"vessel": "Titanic"}, "vessel"),
        ({"eventName": ""}, "eventName"),
        ({"gross": "1e400"}, "gross"),
    ],
)
def test_malformed_bookings_get_field_errors_not_500(platform, change, field):
    response = platform.post(URL, {**BOOKING, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Event.objects.exists()


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null", '{"eventName": {"$gt": 1}}'])
def test_garbage_bodies_are_400(platform, body):
    response = platform.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_overnight_charter_ends_the_next_day(platform):
    response = platform.post(URL, {**BOOKING, "startTime": "22:00", "endTime": "02:00"}, format="json")
    event = Event.objects.get(public_id=response.json()["id"])
    assert (event.return_at - event.departure_at).total_seconds() == 4 * 3600


def test_last_use_is_recorded(platform):
    assert platform.key.last_used_at is None
    platform.post(URL, BOOKING, format="json")
    platform.key.refresh_from_db()
    assert platform.key.last_used_at is not None


def test_keys_are_stored_hashed_and_shown_once_by_the_command(org):
    out = StringIO()
    call_command("create_service_key", org.slug, "Sailo", stdout=out)
    plain = out.getvalue().strip().splitlines()[-1]
    key = ServiceKey.objects.get(name="Sailo")
    assert key.source == "sailo"  # taken from the name
    assert plain.startswith(f"cosk_{key.prefix}_")
    assert plain not in {key.key_hash, key.prefix}
    assert len(key.key_hash) == 64


def test_crew_tokens_and_owner_sessions_cannot_use_the_service_api(client, owner):
    client.force_login(owner)
    response = client.post(URL, BOOKING, content_type="application/json")
    assert response.status_code == 401


def test_owner_makes_a_key_in_the_back_office_sees_it_once_and_revokes_it(client, owner, org, other_org):
    client.force_login(owner)
    response = client.post(
        "/admin/events/servicekey/add/", {"organization": org.pk, "name": "Sailo", "source": "sailo"}, follow=True
    )
    key = ServiceKey.objects.get(name="Sailo")
    assert key.source == "sailo"
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"cosk_{key.prefix}_" in m for m in shown)
    assert key.key_hash not in response.content.decode()

    # The key works, then is revoked from the list.
    plain = next(m for m in shown if "cosk_" in m).split(": ", 1)[1].split(" ")[0]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert api.post(URL, BOOKING, format="json").status_code == 201
    client.post("/admin/events/servicekey/", {"action": "revoke", "_selected_action": [key.pk]})
    assert api.post(URL, {**BOOKING, "externalRef": "BS-124"}, format="json").status_code == 401

    theirs, _ = service_key_create(organization=other_org, name="Viator")
    assert client.get(f"/admin/events/servicekey/{theirs.pk}/change/").status_code == 404
