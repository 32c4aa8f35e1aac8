"""The captain starts the charter from the event page (guests' on-hold override: guests/tests)."""

import pytest

from crew.models import RoleSlot
from crew.tests.factories import make_event
from events.models import EventStatus, EventTransition
from events.services import event_transition


@pytest.fixture
def charter(org, captain):
    event = make_event(org)
    RoleSlot.objects.filter(event=event, role="captain").update(holder=captain)
    event_transition(event=event, to_status=EventStatus.CONFIRMED)
    return event


def start_url(event):
    return f"/crew/events/{event.public_id}/start"


def test_captain_starts_a_confirmed_charter(crew_login, charter, captain):
    response = crew_login(captain).post(start_url(charter))
    assert response.status_code == 303
    charter.refresh_from_db()
    assert charter.status == EventStatus.IN_PROGRESS
    assert EventTransition.objects.filter(event=charter, to_status="in_progress").get().by == captain.user


def test_the_start_button_is_for_the_captain_only(crew_login, charter, captain, deckhand):
    RoleSlot.objects.filter(event=charter, role="deckhand", position=1).update(holder=deckhand)
    assert "Start the charter" in crew_login(captain).get(f"/crew/events/{charter.public_id}/").content.decode()
    assert "Start the charter" not in crew_login(deckhand).get(f"/crew/events/{charter.public_id}/").content.decode()


def test_deckhand_cannot_start_the_charter(crew_login, charter, deckhand):
    RoleSlot.objects.filter(event=charter, role="deckhand", position=1).update(holder=deckhand)
    response = crew_login(deckhand).post(start_url(charter))
    assert response.status_code == 403
    charter.refresh_from_db()
    assert charter.status == EventStatus.CONFIRMED


def test_outsider_gets_404(crew_login, charter, outsider):
    assert crew_login(outsider).post(start_url(charter)).status_code == 404


def test_a_pending_event_cannot_be_started(crew_login, org, captain):
    event = make_event(org)
    RoleSlot.objects.filter(event=event, role="captain").update(holder=captain)
    response = crew_login(captain).post(start_url(event))
    assert response.status_code == 409
    assert "Allowed next" in response.content.decode()


def test_the_api_starts_and_confirms_with_the_same_rules(api_login, org, captain, deckhand, owner):
    event = make_event(org)
    RoleSlot.objects.filter(event=event, role="captain").update(holder=captain)
    RoleSlot.objects.filter(event=event, role="deckhand", position=1).update(holder=deckhand)
    url = f"/api/events/{event.public_id}/"

    assert api_login(captain).post(url + "confirm").status_code == 403  # owners confirm early
    assert api_login(owner).post(url + "confirm").json() == {"status": "confirmed"}
    assert api_login(deckhand).post(url + "start").status_code == 403
    assert api_login(captain).post(url + "start", {"reason": ""}, format="json").json() == {"status": "in_progress"}
    assert api_login(captain).post(url + "start").status_code == 409
