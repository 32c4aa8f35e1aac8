"""The crew journey in a real browser on a phone-sized screen (Debian's Chromium).

A deckhand opens the magic link from their invite, confirms, lands on the Boatsetter
charter of 30 May 2024, claims a slot, ticks a checklist item, reloads and finds the
tick kept. The timing panel shows that day's 7:50 PM sunset. Screenshots are kept.
"""

import pytest

from crew.magic_links import magic_link_create
from crew.models import ChecklistItem, MagicLink, RoleSlot
from crew.tests.scenarios import add_guests, boatsetter_charter, charter_checklists

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def charter(org):
    charter_checklists(org)
    event = boatsetter_charter(org, notes="Birthday group; they bring their own cake.")
    add_guests(event, 2)
    return event


def claim_tick_and_reload(phone, artifact, event, deckhand) -> None:
    assert phone.get_by_test_id("sunset").inner_text() == "7:50 PM"
    assert "10:00 AM" in phone.locator("#timing").inner_text()

    phone.get_by_role("button", name="Claim Deckhand 1").click()
    phone.get_by_text("You're the Deckhand 1 on this event.").wait_for()
    assert RoleSlot.objects.get(event=event, role="deckhand", position=1).holder == deckhand

    item = ChecklistItem.objects.get(event=event, text="Lines and fenders ready")
    phone.locator(f"#item-{item.pk}").get_by_role("button", name="Complete").click()
    phone.locator(f"#item-{item.pk}.state-complete").wait_for()
    assert "Complete — Casey" in phone.locator(f"#item-{item.pk}").inner_text()
    phone.screenshot(path=artifact("crew-event-phone.png"), full_page=True)

    phone.reload()
    done = phone.locator(f"#item-{item.pk}").get_by_role("button", name="Complete")
    assert done.get_attribute("aria-pressed") == "true"
    item.refresh_from_db()
    assert (item.state, item.version, item.updated_by) == ("complete", 2, deckhand.user)

    # Phone-first: nothing wider than the screen, and every button at least 44 px high.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    heights = phone.locator("main button").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(heights) >= 44


def test_deckhand_opens_a_magic_link_claims_a_slot_and_ticks_an_item_that_stays_ticked(
    phone, artifact, charter, deckhand
):
    _, code = magic_link_create(
        crew_member=deckhand, deep_link=f"/crew/events/{charter.public_id}/", purpose=MagicLink.Purpose.EVENT_INVITE
    )
    phone.goto(f"/m/{code}")
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url(f"**/crew/events/{charter.public_id}/", timeout=5_000)
    claim_tick_and_reload(phone, artifact, charter, deckhand)

    phone.goto("/crew/")
    assert phone.get_by_role("heading", name="My upcoming events").is_visible()
    phone.screenshot(path=artifact("crew-home-phone.png"), full_page=True)
