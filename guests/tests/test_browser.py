"""The guest's path on a phone: the waiver link from the email, draw, sign, the count on the guest page."""

import re

import pytest

from charterops.models import OutboundEmail
from guests.models import Guest, WaiverSignature
from guests.tests.factories import make_guest, make_waiver


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_guest_signs_the_waiver_on_a_phone_and_the_guest_page_shows_it_signed(phone, artifact, live_server, settings):
    from charterops.tests.factories import make_org
    from crew.tests.factories import make_event

    settings.SITE_URL = live_server.url  # the links on the published page point at this server

    org = make_org("queenofsandiego", name="Queen of San Diego")
    make_waiver(org, body="I understand that sailing involves risks.")
    event = make_event(org, name="Boatsetter charter", slug="boatsetter-may-30-2024", location="Shelter Island")
    guest = make_guest(event, "Taylor Guest", email="taylor@example.com")  # publishes on commit
    assert Guest.objects.filter(pk=guest.pk).on_hold().exists()

    # The public page names nobody and links to no one's waiver: the guest's link is in their email.
    phone.goto(f"/g/{event.slug}")
    assert "0 of 1 guest has signed." in phone.locator("#waivers").inner_text()
    assert "Taylor" not in phone.content()
    assert phone.locator("a[href*='/w/']").count() == 0
    request = OutboundEmail.objects.get(kind="waiver_request", to=["taylor@example.com"])
    signing_url = re.search(r"http\S+/w/\S+", request.body_text).group(0)
    phone.goto(signing_url)
    phone.wait_for_url(f"**/w/{guest.token}")

    # Submitting with nothing drawn says what is missing.
    phone.check("#id_consent")
    phone.fill("#id_signed_name", "Taylor Guest")
    phone.click("#sign-submit")
    assert "Draw your signature in the box." in phone.locator("#error-signature").inner_text()

    phone.check("#id_consent")
    box = phone.locator("#signature-pad").bounding_box()
    assert box["width"] <= 390
    phone.mouse.move(box["x"] + 20, box["y"] + 120)
    phone.mouse.down()
    for x, y in ((80, 40), (140, 130), (200, 50), (260, 110)):
        phone.mouse.move(box["x"] + x, box["y"] + y, steps=5)
    phone.mouse.up()
    phone.screenshot(path=artifact("guest-waiver-drawn-phone.png"), full_page=True)
    # The vendored signature_pad draws at the screen's density (2× here), not CSS pixels.
    assert phone.evaluate("typeof window.SignaturePad") == "function"
    width, css_width = phone.eval_on_selector("#signature-pad", "c => [c.width, c.offsetWidth]")
    assert width == css_width * 2
    phone.click("#sign-submit")

    phone.wait_for_selector("#signed-confirmation")
    phone.screenshot(path=artifact("guest-waiver-signed-phone.png"), full_page=True)
    signature = WaiverSignature.objects.get(guest=guest)
    assert signature.signed_name == "Taylor Guest"
    assert signature.mismatches() == []
    assert not Guest.objects.filter(pk=guest.pk).on_hold().exists()
    no_scroll = phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_scroll

    phone.click("text=Back to the charter page")
    phone.wait_for_url(f"**/g/{event.slug}")
    waivers = phone.locator("#waivers").inner_text()
    assert "1 of 1 guest has signed." in waivers
    assert "Taylor" not in phone.content()
    phone.screenshot(path=artifact("guest-page-signed-phone.png"), full_page=True)
    # Signed, so once boarded nothing of hers holds the start (safety's gate: safety/tests).
