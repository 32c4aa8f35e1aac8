"""Crew pages without surprises, on a phone-sized Chromium (issue 15, items 7, 8 and 9).

- 7: scrolled down the page, a tap's result (a success or a refusal) shows in view, not
  at the top of the page;
- 8: assigning someone into a held slot asks first, right where the assign button was,
  and the person replaced is emailed once;
- 9: the start is its own card, far from the assign form; before the window it says when
  the start opens and starts early only with a reason.

Screenshots are kept under test-artifacts/.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from charterops.models import OutboundEmail
from crew.auth import COOKIE_NAME, token_for
from crew.models import ChecklistItem, ChecklistPhase, CrewRole
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import add_guests, charter_checklists, check_everyone_in, seat, slot
from events.models import EventStatus, EventTransition
from events.services import event_transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_HEIGHT = 844


def sign_in(phone, live_server, who) -> None:
    phone.context.add_cookies([{"name": COOKIE_NAME, "value": token_for(who), "url": live_server.url}])


def long_charter(org, *, departs_in: timedelta):
    """A charter with a long page: the roster, twenty checklist items and ten guests."""
    charter_checklists(org)
    event = make_event(org, name="Harbor charter", departure_at=timezone.now() + departs_in)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(event=event, phase=ChecklistPhase.PRE_DEPARTURE, text=f"Check {n}", responsible_role="deckhand")
        for n in range(20)
    )
    add_guests(event, 10)
    return event


def in_view(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE_HEIGHT


def test_scrolled_down_the_result_of_a_tap_shows_in_view(phone, live_server, artifact, org, captain, deckhand):
    event = long_charter(org, departs_in=timedelta(days=1))
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand, position=2)
    sign_in(phone, live_server, deckhand)
    phone.on("dialog", lambda dialog: dialog.accept())
    phone.goto(f"/crew/events/{event.public_id}/")

    # Someone takes Deckhand 1 while the page is open; the deckhand scrolls down and releases
    # their own slot, then tries the one just taken.
    riley = make_crew_member(org, "Riley")
    phone.locator("#slot-deckhand-2").get_by_role("button", name="Release").scroll_into_view_if_needed()
    phone.mouse.wheel(0, 250)
    heading = phone.get_by_role("heading", name="Harbor charter", level=1)
    assert not in_view(heading)  # the top of the page is out of sight
    phone.locator("#slot-deckhand-2").get_by_role("button", name="Release").click()
    toast = phone.locator(".toast-success")
    toast.wait_for()
    assert toast.inner_text().startswith("The Deckhand 2 slot is open.")
    assert in_view(toast)
    assert not in_view(heading)  # the page did not jump to its top
    assert slot(event, position=2).holder is None
    phone.screenshot(path=artifact("crew-feedback-release-phone.png"))

    seat(event, riley)  # taken on the server while the page still offers it
    phone.locator("#slot-deckhand-1").get_by_role("button", name="Claim Deckhand 1").click()
    error = phone.locator(".toast-error")
    error.wait_for()
    assert "The Deckhand 1 slot was just taken by Riley" in error.inner_text()
    assert in_view(error)
    phone.screenshot(path=artifact("crew-feedback-refusal-phone.png"))
    # A refusal stays until dismissed; the cross is a thumb-sized target.
    phone.wait_for_timeout(7000)
    assert error.is_visible()
    close = error.get_by_role("button", name="Dismiss")
    assert close.bounding_box()["height"] >= 44
    close.click()
    assert phone.locator(".toast-error").count() == 0


def test_assigning_into_a_held_slot_asks_first_and_emails_the_person_replaced(
    phone, live_server, artifact, org, captain, deckhand
):
    event = long_charter(org, departs_in=timedelta(days=1))
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    riley = make_crew_member(org, "Riley")
    sign_in(phone, live_server, captain)
    phone.goto(f"/crew/events/{event.public_id}/")

    phone.get_by_label("Role").select_option(label="Deckhand 1 — now Casey")
    phone.get_by_label("Crew member").select_option(label="Riley")
    phone.get_by_role("button", name="Assign and email them").click()

    question = phone.locator(".confirm-replace")
    question.wait_for()
    assert "Replace Casey?" in question.inner_text()
    assert in_view(question.get_by_role("button", name="Replace Casey with Riley"))
    assert slot(event).holder == deckhand  # nothing changed yet
    phone.screenshot(path=artifact("crew-replace-question-phone.png"))

    phone.get_by_role("button", name="Replace Casey with Riley").click()
    phone.locator(".toast-success").wait_for()
    assert "Riley is now Deckhand 1" in phone.locator(".toast-success").inner_text()
    assert slot(event).holder == riley
    assert phone.locator("#slot-deckhand-1").inner_text().count("Riley") == 1
    phone.screenshot(path=artifact("crew-replace-done-phone.png"))

    removed = OutboundEmail.objects.filter(kind="role_removed")
    assert [email.to for email in removed] == [[deckhand.user.email]]
    assert [email.to for email in OutboundEmail.objects.filter(kind="crew_invite")] == [[riley.user.email]]


def test_keeping_the_holder_changes_nothing(phone, live_server, org, captain, deckhand):
    event = long_charter(org, departs_in=timedelta(days=1))
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    make_crew_member(org, "Riley")
    sign_in(phone, live_server, captain)
    phone.goto(f"/crew/events/{event.public_id}/")
    phone.get_by_label("Role").select_option(label="Deckhand 1 — now Casey")
    phone.get_by_label("Crew member").select_option(label="Riley")
    phone.get_by_role("button", name="Assign and email them").click()
    phone.get_by_role("link", name="Keep Casey").click()
    phone.get_by_role("button", name="Assign and email them").wait_for()
    assert slot(event).holder == deckhand
    assert not OutboundEmail.objects.exists()


def test_the_start_is_its_own_card_and_opens_with_the_window(phone, live_server, artifact, org, captain):
    tomorrow = long_charter(org, departs_in=timedelta(days=1))
    seat(tomorrow, captain, CrewRole.CAPTAIN)
    event_transition(event=tomorrow, to_status=EventStatus.CONFIRMED)
    sign_in(phone, live_server, captain)
    phone.goto(f"/crew/events/{tomorrow.public_id}/")

    card = phone.locator("#start")
    assert "The start opens at" in card.inner_text()
    assert phone.locator("#roster").get_by_role("button", name="Start the charter").count() == 0
    # Between the assign button and the start card lie the checklists and the guests.
    assign = phone.get_by_role("button", name="Assign and email them").bounding_box()
    assert card.bounding_box()["y"] - (assign["y"] + assign["height"]) > 1000
    card.scroll_into_view_if_needed()
    phone.screenshot(path=artifact("crew-start-before-window-phone.png"))

    card.get_by_text("Start early, with a reason").click()
    card.get_by_role("button", name="Start early with this reason").click()  # no reason: the browser asks for one
    assert tomorrow.__class__.objects.get(pk=tomorrow.pk).status == EventStatus.CONFIRMED
    card.get_by_label("Why start before").fill("Guests all aboard early; the office agreed")
    card.get_by_role("button", name="Start early with this reason").click()
    phone.locator(".toast-success").wait_for()
    assert "The charter has started" in phone.locator(".toast-success").inner_text()
    move = EventTransition.objects.get(event=tomorrow, to_status=EventStatus.IN_PROGRESS)
    assert move.reason == "Guests all aboard early; the office agreed"
    phone.screenshot(path=artifact("crew-start-early-done-phone.png"))


def test_inside_the_window_the_captain_starts_after_confirming(phone, live_server, artifact, org, captain):
    soon = long_charter(org, departs_in=timedelta(minutes=45))
    seat(soon, captain, CrewRole.CAPTAIN)
    check_everyone_in(soon)
    event_transition(event=soon, to_status=EventStatus.CONFIRMED)
    sign_in(phone, live_server, captain)
    dialogs = []

    def answer(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    phone.on("dialog", answer)
    phone.goto(f"/crew/events/{soon.public_id}/")
    card = phone.locator("#start")
    card.scroll_into_view_if_needed()
    phone.screenshot(path=artifact("crew-start-in-window-phone.png"))

    card.get_by_role("button", name="Start the charter").click()  # asked, and dismissed
    assert dialogs == ["Start Harbor charter now?"]
    assert soon.__class__.objects.get(pk=soon.pk).status == EventStatus.CONFIRMED
    card.get_by_role("button", name="Start the charter").click()
    phone.locator(".toast-success").wait_for()
    assert in_view(phone.locator(".toast-success"))
    assert soon.__class__.objects.get(pk=soon.pk).status == EventStatus.IN_PROGRESS
