"""The back office in Chromium at 1366 px and on a 390 px phone: the pages an owner uses
every day fit the screen (no sideways scrolling). Screenshots are kept as artifacts."""

import pytest
from django.urls import reverse

from charterops.models import OutboundEmail
from guests.tests.factories import make_guest

from .scenario import populate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def test_the_owners_pages_fit_1366_px_and_a_phone(chromium_browser, live_server, owner, org, artifact):
    brand = populate(org, "Sandpiper")
    for n in range(4):
        make_guest(brand.event, f"Guest With A Rather Long Name {n}", email=f"guest.long.address.{n}@example.com")
    email = OutboundEmail.objects.filter(organization=org, kind="waiver_request").first()
    day = brand.event.departure_at.astimezone(org.tz).date().isoformat()
    pages = {
        "dashboard": reverse("admin:index"),
        "events": reverse("admin:events_event_changelist"),
        "event": reverse("admin:events_event_change", args=[brand.event.pk]),
        "event-history": reverse("admin:events_event_history", args=[brand.event.pk]),
        "guest": reverse("admin:guests_guest_change", args=[brand.signed.pk]),
        "crew-member": reverse("admin:crew_crewmember_change", args=[brand.hand.pk]),
        "outbox-email": reverse("admin:charterops_outboundemail_change", args=[email.pk]),
        "manifest": reverse("admin:backoffice_manifest") + f"?day={day}",
    }
    for viewport in SCREENS.values():
        context = chromium_browser.new_context(viewport=viewport, base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto("/admin/login/")
        page.fill("#id_username", owner.username)
        page.fill("#id_password", "pw-for-tests")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        for name, url in pages.items():
            response = page.goto(url)
            assert response.status == 200, f"{name}: {response.status}"
            page.screenshot(path=artifact(f"backoffice-{name}-{viewport['width']}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} is {overflow}px wider than a {viewport['width']} px screen"
        context.close()
