"""Intake that takes what platforms actually send: crew by the platform's ids or emails,
no source or externalRef (the key's platform; an Idempotency-Key makes retries safe)."""

import pytest
from rest_framework.test import APIClient

from crew.models import CrewExternalId, RoleSlot
from events.models import Event, Source
from events.service_keys import service_key_create

URL = "/api/service/events/"
# What the operation's own Boatsetter integration sends today, as it is.
SEED = {
    "eventName": "Sunset charter — party of six",
    "eventDate": "2024-05-30",
    "startTime": "17:00",
    "endTime": "20:00",
    "captain": "BS-CAPT-0042",
    "crew": ["BS-CREW-0107", "BS-CREW-0999"],
    "notes": "Birthday group, cake on board",
}


@pytest.fixture
def boatsetter(org):
    """Boatsetter's integration with its service key for `org`."""
    _, plain = service_key_create(organization=org, name="Boatsetter", source=Source.BOATSETTER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


@pytest.fixture
def platform_ids(captain, deckhand):
    """Boatsetter's ids for our captain and deckhand, as the owner set them in the back office."""
    CrewExternalId.objects.create(crew_member=captain, source=Source.BOATSETTER, external_id="BS-CAPT-0042")
    CrewExternalId.objects.create(crew_member=deckhand, source=Source.BOATSETTER, external_id="BS-CREW-0107")


def holders(event: Event) -> dict[str, int]:
    return dict(RoleSlot.objects.filter(event=event, holder__isnull=False).values_list("role", "holder"))


def test_the_seed_payload_is_accepted_as_it_is(boatsetter, org, captain, deckhand, platform_ids):
    response = boatsetter.post(URL, SEED, format="json", HTTP_IDEMPOTENCY_KEY="bs-2024-05-30-a")

    assert response.status_code == 201, response.json()
    body = response.json()
    event = Event.objects.get(public_id=body["id"])
    assert event.organization == org
    assert event.source == Source.BOATSETTER  # the key's platform
    assert event.external_ref == ""
    assert event.slug == "boatsetter-may-30-2024"
    assert event.local(event.departure_at).hour == 17
    assert event.notes == "Birthday group, cake on board"
    assert holders(event) == {"captain": captain.pk, "first_mate": deckhand.pk}
    assert body["unknown_crew"] == ["BS-CREW-0999"]
    assert any("BS-CREW-0999" in warning and "left open" in warning for warning in body["warnings"])


def test_a_retry_with_the_same_idempotency_key_answers_200_with_the_same_event(boatsetter, platform_ids):
    first = boatsetter.post(URL, SEED, format="json", HTTP_IDEMPOTENCY_KEY="bs-2024-05-30-a")
    again = boatsetter.post(URL, SEED, format="json", HTTP_IDEMPOTENCY_KEY="bs-2024-05-30-a")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Event.objects.count() == 1
    assert RoleSlot.objects.filter(holder__isnull=False).count() == 2


def test_the_same_idempotency_key_with_another_booking_is_a_409(boatsetter):
    boatsetter.post(URL, SEED, format="json", HTTP_IDEMPOTENCY_KEY="bs-1")
    other = boatsetter.post(URL, {**SEED, "eventDate": "2024-06-02"}, format="json", HTTP_IDEMPOTENCY_KEY="bs-1")
    assert other.status_code == 409
    assert "Idempotency-Key was already used for a different request" in other.json()["detail"]
    assert Event.objects.count() == 1


def test_without_reference_or_key_the_response_warns_a_retry_can_duplicate(boatsetter):
    first = boatsetter.post(URL, SEED, format="json")
    second = boatsetter.post(URL, SEED, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert "a second booking is made" in " ".join(first.json()["warnings"])
    assert Event.objects.count() == 2  # exactly what the warning said


def test_with_an_external_ref_there_is_no_warning_and_a_retry_is_safe(boatsetter):
    booking = {**SEED, "externalRef": "BS-77"}
    first = boatsetter.post(URL, booking, format="json")
    second = boatsetter.post(URL, booking, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert not any("second booking" in warning for warning in first.json()["warnings"])
    assert Event.objects.get().external_ref == "BS-77"


def test_every_unknown_crew_id_is_reported_and_the_booking_still_made(boatsetter):
    response = boatsetter.post(URL, {**SEED, "captain": "BS-NOBODY", "crew": ["BS-X1", "nobody@example.com"]})
    assert response.status_code == 201
    assert response.json()["unknown_crew"] == ["BS-NOBODY", "BS-X1", "nobody@example.com"]
    assert holders(Event.objects.get()) == {}


def test_crew_ids_are_per_platform_and_per_brand(org, other_org, captain, platform_ids):
    # Viator's key: BS-CAPT-0042 is Boatsetter's id, not Viator's.
    _, viator_plain = service_key_create(organization=org, name="Viator", source=Source.VIATOR)
    viator = APIClient()
    viator.credentials(HTTP_AUTHORIZATION=f"Bearer {viator_plain}")
    response = viator.post(URL, {**SEED, "crew": []}, format="json")
    assert response.json()["unknown_crew"] == ["BS-CAPT-0042"]
    assert Event.objects.get(public_id=response.json()["id"]).source == Source.VIATOR

    # Another brand's Boatsetter key: our captain's id names nobody of theirs.
    _, theirs_plain = service_key_create(organization=other_org, name="Boatsetter", source=Source.BOATSETTER)
    theirs = APIClient()
    theirs.credentials(HTTP_AUTHORIZATION=f"Bearer {theirs_plain}")
    response = theirs.post(URL, {**SEED, "crew": []}, format="json")
    assert response.json()["unknown_crew"] == ["BS-CAPT-0042"]
    assert holders(Event.objects.get(public_id=response.json()["id"])) == {}


def test_a_person_the_roster_refuses_is_reported_and_the_rest_stands(boatsetter, deckhand, platform_ids):
    # The deckhand named as captain (not captain-qualified) and again as crew.
    response = boatsetter.post(URL, {**SEED, "captain": "BS-CREW-0107", "crew": ["BS-CREW-0107"]}, format="json")
    assert response.status_code == 201
    warnings = " ".join(response.json()["warnings"])
    assert "does not sail as captain" in warnings
    assert holders(Event.objects.get()) == {"first_mate": deckhand.pk}


def test_an_explicit_source_still_wins_and_getyourguide_is_one(org):
    _, plain = service_key_create(organization=org, name="GetYourGuide", source=Source.GETYOURGUIDE)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    made = client.post(URL, {**SEED, "crew": [], "captain": ""}, format="json").json()
    assert Event.objects.get(public_id=made["id"]).source == "getyourguide"
    assert made["slug"] == "getyourguide-may-30-2024"
    explicit = client.post(URL, {**SEED, "source": "sailo", "externalRef": "S-1"}, format="json").json()
    assert explicit["source"] == "sailo"


def test_an_overlong_idempotency_key_is_a_400(boatsetter):
    response = boatsetter.post(URL, SEED, format="json", HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert not Event.objects.exists()


def test_the_idempotency_key_is_per_brand(boatsetter, other_org):
    _, plain = service_key_create(organization=other_org, name="Boatsetter", source=Source.BOATSETTER)
    theirs = APIClient()
    theirs.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    ours = boatsetter.post(URL, SEED, format="json", HTTP_IDEMPOTENCY_KEY="same")
    other = theirs.post(URL, SEED, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert (ours.status_code, other.status_code) == (201, 201)
    assert ours.json()["id"] != other.json()["id"]


def test_the_owner_sets_a_crew_members_platform_ids_in_the_back_office(client, owner, deckhand, captain, outsider):
    client.force_login(owner)
    url = f"/admin/crew/crewmember/{deckhand.pk}/change/"
    form = {
        "phone": "",
        "active": "on",
        "_save": "Save",
        "external_ids-TOTAL_FORMS": "1",
        "external_ids-INITIAL_FORMS": "0",
        "external_ids-0-source": "boatsetter",
        "external_ids-0-external_id": " BS-CREW-0107 ",
    }
    # The page sends the person's name and email with the rest (the crew member in full).
    person = {"first_name": deckhand.user.first_name, "email": deckhand.user.email}
    assert client.post(url, {**form, **person}).status_code == 302
    assert list(deckhand.external_ids.values_list("source", "external_id")) == [("boatsetter", "BS-CREW-0107")]

    # The same Boatsetter id for a second person of the brand is refused with the reason.
    person = {"first_name": captain.user.first_name, "email": captain.user.email}
    response = client.post(f"/admin/crew/crewmember/{captain.pk}/change/", {**form, **person})
    assert response.status_code == 200
    assert "already has this id on this platform" in response.content.decode()
    assert not captain.external_ids.exists()
    # Another brand's crew member is not found.
    assert client.get(f"/admin/crew/crewmember/{outsider.pk}/change/").status_code == 404
