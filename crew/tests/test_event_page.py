"""The crew event page in full: roster, checklist states, what is due, guests, notes and
timing; one working CSRF token in every form; buttons that post to their slot's own URL;
and everything crew or guests typed shown escaped."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from crew import services
from crew.models import ChecklistItem, CrewRole
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import add_guests, charter_checklists, seat, slot


@pytest.fixture
def event(org, owner, captain, deckhand):
    """Departs in 20 minutes: two items are overdue, one is ticked, one is under way."""
    charter_checklists(org)
    event = make_event(
        org,
        name="Harbor <charter>",
        departure_at=timezone.now() + timedelta(minutes=20),
        notes="Birthday group\n<b>they bring the cake</b>",
        location="Shelter Island & guest dock",
    )
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    services.role_designate(slot=slot(event, CrewRole.FIRST_MATE), crew_member=make_crew_member(org, "Riley"), by=owner)
    fuel = item(event, "Fuel, water and engine checks logged")
    services.checklist_item_update(item=fuel, state="complete", seen_version=1, by=captain.user)
    lines = item(event, "Lines and fenders ready")
    services.checklist_item_update(item=lines, state="in_progress", seen_version=1, by=deckhand.user)
    add_guests(event, 2)
    return event


def item(event, text: str) -> ChecklistItem:
    return ChecklistItem.objects.get(event=event, text=text)


def page(client: Client, event) -> str:
    response = client.get(f"/crew/events/{event.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def element(body: str, tag: str, element_id: str) -> str:
    """The HTML of the element with this id (the first closing tag of its kind ends it)."""
    found = re.search(rf'<{tag}\b[^>]*id="{element_id}"[^>]*>.*?</{tag}>', body, re.S)
    assert found, f"no <{tag} id={element_id}>"
    return found.group(0)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def form_actions(body: str) -> list[str]:
    return re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', body)


def test_a_deckhand_on_the_event_sees_the_roster_with_who_acknowledged(crew_login, event, deckhand):
    body = page(crew_login(deckhand), event)

    assert text_of(element(body, "li", "slot-captain-1")) == "Captain Dana Acknowledged"
    assert text_of(element(body, "li", "slot-first_mate-1")) == "First mate Riley Not acknowledged"
    assert text_of(element(body, "li", "slot-deckhand-1")).startswith("Deckhand 1 Casey (you) Acknowledged Release")
    assert text_of(element(body, "li", "slot-deckhand-2")) == "Deckhand 2 Open"
    # Their own slot is theirs to release; nobody else's, and there is nothing to claim.
    roster = element(body, "section", "roster")
    assert form_actions(roster) == [f"/crew/events/{event.public_id}/roles/deckhand/1/release"]
    assert "Assign a role" not in body


def test_checklist_items_show_their_state_who_changed_them_and_the_pressed_button(crew_login, event, deckhand):
    body = page(crew_login(deckhand), event)

    fuel = element(body, "li", f"item-{item(event, 'Fuel, water and engine checks logged').pk}")
    assert 'class="check-item state-complete"' in fuel
    assert 'value="complete" class="tri-complete" aria-pressed="true"' in fuel
    assert 'value="pending" class="tri-pending" aria-pressed="false"' in fuel
    assert re.search(r"Complete — Dana, \w{3} \d{1,2} \w{3} \d{1,2}:\d\d [AP]M", text_of(fuel))
    assert 'name="version" value="2"' in fuel

    lines = element(body, "li", f"item-{item(event, 'Lines and fenders ready').pk}")
    assert 'class="check-item state-in_progress"' in lines
    assert 'value="in_progress" class="tri-in_progress" aria-pressed="true"' in lines
    assert "In progress — Casey, " in text_of(lines)

    untouched = element(body, "li", f"item-{item(event, 'Deck washed down').pk}")
    assert 'class="check-item state-pending"' in untouched
    assert "changed" not in untouched  # no "who, when" line for an item nobody ticked
    assert body.count('class="check-item') == 4
    assert text_of(body).count("Pre-departure checklist") == 1
    assert text_of(body).count("Post-return checklist") == 1


def test_the_timing_panel_lists_what_is_due_soonest_first_and_marks_the_overdue(crew_login, event, deckhand):
    timing = element(page(crew_login(deckhand), event), "section", "timing")

    assert "Departs in 19 min" in timing or "Departs in 20 min" in timing
    assert re.search(r'<dd data-testid="sunset">\d{1,2}:\d\d [AP]M</dd>', timing)
    due = re.findall(r'<li class="row( overdue)?"><a href="#item-(\d+)">([^<]+)</a>', timing)
    assert [(overdue == " overdue", text) for overdue, _, text in due] == [
        (True, "Safety briefing and life jackets ready"),  # due 10 minutes ago
        (False, "Lines and fenders ready"),  # in progress, due in 5 minutes
        (False, "Deck washed down"),  # after the return
    ]  # the fuel check is complete: no longer due
    assert "times in America/Los_Angeles" in timing


def test_the_guests_panel_and_the_notes_are_there_for_crew_on_the_event(crew_login, event, deckhand):
    body = page(crew_login(deckhand), event)

    guests = element(body, "section", "panel-checkin")
    assert "Guest 1" in guests
    assert "Guest 2" in guests
    assert "@example.com" not in body  # crew see names and waiver status only
    assert "Birthday group<br>&lt;b&gt;they bring the cake&lt;/b&gt;" in body


def test_what_crew_typed_is_escaped(crew_login, event, deckhand):
    body = page(crew_login(deckhand), event)
    assert "<h1>Harbor &lt;charter&gt;</h1>" in body
    assert "Shelter Island &amp; guest dock" in body
    assert "<charter>" not in body
    assert "<b>they" not in body


def test_every_form_carries_the_pages_one_csrf_token_and_it_works_without_javascript(crew_login, event, deckhand):
    client = crew_login(deckhand, Client(enforce_csrf_checks=True))
    body = page(client, event)

    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert len(tokens) == body.count('<form method="post"') + body.count('<form class="tri" method="post"')
    assert len(set(tokens)) == 1
    assert f'hx-headers=\'{{"X-CSRFToken": "{tokens[0]}"}}\'' in body

    deck = item(event, "Deck washed down")
    response = client.post(
        f"/crew/events/{event.public_id}/checklist",
        {"csrfmiddlewaretoken": tokens[0], "item": deck.pk, "state": "complete", "version": 1},
    )
    assert response.status_code == 303
    deck.refresh_from_db()
    assert deck.state == "complete"


def test_the_captains_buttons_post_to_each_slots_own_url(crew_login, event, captain):
    body = page(crew_login(captain), event)
    roster = element(body, "section", "roster")

    for action in form_actions(roster):
        match = resolve(action)
        assert str(match.kwargs["public_id"]) == str(event.public_id)
        if "role" in match.kwargs:
            slot_html = element(roster, "li", f"slot-{match.kwargs['role']}-{match.kwargs['position']}")
            assert f'action="{action}"' in slot_html
    # The captain may release every held slot and acknowledge nobody else's.
    releases = [a for a in form_actions(roster) if resolve(a).url_name == "role-release"]
    assert sorted(releases) == sorted(
        f"/crew/events/{event.public_id}/roles/{role}/1/release"
        for role in (CrewRole.CAPTAIN, CrewRole.FIRST_MATE, CrewRole.DECKHAND)
    )
    assert "Assign a role" in roster
    assert re.search(r'<option value="\d+">Riley</option>', roster)
    assert re.search(r'<option value="\d+">Dana \(captain\)</option>', roster)


def test_crew_not_on_the_event_are_offered_the_open_slots_they_may_take(crew_login, event, org):
    outsider_of_event = make_crew_member(org, "Nemo")
    body = page(crew_login(outsider_of_event), event)

    roster = element(body, "section", "roster")
    claims = form_actions(roster)
    assert f"/crew/events/{event.public_id}/roles/deckhand/2/claim" in claims
    assert all(resolve(action).url_name == "role-claim" for action in claims)
    assert "Dana" not in body  # who is aboard is for the crew
    assert "Riley" not in body
    assert "Claim a slot to see the checklists" in body
    assert 'class="check-item' not in body


def test_an_event_without_slots_says_so(crew_login, org, owner):
    event = make_event(org, deckhand_slots=0)
    event.role_slots.all().delete()
    body = page(crew_login(owner), event)
    assert "This event has no crew slots." in body
    assert "No checklist for this kind of event." in body


def test_when_every_slot_is_taken_an_outsider_of_the_event_is_told(crew_login, org, deckhand):
    event = make_event(org, deckhand_slots=1)
    for role in (CrewRole.CAPTAIN, CrewRole.FIRST_MATE, CrewRole.DECKHAND):
        seat(event, make_crew_member(org, captain=role == CrewRole.CAPTAIN), role)
    body = page(crew_login(deckhand), event)
    assert "Every slot is taken." in body
    assert "This event has no crew slots." not in body
