"""The captain's day at sea on a phone-sized screen (Debian's Chromium): board the guests,
count heads, start; time passes and the boat is overdue; the shore contact acknowledges
from the alert's link; back at the dock; the post-return checklist completes the charter."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crew.auth import COOKIE_NAME, token_for
from crew.models import ChecklistItem, ChecklistPhase
from events.models import EventStatus
from events.nudges import nudges_sweep
from guests.tests.factories import make_guest, sign
from safety.models import FloatPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(phone, live_server, who) -> None:
    phone.context.add_cookies([{"name": COOKIE_NAME, "value": token_for(who), "url": live_server.url}])


def test_board_start_overdue_acknowledge_back_at_the_dock_complete(phone, live_server, artifact, charter, captain):
    taylor, jordan = make_guest(charter, "Taylor Guest"), make_guest(charter, "Jordan Guest")
    sign(taylor)
    sign(jordan)
    signed_in(phone, live_server, captain)
    phone.on("dialog", lambda dialog: dialog.accept())
    phone.goto(f"/crew/events/{charter.public_id}/")

    # Board the guests: a tap each, the count follows.
    for guest in (taylor, jordan):
        phone.locator(f"#guest-{guest.pk}").get_by_role("button", name="Board").click()
        phone.locator(f"#guest-{guest.pk}").get_by_role("button", name="Aboard ✓").wait_for()
    assert "4 aboard (2 guests + 2 crew)" in phone.get_by_test_id("pob-text").inner_text()
    phone.get_by_label("Heads counted aboard (crew too)").fill("4")
    phone.get_by_test_id("headcount-form").get_by_role("button", name="Record").click()
    phone.get_by_test_id("ready").wait_for()
    phone.get_by_label("Planned area or route (on the float plan)").fill("San Diego Bay to Point Loma")
    phone.get_by_role("button", name="Save the route").click()
    phone.get_by_text("The planned route is saved.").wait_for()
    phone.screenshot(path=artifact("safety-check-in-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # Start: the float plan goes ashore.
    phone.get_by_role("button", name="Start the charter").click()
    phone.get_by_test_id("float-plan").wait_for()
    plan = FloatPlan.objects.get(event=charter)
    assert plan.persons_on_board == 4
    assert any(m.subject.startswith("Float plan — Queen departed, 4 aboard") for m in mail.outbox)

    # Time passes: the boat is 20 minutes past "no later than" at the next sweep.
    FloatPlan.objects.filter(pk=plan.pk).update(no_later_than=timezone.now() - timedelta(minutes=20))
    plan.refresh_from_db()
    mail.outbox.clear()
    nudges_sweep(kinds=["float_plan_overdue"])
    alert = next(m for m in mail.outbox if m.to == ["office@qsd.example"])
    assert alert.subject.startswith("OVERDUE: Queen not back")
    link = re.search(r"https?://\S+(/safety/overdue/\S+)", alert.body).group(1)

    # The shore contact acknowledges from the link, on their own phone.
    phone.context.clear_cookies()
    phone.goto(link)
    phone.get_by_role("button", name=re.compile("acknowledge")).click()
    phone.get_by_test_id("acknowledged").wait_for()
    assert "Acknowledged by Harbor Office" in phone.get_by_test_id("acknowledged").inner_text()
    mail.outbox.clear()
    nudges_sweep(now=plan.no_later_than + timedelta(minutes=35), kinds=["float_plan_overdue"])
    assert mail.outbox == []  # the repeats stopped

    # Back at the dock, then the post-return checklist completes the charter.
    signed_in(phone, live_server, captain)
    phone.goto(f"/crew/events/{charter.public_id}/")
    assert "OVERDUE" in phone.get_by_test_id("overdue").inner_text()
    phone.get_by_test_id("returned-button").click()
    phone.get_by_test_id("returned").wait_for()
    assert FloatPlan.objects.get(event=charter).closed_at <= timezone.now()
    item = ChecklistItem.objects.get(event=charter, phase=ChecklistPhase.POST_RETURN)
    assert "Deck washed down" in phone.get_by_test_id("post-return").inner_text()
    phone.locator(f"#item-{item.pk}").get_by_role("button", name="Complete").click()
    phone.locator(f"#item-{item.pk}.state-complete").wait_for()
    phone.screenshot(path=artifact("safety-back-at-the-dock-phone.png"), full_page=True)
    charter.refresh_from_db()
    assert charter.status == EventStatus.COMPLETED
