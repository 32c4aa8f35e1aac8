"""The crew pages at sea, in a phone-sized Chromium whose network is switched off
(`context.set_offline`): the service worker keeps the pages a person opened (and their
next events), shows them offline with an "Offline — as of …" banner, keeps checklist
ticks made offline and sends them once when the network is back — reporting, never
overwriting, a change someone else made meanwhile — and forgets it all at sign-out.

Service workers need a secure context; Chromium counts http://localhost as one.
"""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from crew.auth import COOKIE_NAME, token_for
from crew.models import ChecklistItem, CrewRole, IdempotencyKey
from crew.services import checklist_item_update
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import add_guests, charter_checklists, seat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def charter(org, captain, deckhand):
    """Tomorrow's charter, with the deckhand and the captain aboard and three guests."""
    charter_checklists(org)
    event = make_event(org, name="Harbor charter", departure_at=timezone.now() + timedelta(days=1))
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    add_guests(event, 3)
    return event


def page_url(event) -> str:
    return f"/crew/events/{event.public_id}/"


def item(event, text: str) -> ChecklistItem:
    return ChecklistItem.objects.get(event=event, text=text)


def sign_in(phone, live_server, who) -> None:
    phone.context.add_cookies([{"name": COOKIE_NAME, "value": token_for(who), "url": live_server.url}])


def until_controlled(phone) -> None:
    """Wait until the service worker controls the page (it claims pages as it activates)."""
    phone.evaluate(
        """async () => {
            await navigator.serviceWorker.ready;
            if (!navigator.serviceWorker.controller) {
                await new Promise((done) => navigator.serviceWorker.addEventListener("controllerchange", done));
            }
        }"""
    )


def kept_paths(phone) -> list[str]:
    """The paths of every page the worker keeps, whoever for."""
    return phone.evaluate(
        """async () => {
            const paths = [];
            for (const name of await caches.keys()) {
                if (!name.startsWith("crew-pages-")) continue;
                for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
            }
            return paths.sort();
        }"""
    )


def until(phone, check, timeout: float = 10.0) -> None:
    """Poll `check()` until it holds (wait_for_function would not await an async predicate)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        phone.wait_for_timeout(100)


def until_kept(phone, path: str) -> None:
    until(phone, lambda: path in kept_paths(phone))


def open_online(phone, live_server, who, event) -> None:
    sign_in(phone, live_server, who)
    phone.goto("/crew/")
    until_controlled(phone)
    phone.goto(page_url(event))
    until_kept(phone, page_url(event))


def tick(phone, an_item: ChecklistItem, state: str) -> None:
    phone.locator(f"#item-{an_item.pk}").get_by_role("button", name=state, exact=True).click()


def state_of(an_item: ChecklistItem) -> tuple[str, int]:
    an_item.refresh_from_db()
    return an_item.state, an_item.version


# --- Read offline, tick offline, sent once ----------------------------------------------------


def test_tomorrows_charter_is_read_and_ticked_offline_and_the_ticks_reach_the_server_once(
    phone, live_server, artifact, charter, deckhand
):
    open_online(phone, live_server, deckhand, charter)
    lines, deck = item(charter, "Lines and fenders ready"), item(charter, "Deck washed down")

    phone.context.set_offline(True)
    phone.reload()
    banner = phone.locator("#offline-banner")
    assert re.fullmatch(r"Offline — as of \d{1,2}:\d\d [AP]M", banner.inner_text())
    assert phone.get_by_role("heading", name="Harbor charter", level=1).is_visible()
    assert phone.locator("#timing").is_visible()  # timing, roster, checklists, guests: all there
    assert "Guest 1" in phone.locator("#panel-checkin").inner_text()
    phone.screenshot(path=artifact("offline-event-page-phone.png"), full_page=True)

    tick(phone, lines, "Complete")
    tick(phone, deck, "In progress")
    phone.locator(f"#item-{lines.pk}.pending").wait_for()
    phone.locator(f"#item-{deck.pk}.pending").wait_for()
    assert "sent when you are back online" in phone.locator(f"#item-{lines.pk}").inner_text()
    assert state_of(lines) == ("pending", 1)  # nothing reached the server
    assert state_of(deck) == ("pending", 1)

    # Still pending after a reload offline: the ticks are kept on the phone.
    phone.reload()
    phone.locator(f"#item-{lines.pk}.pending").wait_for()
    assert (
        phone.locator(f"#item-{deck.pk}.pending")
        .get_by_role("button", name="In progress")
        .get_attribute("aria-pressed")
        == "true"
    )
    phone.screenshot(path=artifact("offline-ticks-pending-phone.png"), full_page=True)

    phone.context.set_offline(False)
    phone.wait_for_function("() => document.querySelectorAll('li.check-item.pending').length === 0", timeout=15_000)
    assert state_of(lines) == ("complete", 2)
    assert state_of(deck) == ("in_progress", 2)
    assert lines.updated_by == deckhand.user
    assert IdempotencyKey.objects.filter(user=deckhand.user).count() == 2
    assert "Complete — Casey" in phone.locator(f"#item-{lines.pk}").inner_text()
    phone.screenshot(path=artifact("offline-ticks-sent-phone.png"), full_page=True)

    # The same tap once more (its answer lost on one bar of signal, say): already done.
    key = IdempotencyKey.objects.get(target=f"checklist_item:{lines.pk}").key
    status, replay = phone.evaluate(
        """async ([url, key, item]) => {
            const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
            const response = await fetch(url, {
                method: "POST",
                headers: {"Idempotency-Key": key, "HX-Request": "true", "X-CSRFToken": csrf,
                          "Content-Type": "application/x-www-form-urlencoded"},
                body: `item=${item}&state=complete&version=1&csrfmiddlewaretoken=${csrf}`,
            });
            return [response.status, response.headers.get("X-Idempotent-Replay")];
        }""",
        [f"{page_url(charter)}checklist", key, lines.pk],
    )
    assert (status, replay) == (200, "already")
    assert state_of(lines) == ("complete", 2)
    assert IdempotencyKey.objects.count() == 2


def test_two_ticks_on_one_item_offline_land_in_order(phone, live_server, charter, deckhand):
    open_online(phone, live_server, deckhand, charter)
    lines = item(charter, "Lines and fenders ready")
    phone.context.set_offline(True)
    tick(phone, lines, "In progress")
    phone.locator(f"#item-{lines.pk}.pending").wait_for()
    tick(phone, lines, "Complete")
    phone.wait_for_function(
        "(id) => document.querySelector(`#item-${id} button[value=complete]`).getAttribute('aria-pressed') === 'true'",
        arg=lines.pk,
    )
    phone.context.set_offline(False)
    phone.wait_for_function("() => document.querySelectorAll('li.check-item.pending').length === 0", timeout=15_000)
    # Each on top of the last: the second carried the version the first made, no conflict.
    assert state_of(lines) == ("complete", 3)
    assert phone.locator(".conflict-note").count() == 0


def test_a_change_made_meanwhile_by_someone_else_is_reported_not_overwritten(
    phone, live_server, artifact, charter, deckhand, captain
):
    open_online(phone, live_server, deckhand, charter)
    lines = item(charter, "Lines and fenders ready")
    phone.context.set_offline(True)
    tick(phone, lines, "Complete")
    phone.locator(f"#item-{lines.pk}.pending").wait_for()

    # Meanwhile, on the dock, the captain marks it in progress from another phone.
    checklist_item_update(item=lines, state="in_progress", seen_version=1, by=captain.user)

    phone.context.set_offline(False)
    conflict = phone.locator(f"#item-{lines.pk} .conflict-note")
    conflict.wait_for(timeout=15_000)
    text = conflict.inner_text()
    assert "Not saved — changed meanwhile." in text
    assert "Now: In progress" in text
    assert "Yours, from offline: Complete" in text
    assert "In progress — Dana" in phone.locator(f"#item-{lines.pk}").inner_text()
    assert state_of(lines) == ("in_progress", 2)  # the captain's change stands
    assert IdempotencyKey.objects.count() == 0  # a refused tick leaves no key behind
    phone.screenshot(path=artifact("offline-conflict-phone.png"), full_page=True)

    # Still reported after a reload, until the person decides.
    phone.reload()
    phone.locator(f"#item-{lines.pk} .conflict-note").wait_for()
    phone.locator(f"#item-{lines.pk}").get_by_role("button", name="Use mine").click()
    phone.wait_for_function(
        "(id) => !document.querySelector(`#item-${id} .conflict-note`)"
        " && document.querySelector(`#item-${id}`).classList.contains('state-complete')",
        arg=lines.pk,
        timeout=10_000,
    )
    assert state_of(lines) == ("complete", 3)
    phone.reload()
    assert phone.locator(".conflict-note").count() == 0


# --- The next events, kept from the crew home ---------------------------------------------------


def test_the_crew_home_keeps_the_next_events_for_offline(phone, live_server, artifact, org, charter, deckhand):
    later = make_event(org, name="Sunset sail", departure_at=timezone.now() + timedelta(days=3))
    seat(later, deckhand)
    sign_in(phone, live_server, deckhand)
    phone.goto("/crew/")
    until_controlled(phone)
    phone.reload()  # controlled now: the home asks the worker to keep the next events
    until_kept(phone, page_url(later))
    until_kept(phone, page_url(charter))

    phone.context.set_offline(True)
    phone.goto("/crew/")
    assert phone.locator("#offline-banner").inner_text().startswith("Offline — as of")
    phone.screenshot(path=artifact("offline-crew-home-phone.png"), full_page=True)
    phone.get_by_role("link", name=re.compile("Sunset sail")).click()  # never opened online
    phone.get_by_role("heading", name="Sunset sail", level=1).wait_for()
    assert phone.locator("#offline-banner").is_visible()


def test_the_service_worker_is_served_from_the_root_for_the_crew_pages(phone, live_server, charter, deckhand):
    sign_in(phone, live_server, deckhand)
    phone.goto("/crew/")
    until_controlled(phone)
    scope, script = phone.evaluate(
        "async () => { const r = await navigator.serviceWorker.ready; return [r.scope, r.active.scriptURL]; }"
    )
    assert scope == f"{live_server.url}/crew/"
    assert script == f"{live_server.url}/sw.js"


# --- Nothing of one person for another ------------------------------------------------------------


def test_after_signing_out_nothing_of_the_person_is_shown_offline(phone, live_server, artifact, charter, deckhand):
    open_online(phone, live_server, deckhand, charter)
    phone.goto("/crew/")
    phone.get_by_role("button", name="Sign out", exact=True).click()
    phone.wait_for_url("**/crew/login")
    assert kept_paths(phone) == []

    phone.context.set_offline(True)
    for path in ("/crew/", page_url(charter)):
        phone.goto(path)
        body = phone.locator("body").inner_text()
        assert "You are offline" in body
        for private in ("Casey", "Harbor charter", "Lines and fenders", "Guest 1"):
            assert private not in body
    phone.screenshot(path=artifact("offline-after-sign-out-phone.png"), full_page=True)


def test_someone_else_signing_in_on_the_phone_never_sees_the_first_persons_pages(
    phone, live_server, org, charter, deckhand
):
    open_online(phone, live_server, deckhand, charter)
    phone.context.clear_cookies()
    riley = make_crew_member(org, "Riley")
    sign_in(phone, live_server, riley)
    assert page_url(charter) in kept_paths(phone)
    phone.goto("/crew/")  # online, as Riley: Casey's kept pages go
    until_kept(phone, "/crew/")
    assert kept_paths(phone) == ["/crew/"]  # Riley's home, nothing else
    assert "Hi Riley" in phone.locator("h1").inner_text()

    phone.context.set_offline(True)
    phone.goto(page_url(charter))
    body = phone.locator("body").inner_text()
    assert "Lines and fenders" not in body
    assert "Guest 1" not in body
