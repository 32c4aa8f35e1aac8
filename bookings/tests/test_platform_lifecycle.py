"""A platform moves, changes and cancels a booking by its own reference, through the same
services as the back office: the crew are told once, refusals are 409s, other brands 404."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from rest_framework.test import APIClient

from charterops.models import OutboundEmail
from crew.models import ChecklistItem, CrewExternalId
from crew.tests.factories import make_crew_member
from events.models import Event, EventStatus, EventTransition, Source
from events.service_keys import service_key_create
from events.services import event_transition

URL = "/api/service/events/"
BOOKING = {
    "eventName": "Boatsetter charter",
    "eventDate": "2024-05-30",
    "startTime": "10:00",
    "endTime": "13:00",
    "externalRef": "BS-123",
    "captain": "BS-CAPT",
    "crew": ["BS-MATE"],
    "guestCount": 6,
    "gross": "840.78",
}
BOOKED = f"{URL}boatsetter/BS-123"
SENTINEL = "98765.43"


@pytest.fixture
def boatsetter(org):
    _, plain = service_key_create(organization=org, name="Boatsetter", source=Source.BOATSETTER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


@pytest.fixture
def booked(boatsetter, org, captain, deckhand, django_capture_on_commit_callbacks) -> Event:
    """The charter as Boatsetter booked it, with its checklist and its two crew invited."""
    from crew.models import ChecklistTemplate, ChecklistTemplateItem

    template = ChecklistTemplate.objects.create(
        organization=org, name="Pre", event_type="charter", phase="pre_departure"
    )
    ChecklistTemplateItem.objects.create(template=template, text="Fuel", responsible_role="captain", offset_minutes=-60)
    CrewExternalId.objects.create(crew_member=captain, source=Source.BOATSETTER, external_id="BS-CAPT")
    CrewExternalId.objects.create(crew_member=deckhand, source=Source.BOATSETTER, external_id="BS-MATE")
    with django_capture_on_commit_callbacks(execute=True):
        response = boatsetter.post(URL, BOOKING, format="json")
    assert response.status_code == 201, response.json()
    mail.outbox.clear()
    return Event.objects.get(public_id=response.json()["id"])


def emails(kind: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind=kind).order_by("to"))


def test_moving_a_charter_retimes_its_checklist_and_tells_each_crew_member_once(
    boatsetter, booked, captain, deckhand, django_capture_on_commit_callbacks
):
    fuel = ChecklistItem.objects.get(event=booked)
    invites = OutboundEmail.objects.filter(kind="crew_invite").count()
    with django_capture_on_commit_callbacks(execute=True):
        response = boatsetter.patch(BOOKED, {"eventDate": "2024-05-31", "startTime": "11:00"}, format="json")

    assert response.status_code == 200, response.json()
    assert sorted(response.json()["changed"]) == ["departure_at", "return_at"]
    booked.refresh_from_db()
    assert booked.local(booked.departure_at).strftime("%Y-%m-%d %H:%M") == "2024-05-31 11:00"
    assert booked.local(booked.return_at).strftime("%H:%M") == "13:00"  # the end kept its time
    fuel.refresh_from_db()
    assert fuel.due_at == booked.departure_at - timedelta(minutes=60)
    assert booked.slug == "boatsetter-may-30-2024"  # the guest page keeps its address

    changed = emails("event_changed")
    assert [e.to for e in changed] == sorted([[captain.user.email], [deckhand.user.email]])
    text = changed[0].body_text
    assert "Departs: Thu 30 May 2024, 10:00 AM → Fri 31 May 2024, 11:00 AM" in text
    assert "840.78" not in text + changed[0].body_html
    assert len(mail.outbox) == 2
    # Nothing re-filed: nobody is invited again, no seat or checklist item added.
    assert OutboundEmail.objects.filter(kind="crew_invite").count() == invites
    assert ChecklistItem.objects.filter(event=booked).count() == 1


def test_the_same_change_again_changes_nothing_and_tells_nobody(boatsetter, booked, django_capture_on_commit_callbacks):
    change = {"eventName": "Birthday charter", "guestCount": 8}
    with django_capture_on_commit_callbacks(execute=True):
        first = boatsetter.patch(BOOKED, change, format="json")
        again = boatsetter.patch(BOOKED, change, format="json")
    assert sorted(first.json()["changed"]) == ["guest_count", "name"]
    assert (again.status_code, again.json()["changed"]) == (200, [])
    assert len(emails("event_changed")) == 2  # one each, from the first call
    assert "Guests: 6 → 8" in emails("event_changed")[0].body_text


def test_money_changes_revenue_and_never_reaches_the_crew(boatsetter, booked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = boatsetter.patch(BOOKED, {"gross": SENTINEL}, format="json")
    assert response.json()["changed"] == ["revenue"]
    booked.revenue.refresh_from_db()
    assert booked.revenue.gross == Decimal(SENTINEL)
    assert emails("event_changed") == []
    assert all(SENTINEL not in e.body_text + e.body_html for e in OutboundEmail.objects.all())
    assert SENTINEL not in response.content.decode()


def test_a_completed_charter_cannot_be_moved_or_cancelled(boatsetter, booked, owner):
    for status in (EventStatus.CONFIRMED, EventStatus.IN_PROGRESS, EventStatus.COMPLETED):
        event_transition(event=booked, to_status=status, by=owner)

    moved = boatsetter.patch(BOOKED, {"startTime": "09:00"}, format="json")
    cancelled = boatsetter.post(f"{BOOKED}/cancel", {"reason": "Refund"}, format="json")

    assert moved.status_code == 409
    assert moved.json()["detail"] == "“Boatsetter charter” is completed: a completed booking can no longer change."
    assert cancelled.status_code == 409
    assert "from Completed to Cancelled" in cancelled.json()["detail"]
    assert "none (final state)" in cancelled.json()["detail"]
    booked.refresh_from_db()
    assert booked.status == EventStatus.COMPLETED
    assert emails("event_changed") == emails("event_cancelled") == []


def test_cancelling_tells_the_crew_once_with_the_reason(
    boatsetter, booked, captain, deckhand, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = boatsetter.post(f"{BOOKED}/cancel", {"reason": "Customer cancelled (weather)"}, format="json")
        again = boatsetter.post(f"{BOOKED}/cancel/", {"reason": "Customer cancelled (weather)"}, format="json")

    assert (first.status_code, first.json()["cancelled"], first.json()["status"]) == (200, True, "cancelled")
    assert (again.status_code, again.json()["cancelled"]) == (200, False)
    told = emails("event_cancelled")
    assert [e.to for e in told] == sorted([[captain.user.email], [deckhand.user.email]])
    assert "Why: Customer cancelled (weather)" in told[0].body_text
    move = EventTransition.objects.get(event=booked, to_status=EventStatus.CANCELLED)
    assert move.reason == "Customer cancelled (weather)"
    assert len(mail.outbox) == 2


def test_a_cancelled_booking_cannot_be_changed_any_more(boatsetter, booked):
    boatsetter.post(f"{BOOKED}/cancel", {}, format="json")
    assert EventTransition.objects.get(event=booked, to_status="cancelled").reason == "Cancelled through Boatsetter."
    response = boatsetter.patch(BOOKED, {"guestCount": 2}, format="json")
    assert response.status_code == 409
    assert "cancelled booking can no longer change" in response.json()["detail"]


def test_money_in_a_cancellation_reason_is_refused(boatsetter, booked):
    response = boatsetter.post(f"{BOOKED}/cancel", {"reason": "Refunded $840"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    booked.refresh_from_db()
    assert booked.status == EventStatus.PENDING_CONFIRMATION


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"captain": "BS-OTHER"}, "captain"),
        ({"source": "viator"}, "source"),
        ({"startTime": "10:00", "endTime": "10:00"}, "endTime"),
        ({"guestCount": -1}, "guestCount"),
        ({"notes": "Tip the captain $40"}, "notes"),
        ({"eventDate": "31/05/2024"}, "eventDate"),
    ],
)
def test_bad_changes_are_400_and_change_nothing(boatsetter, booked, change, field):
    response = boatsetter.patch(BOOKED, change, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    before = booked.updated_at
    booked.refresh_from_db()
    assert booked.updated_at == before


def test_another_brands_key_gets_404_and_changes_nothing(booked, other_org):
    _, plain = service_key_create(organization=other_org, name="Boatsetter", source=Source.BOATSETTER)
    theirs = APIClient()
    theirs.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")

    assert theirs.get(BOOKED).status_code == 404
    assert theirs.patch(BOOKED, {"guestCount": 1}, format="json").status_code == 404
    assert theirs.post(f"{BOOKED}/cancel", {"reason": "x"}, format="json").status_code == 404
    booked.refresh_from_db()
    assert (booked.status, booked.guest_count) == (EventStatus.PENDING_CONFIRMATION, 6)


def test_unknown_references_and_sources_are_404(boatsetter, booked):
    assert boatsetter.patch(f"{URL}boatsetter/BS-999", {"guestCount": 1}, format="json").status_code == 404
    assert boatsetter.patch(f"{URL}viator/BS-123", {"guestCount": 1}, format="json").status_code == 404
    assert boatsetter.post(f"{URL}nosuchplatform/BS-123/cancel", {}, format="json").status_code == 404
    assert boatsetter.get(BOOKED).json()["id"] == str(booked.public_id)


def test_without_a_key_nothing_can_be_changed(booked, client):
    assert APIClient().patch(BOOKED, {"guestCount": 1}, format="json").status_code == 401
    assert APIClient().post(f"{BOOKED}/cancel", {}, format="json").status_code == 401


def test_crew_not_on_the_event_are_not_told(boatsetter, booked, org, django_capture_on_commit_callbacks):
    bystander = make_crew_member(org, "Bystander")
    with django_capture_on_commit_callbacks(execute=True):
        boatsetter.patch(BOOKED, {"startTime": "09:00"}, format="json")
        boatsetter.post(f"{BOOKED}/cancel", {"reason": "Weather"}, format="json")
    everyone = [address for email in OutboundEmail.objects.all() for address in email.to]
    assert bystander.user.email not in everyone


def test_the_back_office_cancels_a_booking_the_same_way(
    client, owner, booked, captain, deckhand, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        # The list opens on upcoming charters; this one sailed in 2024, so it is listed under "All".
        client.post("/admin/events/event/?when=all", {"action": "mark_cancelled", "_selected_action": [booked.pk]})
    booked.refresh_from_db()
    assert booked.status == EventStatus.CANCELLED
    assert [e.to for e in emails("event_cancelled")] == sorted([[captain.user.email], [deckhand.user.email]])
    assert "Cancelled in the back office." in emails("event_cancelled")[0].body_text


def test_a_booking_sent_without_reference_is_moved_and_cancelled_by_its_id(
    boatsetter, captain, django_capture_on_commit_callbacks
):
    from bookings.tests.test_platform_intake import SEED

    made = boatsetter.post(URL, {**SEED, "crew": []}, format="json", HTTP_IDEMPOTENCY_KEY="bs-no-ref").json()
    by_id = f"{URL}{made['id']}/"
    moved = boatsetter.patch(by_id, {"endTime": "21:00"}, format="json")
    assert (moved.status_code, moved.json()["changed"]) == (200, ["return_at"])
    cancelled = boatsetter.post(f"{by_id}cancel", {"reason": "Weather"}, format="json")
    assert (cancelled.status_code, cancelled.json()["cancelled"]) == (200, True)
    assert Event.objects.get(public_id=made["id"]).status == EventStatus.CANCELLED


def test_another_brands_key_cannot_change_a_booking_by_its_id_either(booked, other_org):
    _, plain = service_key_create(organization=other_org, name="Boatsetter", source=Source.BOATSETTER)
    theirs = APIClient()
    theirs.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert theirs.patch(f"{URL}{booked.public_id}/", {"guestCount": 1}, format="json").status_code == 404
    assert theirs.post(f"{URL}{booked.public_id}/cancel", {}, format="json").status_code == 404
    booked.refresh_from_db()
    assert booked.status == EventStatus.PENDING_CONFIRMATION


def test_moving_a_charter_republishes_its_guest_page(
    boatsetter, booked, org, settings, django_capture_on_commit_callbacks
):
    # The brand's published page on the local file system (guests.storage; S3 in production).
    page = Path(settings.MEDIA_ROOT) / "brands" / org.slug / f"g/{booked.slug}.html"
    assert "10:00" in page.read_text()
    with django_capture_on_commit_callbacks(execute=True):
        boatsetter.patch(BOOKED, {"startTime": "11:30"}, format="json")
    html = page.read_text()
    assert "11:30" in html
    assert "840.78" not in html
