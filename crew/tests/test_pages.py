"""Crew pages: /crew/ and the event page, their in-place (htmx) and plain POSTs, and
every refusal as a clear message with the right status — never a 500."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from charterops.models import Membership
from crew import services
from crew.models import ChecklistItem, CrewRole, RoleClaim
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import add_guests, boatsetter_charter, charter_checklists, seat, slot
from events.models import EventStatus
from events.services import event_transition

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def event(org):
    charter_checklists(org)
    event = make_event(
        org,
        name="Harbor charter",
        departure_at=timezone.now() + timedelta(days=1),
        notes="Birthday group; they bring their own cake.",
        location="Shelter Island guest dock",
    )
    add_guests(event, 2)
    return event


def page_url(event) -> str:
    return f"/crew/events/{event.public_id}/"


def role_url(event, action: str, role: str = "deckhand", position: int = 1) -> str:
    return f"/crew/events/{event.public_id}/roles/{role}/{position}/{action}"


def text(response) -> str:
    """The page's HTML with entities decoded and whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


# --- /crew/ -------------------------------------------------------------------------------


def test_crew_home_lists_my_events_open_slots_and_my_calendar(crew_login, event, org, deckhand):
    seat(event, deckhand)
    other = make_event(org, name="Sunset sail", departure_at=timezone.now() + timedelta(days=3))

    body = text(crew_login(deckhand).get("/crew/"))

    assert "Harbor charter" in body
    assert "Deckhand 1" in body
    assert "Sunset sail" in body
    assert f"/crew/events/{other.public_id}/roles/first_mate/1/claim" in body
    assert "/roles/captain/1/claim" not in body  # deckhands are not offered the captain's slot
    deckhand.refresh_from_db()
    assert f"/crew/calendar/{deckhand.calendar_token}.ics" in body
    assert f"webcal://testserver/crew/calendar/{deckhand.calendar_token}.ics" not in body  # SITE_URL, not the host
    assert "/crew/logout" in body


def test_a_captain_is_offered_the_captains_slot(crew_login, event, captain):
    assert role_url(event, "claim", "captain") in text(crew_login(captain).get("/crew/"))


def test_finished_and_cancelled_events_offer_no_slots(crew_login, org, deckhand):
    cancelled = make_event(org, name="Called off")
    event_transition(event=cancelled, to_status=EventStatus.CANCELLED)
    make_event(org, name="Long gone", departure_at=timezone.now() - timedelta(days=3))
    body = text(crew_login(deckhand).get("/crew/"))
    assert "Called off" not in body
    assert "Long gone" not in body
    assert "No open slots right now" in body


def test_an_owner_without_a_crew_profile_sees_the_brands_upcoming_events(crew_login, event, owner):
    body = text(crew_login(owner).get("/crew/"))
    assert "Upcoming events" in body
    assert "Harbor charter" in body
    assert "My calendar" not in body


def test_crew_pages_need_sign_in(client, event):
    for url in ("/crew/", page_url(event)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/crew/login?next=")


def test_crew_pages_are_private_and_never_cached(crew_login, event, deckhand):
    response = crew_login(deckhand).get("/crew/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# --- The event page -----------------------------------------------------------------------


def test_crew_on_the_event_see_timing_roster_checklists_guests_and_notes(crew_login, event, deckhand, captain):
    seat(event, deckhand)
    seat(event, captain, CrewRole.CAPTAIN)

    body = text(crew_login(deckhand).get(page_url(event)))

    assert "Timing" in body
    assert "Departs in" in body
    assert "Sunset" in body
    assert "Dana" in body  # the captain, on the roster
    assert "Pre-departure checklist" in body
    assert "Lines and fenders ready" in body
    assert "Guest 1" in body  # the guests app's panel
    assert "Birthday group" in body
    assert "You: Deckhand 1" in body
    assert "Assign a role" not in body  # deckhands do not designate


def test_the_boatsetter_charter_shows_its_7_50_pm_sunset(crew_login, org, deckhand):
    event = boatsetter_charter(org)
    seat(event, deckhand)
    body = text(crew_login(deckhand).get(page_url(event)))
    assert '<dd data-testid="sunset">7:50 PM</dd>' in body
    assert "10:00 AM" in body  # times in the brand's zone, not UTC


def test_a_return_after_civil_dusk_is_warned_on_the_page(crew_login, org, deckhand):
    event = make_event(org, departure_at=boatsetter_charter(org).departure_at.replace(hour=18), hours=3)
    seat(event, deckhand)
    assert "after civil dusk" in text(crew_login(deckhand).get(page_url(event)))


def test_crew_not_on_the_event_see_only_its_summary_and_open_slots(crew_login, event, org, deckhand, captain):
    seat(event, captain, CrewRole.CAPTAIN)
    body = text(crew_login(deckhand).get(page_url(event)))

    assert "Harbor charter" in body
    assert "Open slots" in body
    assert role_url(event, "claim") in body
    assert "Dana" not in body  # who else is aboard is for the crew
    assert "Lines and fenders ready" not in body
    assert "Guest 1" not in body
    assert "Birthday group" not in body


def test_the_captain_and_owner_get_the_assign_form(crew_login, event, captain, owner):
    seat(event, captain, CrewRole.CAPTAIN)
    assert "Assign a role" in text(crew_login(captain).get(page_url(event)))
    body = text(crew_login(owner).get(page_url(event)))
    assert "Assign a role" in body
    assert "Confirm the event now" in body


# --- Roles through the pages ----------------------------------------------------------------


def test_claim_without_javascript_redirects_back_to_the_slot_tapped(crew_login, event, deckhand):
    response = crew_login(deckhand).post(role_url(event, "claim"))
    assert response.status_code == 303
    assert response["Location"] == page_url(event) + "#slot-deckhand-1"
    assert slot(event).holder == deckhand


def test_claim_with_htmx_answers_the_refreshed_page(crew_login, event, deckhand):
    response = crew_login(deckhand).post(role_url(event, "claim"), **HTMX)
    assert response.status_code == 200
    body = text(response)
    assert "You're the Deckhand 1 on this event." in body
    assert "Lines and fenders ready" in body  # now on the event: the checklists appear


def test_claiming_a_just_taken_slot_is_a_409_with_a_clear_message(crew_login, event, org, deckhand):
    services.role_claim(slot=slot(event), crew_member=make_crew_member(org, "Riley"))
    for extra in ({}, HTMX):
        response = crew_login(deckhand).post(role_url(event, "claim"), **extra)
        assert response.status_code == 409
        assert "was just taken" in text(response)
    assert slot(event).holder.display_name == "Riley"


def test_a_deckhand_claiming_the_captains_slot_gets_403(crew_login, event, deckhand):
    response = crew_login(deckhand).post(role_url(event, "claim", "captain"))
    assert response.status_code == 403
    assert "does not sail as captain" in text(response)


def test_an_owner_without_a_crew_profile_cannot_claim(crew_login, event, owner):
    response = crew_login(owner).post(role_url(event, "claim"))
    assert response.status_code == 403
    assert "no crew profile" in text(response)


def test_release_and_acknowledge_through_the_page(crew_login, event, deckhand, owner):
    services.role_designate(slot=slot(event), crew_member=deckhand, by=owner)
    client = crew_login(deckhand)
    assert "I'll be there" in text(client.get(page_url(event)))

    assert client.post(role_url(event, "acknowledge"), **HTMX).status_code == 200
    assert slot(event).acknowledged_at is not None
    assert client.post(role_url(event, "release")).status_code == 303
    assert slot(event).holder is None
    assert [c.action for c in RoleClaim.objects.order_by("pk")] == ["designate", "acknowledge", "release"]


def test_a_deckhand_cannot_release_or_acknowledge_someone_elses_slot(crew_login, event, org, deckhand):
    seat(event, make_crew_member(org, "Riley"))
    client = crew_login(deckhand)
    assert client.post(role_url(event, "release")).status_code == 403
    assert client.post(role_url(event, "acknowledge")).status_code == 403
    assert slot(event).holder.display_name == "Riley"


def test_the_captain_designates_through_the_page(crew_login, event, org, captain, deckhand):
    seat(event, captain, CrewRole.CAPTAIN)
    response = crew_login(captain).post(
        f"/crew/events/{event.public_id}/roles/designate", {"slot": "first_mate:1", "crew_member": deckhand.pk}, **HTMX
    )
    assert response.status_code == 200
    assert "Casey is now First mate" in text(response)
    assert slot(event, CrewRole.FIRST_MATE).holder == deckhand


def test_a_deckhand_cannot_designate(crew_login, event, org, deckhand):
    seat(event, deckhand)
    riley = make_crew_member(org, "Riley")
    response = crew_login(deckhand).post(
        f"/crew/events/{event.public_id}/roles/designate", {"slot": "first_mate:1", "crew_member": riley.pk}
    )
    assert response.status_code == 403
    assert slot(event, CrewRole.FIRST_MATE).holder is None


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"slot": "purser:1", "crew_member": "1"},
        {"slot": "first_mate:x", "crew_member": "1"},
        {"slot": "first_mate:1", "crew_member": "abc"},
        {"slot": "first_mate:1", "crew_member": "999999"},
        {"slot": "first_mate:1", "crew_member": "-1"},
        {"slot": "first_mate:1", "crew_member": "²"},
        {"slot": "first_mate:1", "crew_member": "9" * 40},
        {"slot": "first_mate:99999999999999999999", "crew_member": "1"},
        {"slot": "first_mate:²", "crew_member": "1"},
    ],
)
def test_malformed_designations_are_400s(crew_login, event, owner, form):
    response = crew_login(owner).post(f"/crew/events/{event.public_id}/roles/designate", form)
    assert response.status_code == 400


def test_designating_another_brands_crew_member_is_refused(crew_login, event, owner, outsider):
    response = crew_login(owner).post(
        f"/crew/events/{event.public_id}/roles/designate", {"slot": "deckhand:1", "crew_member": outsider.pk}
    )
    assert response.status_code == 400
    assert slot(event).holder is None


def test_a_slot_that_does_not_exist_is_404(crew_login, event, deckhand):
    client = crew_login(deckhand)
    assert client.post(role_url(event, "claim", "deckhand", 9)).status_code == 404
    assert client.post(role_url(event, "claim", "purser", 1)).status_code == 404
    assert client.post(role_url(event, "claim", "deckhand", 10**20)).status_code == 404


def test_the_owner_confirms_the_event_from_the_page(crew_login, event, owner, deckhand):
    assert crew_login(deckhand).post(f"/crew/events/{event.public_id}/confirm").status_code == 403
    assert crew_login(owner).post(f"/crew/events/{event.public_id}/confirm").status_code == 303
    event.refresh_from_db()
    assert event.status == EventStatus.CONFIRMED
    response = crew_login(owner).post(f"/crew/events/{event.public_id}/confirm")
    assert response.status_code == 409
    assert "Cannot move" in text(response)


def test_writes_are_post_only(crew_login, event, deckhand):
    client = crew_login(deckhand)
    assert client.get(role_url(event, "claim")).status_code == 405
    assert client.get(f"/crew/events/{event.public_id}/checklist").status_code == 405
    assert client.post(page_url(event)).status_code == 405


def test_crew_posts_need_the_csrf_token(event, deckhand, crew_login):
    client = crew_login(deckhand, Client(enforce_csrf_checks=True))
    assert client.post(role_url(event, "claim")).status_code == 403
    assert slot(event).holder is None


# --- Checklist items ------------------------------------------------------------------------


def checklist_post(client, event, item, state, version, **extra):
    return client.post(
        f"/crew/events/{event.public_id}/checklist", {"item": item, "state": state, "version": version}, **extra
    )


@pytest.fixture
def item(event):
    return ChecklistItem.objects.get(event=event, text="Lines and fenders ready")


def test_ticking_an_item_in_place_returns_it_with_its_new_version(crew_login, event, item, deckhand):
    seat(event, deckhand)
    response = checklist_post(crew_login(deckhand), event, item.pk, "complete", 1, **HTMX)

    assert response.status_code == 200
    body = text(response)
    assert body.startswith(f'<li class="check-item state-complete" id="item-{item.pk}">')
    assert 'name="version" value="2"' in body
    assert "Complete — Casey" in body


def test_ticking_without_javascript_redirects_to_the_item(crew_login, event, item, deckhand):
    seat(event, deckhand)
    response = checklist_post(crew_login(deckhand), event, item.pk, "in_progress", 1)
    assert response.status_code == 303
    assert response["Location"] == page_url(event) + f"#item-{item.pk}"


def test_a_stale_tick_is_409_with_the_current_state(crew_login, event, item, deckhand, captain):
    seat(event, deckhand)
    seat(event, captain, CrewRole.CAPTAIN)
    services.checklist_item_update(item=item, state="complete", seen_version=1, by=captain.user)

    response = checklist_post(crew_login(deckhand), event, item.pk, "pending", 1, **HTMX)

    assert response.status_code == 409
    body = text(response)
    assert "state-complete" in body
    assert 'name="version" value="2"' in body
    assert "was changed by Dana" in body


def test_crew_not_on_the_event_cannot_tick(crew_login, event, item, deckhand):
    response = checklist_post(crew_login(deckhand), event, item.pk, "complete", 1, **HTMX)
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.state == "pending"


@pytest.mark.parametrize(
    ("item_id", "state", "version", "status"),
    [
        ("", "complete", "1", 404),
        ("abc", "complete", "1", 404),
        ("999999", "complete", "1", 404),
        ("²", "complete", "1", 404),
        ("9" * 40, "complete", "1", 404),
        (None, "done", "1", 400),
        (None, "complete", "", 400),
        (None, "complete", "abc", 400),
        (None, "complete", "99999999999999999999", 400),
    ],
)
def test_malformed_ticks_are_refused_not_500(crew_login, event, item, deckhand, item_id, state, version, status):
    seat(event, deckhand)
    response = checklist_post(crew_login(deckhand), event, item.pk if item_id is None else item_id, state, version)
    assert response.status_code == status


def test_another_events_item_is_404_through_this_event(crew_login, event, org, deckhand):
    charter_checklists(org)
    elsewhere = ChecklistItem.objects.filter(event=make_event(org)).first()
    seat(event, deckhand)
    assert checklist_post(crew_login(deckhand), event, elsewhere.pk, "complete", 1).status_code == 404


# --- Deactivated crew -----------------------------------------------------------------------


def test_a_deactivated_crew_member_is_signed_out(crew_login, event, deckhand):
    client = crew_login(deckhand)
    from crew.auth import crew_member_deactivate

    crew_member_deactivate(crew_member=deckhand)
    assert client.get("/crew/").status_code == 302


def test_a_crew_member_promoted_to_captain_is_offered_the_captains_slot(crew_login, event, deckhand):
    Membership.objects.filter(user=deckhand.user).update(role=Membership.Role.CAPTAIN)
    assert role_url(event, "claim", "captain") in text(crew_login(deckhand).get(page_url(event)))
