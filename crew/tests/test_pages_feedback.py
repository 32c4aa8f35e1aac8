"""Crew pages without surprises (issue 15, items 7, 8 and 10), as HTML: the result of a
tap where the finger is, no silent replacement, the invitation's one question first, one
pill for what to do, the calendar's https link and copy button, the favicon and icons."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from charterops.models import OutboundEmail
from crew import services
from crew.magic_links import magic_link_create
from crew.models import ChecklistItem, CrewRole, MagicLink
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import charter_checklists, seat, slot
from crew.tests.test_event_page import element, text_of

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def event(org):
    charter_checklists(org)
    return make_event(org, name="Harbor charter", departure_at=timezone.now() + timedelta(days=1))


def page_url(event) -> str:
    return f"/crew/events/{event.public_id}/"


def toasts(body: str) -> list[tuple[str, str, str]]:
    """(kind, the card it is about, text) of each toast on the page."""
    found = re.findall(r'<p class="toast toast-(\w+)"[^>]*?(?:data-for="([^"]*)")?>(.*?)<button', body, re.S)
    return [(kind, target, text_of(text)) for kind, target, text in found]


# --- 7. Feedback where the finger is -----------------------------------------------------------


def test_a_claim_answers_with_a_toast_about_the_slot_tapped(crew_login, event, deckhand):
    body = crew_login(deckhand).post(f"{page_url(event)}roles/deckhand/1/claim", **HTMX).content.decode()
    assert toasts(body) == [("success", "slot-deckhand-1", "You're the Deckhand 1 on this event.")]
    assert 'class="roster-slot flash" id="slot-deckhand-1"' in body
    # Not at the top of the page any more: the only copy of the message is the toast.
    assert text_of(body).count("You're the Deckhand 1 on this event.") == 1


def test_a_refusal_is_an_error_toast_that_stays(crew_login, event, org, deckhand):
    seat(event, make_crew_member(org, "Riley"))
    response = crew_login(deckhand).post(f"{page_url(event)}roles/deckhand/1/claim", **HTMX)
    assert response.status_code == 409
    [(kind, target, message)] = toasts(response.content.decode())
    assert (kind, target) == ("error", "slot-deckhand-1")
    assert message.startswith("The Deckhand 1 slot was just taken by Riley")
    assert re.search(r'<p class="toast toast-error" role="alert"(?! data-autohide)', response.content.decode())


def test_without_javascript_the_redirect_lands_on_the_card_and_the_message_is_a_toast(crew_login, event, deckhand):
    client = crew_login(deckhand)
    response = client.post(f"{page_url(event)}roles/deckhand/1/claim")
    assert response["Location"] == f"{page_url(event)}#slot-deckhand-1"
    body = client.get(response["Location"]).content.decode()
    assert [(kind, message) for kind, _, message in toasts(body)] == [
        ("success", "You're the Deckhand 1 on this event.")
    ]
    assert '<ul class="messages">' not in body  # not at the top of the page


def test_a_tick_refused_without_javascript_is_a_toast_about_the_item(crew_login, event, deckhand, captain):
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    item = ChecklistItem.objects.filter(event=event).first()
    services.checklist_item_update(item=item, state="complete", seen_version=1, by=captain.user)
    response = crew_login(deckhand).post(
        f"{page_url(event)}checklist", {"item": item.pk, "state": "in_progress", "version": 1}
    )
    assert response.status_code == 409
    [(kind, target, message)] = toasts(response.content.decode())
    assert (kind, target) == ("error", f"item-{item.pk}")
    assert "was changed by Dana" in message


# --- 8. No silent replacement -----------------------------------------------------------------


def designate(client, event, member, **extra):
    form = {"slot": "deckhand:1", "crew_member": member.pk, **extra}
    return client.post(f"{page_url(event)}roles/designate", form, **HTMX)


def test_designating_into_a_held_slot_asks_first_and_changes_nothing(crew_login, event, org, owner, deckhand):
    seat(event, deckhand)
    riley = make_crew_member(org, "Riley")
    response = designate(crew_login(owner), event, riley)

    assert response.status_code == 409
    question = element(response.content.decode(), "div", "designate")
    assert "Replace Casey?" in question
    assert "Casey holds the Deckhand 1 slot. Put Riley there instead? Casey will be told by email." in text_of(question)
    assert 'name="replace" value="yes"' in question
    assert f'name="crew_member" value="{riley.pk}"' in question
    assert "Keep Casey" in question
    assert slot(event).holder == deckhand
    assert not OutboundEmail.objects.exists()


def test_confirming_the_replacement_replaces_and_tells_the_person_replaced(
    crew_login, event, org, owner, deckhand, django_capture_on_commit_callbacks
):
    seat(event, deckhand)
    riley = make_crew_member(org, "Riley")
    with django_capture_on_commit_callbacks(execute=True):
        response = designate(crew_login(owner), event, riley, replace="yes")
    assert response.status_code == 200
    assert toasts(response.content.decode())[0][:2] == ("success", "slot-deckhand-1")
    assert slot(event).holder == riley
    assert [e.to for e in OutboundEmail.objects.filter(kind="role_removed")] == [[deckhand.user.email]]
    assert [e.to for e in OutboundEmail.objects.filter(kind="crew_invite")] == [[riley.user.email]]


def test_an_open_slot_needs_no_confirmation(crew_login, event, org, owner):
    riley = make_crew_member(org, "Riley")
    assert designate(crew_login(owner), event, riley).status_code == 200
    assert slot(event).holder == riley


def test_a_deckhand_cannot_replace_anyone_even_confirming(crew_login, event, org, deckhand):
    seat(event, deckhand)
    riley = make_crew_member(org, "Riley")
    seat(event, riley, position=2)
    response = crew_login(deckhand).post(
        f"{page_url(event)}roles/designate", {"slot": "deckhand:2", "crew_member": deckhand.pk, "replace": "yes"}
    )
    assert response.status_code == 403
    assert slot(event, position=2).holder == riley


def test_the_api_asks_for_replace_too(api_login, event, org, owner, deckhand):
    seat(event, deckhand)
    riley = make_crew_member(org, "Riley")
    url = f"/api/events/{event.public_id}/roles/deckhand/designate"
    refused = api_login(owner).post(url, {"email": riley.user.email, "position": 1}, format="json")
    assert refused.status_code == 409
    assert "Confirm to replace them" in refused.json()["detail"]
    done = api_login(owner).post(url, {"email": riley.user.email, "position": 1, "replace": True}, format="json")
    assert done.status_code == 200
    assert slot(event).holder == riley


# --- 10. The invitation's one question, one pill, the calendar, the icons -------------------


def test_an_invitation_lands_on_ill_be_there_at_the_top(crew_login, event, owner, deckhand):
    services.role_designate(slot=slot(event), crew_member=deckhand, by=owner)
    body = crew_login(deckhand).get(page_url(event)).content.decode()
    ask = element(body, "section", "acknowledge")
    assert "You're Deckhand 1 on this charter" in ask
    assert f'action="{page_url(event)}roles/deckhand/1/acknowledge"' in ask
    assert "I'll be there" in ask
    # First thing under the summary: before the timing panel and the roster.
    assert body.index('id="acknowledge"') < body.index('id="timing"') < body.index('id="roster"')
    assert body.count("I'll be there") == 1


def test_once_acknowledged_the_question_is_gone(crew_login, event, owner, deckhand):
    services.role_designate(slot=slot(event), crew_member=deckhand, by=owner)
    client = crew_login(deckhand)
    client.post(f"{page_url(event)}roles/deckhand/1/acknowledge")
    body = client.get(page_url(event)).content.decode()
    assert 'id="acknowledge"' not in body
    assert "I'll be there" not in body


def test_one_pill_says_what_to_do_next_on_the_event_and_at_home(crew_login, event, owner, deckhand):
    services.role_designate(slot=slot(event), crew_member=deckhand, by=owner)
    client = crew_login(deckhand)

    def pills() -> tuple[list[str], list[str]]:
        pill = r'<span class="pill (pill-\w+)"[^>]*>([^<]+)</span>'
        on_page = re.findall(pill, html.unescape(client.get(page_url(event)).content.decode()))
        at_home = re.findall(pill, html.unescape(client.get("/crew/").content.decode()))
        return on_page, at_home

    assert pills() == ([("pill-todo", "Say you'll be there")], [("pill-todo", "Say you'll be there")])
    client.post(f"{page_url(event)}roles/deckhand/1/acknowledge")
    # The charter's checklists give a deckhand two items: lines and fenders, the deck wash.
    assert pills() == ([("pill-todo", "2 checklist items to do")], [("pill-todo", "2 checklist items to do")])
    for item in ChecklistItem.objects.filter(event=event, responsible_role=CrewRole.DECKHAND):
        services.checklist_item_update(item=item, state="complete", seen_version=item.version, by=deckhand.user)
    assert pills() == ([("pill-done", "Nothing to do")], [("pill-done", "Nothing to do")])


def test_the_home_pill_counts_only_the_readers_role(crew_login, event, org, captain, deckhand):
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    home = crew_login(captain).get("/crew/").content.decode()
    assert re.findall(r'<span class="pill pill-todo">([^<]+)</span>', home) == ["1 checklist item to do"]


def test_the_calendar_offers_a_copy_button_and_an_https_link(crew_login, event, deckhand, settings):
    settings.SITE_URL = "https://crew.queenofsandiego.com"
    body = crew_login(deckhand).get("/crew/").content.decode()
    deckhand.refresh_from_db()
    feed = f"https://crew.queenofsandiego.com/crew/calendar/{deckhand.calendar_token}.ics"
    card = element(body, "section", "calendar-card")
    assert f'id="calendar-url" readonly value="{feed}"' in card
    assert 'data-copy="#calendar-url"' in card
    assert ">Copy link<" in card
    # Google Calendar takes an http(s) address, never webcal://.
    google = re.search(r'href="(https://calendar\.google\.com/calendar/render\?cid=[^"]+)"', card).group(1)
    assert "cid=https%3A%2F%2Fcrew.queenofsandiego.com%2Fcrew%2Fcalendar%2F" in google
    assert f'href="webcal://crew.queenofsandiego.com/crew/calendar/{deckhand.calendar_token}.ics"' in card


def test_crew_pages_have_a_favicon_a_manifest_and_the_brands_colour(crew_login, client, event, org, deckhand):
    body = crew_login(deckhand).get("/crew/").content.decode()
    assert f'<link rel="icon" href="/crew/brands/{org.slug}/icon.svg" type="image/svg+xml">' in body
    assert f'<link rel="manifest" href="/crew/brands/{org.slug}/manifest.webmanifest">' in body
    assert f'<meta name="theme-color" content="{org.primary_colour}">' in body

    favicon = client.get("/favicon.ico")
    assert (favicon.status_code, favicon["Content-Type"]) == (200, "image/x-icon")
    assert favicon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    svg = client.get(f"/crew/brands/{org.slug}/icon.svg").content.decode()
    assert svg.startswith("<svg")
    assert org.primary_colour in svg
    png = client.get(f"/crew/brands/{org.slug}/icon-512.png")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/crew/brands/{org.slug}/icon-100.png").status_code == 404


def test_each_brand_has_its_own_manifest_opening_the_crew_home(client, org, other_org):
    mine = client.get(f"/crew/brands/{org.slug}/manifest.webmanifest")
    theirs = client.get(f"/crew/brands/{other_org.slug}/manifest.webmanifest").json()
    assert mine["Content-Type"] == "application/manifest+json"
    manifest = mine.json()
    assert manifest["name"] == "Queen of San Diego crew"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/crew/", "/crew/", "standalone")
    assert manifest["theme_color"] == org.primary_colour
    assert {icon["sizes"] for icon in manifest["icons"]} == {"any", "192x192", "512x512"}
    assert theirs["name"] == "JADA crew"
    assert theirs["id"] != manifest["id"]


# --- 10. An already-used link, opened by its own person signed in -----------------------------


def invite_code(crew_member, event) -> str:
    _, code = magic_link_create(
        crew_member=crew_member, deep_link=page_url(event), purpose=MagicLink.Purpose.EVENT_INVITE
    )
    return code


def test_a_used_link_opened_by_its_own_person_signed_in_goes_to_its_event(crew_login, client, event, deckhand):
    code = invite_code(deckhand, event)
    client.post(f"/m/{code}")  # used: this browser is signed in now
    again = client.get(f"/m/{code}")
    assert (again.status_code, again["Location"]) == (302, page_url(event))
    assert client.get(again["Location"]).status_code == 200


def test_a_used_link_opened_by_someone_else_signed_in_is_still_refused(crew_login, event, org, deckhand):
    code = invite_code(deckhand, event)
    crew_login(deckhand).post(f"/m/{code}")
    riley = crew_login(make_crew_member(org, "Riley"))
    response = riley.get(f"/m/{code}")
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_a_used_link_opened_signed_out_is_refused(client, event, deckhand):
    code = invite_code(deckhand, event)
    Client().post(f"/m/{code}")
    response = client.get(f"/m/{code}")
    assert response.status_code == 410


def test_an_unused_link_opened_by_its_person_signed_in_goes_straight_to_the_event(crew_login, event, deckhand):
    code = invite_code(deckhand, event)
    response = crew_login(deckhand).get(f"/m/{code}")
    assert (response.status_code, response["Location"]) == (302, page_url(event))
    assert MagicLink.objects.get().used_at is None  # nothing was used up
