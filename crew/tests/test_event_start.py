"""The captain starts the charter from its own card on the event page, from the brand's
start window before departure (default 2 h); earlier only with a reason, recorded with
the start. (Guests' on-hold override: guests/tests.)"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from crew.models import RoleSlot
from crew.tests.factories import make_event
from crew.tests.scenarios import charter_checklists
from crew.tests.test_event_page import element
from events.models import EventStatus, EventTransition
from events.services import event_transition


def confirmed_charter(org, captain, *, departs_in: timedelta):
    charter_checklists(org)
    event = make_event(org, departure_at=timezone.now() + departs_in)
    RoleSlot.objects.filter(event=event, role="captain").update(holder=captain)
    event_transition(event=event, to_status=EventStatus.CONFIRMED)
    return event


@pytest.fixture
def charter(org, captain):
    """Departs in an hour: inside the default 2 h start window."""
    return confirmed_charter(org, captain, departs_in=timedelta(hours=1))


@pytest.fixture
def tomorrows(org, captain):
    return confirmed_charter(org, captain, departs_in=timedelta(days=1))


def start_url(event):
    return f"/crew/events/{event.public_id}/start"


def page(client, event) -> str:
    return client.get(f"/crew/events/{event.public_id}/").content.decode()


def test_captain_starts_a_confirmed_charter_inside_the_start_window(crew_login, charter, captain):
    response = crew_login(captain).post(start_url(charter))
    assert response.status_code == 303
    assert response["Location"].endswith("#start")
    charter.refresh_from_db()
    assert charter.status == EventStatus.IN_PROGRESS
    move = EventTransition.objects.filter(event=charter, to_status="in_progress").get()
    assert (move.by, move.reason) == (captain.user, "")


def test_start_has_its_own_card_never_beside_the_assign_form(crew_login, charter, captain):
    body = page(crew_login(captain), charter)
    start = element(body, "section", "start")
    roster = element(body, "section", "roster")
    assert "Start the charter" in start
    assert f'action="{start_url(charter)}"' in start
    assert start_url(charter) not in roster
    assert "Assign a role" in roster
    assert "Assign a role" not in start
    # The roster (with the assign form) and the start card are not neighbours: the
    # checklists and the guests come between them.
    assert body.index('id="roster"') < body.index("Pre-departure checklist") < body.index('id="start"')


def test_the_start_button_is_for_the_captain_only(crew_login, charter, captain, deckhand):
    RoleSlot.objects.filter(event=charter, role="deckhand", position=1).update(holder=deckhand)
    assert "Start the charter" in page(crew_login(captain), charter)
    assert "Start the charter" not in page(crew_login(deckhand), charter)


def test_deckhand_cannot_start_the_charter(crew_login, charter, deckhand):
    RoleSlot.objects.filter(event=charter, role="deckhand", position=1).update(holder=deckhand)
    response = crew_login(deckhand).post(start_url(charter))
    assert response.status_code == 403
    charter.refresh_from_db()
    assert charter.status == EventStatus.CONFIRMED


def test_deckhand_cannot_start_early_with_a_reason_either(crew_login, tomorrows, deckhand):
    RoleSlot.objects.filter(event=tomorrows, role="deckhand", position=1).update(holder=deckhand)
    assert crew_login(deckhand).post(start_url(tomorrows), {"reason": "keen"}).status_code == 403
    tomorrows.refresh_from_db()
    assert tomorrows.status == EventStatus.CONFIRMED


def test_outsider_gets_404(crew_login, charter, outsider):
    assert crew_login(outsider).post(start_url(charter)).status_code == 404


def test_a_pending_event_cannot_be_started(crew_login, org, captain):
    event = make_event(org, departure_at=timezone.now() + timedelta(hours=1))
    RoleSlot.objects.filter(event=event, role="captain").update(holder=captain)
    assert "Start the charter" not in page(crew_login(captain), event)
    response = crew_login(captain).post(start_url(event))
    assert response.status_code == 409
    assert "Allowed next" in response.content.decode()


# --- The start window ------------------------------------------------------------------------


def test_before_the_window_the_card_says_when_the_start_opens_and_asks_a_reason_to_start_early(
    crew_login, tomorrows, captain
):
    start = element(page(crew_login(captain), tomorrows), "section", "start")
    opens = timezone.localtime(tomorrows.departure_at - timedelta(hours=2), tomorrows.organization.tz)
    assert re.search(rf"The start opens at <strong>{opens:%-I:%M %p}</strong>, 2 h before departure", start)
    assert 'data-start="early"' in start
    assert re.search(r'<input type="text" id="start-reason" name="reason"[^>]* required', start)
    assert 'data-start="now"' not in start


def test_a_start_before_the_window_without_a_reason_is_refused_and_says_why(crew_login, tomorrows, captain):
    response = crew_login(captain).post(start_url(tomorrows), {"reason": "   "})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Too early to start" in body
    assert "the start opens 2 h before departure, in 22 h" in body
    assert "give the reason" in body
    tomorrows.refresh_from_db()
    assert tomorrows.status == EventStatus.CONFIRMED


def test_a_reason_starts_the_charter_early_and_is_recorded(crew_login, tomorrows, captain):
    response = crew_login(captain).post(start_url(tomorrows), {"reason": "Guests all aboard, owner agreed"})
    assert response.status_code == 303
    tomorrows.refresh_from_db()
    assert tomorrows.status == EventStatus.IN_PROGRESS
    move = EventTransition.objects.get(event=tomorrows, to_status="in_progress")
    assert (move.by, move.reason) == (captain.user, "Guests all aboard, owner agreed")


def test_the_window_is_the_brands_setting(crew_login, api_login, org, captain):
    org.start_window_hours = 6
    org.save(update_fields=["start_window_hours"])
    in_four_hours = confirmed_charter(org, captain, departs_in=timedelta(hours=4))
    start = element(page(crew_login(captain), in_four_hours), "section", "start")
    assert 'data-start="now"' in start
    assert api_login(captain).post(start_url(in_four_hours).replace("/crew/", "/api/")).json() == {
        "status": "in_progress"
    }

    org.start_window_hours = 0
    org.save(update_fields=["start_window_hours"])
    in_ten_minutes = confirmed_charter(org, captain, departs_in=timedelta(minutes=10))
    assert crew_login(captain).post(start_url(in_ten_minutes)).status_code == 409


def test_the_api_starts_and_confirms_with_the_same_rules(api_login, org, captain, deckhand, owner):
    event = make_event(org, departure_at=timezone.now() + timedelta(days=1))
    RoleSlot.objects.filter(event=event, role="captain").update(holder=captain)
    RoleSlot.objects.filter(event=event, role="deckhand", position=1).update(holder=deckhand)
    url = f"/api/events/{event.public_id}/"

    assert api_login(captain).post(url + "confirm").status_code == 403  # owners confirm early
    assert api_login(owner).post(url + "confirm").json() == {"status": "confirmed"}
    assert api_login(deckhand).post(url + "start").status_code == 403
    too_early = api_login(captain).post(url + "start", {"reason": ""}, format="json")
    assert too_early.status_code == 409
    assert "Too early to start" in too_early.json()["detail"]
    assert api_login(captain).post(url + "start", {"reason": "Owner asked"}, format="json").json() == {
        "status": "in_progress"
    }
    assert api_login(captain).post(url + "start").status_code == 409
